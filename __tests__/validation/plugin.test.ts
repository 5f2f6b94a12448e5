/**
 * The cdk8s validation plugin, in-process: called as cdk8s-cli calls it, with a stand-in for its
 * ValidationContext (manifest files, construct metadata keyed by object name, report, logger,
 * parseManifest). plugin-cli.test.ts runs it under the real `cdk8s synth`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { Microk8sPhoenixValidation, POLICY_RULES, SourcedManifest, ValidationReport, validateManifests } from '../../lib';
import { RECEIPT_FILE, writeReceipt } from '../../lib/validation/receipt';
import { baseline, byName, meta, NS } from './fixture';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'plugin-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Violation { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }

/** Writes each file's manifests as a multi-document YAML file; returns the paths in order. */
function writeManifests(files: Record<string, any[]>): string[] {
  return Object.entries(files).map(([name, docs]) => {
    const p = join(dir, name);
    writeFileSync(p, docs.map(d => (d === null ? '' : stringify(d))).join('---\n'));
    return p;
  });
}

/** A stand-in for cdk8s-cli's ValidationContext that records what the plugin reports. */
function context(manifests: string[], metadata: Record<string, { path: string }> = {}) {
  const violations: Violation[] = [];
  const logs: string[] = [];
  const parsed: string[] = [];
  const submitted: Array<{ status: string; metadata?: Record<string, string> }> = [];
  return {
    violations, logs, parsed, submitted,
    ctx: {
      manifests, metadata, pkg: 'microk8s-phoenix-validation', version: '0.1.0',
      report: {
        addViolation: (v: Violation) => {
          if (submitted.length > 0) throw new Error('violation added after submit');
          violations.push(v);
        },
        submit: (status: 'success' | 'failure', meta?: Record<string, string>) => { submitted.push({ status, metadata: meta }); },
      },
      logger: { log: (m: string) => logs.push(m) },
      // as cdk8s-cli does it: every YAML document, empty ones as null
      parseManifest: (p: string) => { parsed.push(p); return parseAllDocuments(readFileSync(p, 'utf8')).map(d => d.toJS()); },
    },
  };
}

async function run(manifests: string[], metadata: Record<string, { path: string }> = {}) {
  const c = context(manifests, metadata);
  const started = Date.now();
  await new Microk8sPhoenixValidation().validate(c.ctx);
  const elapsed = Date.now() - started;
  expect(c.submitted).toHaveLength(1);
  return { ...c, elapsed, status: c.submitted[0].status, summary: c.submitted[0].metadata ?? {} };
}

/** The report the plugin logs, as blocks of lines (summary, one per finding, waivers). */
const blocksOf = (logs: string[]) => logs[logs.length - 1].split('\n\n').map(b => b.split('\n'));

test('a valid app: success, no violation, counts in the summary, nothing written', async () => {
  const ms = baseline();
  const files = writeManifests({ 'a.k8s.yaml': ms.slice(0, 5), 'b.k8s.yaml': ms.slice(5) });
  const r = await run(files);
  expect(r.status).toBe('success');
  expect(r.violations).toEqual([]);
  expect(r.parsed).toEqual(files);
  expect(r.summary).toEqual({ 'objects': String(ms.length), 'errors': '0', 'warnings': '0', 'waivers': '0', 'time (ms)': expect.stringMatching(/^\d+$/) });
  expect(Number(r.summary['time (ms)'])).toBeLessThanOrEqual(r.elapsed);
  expect(readdirSync(dir).sort()).toEqual(['a.k8s.yaml', 'b.k8s.yaml']);
  expect(r.logs).toHaveLength(1);
  expect(blocksOf(r.logs)).toHaveLength(1);
});

test('errors: failure, one violation per error with rule, resource name, location and manifest file', async () => {
  const ms = baseline();
  byName(ms, 'Service', 'web').spec.selector = { app: 'wbe' };
  byName(ms, 'ConfigMap', 'cfg').data.DB_PASSWORD = 'hunter2';
  const a = ms.filter(m => m.kind !== 'ConfigMap');
  const b = ms.filter(m => m.kind === 'ConfigMap');
  const [fileA, fileB] = writeManifests({ 'a.k8s.yaml': a, 'b.k8s.yaml': b });
  const r = await run([fileA, fileB]);

  expect(r.status).toBe('failure');
  expect(r.summary).toMatchObject({ objects: String(ms.length), errors: '2', warnings: '0', waivers: '0' });
  expect(r.violations.map(v => [v.ruleName, v.violatingResources])).toEqual([
    ['service-selector', [{ resourceName: 'web', locations: ['spec.selector'], manifestPath: fileA }]],
    ['no-secrets-in-configmap', [{ resourceName: 'cfg', locations: ['data.DB_PASSWORD'], manifestPath: fileB }]],
  ]);

  // the recommendation names the object and carries the finding's message
  const expected = validateManifests([...a.map(manifest => ({ manifest, file: fileA })), ...b.map(manifest => ({ manifest, file: fileB }))]);
  expect(expected.errors).toHaveLength(2);
  expected.errors.forEach((f, i) => {
    expect(r.violations[i].recommendation).toContain(f.object);
    expect(r.violations[i].recommendation).toContain(f.message);
  });
  // a policy rule's fix is the rule; another rule's fix is a pointer
  const [selector, secret] = r.violations;
  expect(secret.fix).toContain(POLICY_RULES['no-secrets-in-configmap']);
  expect(selector.fix).not.toContain(POLICY_RULES['no-secrets-in-configmap']);
  expect(selector.fix.length).toBeGreaterThan(0);
  expect(selector.fix).not.toMatch(/undefined/);
});

test('warnings alone: success, counted but not reported as violations', async () => {
  const ms = baseline();
  ms.push({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta('web'), spec: {} });
  const r = await run(writeManifests({ 'a.k8s.yaml': ms }));
  expect(r.status).toBe('success');
  expect(r.violations).toEqual([]);
  expect(r.summary).toMatchObject({ objects: String(ms.length), errors: '0', warnings: '1', waivers: '0' });
  expect(blocksOf(r.logs)[1][0]).toBe(`WARNING [unchecked-kind] ServiceMonitor/${NS}/web`);
});

test('waivers are counted and logged', async () => {
  const ms = baseline();
  const cfg = byName(ms, 'ConfigMap', 'cfg');
  cfg.data.DB_PASSWORD = 'hunter2';
  cfg.metadata.annotations = { 'waivers.microk8s-phoenix.io/no-secrets-in-configmap': 'a test fixture, not a real secret' };
  const r = await run(writeManifests({ 'a.k8s.yaml': ms }));
  expect(r.status).toBe('success');
  expect(r.violations).toEqual([]);
  expect(r.summary).toMatchObject({ errors: '0', warnings: '0', waivers: '1' });
});

test('construct paths: from the metadata for a name only one object has', async () => {
  const ms = baseline();
  byName(ms, 'Service', 'web').spec.selector = { app: 'wbe' }; // "web" is shared by Deployment, Service, Ingress, PDB
  byName(ms, 'ConfigMap', 'cfg').data.DB_PASSWORD = 'hunter2'; // "cfg" is unique
  const r = await run(writeManifests({ 'a.k8s.yaml': ms }), { web: { path: 'app/web/Service' }, cfg: { path: 'app/cfg/ConfigMap' } });
  const blocks = blocksOf(r.logs).slice(1);
  const block = (head: string) => blocks.find(b => b[0].startsWith(head))!.join('\n');
  expect(blocks).toHaveLength(2);
  expect(block('ERROR [no-secrets-in-configmap]')).toContain('app/cfg/ConfigMap');
  expect(block('ERROR [service-selector]')).not.toContain('app/web/Service');
  expect(r.logs.join('\n')).not.toContain('app/web/Service');
});

test('empty YAML documents are skipped; objects without metadata or kind are reported, not thrown on', async () => {
  const noKind = { metadata: { name: 'nameless-kind' } };
  const noMeta = { apiVersion: 'v1', kind: 'ConfigMap', data: {} };
  const file = join(dir, 'a.k8s.yaml');
  writeFileSync(file, ['', stringify(noKind), '', stringify(noMeta), ''].join('---\n'));
  const r = await run([file], { 'nameless-kind': { path: 'app/x' } });
  expect(r.status).toBe('failure');
  expect(r.summary.objects).toBe('2');
  const whole = r.violations.find(v => v.violatingResources[0].resourceName === 'nameless-kind')!;
  expect(whole.ruleName).toBe('schema');
  expect(whole.violatingResources).toEqual([{ resourceName: 'nameless-kind', locations: ['<object>'], manifestPath: file }]);
  expect(whole.fix.length).toBeGreaterThan(0);
  expect(blocksOf(r.logs).find(b => b[0].includes('nameless-kind'))!.join('\n')).toContain('app/x');
});

describe('with a receipt from the app', () => {
  const finding = { severity: 'error' as const, rule: 'probes', object: `Deployment/${NS}/web`, constructPath: 'app/web/Deployment', path: 'spec.template.spec.containers[0]', message: 'add probes' };
  const content = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n';

  test('a matching receipt is the report: nothing is parsed, findings without a file get an empty manifest path', async () => {
    const file = join(dir, 'a.k8s.yaml');
    writeFileSync(file, content);
    writeReceipt(dir, { 'a.k8s.yaml': content }, new ValidationReport(
      [finding, { ...finding, severity: 'warning', rule: 'schema' }, { ...finding, rule: 'whole', object: 'Namespace', path: '' }],
      [{ rule: 'probes', object: `Job/${NS}/once`, reason: 'runs to completion quickly' }], 5));
    const before = readFileSync(join(dir, RECEIPT_FILE), 'utf8');
    const r = await run([file]);
    expect(r.parsed).toEqual([]);
    expect(r.logs).toHaveLength(2);
    expect(r.status).toBe('failure');
    expect(r.summary).toMatchObject({ objects: '5', errors: '2', warnings: '1', waivers: '1' });
    expect(r.violations.map(v => [v.ruleName, v.violatingResources])).toEqual([
      ['probes', [{ resourceName: 'web', locations: ['spec.template.spec.containers[0]'], manifestPath: '' }]],
      ['whole', [{ resourceName: 'Namespace', locations: ['<object>'], manifestPath: '' }]],
    ]);
    expect(r.violations[0].fix).toContain(POLICY_RULES.probes);
    expect(blocksOf(r.logs).find(b => b[0].startsWith('ERROR [probes]'))!.join('\n')).toContain('app/web/Deployment');
    expect(readFileSync(join(dir, RECEIPT_FILE), 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['a.k8s.yaml', RECEIPT_FILE].sort());
  });

  test('a receipt that does not match is not used', async () => {
    const file = join(dir, 'a.k8s.yaml');
    writeFileSync(file, content);
    writeReceipt(dir, { 'a.k8s.yaml': `${content}data: {}\n` }, new ValidationReport([finding], [], 5));
    const r = await run([file]);
    expect(r.parsed).toEqual([file]);
    expect(r.logs).toHaveLength(1);
    expect(r.status).toBe('success');
    expect(r.summary).toMatchObject({ objects: '1', errors: '0' });
  });
});

test('the sources it validates carry the file and, when attributable, the construct path', async () => {
  const validate = jest.requireActual('../../lib/validation/validate');
  const spy = jest.spyOn(validate, 'validateManifests');
  try {
    const ms = baseline();
    const file = writeManifests({ 'a.k8s.yaml': ms })[0];
    await run([file], { cfg: { path: 'app/cfg' }, web: { path: 'app/web' } });
    const sources = spy.mock.calls[0][0] as SourcedManifest[];
    expect(sources).toHaveLength(ms.length);
    expect(sources.every(s => s.file === file)).toBe(true);
    expect(sources.find(s => s.manifest.kind === 'ConfigMap')!.constructPath).toBe('app/cfg');
    expect(sources.filter(s => s.manifest.metadata?.name === 'web').map(s => s.constructPath)).toEqual([undefined, undefined, undefined, undefined]);
    expect(sources.find(s => s.manifest.kind === 'Secret')!.constructPath).toBeUndefined();
  } finally {
    spy.mockRestore();
  }
});
