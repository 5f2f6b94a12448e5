import { readFileSync } from 'fs';
import { join } from 'path';

const cache = new Map<string, string>();

/**
 * The text of a shell script shipped as a file beside a construct (`lib/<construct>/scripts/`,
 * copied into the package by the compile step), read once: the manifests and the tests that
 * run the scripts use the very same file.
 */
export function shippedScript(constructDir: string, name: string): string {
  const file = join(constructDir, 'scripts', name);
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    cache.set(file, text);
  }
  return text;
}
