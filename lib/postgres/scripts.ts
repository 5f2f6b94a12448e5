import { readFileSync } from 'fs';
import { join } from 'path';

/** The shell scripts in `scripts/` (shipped as files in the package). */
export type PostgresScript = 'backup.sh' | 'restore.sh' | 'create-app-role.sh' | 'check-data-dir.sh';

const cache = new Map<string, string>();

/** A script's text, read once: the ConfigMaps and the tests use the very same files. */
export function postgresScript(name: PostgresScript): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(__dirname, 'scripts', name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
