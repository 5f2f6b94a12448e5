import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadOrCreateSecrets, SecretsFileError } from '../../lib/charts/secrets';

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
