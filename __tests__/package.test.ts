/** The library as another project consumes it: `npm pack` contents and the compiled entry point. */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..');
const pkg = require('../package.json');

describe('package', () => {
  test('main and types point at compiled output that exports the constructs', () => {
    const main = join(root, pkg.main);
    expect(existsSync(main)).toBe(true); // npm test compiles first
    expect(existsSync(join(root, pkg.types))).toBe(true);
    const lib = require(main);
    expect(typeof lib.PostgresStatefulSet).toBe('function');
    expect(typeof lib.PostgresCredentials.fromValues).toBe('function');
  });

  test('npm pack ships compiled JS and typings, not sources or tests', () => {
    const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files: string[] = report.files.map((f: { path: string }) => f.path);
    expect(files).toContain(pkg.main);
    expect(files).toContain(pkg.types);
    expect(files).toContain('dist-lib/imports/k8s.js');
    expect(files.some(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
    expect(files.some(f => f.includes('__tests__'))).toBe(false);
  });
});
