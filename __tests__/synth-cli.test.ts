/**
 * `cdk8s synth` as users run it: the project's real cdk8s-cli with cdk8s.yaml (app through
 * sucrase, validation plugin), on the default app, into temporary directories.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from '../lib';

const root = join(__dirname, '..');
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');
let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'synth-')); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let runs = 0;
/** `cdk8s synth` writing our output to `out` (DOIT_OUTDIR); the CLI's own scratch dir is separate. */
function synth(out: string, env: Record<string, string> = {}) {
  return spawnSync(cdk8s, ['synth', '--no-check-upgrade', '--output', join(tmp, `cli-${runs++}`)], {
    cwd: root, encoding: 'utf8', env: { ...process.env, DOIT_SECRETS_FILE: join(tmp, 'secrets.json'), DOIT_OUTDIR: out, ...env },
  });
}
const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).filter(f => f.endsWith('.k8s.yaml')).sort();
const snapshotDir = (dir: string) => Object.fromEntries(files(dir).map(f => [f, readFileSync(join(dir, f), 'utf8')]));

describe('cdk8s synth of the default stack (real CLI)', () => {
  let out: string;
  beforeAll(() => {
    out = join(tmp, 'dist');
    const r = synth(out);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  });

  test('numbered files in apply order; bootstrap objects in a subdirectory that `kubectl -f dist/` skips', () => {
    expect(files(out)).toEqual(['01-secrets.k8s.yaml', '02-registry.k8s.yaml', '03-doit.k8s.yaml', 'bootstrap/00-namespaces.k8s.yaml', 'bootstrap/01-volumes.k8s.yaml']);
    expect(readdirSync(out).sort()).toEqual(['.synth-output', '01-secrets.k8s.yaml', '02-registry.k8s.yaml', '03-doit.k8s.yaml', 'bootstrap', 'prune-allowlist.txt']);
    const top = readdirSync(out).filter(f => f.endsWith('.yaml')).map(f => readFileSync(join(out, f), 'utf8')).join('\n');
    // Top-level objects only (a StatefulSet's claim template also says kind: PersistentVolumeClaim).
    expect(top).not.toMatch(/^kind: (Namespace|PersistentVolumeClaim|StorageClass)$/m);
  });

  test('validation passes on all of dist/ (re-read from the files)', () => {
    const sources = files(out).flatMap(f => parseAllDocuments(readFileSync(join(out, f), 'utf8')).map(d => ({ manifest: d.toJS(), file: f })));
    const report = validateManifests(sources);
    expect(report.errors).toEqual([]);
    expect(report.objectCount).toBeGreaterThan(25);
  });

  test('secrets are generated once (0600 files) and stable across synths', () => {
    const secretsFile = join(tmp, 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, '01-secrets.k8s.yaml')).mode & 0o777).toBe(0o600);
    const before = readFileSync(join(out, '01-secrets.k8s.yaml'), 'utf8');
    const again = join(tmp, 'dist-again');
    expect(synth(again).status).toBe(0);
    expect(readFileSync(join(again, '01-secrets.k8s.yaml'), 'utf8')).toBe(before);
    expect(snapshotDir(again)).toEqual(snapshotDir(out));
    const values: string[] = Object.values(JSON.parse(readFileSync(secretsFile, 'utf8')));
    for (const f of files(out).filter(f => !f.includes('secrets'))) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const v of values) expect(text).not.toContain(v);
    }
  });

  test('the default secrets file and dist/ are git-ignored, and no secret file is tracked', () => {
    execFileSync('git', ['check-ignore', '-q', '.secrets/doit.json'], { cwd: root });
    execFileSync('git', ['check-ignore', '-q', 'dist/01-secrets.k8s.yaml'], { cwd: root });
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
    expect(tracked.filter(f => f.startsWith('.secrets') || f.startsWith('dist/'))).toEqual([]);
  });

  test('invalid configuration: clear message, non-zero exit, previous dist/ untouched', () => {
    const before = snapshotDir(out);
    const r = synth(out, { DOIT_REPLICAS: '0', DOIT_IMAGE_TAG: 'latest' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Invalid doit configuration (nothing was written to dist/)');
    expect(r.stderr).toContain('replicas (from env DOIT_REPLICAS="0")');
    expect(r.stderr).toContain('image.tag (from env DOIT_IMAGE_TAG="latest")');
    expect(r.stderr).not.toMatch(/at .*main\.ts/); // our message, not a stack trace
    expect(snapshotDir(out)).toEqual(before);
    expect(readdirSync(tmp).filter(f => f.includes('staging'))).toEqual([]);
  });


  test('a bad prop from configuration also leaves dist/ untouched', () => {
    const before = snapshotDir(out);
    const r = synth(out, { DOIT_POSTGRES_VERSION: '13.9' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('doit/Postgres: invalid prop "version"');
    expect(snapshotDir(out)).toEqual(before);
  });

  test('the compiled fast path and the sucrase path produce identical output', () => {
    // npm test compiles first, so bin/run-app.js takes dist-lib/ unless told otherwise
    const compiled = join(tmp, 'compiled');
    const transpiled = join(tmp, 'transpiled');
    const env = { ...process.env, DOIT_SECRETS_FILE: join(tmp, 'secrets.json') };
    execFileSync(process.execPath, [join(root, 'bin', 'run-app.js')], { cwd: root, env: { ...env, DOIT_OUTDIR: compiled } });
    execFileSync(process.execPath, [join(root, 'bin', 'run-app.js')], { cwd: root, env: { ...env, DOIT_OUTDIR: transpiled, DOIT_TRANSPILE: '1' } });
    expect(snapshotDir(compiled)).toEqual(snapshotDir(transpiled));
    expect(existsSync(join(root, 'dist-lib', '.compiled'))).toBe(true);
  });

  test('cdk8s synth --stdout prints every manifest but no generated secret, unless DOIT_MIRROR_SECRETS=1', () => {
    const stdoutSynth = (env: Record<string, string> = {}) => spawnSync(cdk8s, ['synth', '--no-check-upgrade', '--stdout'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, DOIT_SECRETS_FILE: join(tmp, 'secrets.json'), DOIT_OUTDIR: join(tmp, 'dist-stdout'), ...env },
    });
    const values: string[] = Object.values(JSON.parse(readFileSync(join(tmp, 'secrets.json'), 'utf8')));
    const leaked = (text: string) => values.filter(v => text.includes(v) || text.includes(Buffer.from(v).toString('base64')) ||
      // a value inside a longer Secret entry (DATABASE_URL): decode every base64 run
      (text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []).some(b => Buffer.from(b, 'base64').toString('utf8').includes(v)));
    const r = stdoutSynth();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kind: StatefulSet');
    expect(r.stdout).toContain('Validation of 4'); // the plugin used the receipt for what it was given
    expect(r.stdout).not.toMatch(/^kind: Secret$/m);
    expect(leaked(r.stdout + r.stderr)).toEqual([]);
    // dist/ has them all (kubectl apply -f dist/)
    expect(leaked(readFileSync(join(tmp, 'dist-stdout', '01-secrets.k8s.yaml'), 'utf8'))).toEqual(values);
    const optIn = stdoutSynth({ DOIT_MIRROR_SECRETS: '1' });
    expect(optIn.status).toBe(0);
    expect(optIn.stdout).toMatch(/^kind: Secret$/m);
    expect(leaked(optIn.stdout).length).toBeGreaterThan(0);
  });

  test('a secrets file inside the output directory is refused: exit 1, what to do, nothing touched', () => {
    const before = snapshotDir(out);
    const r = synth(out, { DOIT_SECRETS_FILE: join(out, 'doit.json') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/doit.json: is inside .*dist \(the output directory\), which synth replaces as a whole: the next synth would delete it and generate new passwords.*Set DOIT_SECRETS_FILE \(secrets.file\) to a path outside it/);
    expect(snapshotDir(out)).toEqual(before);
    expect(existsSync(join(out, 'doit.json'))).toBe(false);
  });

  test('a fresh output directory is created', () => {
    const fresh = join(tmp, 'nested', 'out');
    expect(synth(fresh).status).toBe(0);
    expect(existsSync(join(fresh, '03-doit.k8s.yaml'))).toBe(true);
  });
});

describe('DOIT_OUTDIR can never destroy a project', () => {
  test.each([['.'], ['..'], ['lib'], ['README.md']])('DOIT_OUTDIR=%s: a clear error, exit 1, nothing touched', outdir => {
    const project = join(tmp, `project-${outdir.replace(/\W/g, '_')}`, 'inner');
    execFileSync('mkdir', ['-p', join(project, 'lib')]);
    execFileSync('sh', ['-c', 'echo "# mine" > README.md && echo "export {};" > lib/index.ts'], { cwd: project });
    const list = () => (readdirSync(join(project, '..'), { recursive: true }) as string[]).sort();
    const before = list();
    const r = spawnSync(process.execPath, [join(root, 'bin', 'run-app.js')], {
      cwd: project, encoding: 'utf8', env: { ...process.env, DOIT_OUTDIR: outdir, DOIT_SECRETS_FILE: join(tmp, 'outdir-secrets.json') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Refusing to write the output to .*Nothing was touched/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(list()).toEqual(before);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# mine\n');
  });
});
