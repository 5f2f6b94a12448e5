import { readFileSync } from 'fs';
import { join } from 'path';

/** The shell scripts in `scripts/` (shipped as files in the package). */
export type ElixirScript = 'wait-for-database.sh';

const cache = new Map<string, string>();

/** A script's text, read once: the manifests and the tests use the very same file. */
export function elixirScript(name: ElixirScript): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(__dirname, 'scripts', name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
