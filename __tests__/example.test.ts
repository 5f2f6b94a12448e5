/**
 * examples/shop and examples/two-apps consume this library as a package (installed by path as
 * a packed copy) and synthesize with their own cdk8s CLI and our validation plugin, as a
 * user's project would. `npm test` compiles dist-lib/ before jest runs, so the packed copy is
 * current. The connections are proven on the synthesized YAML with the policy evaluator.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { canConnect, pod, podLabels } from './network/evaluator';
import { disagreements, flowsInSvg } from './tools/diagram/helpers';
import { buildModel } from '../tools/diagram/model';
import { readManifests } from '../tools/diagram/manifests';
import { Manifest, find } from './util';

const examples = join(__dirname, '..', 'examples');
const clean = (name: string) => {
  rmSync(join(examples, name, 'node_modules'), { recursive: true, force: true });
  rmSync(join(examples, name, 'dist'), { recursive: true, force: true });
};
// What the tests write into the example projects (git-ignored) goes again afterwards.
afterAll(() => ['shop', 'two-apps'].forEach(clean));

/** npm ci and cdk8s synth in the example; its manifests, after 0 validation errors. */
export function synthExample(name: string): Manifest[] {
  const dir = join(examples, name);
  clean(name);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'pipe', timeout: 180_000 });
  const out = execFileSync('npm', ['run', 'synth'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  expect(out).toMatch(/Validation of \d+ objects: 0 error\(s\)/);
  // the validator's bookkeeping (external Secrets, solver pods) is beside the manifests, not in them
  const text = readdirSync(join(dir, 'dist')).filter(f => f.endsWith('.yaml')).map(f => readFileSync(join(dir, 'dist', f), 'utf8')).join('\n');
  expect(text).not.toMatch(/microk8s-phoenix\.io/);
  return readdirSync(join(dir, 'dist')).filter(f => f.endsWith('.k8s.yaml'))
    .flatMap(f => parseAllDocuments(readFileSync(join(dir, 'dist', f), 'utf8')).map(d => d.toJS() as Manifest));
}

/** `npm run diagram` on the example's dist/ (a consumer's output): every drawn flow agrees with the evaluator. */
function expectDiagramAgrees(name: string): void {
  const dist = join(examples, name, 'dist');
  const out = mkdtempSync(join(tmpdir(), `diagram-${name}-`));
  execFileSync(process.execPath, ['--require', 'sucrase/register/ts', join(__dirname, '..', 'tools/diagram/cli.ts'), dist, '--out', out, '--format', 'svg'], { stdio: 'pipe', timeout: 60_000 });
  const manifests = readManifests([dist]).map(m => m.manifest as Manifest);
  const model = buildModel(manifests);
  const drawn = flowsInSvg(readFileSync(join(out, 'stack.svg'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  expect(drawn.length).toBe(model.flows.length);
  expect(model.flows.length).toBeGreaterThan(3);
  expect(disagreements(model, drawn, manifests)).toEqual([]);
}

const env = (all: Manifest[], deployment: string, name: string) =>
  find(all, 'Deployment', deployment).spec.template.spec.containers[0].env.find((e: any) => e.name === name);
const controller = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
const solver = (ns: string) => pod(ns, { 'acme.cert-manager.io/http01-solver': 'true' });

test('examples/shop: PHX_HOST from its Ingress, the migration Job and the solver let through default deny', () => {
  const all = synthExample('shop');
  const ingressHost = find(all, 'Ingress', 'shop').spec.rules[0].host;
  expect(ingressHost).toBe('shop.example.com');
  expect(env(all, 'shop', 'PHX_HOST').value).toBe(ingressHost);
  const job = all.find(d => d.kind === 'Job')!;
  expect(job.metadata.name).toMatch(/^shop-migrate-[0-9a-f]{10}$/);
  const p = (kind: string, name: string) => pod('shop', podLabels(find(all, kind, name)));
  const [app, db, migrate] = [p('Deployment', 'shop'), p('StatefulSet', 'shop-db'), pod('shop', podLabels(job))];
  expect(canConnect(all, app, db, 5432)).toBe(true);
  expect(canConnect(all, migrate, db, 5432)).toBe(true); // what the hand-wired version could forget
  expect(canConnect(all, controller, app, 4000)).toBe(true);
  expect(canConnect(all, controller, solver('shop'), 8089)).toBe(true); // what it did forget
  expect(canConnect(all, migrate, app, 4000)).toBe(false);
  expect(canConnect(all, controller, db, 5432)).toBe(false);
  expect(canConnect(all, pod('shop', { app: 'debug' }), db, 5432)).toBe(false);
  expectDiagramAgrees('shop');
  // the package's own command, as the example's `npm run diagram` (text needs no optional peer)
  const text = execFileSync('npm', ['run', '--silent', 'diagram', '--', '--format', 'text'], { cwd: join(examples, 'shop'), encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  expect(text).toMatch(/^Namespace shop/m);
  expect(text).toContain('shop: Deployment shop → shop: StatefulSet shop-db: 5432/TCP');
}, 240_000);

test('examples/two-apps: one PostgreSQL, a database per app, each app on its own host, only the flows they need', () => {
  const all = synthExample('two-apps');
  for (const name of ['shop', 'blog']) {
    // PHX_HOST equals the app's own Ingress host, with no call in the example
    const ingress = all.find(m => m.kind === 'Ingress' && m.spec.rules[0].http.paths[0].backend.service.name === name && !m.metadata.name.endsWith('-http'))!;
    expect(env(all, name, 'PHX_HOST').value).toBe(ingress.spec.rules[0].host);
    expect(ingress.spec.rules[0].host).toBe(`${name}.example.com`);
  }
  // each app its own database credentials; the server creates the blog's role and database
  expect(env(all, 'shop', 'DATABASE_URL').valueFrom.secretKeyRef.name).toBe('postgres-shop');
  expect(env(all, 'blog', 'DATABASE_URL').valueFrom.secretKeyRef.name).toBe('postgres-blog');
  const server = find(all, 'StatefulSet', 'postgres');
  expect(server.spec.template.spec.containers.find((c: any) => c.name === 'ensure-databases').env).toContainEqual({ name: 'APP_DATABASES', value: 'blog:blog' });
  expect(all.filter(m => m.kind === 'StatefulSet' && m.metadata.namespace === 'apps')).toHaveLength(1);
  // one default deny however many constructs asked
  expect(all.filter(m => m.kind === 'NetworkPolicy' && m.metadata.name === 'default-deny')).toHaveLength(1);
  const p = (kind: string, name: string) => pod('apps', podLabels(find(all, kind, name)));
  const jobs = all.filter(m => m.kind === 'Job');
  const migrate = (name: string) => pod('apps', podLabels(jobs.find(j => j.metadata.name.startsWith(`${name}-migrate-`))!));
  const [shop, blog, db] = [p('Deployment', 'shop'), p('Deployment', 'blog'), p('StatefulSet', 'postgres')];
  for (const [from, port] of [[shop, 5432], [blog, 5432], [migrate('shop'), 5432], [migrate('blog'), 5432]] as const) expect(canConnect(all, from, db, port)).toBe(true);
  expect(canConnect(all, shop, shop, 9000)).toBe(true);
  expect(canConnect(all, controller, shop, 4000)).toBe(true);
  expect(canConnect(all, controller, blog, 4000)).toBe(true);
  expect(canConnect(all, controller, solver('apps'), 8089)).toBe(true);
  // denied: the two Erlang clusters stay apart, the apps do not call each other, nobody else reaches the database
  expect(canConnect(all, shop, blog, 9000)).toBe(false);
  expect(canConnect(all, blog, shop, 4369)).toBe(false);
  expect(canConnect(all, shop, blog, 4000)).toBe(false);
  expect(canConnect(all, migrate('shop'), blog, 4000)).toBe(false);
  expect(canConnect(all, controller, db, 5432)).toBe(false);
  expect(canConnect(all, pod('apps', { app: 'debug' }), db, 5432)).toBe(false);
  expect(canConnect(all, pod('registry', podLabels(find(all, 'StatefulSet', 'registry'))), db, 5432)).toBe(false);
  expectDiagramAgrees('two-apps');
}, 240_000);
