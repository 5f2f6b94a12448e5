import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { Microk8sPhoenixValidation, RECEIPT_FILE, readReceipt, synthAtomically } from '../../lib';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'receipt-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function synthWithReceipt() {
  const cli = join(dir, 'cli');
  synthAtomically(join(dir, 'dist'), app => {
    new ApiObject(new Chart(app, 'one', { namespace: 'x' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { LOG_LEVEL: 'info' } });
  }, { mirrorTo: cli });
  return { cli, files: [join(cli, 'one.k8s.yaml')] };
}

/** A minimal stand-in for cdk8s-cli's plugin context that records what the plugin reports. */
function context(files: string[]) {
  const logs: string[] = [];
  const violations: unknown[] = [];
  let status = '';
  return {
    logs, violations, status: () => status,
    ctx: {
      manifests: files,
      metadata: {},
      report: { addViolation: (v: unknown) => violations.push(v), submit: (s: string) => { status = s; } },
      logger: { log: (m: string) => logs.push(m) },
      parseManifest: (p: string) => require('yaml').parseAllDocuments(readFileSync(p, 'utf8')).map((d: any) => d.toJS()),
    },
  };
}

test('the app writes a receipt only to the CLI directory, and it matches the files', () => {
  const { cli, files } = synthWithReceipt();
  expect(readReceipt(files)?.objectCount).toBe(1);
  expect(() => readFileSync(join(dir, 'dist', RECEIPT_FILE))).toThrow();
  expect(JSON.parse(readFileSync(join(cli, RECEIPT_FILE), 'utf8')).files['one.k8s.yaml']).toMatch(/^[0-9a-f]{64}$/);
});

test('a changed file, or an extra one, voids the receipt', () => {
  const { cli, files } = synthWithReceipt();
  appendFileSync(files[0], '# edited\n');
  expect(readReceipt(files)).toBeUndefined();
  const other = join(cli, 'two.k8s.yaml');
  writeFileSync(other, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n');
  expect(readReceipt([...files, other])).toBeUndefined();
});

test('the plugin reuses a valid receipt and re-validates when it does not match', async () => {
  const { files } = synthWithReceipt();
  const ok = context(files);
  await new Microk8sPhoenixValidation().validate(ok.ctx as any);
  expect(ok.logs[0]).toMatch(/receipt matches/);
  expect(ok.status()).toBe('success');

  // tamper: a secret-looking key in the ConfigMap after validation
  writeFileSync(files[0], readFileSync(files[0], 'utf8').replace('LOG_LEVEL: info', 'DB_PASSWORD: hunter2'));
  const bad = context(files);
  await new Microk8sPhoenixValidation().validate(bad.ctx as any);
  expect(bad.logs.join('\n')).not.toMatch(/receipt matches/);
  expect(bad.status()).toBe('failure');
  expect(JSON.stringify(bad.violations)).toContain('no-secrets-in-configmap');
});
