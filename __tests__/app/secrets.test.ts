import { execFileSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { checkSecretsFileLocation, loadOrCreateSecrets, SecretsFileError } from '../../app/secrets';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sec-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateSecrets', () => {
  test('generates strong values once, in a 0600 file, and reuses them', () => {
    const file = join(dir, '.secrets', 'doit.json');
    const first = loadOrCreateSecrets(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.secrets')).mode & 0o777).toBe(0o700);
    expect(first.secretKeyBase.length).toBeGreaterThanOrEqual(64);
    expect(Buffer.from(first.secretKeyBase, 'base64')).toHaveLength(64);
    expect(first.postgresPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.releaseCookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.registryHttpSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.registryPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(Object.values(first)).size).toBe(6);
    const before = readFileSync(file, 'utf8');
    expect(loadOrCreateSecrets(file)).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  test('two fresh files never share a value (CSPRNG, not a fixed seed)', () => {
    const a = loadOrCreateSecrets(join(dir, 'a.json'));
    const b = loadOrCreateSecrets(join(dir, 'b.json'));
    for (const k of Object.keys(a) as Array<keyof typeof a>) expect(a[k]).not.toBe(b[k]);
  });

  test('adds only missing values and keeps existing ones', () => {
    const file = join(dir, 'doit.json');
    const pw = 'x'.repeat(40);
    writeFileSync(file, JSON.stringify({ postgresPassword: pw }));
    const s = loadOrCreateSecrets(file);
    expect(s.postgresPassword).toBe(pw);
    expect(JSON.parse(readFileSync(file, 'utf8')).secretKeyBase).toBe(s.secretKeyBase);
  });

  test('weak, unknown or malformed content is an error naming the file', () => {
    const file = join(dir, 'doit.json');
    writeFileSync(file, JSON.stringify({ postgresPassword: 'short' }));
    expect(() => loadOrCreateSecrets(file)).toThrow(SecretsFileError);
    expect(() => loadOrCreateSecrets(file)).toThrow(/"postgresPassword" must be a string of at least 32/);
    writeFileSync(file, JSON.stringify({ password: 'x'.repeat(40) }));
    expect(() => loadOrCreateSecrets(file)).toThrow(/unknown key\(s\) password/);
    writeFileSync(file, '{nope');
    expect(() => loadOrCreateSecrets(file)).toThrow(/not valid JSON/);
  });
});

describe('the secrets file stays private and its errors are clear', () => {
  test('group/other permissions are removed, with a warning that says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-mode-'));
    try {
      const file = join(dir, 'doit.json');
      const first = loadOrCreateSecrets(file);
      chmodSync(file, 0o644);
      const warnings: string[] = [];
      expect(loadOrCreateSecrets(file, m => warnings.push(m))).toEqual(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([expect.stringMatching(/doit.json was readable by others \(mode 0644\); set it to 0600/)]);
      loadOrCreateSecrets(file, m => warnings.push(m));
      expect(warnings).toHaveLength(1); // already private: no warning
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unwritable place: a SecretsFileError that says what to do, no stack trace needed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-ro-'));
    try {
      writeFileSync(join(dir, 'a-file'), '');
      // A path below a regular file can never be created, even by root.
      expect(() => loadOrCreateSecrets(join(dir, 'a-file', 'doit.json'))).toThrow(SecretsFileError);
      expect(() => loadOrCreateSecrets(join(dir, 'a-file', 'doit.json'))).toThrow(/cannot be written \((EEXIST|ENOTDIR).*Set DOIT_SECRETS_FILE to a file in a writable directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secret values never appear in the loader\'s messages', () => {
  test('a malformed file holding a password: the error names the file and the place, not the password', () => {
    const file = join(dir, 'doit.json');
    const pw = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
    for (const text of [`{"postgresPassword": ${pw}}`, `{"postgresPassword": "${pw}" "x"}`, `{"postgresPassword": "${pw}`, `{"${pw}": "x"}`]) {
      writeFileSync(file, text);
      let message = '';
      try { loadOrCreateSecrets(file, () => undefined); } catch (e) { message = (e as Error).message; }
      expect(message).toContain(file);
      expect(message).not.toContain(pw.slice(0, 8));
      expect(message).toMatch(/not valid JSON \(syntax error|unknown key\(s\) <redacted>/);
    }
  });
});

describe('checkSecretsFileLocation', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' });

  test.each([
    ['inside the output directory', (d: string) => join(d, 'dist', 'doit.json'), /is inside dist \(the output directory\), which synth replaces as a whole: the next synth would delete it and generate new passwords/],
    ['the output directory itself', (d: string) => join(d, 'dist'), /is inside dist \(the output directory\)/],
    ['inside a staging directory', (d: string) => join(d, '.dist.staging-1-abc', 'doit.json'), /is inside \.dist\.staging-1-abc \(the output directory\)/],
    ['inside the CLI output directory', (d: string) => join(d, '.cdk8s', 'out', 'doit.json'), /is inside \.cdk8s\/out \(the cdk8s CLI's output directory, which `cdk8s synth` empties before every run\)/],
  ])('refuses a secrets file %s, touching nothing', (_what, pick, message) => {
    const file = pick(dir);
    const before = readdirSync(dir);
    const check = () => checkSecretsFileLocation(file, { outdirs: [join(dir, 'dist')], wipedDirs: [join(dir, '.cdk8s', 'out')], cwd: dir }, () => undefined);
    expect(check).toThrow(SecretsFileError);
    expect(check).toThrow(message);
    expect(check).toThrow(/Nothing was written. Set DOIT_SECRETS_FILE \(secrets.file\) to a path outside it/);
    expect(readdirSync(dir)).toEqual(before);
  });

  test('a symbolic link into the output directory is seen through; an existing file gets the move command', () => {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'doit.json'), '{}');
    symlinkSync(join(dir, 'dist'), join(dir, 'link'));
    expect(() => checkSecretsFileLocation(join(dir, 'link', 'doit.json'), { outdirs: [join(dir, 'dist')], cwd: dir }, () => undefined))
      .toThrow(/after moving this file there .*mv link\/doit.json \.secrets\/doit.json/);
  });

  test('outside the output directory: accepted (a sibling named like it is not inside it)', () => {
    for (const f of [join(dir, '.secrets', 'doit.json'), join(dir, 'dist-secrets.json'), join(dir, 'distx', 'doit.json')]) {
      expect(() => checkSecretsFileLocation(f, { outdirs: [join(dir, 'dist')] }, () => undefined)).not.toThrow();
    }
  });

  test('in a git work tree: a warning when git would commit it, none when ignored; outside a work tree no check', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    checkSecretsFileLocation(join(dir, 'doit.json'), {}, warn);
    expect(warnings).toEqual([]); // not a work tree
    git(dir, 'init', '-q');
    checkSecretsFileLocation(join(dir, 'secrets', 'doit.json'), {}, warn);
    expect(warnings).toEqual([expect.stringMatching(/^warning: the secrets file .*doit.json is not ignored by git \(git check-ignore\): a `git add .` would commit the passwords. Add it to .gitignore .* or set DOIT_SECRETS_FILE \(secrets.file\) to a git-ignored path/)]);
    writeFileSync(join(dir, '.gitignore'), 'secrets/\n');
    checkSecretsFileLocation(join(dir, 'secrets', 'doit.json'), {}, warn);
    expect(warnings).toHaveLength(1);
    // tracked despite the ignore rule: the worst case, said so
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'doit.json'), '{}');
    git(dir, 'add', '-f', 'secrets/doit.json');
    checkSecretsFileLocation(join(dir, 'secrets', 'doit.json'), {}, warn);
    expect(warnings[1]).toMatch(/is tracked by git: the passwords are in its history/);
  });

  test('without git on PATH: no warning, no error', () => {
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-bin');
    try {
      const warnings: string[] = [];
      checkSecretsFileLocation(join(dir, 'doit.json'), { outdirs: [join(dir, 'dist')] }, m => warnings.push(m));
      expect(warnings).toEqual([]);
    } finally {
      process.env.PATH = path;
    }
  });
});
