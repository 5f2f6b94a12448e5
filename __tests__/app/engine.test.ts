// postgres.engine: the doit stack on one PostgreSQL pod (default) or a CloudNativePG cluster,
// the rest of the stack unchanged.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { buildDoitStack, configWarnings, ConfigError, loadConfig, synthAtomically } from '../../app';
import { validate } from '../../lib';
import { FAKE_SECRETS } from '../fixtures/secrets';
import { canConnect, pod, podLabels } from '../network/evaluator';
import { find, Manifest } from '../util';

const config = (env: Record<string, string> = {}) => loadConfig({ env, cwd: __dirname });
function stack(env: Record<string, string>) {
  const app = Testing.app();
  const s = buildDoitStack(app, { config: config(env), secrets: FAKE_SECRETS });
  return { app, s, all: app.charts.flatMap(c => c.toJson()) as Manifest[] };
}
const CNPG = { DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: 'mayastor' };

describe('postgres.engine cloudnative-pg', () => {
  // Built once, when the first test of this block runs (not while jest collects the file: mutation
  // runs load it for every mutant and run only the tests that cover it).
  let built: ReturnType<typeof stack> | undefined;
  const cnpg = () => (built ??= stack({ ...CNPG, DOIT_CNPG_OPERATOR_VERSION: '1.29.2', DOIT_POSTGRES_INSTANCES: '5' }));

  test('a Cluster instead of the StatefulSet, with the config\'s instances, operator, storage and the generated credentials', () => {
    const { s, all } = cnpg();
    expect(all.filter(m => m.kind === 'StatefulSet').map(m => m.metadata.name)).toEqual(['registry']);
    const cluster = find(all, 'Cluster', 'postgres');
    expect(cluster.spec).toMatchObject({ instances: 5, storage: { size: '5Gi', storageClass: 'mayastor' }, bootstrap: { initdb: { database: 'doit_prod', owner: 'doit', secret: { name: 'postgres-credentials' } } } });
    expect(s.doit.postgres.host).toBe('postgres-rw.doit.svc.cluster.local');
    expect(find(all, 'Secret', 'postgres-credentials').type).toBe('kubernetes.io/basic-auth');
  });

  test('the app, its migrations and the backups are unchanged but for the host; everything validates', () => {
    const { app, all } = cnpg();
    expect(validate(app).errors).toEqual([]);
    const db = pod('doit', { ...find(all, 'Cluster', 'postgres').spec.inheritedMetadata.labels, 'cnpg.io/cluster': 'postgres' });
    expect(canConnect(all, pod('doit', podLabels(find(all, 'Deployment', 'elixir'))), db, 5432)).toBe(true);
    expect(canConnect(all, pod('doit', podLabels(find(all, 'CronJob', 'postgres-backup'))), db, 5432)).toBe(true);
    expect(canConnect(all, pod('cnpg-system', {}), db, 8000)).toBe(true);
    expect(canConnect(all, pod('ingress', {}), db, 5432)).toBe(false);
  });
});

test('the same app and backups on either engine: only the database objects differ (and the instances get an egress policy: each other, the API server)', () => {
  const names = (all: Manifest[]) => all.filter(m => !['StatefulSet', 'Cluster', 'Service', 'ConfigMap', 'Secret'].includes(m.kind) || !m.metadata.name.startsWith('postgres'))
    .map(m => `${m.kind}/${m.metadata.name}`).sort();
  expect(names(stack({ ...CNPG }).all)).toEqual([...names(stack({}).all), 'NetworkPolicy/postgres-egress'].sort());
});

describe('config', () => {
  test('defaults: the single StatefulSet; the cluster\'s defaults are 3 instances and the addon\'s operator 1.23.3', () => {
    expect(config().postgres).toMatchObject({ engine: 'statefulset', instances: 3, operatorVersion: '1.23.3' });
    expect(stack({}).all.some(m => m.kind === 'Cluster')).toBe(false);
  });

  test.each([
    [{ DOIT_POSTGRES_ENGINE: 'patroni' }, 'postgres.engine'],
    [{ DOIT_POSTGRES_INSTANCES: '0' }, 'postgres.instances'],
    [{ DOIT_CNPG_OPERATOR_VERSION: '1.23' }, 'postgres.operatorVersion'],
  ])('%j is refused', (env, path) => {
    const e = (() => { try { config(env); } catch (err) { return err as ConfigError; } throw new Error('expected a ConfigError'); })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.problems.join('\n')).toContain(path);
  });

  test('an operator older than 1.23 is refused by the construct, at synth', () => {
    expect(() => stack({ ...CNPG, DOIT_CNPG_OPERATOR_VERSION: '1.22.5' })).toThrow('invalid prop "operatorVersion" = "1.22.5": CloudNativePG 1.22.5 is not supported');
  });
});

describe('warnings at synth', () => {
  test('a cluster on node-local hostpath storage is no real high availability: say so and name replicated classes', () => {
    for (const storageClass of ['microk8s-hostpath', 'microk8s-hostpath-retain']) {
      const [warning] = configWarnings(config({ DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: storageClass }));
      expect(warning).toContain(`storage class ${storageClass}: each instance's data stays on one node's disk`);
      expect(warning).toContain('no real high availability');
      expect(warning).toContain('openebs');
      expect(warning).toContain('rook-ceph');
      expect(warning).toContain('DOIT_POSTGRES_STORAGE_CLASS');
    }
    expect(configWarnings(config({ DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: 'mayastor' }))).toEqual([]);
    expect(configWarnings(config({}))).toEqual([]); // one pod on hostpath is what the single-node default is for
  });

  test('fewer than 3 instances', () => {
    expect(configWarnings(config({ ...CNPG, DOIT_POSTGRES_INSTANCES: '2' }))).toEqual([
      'postgres.instances 2: with fewer than 3 instances a failover leaves no replica behind the new primary; use 3 or more.']);
    expect(configWarnings(config({ DOIT_POSTGRES_INSTANCES: '1' }))).toEqual([]);
  });
});

test('kubectl apply --prune never deletes the Cluster (deleting it deletes its instances\' claims)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  try {
    synthAtomically(join(dir, 'dist'), a => buildDoitStack(a, { config: config(CNPG), secrets: FAKE_SECRETS }), { validate: false, pruneAllowlist: 'prune-allowlist.txt' });
    const flags = readFileSync(join(dir, 'dist', 'prune-allowlist.txt'), 'utf8');
    expect(flags).toContain('--prune-allowlist=apps/v1/Deployment');
    expect(flags).not.toContain('Cluster');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
