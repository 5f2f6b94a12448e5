/**
 * RegistryAuth (lib/registry/auth.ts): the htpasswd line the registry reads, checked with
 * bcryptjs and, where installed, Apache's htpasswd (another bcrypt implementation, the one the
 * registry docs use to write the file), and the limits of what bcrypt can check.
 */
import { spawnSync } from 'child_process';
import { createHmac } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import bcrypt from 'bcryptjs';
import { Chart, Testing } from 'cdk8s';
import { LocalRegistry, PropError, RegistryAuth, RegistryHttpSecret } from '../../lib';
import { AnonymousAccess, ExistingHtpasswd, OwnedHtpasswd } from '../../lib/registry/auth';

// bcrypt is slow on purpose: each line is computed once.
const PASSWORDS = ['registry-password-for-tests', 'x'.repeat(72), 'pässwörd-with-ümlauts', 'sp ace & "quotes" : colon'];

const owned = (username: string, password: string, realm?: string) => RegistryAuth.htpasswd({ username, password, realm }) as OwnedHtpasswd;
const lines = new Map<string, string>();
const lineOf = (password: string) => {
  if (!lines.has(password)) lines.set(password, owned('ci', password).htpasswdLine());
  return lines.get(password)!;
};
/** The line split into user and bcrypt hash. */
function parseLine(line: string): { user: string; hash: string } {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toContain('\n');
  const i = line.indexOf(':');
  return { user: line.slice(0, i), hash: line.slice(i + 1, -1) };
}

describe('RegistryAuth.htpasswd', () => {
  test('one line "user:bcrypt hash" (cost 10) that checks the password and nothing else', () => {
    for (const password of PASSWORDS) {
      const { user, hash } = parseLine(lineOf(password));
      expect(user).toBe('ci');
      expect(hash).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{53}$/);
      expect(bcrypt.getRounds(hash)).toBe(10);
      expect(bcrypt.compareSync(password, hash)).toBe(true);
      expect(bcrypt.compareSync(password.slice(1), hash)).toBe(false);
    }
    expect(parseLine(owned('registry.user-1', PASSWORDS[0]).htpasswdLine()).user).toBe('registry.user-1');
  });

  test('the salt is the first 16 bytes of an HMAC of the password, in bcrypt\'s base64: the same line on every synth', () => {
    for (const password of PASSWORDS) {
      const { hash } = parseLine(lineOf(password));
      const hmac = createHmac('sha256', 'microk8s-phoenix registry htpasswd salt').update(password).digest().subarray(0, 16);
      expect(bcrypt.getSalt(hash)).toBe(`$2b$10$${bcrypt.encodeBase64([...hmac], 16)}`);
      expect(bcrypt.decodeBase64(bcrypt.getSalt(hash).slice(7), 16)).toEqual([...hmac]);
    }
    expect(owned('ci', PASSWORDS[0]).htpasswdLine()).toBe(lineOf(PASSWORDS[0]));
    const salts = new Set(PASSWORDS.map(p => bcrypt.getSalt(parseLine(lineOf(p)).hash)));
    expect(salts.size).toBe(PASSWORDS.length);
  });

  const htpasswd = spawnSync('htpasswd', ['-vb', '/dev/null', 'x', 'y']).error === undefined;
  (htpasswd ? test : test.skip)('Apache htpasswd verifies the line with the password and refuses another', () => {
    const dir = mkdtempSync(join(tmpdir(), 'htpasswd-'));
    try {
      for (const password of PASSWORDS) {
        const file = join(dir, 'htpasswd');
        writeFileSync(file, lineOf(password));
        expect([password, spawnSync('htpasswd', ['-vb', file, 'ci', password]).status]).toEqual([password, 0]);
        expect([password, spawnSync('htpasswd', ['-vb', file, 'ci', `!${password}`]).status]).not.toEqual([password, 0]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('realm defaults to "registry"', () => {
    expect(owned('ci', PASSWORDS[0]).realm).toBe('registry');
    expect(owned('ci', PASSWORDS[0], 'ours').realm).toBe('ours');
    expect(owned('ci', PASSWORDS[0])).toMatchObject({ username: 'ci', password: PASSWORDS[0] });
  });
});

test('RegistryAuth.fromExistingSecret and anonymous', () => {
  expect(RegistryAuth.fromExistingSecret('users')).toEqual(new ExistingHtpasswd('users', 'htpasswd', 'registry'));
  expect(RegistryAuth.fromExistingSecret('users', { key: 'file', realm: 'ours' })).toEqual(new ExistingHtpasswd('users', 'file', 'ours'));
  expect(RegistryAuth.anonymous()).toBeInstanceOf(AnonymousAccess);
});

describe('the password LocalRegistry accepts: 16 characters up to the 72 bytes bcrypt reads', () => {
  const registry = (password: string) => new LocalRegistry(new Chart(Testing.app(), 'c'), 'R', {
    httpSecret: RegistryHttpSecret.fromValue('s'.repeat(32)), auth: RegistryAuth.htpasswd({ username: 'ci', password }),
  });
  const refusal = (password: string) => {
    try { registry(password); } catch (e) { return e instanceof PropError ? e.prop : e; }
    return undefined;
  };

  test('bcrypt ignores what follows byte 72: a longer password would let in everyone who knows its start', () => {
    const { hash } = parseLine(owned('ci', 'é'.repeat(40)).htpasswdLine());
    expect(bcrypt.compareSync(`${'é'.repeat(36)}anything`, hash)).toBe(true);
  });

  test('counted in UTF-8 bytes, not characters', () => {
    expect(refusal('a'.repeat(16))).toBeUndefined();
    expect(refusal('a'.repeat(72))).toBeUndefined();
    expect(refusal('é'.repeat(36))).toBeUndefined(); // 72 bytes
    expect(refusal('a'.repeat(15))).toBe('auth.password');
    expect(refusal('a'.repeat(73))).toBe('auth.password');
    expect(refusal('é'.repeat(37))).toBe('auth.password'); // 37 characters, 74 bytes
    expect(refusal(`${'a'.repeat(70)}€`)).toBe('auth.password'); // 71 characters, 73 bytes
  });
});

describe('bind: what each choice gives the registry', () => {
  const scope = () => new Chart(Testing.app(), 'c');
  test('htpasswd: a Secret the construct writes, and pull credentials', () => {
    const config = RegistryAuth.htpasswd({ username: 'ci', password: PASSWORDS[0], realm: 'ours' }).bind(scope());
    expect(config.htpasswd).toEqual({ secretName: 'registry-htpasswd', key: 'htpasswd', realm: 'ours', content: lineOf(PASSWORDS[0]) });
    expect(config.pullCredentials).toEqual({ username: 'ci', password: PASSWORDS[0] });
  });
  test('an existing Secret: mounted, not written, no pull credentials', () => {
    expect(RegistryAuth.fromExistingSecret('users', { key: 'file' }).bind(scope())).toEqual({ htpasswd: { secretName: 'users', key: 'file', realm: 'registry' } });
  });
  test('anonymous: nothing to mount', () => {
    expect(RegistryAuth.anonymous().bind(scope())).toEqual({});
  });
  test('errors name the construct path and the auth prop', () => {
    expect(() => RegistryAuth.fromExistingSecret('Users').bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.secretName' }));
    expect(() => RegistryAuth.htpasswd({ username: 'ci', password: 'short' }).bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.password' }));
  });
  test.each<[unknown, boolean]>([
    ['ci', true], ['registry.user-1_x', true], ['u'.repeat(64), true],
    ['u'.repeat(65), false], ['', false], ['ci user', false], ['ci!', false], ['!ci', false], ['ci:x', false], [5, false],
  ])('username %j: accepted %s (an htpasswd line is user:hash)', (username, ok) => {
    const bind = () => RegistryAuth.htpasswd({ username: username as string, password: PASSWORDS[0] }).bind(scope());
    if (ok) expect(bind().pullCredentials?.username).toBe(username);
    else expect(bind).toThrow(expect.objectContaining({ prop: 'auth.username', constructPath: 'c' }));
  });

  test('an empty realm or key is refused, naming its prop', () => {
    expect(() => RegistryAuth.htpasswd({ username: 'ci', password: PASSWORDS[0], realm: '' }).bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.realm' }));
    expect(() => RegistryAuth.fromExistingSecret('users', { realm: '' }).bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.realm' }));
    expect(() => RegistryAuth.fromExistingSecret('users', { key: '' }).bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.key' }));
    expect(() => RegistryAuth.htpasswd({ username: 'ci', password: 5 as any }).bind(scope())).toThrow(expect.objectContaining({ prop: 'auth.password' }));
  });

  test('a variant of the consumer\'s own is mounted as it says (the construct switches on nothing)', () => {
    class FromVault extends RegistryAuth {
      constructor() { super(); }
      public bind() { return { htpasswd: { secretName: 'vault-htpasswd', key: 'htpasswd', realm: 'vault' } }; }
    }
    const chart = new Chart(Testing.app(), 'c');
    new LocalRegistry(chart, 'R', { httpSecret: RegistryHttpSecret.fromExistingSecret('http'), auth: new FromVault() });
    const sts = chart.toJson().find((m: any) => m.kind === 'StatefulSet');
    expect(sts.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'auth', secret: expect.objectContaining({ secretName: 'vault-htpasswd' }) }));
    expect(chart.toJson().filter((m: any) => m.kind === 'Secret')).toEqual([]); // the Secret is the consumer's
  });
  test('anything else is refused as auth', () => {
    expect(() => new LocalRegistry(new Chart(Testing.app(), 'c'), 'R', { httpSecret: RegistryHttpSecret.fromExistingSecret('http'), auth: {} as any }))
      .toThrow(expect.objectContaining({ prop: 'auth' }));
  });
});
