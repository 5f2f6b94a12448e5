import { App, Chart } from 'cdk8s';
import { describeJsonError, formatValue, isSecretName, redact } from '../../lib/common/redact';
import { PropError } from '../../lib/validation/props';

const PW = 'hunter2-correct-horse-battery-staple';
const SU = 'superuser-Zm9vYmFyYmF6cXV4cXV1eA';

describe('PropError never prints a secret value', () => {
  test('an object with password, superuserPassword and secret-ish keys: <redacted>, the rest readable', () => {
    const chart = new Chart(new App(), 'c');
    const credentials = {
      password: PW, superuserPassword: SU, nested: { releaseCookie: PW, secretKeyBase: PW, 'http-secret': PW, token: PW, DATABASE_URL: `ecto://doit:${PW}@db:5432/doit` },
      secretName: 'postgres-credentials', username: 'doit',
    };
    const message = new PropError(chart, 'credentials', credentials, 'expected PostgresCredentials.fromValues(…)').message;
    expect(message).toContain('<redacted>');
    expect(message).not.toContain(PW);
    expect(message).not.toContain(SU);
    expect(message).not.toContain('hunter2');
    // names that only refer to a secret stay readable: they are what the user must fix
    expect(message).toContain('"secretName":"postgres-credentials"');
    expect(message).toContain('"username":"doit"');
    expect(message).toMatch(/^c: invalid prop "credentials" = /);
  });

  test('a class instance (a credentials object from another copy of the library) is redacted too', () => {
    class OtherCopyCredentials { public readonly values = { password: PW, superuserPassword: SU }; }
    const message = new PropError(new Chart(new App(), 'c'), 'credentials', new OtherCopyCredentials(), 'x').message;
    expect(message).not.toContain(PW);
    expect(message).toContain('"values":{"password":"<redacted>","superuserPassword":"<redacted>"}');
  });

  test('a secret-named prop redacts a plain value; a URL keeps all but its password', () => {
    const chart = new Chart(new App(), 'c');
    expect(new PropError(chart, 'auth.password', PW, 'x').message).toBe('c: invalid prop "auth.password" = "<redacted>": x');
    expect(new PropError(chart, 'env.SECRET_KEY_BASE', PW, 'x').message).not.toContain(PW);
    expect(new PropError(chart, 'env.DB', `postgres://doit:${PW}@db/doit`, 'x').message).toContain('"postgres://doit:<redacted>@db/doit"');
    expect(new PropError(chart, 'replicas', 0, 'x').message).toBe('c: invalid prop "replicas" = 0: x');
  });

  test('cycles and constructs do not break the message (JSON.stringify would throw)', () => {
    const chart = new Chart(new App(), 'c');
    const loop: any = { password: PW };
    loop.self = loop;
    expect(new PropError(chart, 'x', loop, 'y').message).toBe('c: invalid prop "x" = {"password":"<redacted>","self":"<circular>"}: y');
    expect(formatValue(chart)).toBe('"<construct c>"');
  });
});

test('isSecretName: values are secret, references to them are not', () => {
  for (const n of ['password', 'superuserPassword', 'credentials.password', 'secretKeyBase', 'SECRET_KEY_BASE', 'RELEASE_COOKIE', 'httpSecret', 'http-secret', 'registryPassword', 'token', 'privateKey', 'DATABASE_URL', 'htpasswd', 'SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'JWT_SECRET_KEY', 'GITHUB_TOKEN', 'POSTGRES_PASSWORD']) {
    expect([n, isSecretName(n)]).toEqual([n, true]);
  }
  for (const n of ['secretName', 'passwordKey', 'keys', 'secretScope', 'username', 'tls.secretName', 'replicas', 'secrets.mode', 'secrets.file', 'credentials.keys.password', 'POSTGRES_PASSWORD_FILE', 'SECRET_NAME', 'TOKEN_PATH']) {
    expect([n, isSecretName(n)]).toEqual([n, false]);
  }
  expect(redact({ a: [{ password: 'x' }] })).toEqual({ a: [{ password: '<redacted>' }] });
});

test('describeJsonError says where, never what', () => {
  const text = `{\n  "postgresPassword": ${PW}\n}`;
  let error: unknown;
  try { JSON.parse(text); } catch (e) { error = e; }
  expect((error as Error).message).toContain('assword'); // V8 quotes the input...
  const described = describeJsonError(error, text);
  expect(described).not.toMatch(/hunter|assword/); // ...we do not
  const positioned = '{"postgresPassword": "abc" x}';
  try { JSON.parse(positioned); } catch (e) { error = e; }
  expect(describeJsonError(error, positioned)).toMatch(/^syntax error at line 1, column \d+; the content is not shown/);
});
