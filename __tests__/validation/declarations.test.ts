/**
 * Validator bookkeeping (external Secrets, pods started by something else) stays in the construct
 * tree: never in a manifest. `App.synth()` leaves it beside the manifests in a file kubectl
 * skips, for the cdk8s CLI's validation plugin, which needs it to accept those references.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ElixirDeployment, ElixirSecrets, Microk8sPhoenixValidation, PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { DECLARATIONS_FILE, readDeclarations } from '../../lib/validation/declarations';

let dir: string;
const cliOutdir = process.env.CDK8S_OUTDIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'declarations-'));
  process.env.CDK8S_OUTDIR = dir; // as when the cdk8s CLI runs the app
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (cliOutdir === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = cliOutdir;
});

function synthShop(yamlOutputType?: YamlOutputType): string[] {
  const app = new App({ outdir: dir, yamlOutputType });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const db = new PostgresStatefulSet(chart, 'Db', { credentials: PostgresCredentials.fromExistingSecret('shop-db') });
  new ElixirDeployment(chart, 'Web', { name: 'web', image: 'localhost:32000/web:1.0.0', nodeBasename: 'web', secrets: ElixirSecrets.fromExistingSecret('web-secrets'), database: db });
  app.synth();
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.yaml') ? [join(d, e.name)] : []));
  return walk(dir);
}

async function plugin(manifests: string[]) {
  const submitted: string[] = [];
  const violations: any[] = [];
  await new Microk8sPhoenixValidation().validate({
    manifests, metadata: {},
    report: { addViolation: (v: any) => violations.push(v), submit: (status: string) => { submitted.push(status); } },
    logger: { log: () => undefined },
    parseManifest: (p: string) => parseAllDocuments(readFileSync(p, 'utf8')).map(d => d.toJS()),
  } as any);
  return { status: submitted[0], violations };
}

test('App.synth(): no bookkeeping in the manifests, a declarations file kubectl apply -f skips', () => {
  const manifests = synthShop();
  const text = manifests.map(f => readFileSync(f, 'utf8')).join('\n');
  expect(text).not.toMatch(/microk8s-phoenix\.io/);
  expect(DECLARATIONS_FILE).not.toMatch(/\.(ya?ml|json)$/); // the extensions kubectl reads from a directory
  expect(readDeclarations(dir)).toEqual({
    'StatefulSet/shop/postgres': { externalSecrets: ['postgres-superuser', 'shop-db'] },
    'Deployment/shop/web': { externalSecrets: ['shop-db', 'web-secrets'] },
  });
});

test('the plugin accepts the declared Secrets, and reports them without the declarations', async () => {
  const manifests = synthShop();
  expect(await plugin(manifests)).toEqual({ status: 'success', violations: [] });
  rmSync(join(dir, DECLARATIONS_FILE));
  const without = await plugin(manifests);
  expect(without.status).toBe('failure');
  expect(without.violations.map(v => v.ruleName)).toContain('secret-reference');
});

test('a broken or foreign declarations file counts as none', () => {
  expect(readDeclarations(join(dir, 'missing'))).toEqual({});
  require('fs').writeFileSync(join(dir, DECLARATIONS_FILE), '{not json');
  expect(readDeclarations(dir)).toEqual({});
  require('fs').writeFileSync(join(dir, DECLARATIONS_FILE), JSON.stringify({ version: 2, objects: { a: 1 } }));
  expect(readDeclarations(dir)).toEqual({});
  require('fs').writeFileSync(join(dir, DECLARATIONS_FILE), JSON.stringify({ version: 1, objects: null }));
  expect(readDeclarations(dir)).toEqual({});
  expect(existsSync(join(dir, DECLARATIONS_FILE))).toBe(true);
});

test('with a folder per chart the plugin finds them in the output root', async () => {
  const manifests = synthShop(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
  expect(manifests.every(m => m.startsWith(join(dir, 'shop')))).toBe(true);
  expect(await plugin(manifests)).toEqual({ status: 'success', violations: [] });
});

test('written only where the cdk8s CLI runs the app: never by synthYaml, tests or another outdir', () => {
  delete process.env.CDK8S_OUTDIR;
  synthShop();
  expect(existsSync(join(dir, DECLARATIONS_FILE))).toBe(false);
  process.env.CDK8S_OUTDIR = join(dir, 'elsewhere');
  synthShop();
  expect(existsSync(join(dir, DECLARATIONS_FILE))).toBe(false);
  process.env.CDK8S_OUTDIR = dir;
  const app = Testing.app();
  new PostgresStatefulSet(new Chart(app, 'c', { namespace: 'c' }), 'Db', { credentials: PostgresCredentials.fromExistingSecret('db') });
  app.synthYaml();
  expect(existsSync(join(app.outdir, DECLARATIONS_FILE))).toBe(false);
});
