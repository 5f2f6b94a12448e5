/** The jest temporary-directory guard (jest.config.js globalSetup/globalTeardown). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const guard = require('./tmp-guard');

test('tests run with a private TMPDIR that the guard owns', () => {
  expect(process.env.MICROK8S_PHOENIX_TEST_TMP).toBeTruthy();
  expect(tmpdir()).toBe(process.env.MICROK8S_PHOENIX_TEST_TMP);
});

test('finds files holding generated secrets, not other leftovers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guard-'));
  try {
    mkdirSync(join(dir, 'cdk8s.outdir.abc'));
    mkdirSync(join(dir, 'a', 'dist'), { recursive: true });
    writeFileSync(join(dir, 'a', 'secrets.json'), JSON.stringify({ postgresPassword: 'x'.repeat(43) }, null, 2));
    writeFileSync(join(dir, 'a', 'dist', '01-secrets.k8s.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n');
    writeFileSync(join(dir, 'a', 'dist', '03-doit.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    expect(guard.secretBearing(dir).map((f: string) => f.slice(dir.length + 1)).sort()).toEqual(['a/dist/01-secrets.k8s.yaml', 'a/secrets.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('teardown removes the directory and fails naming what held secrets', async () => {
  const saved = process.env.MICROK8S_PHOENIX_TEST_TMP;
  const savedTmpdir = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'guard-run-'));
  writeFileSync(join(dir, 'plugin-secrets-1.json'), '{"registryPassword": "y"}');
  process.env.MICROK8S_PHOENIX_TEST_TMP = dir;
  try {
    await expect(guard.teardown()).rejects.toThrow(/Tests left generated secrets .*\n {2}- plugin-secrets-1.json/);
  } finally {
    process.env.MICROK8S_PHOENIX_TEST_TMP = saved;
    process.env.TMPDIR = savedTmpdir;
  }
  expect(() => mkdirSync(dir)).not.toThrow(); // it was removed
  rmSync(dir, { recursive: true, force: true });
});

test('teardown gives back the TMPDIR of before setup (jest run again in one process, as Stryker does)', async () => {
  const saved = { tmp: process.env.MICROK8S_PHOENIX_TEST_TMP, tmpdir: process.env.TMPDIR };
  try {
    process.env.TMPDIR = tmpdir();
    const before = process.env.TMPDIR;
    await guard.setup();
    expect(process.env.TMPDIR).not.toBe(before);
    await guard.teardown();
    expect(process.env.TMPDIR).toBe(before);
    expect(process.env.MICROK8S_PHOENIX_TEST_TMP).toBeUndefined();
    await guard.setup(); // a second run in the same process still works
    await guard.teardown();
    expect(process.env.TMPDIR).toBe(before);
  } finally {
    process.env.MICROK8S_PHOENIX_TEST_TMP = saved.tmp;
    process.env.TMPDIR = saved.tmpdir;
  }
});
