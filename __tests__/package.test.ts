/** The library as another project consumes it: `npm pack` contents and the compiled entry point. */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
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
    expect(lib.Quantity.fromString('256Mi').value).toBe('256Mi'); // for the props' resources
  });

  test('the doit app (config, secrets file, stack, output) is not part of the library', () => {
    const lib = require(join(root, pkg.main));
    for (const name of ['buildDoitStack', 'loadConfig', 'loadOrCreateSecrets', 'DoitChart', 'RegistryChart', 'synthAtomically', 'ConfigError']) {
      expect([name, lib[name]]).toEqual([name, undefined]);
    }
  });

  test('npm pack ships compiled JS and typings, not sources or tests', () => {
    const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files: string[] = report.files.map((f: { path: string }) => f.path);
    expect(files).toContain(pkg.main);
    expect(files).toContain(pkg.types);
    expect(files).toContain('dist-lib/imports/k8s.js');
    expect(files.some(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
    expect(files.some(f => f.includes('__tests__'))).toBe(false);
    expect(files.filter(f => f.startsWith('dist-lib/app/') || f.startsWith('dist-lib/main.'))).toEqual([]);
    // the diagram tool, as a command (README "See the stack"); its renderers are optional peers
    expect(files).toEqual(expect.arrayContaining(['bin/diagram.js', 'dist-lib/tools/diagram/cli.js', 'dist-lib/tools/diagram/policy.js']));
    expect(pkg.bin).toEqual({ 'microk8s-phoenix-diagram': 'bin/diagram.js' });
    for (const peer of ['@hpcc-js/wasm-graphviz', '@resvg/resvg-wasm', 'dejavu-fonts-ttf']) {
      expect([peer, pkg.peerDependenciesMeta[peer]]).toEqual([peer, { optional: true }]);
      expect(pkg.peerDependencies[peer]).toBe(`^${pkg.devDependencies[peer]}`);
    }
  });

  test('installs run no package scripts and leave out optional dependencies (here and in the example)', () => {
    for (const dir of [root, join(root, 'examples', 'shop')]) {
      const npmrc = readFileSync(join(dir, '.npmrc'), 'utf8').split('\n').map(l => l.trim());
      expect(npmrc).toEqual(expect.arrayContaining(['ignore-scripts=true', 'omit=optional']));
    }
    // What npm would otherwise have run or installed: backport's postinstall and its 128 packages.
    const lock = require('../package-lock.json').packages as Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
    const scripted = Object.keys(lock).filter(k => lock[k].hasInstallScript);
    expect(scripted.every(k => lock[k].optional)).toBe(true);
    for (const k of scripted) expect(existsSync(join(root, k))).toBe(false);
    expect(existsSync(join(root, 'node_modules', 'backport'))).toBe(false);
  });
});
