import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { synthAtomically } from '../../app';
import { Microk8sPhoenixValidation, ValidationReport } from '../../lib';
import { RECEIPT_FILE, readReceipt, writeReceipt } from '../../lib/validation/receipt';

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

describe('readReceipt', () => {
  const report = () => new ValidationReport(
    [{ severity: 'warning', rule: 'schema', object: 'ConfigMap/x/settings', path: 'data', message: 'm', constructPath: 'one/cm' }],
    [{ rule: 'probes', object: 'Job/x/once', reason: 'runs to completion quickly' }],
    3,
  );
  /** Writes `files` (relative path → content) under `root` and returns their absolute paths. */
  function files(root: string, contents: Record<string, string>): string[] {
    return Object.entries(contents).map(([rel, content]) => {
      const p = join(root, ...rel.split('/'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    });
  }
  const A = 'kind: ConfigMap\n';
  const B = 'kind: Secret\n';

  test('round trip: the findings, waivers and object count of the report', () => {
    const paths = files(dir, { 'a.k8s.yaml': A, 'b.k8s.yaml': B });
    writeReceipt(dir, { 'a.k8s.yaml': A, 'b.k8s.yaml': B }, report());
    const read = readReceipt(paths)!;
    expect(read).toBeInstanceOf(ValidationReport);
    expect(read.findings).toEqual(report().findings);
    expect(read.waivers).toEqual(report().waivers);
    expect(read.objectCount).toBe(3);
    expect(read.warnings).toHaveLength(1);
    expect(readReceipt([...paths].reverse())?.objectCount).toBe(3);
  });

  test('no manifests: no receipt', () => {
    writeReceipt(dir, {}, report());
    expect(readReceipt([])).toBeUndefined();
  });

  test('no receipt file: undefined', () => {
    expect(readReceipt(files(dir, { 'a.k8s.yaml': A }))).toBeUndefined();
  });

  test('the receipt sits in the shallowest directory; nested files are keyed by their /-separated relative path', () => {
    const contents = { 'sub/deep/c.k8s.yaml': A, 'sub/b.k8s.yaml': B, 'a.k8s.yaml': A };
    const paths = files(dir, contents);
    writeReceipt(dir, contents, report());
    expect(readReceipt(paths)?.objectCount).toBe(3);
    expect(readReceipt([paths[1], paths[0], paths[2]])?.objectCount).toBe(3);
    expect(readReceipt([paths[2], paths[0], paths[1]])?.objectCount).toBe(3);
    expect(readReceipt([paths[0], paths[2], paths[1]])?.objectCount).toBe(3);
    // a receipt in a subdirectory does not count for files above it
    writeReceipt(join(dir, 'sub'), { 'deep/c.k8s.yaml': A, 'b.k8s.yaml': B }, report());
    rmSync(join(dir, RECEIPT_FILE));
    expect(readReceipt(paths)).toBeUndefined();
    expect(readReceipt([paths[0], paths[1]])?.objectCount).toBe(3);
  });

  test('a manifest outside the receipt directory voids it, even when the receipt lists it', () => {
    const [a] = files(join(dir, 'aa'), { 'a.k8s.yaml': A });
    const [b] = files(join(dir, 'bb'), { 'b.k8s.yaml': B });
    writeReceipt(join(dir, 'aa'), { 'a.k8s.yaml': A, '../bb/b.k8s.yaml': B }, report());
    expect(readReceipt([a, b])).toBeUndefined();
    expect(readReceipt([b, a])).toBeUndefined();
  });

  test('a receipt listing more files than given voids it', () => {
    const [a] = files(dir, { 'a.k8s.yaml': A });
    writeReceipt(dir, { 'a.k8s.yaml': A, 'b.k8s.yaml': B }, report());
    expect(readReceipt([a])).toBeUndefined();
  });

  test('a receipt of another version, or not a receipt at all, is ignored', () => {
    const paths = files(dir, { 'a.k8s.yaml': A });
    writeReceipt(dir, { 'a.k8s.yaml': A }, report());
    const good = JSON.parse(readFileSync(join(dir, RECEIPT_FILE), 'utf8'));
    expect(readReceipt(paths)?.objectCount).toBe(3);
    for (const bad of [{ ...good, version: 2 }, { ...good, version: '1' }, { ...good, files: undefined }, null, 1, 'x']) {
      writeFileSync(join(dir, RECEIPT_FILE), JSON.stringify(bad));
      expect(readReceipt(paths)).toBeUndefined();
    }
    writeFileSync(join(dir, RECEIPT_FILE), '{ not json');
    expect(readReceipt(paths)).toBeUndefined();
  });

  test('a file with other content than hashed voids it', () => {
    const paths = files(dir, { 'a.k8s.yaml': A });
    writeReceipt(dir, { 'a.k8s.yaml': B }, report());
    expect(readReceipt(paths)).toBeUndefined();
  });
});
