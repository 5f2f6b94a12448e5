/**
 * CloudNativePG objects on the real control plane: the Cluster and Database CRDs the addons
 * derive from the bindings in imports/ accept a representative Cluster and Database with
 * server-side apply and `--validate=strict`, and refuse what the operator's CRDs refuse. Where the
 * originals are at hand (`../shared/crds/cloudnative-pg-v1.{23.3,29.2}`, in this repository's
 * CI), the same objects apply under those too: the Cluster under both versions, the Database
 * under 1.29.2 (1.23.3 has no Database).
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { Chart, Testing } from 'cdk8s';
import {
  ClusterStrategy, ElixirDeployment, ElixirSecrets, MigrationMode, PostgresBackup, PostgresCluster, PostgresCredentials, PostgresDatabaseCredentials,
} from '../../lib';
import { CNPG_DATABASE_OPERATOR, compareVersions } from '../../lib/postgres/postgres-cluster';
import { installAddons } from '../../test/control-plane/addons';
import { ControlPlane, startControlPlane } from '../../test/control-plane/cluster';
import { CNPG_FIXTURE_NAMESPACE, cnpgCluster, cnpgDatabase, cnpgNamespace, cnpgObjects } from './cnpg-fixtures';
import { builtVersions, describeOnControlPlane, ROOT } from './helpers';

const SHARED = join(ROOT, '..', 'shared');
const ORIGINALS = {
  '1.29.2': join(SHARED, 'crds', 'cloudnative-pg-v1.29.2'),
  '1.23.3': join(SHARED, 'crds', 'cloudnative-pg-v1.23.3'),
};
const originals = Object.values(ORIGINALS).every(d => existsSync(join(d, 'postgresql.cnpg.io_clusters.yaml')));
if (process.env.CI === 'true' && existsSync(SHARED) && !originals) {
  throw new Error(`../shared is here but ${Object.values(ORIGINALS).join(' or ')} is not: the objects cannot be applied under the original CloudNativePG CRDs`);
}

const yaml = (objects: readonly object[]) => objects.map(o => stringify(o)).join('---\n');

/** What PostgresCluster and its consumers synthesize for an operator version: the Cluster (with
 *  an added database from 1.25 on), its Secrets and policies, an app, its migrations, backups. */
function constructObjects(operatorVersion: string): object[] {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const db = new PostgresCluster(chart, 'Db', {
    credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }),
    operatorVersion, networkPolicies: true, config: { max_connections: 200 }, storageClassName: 'mayastor',
  });
  if (compareVersions(operatorVersion, CNPG_DATABASE_OPERATOR) >= 0) {
    db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(24)) });
  }
  new ElixirDeployment(chart, 'Web', {
    name: 'shop', image: 'ghcr.io/acme/shop:2026.11.1', nodeBasename: 'shop', clusterStrategy: ClusterStrategy.DNS_CLUSTER,
    secrets: ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) }), database: db,
    migrations: { command: ['/app/bin/migrate'], mode: MigrationMode.JOB }, networkPolicies: true,
  });
  new PostgresBackup(chart, 'Backup', { database: db });
  return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, ...Testing.synth(chart)];
}

/** The construct's objects apply with --validate=strict: exit 0, not a word on stderr. */
function constructApplies(cp: ControlPlane, operatorVersion: string): void {
  const objects = constructObjects(operatorVersion);
  expect(objects.some((o: any) => o.kind === 'Database')).toBe(compareVersions(operatorVersion, CNPG_DATABASE_OPERATOR) >= 0);
  const r = apply(cp, objects);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/cluster\.postgresql\.cnpg\.io\/postgres serverside-applied/);
  expect(getJson(cp, '-n', 'shop', 'cluster', 'postgres').spec.instances).toBe(3);
}
const apply = (cp: ControlPlane, objects: readonly object[], ...extra: string[]) =>
  cp.kubectl(['apply', '--server-side', '--validate=strict', ...extra, '-f', '-'], { input: yaml(objects), allowFail: true });
const getJson = (cp: ControlPlane, ...args: string[]) => JSON.parse(cp.kubectl(['get', ...args, '-o', 'json']).stdout);

function withSpec(object: any, spec: object): any {
  return { ...object, spec: { ...object.spec, ...spec } };
}

/** Applies the fixture (namespace, Cluster and, if `database`, the Database): exit 0, not a word on stderr; reads them back. */
function appliesCleanly(cp: ControlPlane, database: boolean): void {
  const objects = database ? cnpgObjects() : [cnpgNamespace(), cnpgCluster()];
  const r = apply(cp, objects);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/cluster\.postgresql\.cnpg\.io\/db serverside-applied/);
  // Nothing was pruned on the way in (the originals add their defaults on top).
  expect(getJson(cp, '-n', CNPG_FIXTURE_NAMESPACE, 'cluster', 'db').spec).toMatchObject(cnpgCluster().spec);
  if (database) expect(getJson(cp, '-n', CNPG_FIXTURE_NAMESPACE, 'database', 'db-reporting').spec).toMatchObject(cnpgDatabase().spec);
}

/** A misspelt field, a wrong type and a missing required field are refused, each named. */
function refusesMistakes(cp: ControlPlane, database: boolean): void {
  const dryRun = (o: object) => apply(cp, [o], '--dry-run=server');
  const unknown = dryRun(withSpec(cnpgCluster(), { instancez: 3 }));
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toMatch(/unknown field "spec\.instancez"|\.spec\.instancez: field not declared in schema/);
  const nested = dryRun(withSpec(cnpgCluster(), { affinity: { ...cnpgCluster().spec.affinity, podAntiAffinityTyp: 'required' } }));
  expect(nested.status).not.toBe(0);
  expect(nested.stderr).toMatch(/unknown field "spec\.affinity\.podAntiAffinityTyp"|\.spec\.affinity\.podAntiAffinityTyp: field not declared in schema/);
  const wrongType = dryRun(withSpec(cnpgCluster(), { instances: 'three' }));
  expect(wrongType.status).not.toBe(0);
  // Server-side apply checks types as it builds the typed patch, before the schema validation.
  expect(wrongType.stderr).toMatch(/\.spec\.instances: expected numeric \(int or float\), got string|spec\.instances in body must be of type (integer|number)/);
  const badEnum = dryRun(withSpec(cnpgCluster(), { managed: { roles: [{ name: 'r', ensure: 'maybe' }] } }));
  expect(badEnum.status).not.toBe(0);
  expect(badEnum.stderr).toMatch(/spec\.managed\.roles\[0\]\.ensure: Unsupported value: "maybe"/);
  if (database) {
    const { cluster: _cluster, ...noCluster } = cnpgDatabase().spec;
    const missing = dryRun({ ...cnpgDatabase(), spec: noCluster });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/spec\.cluster: Required value/);
  }
}

describeOnControlPlane('CloudNativePG objects', cp => {
  describe('under the CRDs derived from the bindings', () => {
    test('the addons left the namespace cnpg-system and the Cluster and Database CRDs (namespaced, status subresource)', () => {
      expect(cp().kubectl(['get', 'namespace', 'cnpg-system', '-o', 'name']).stdout.trim()).toBe('namespace/cnpg-system');
      for (const name of ['clusters.postgresql.cnpg.io', 'databases.postgresql.cnpg.io']) {
        const crd = getJson(cp(), 'crd', name);
        expect(crd.spec.scope).toBe('Namespaced');
        expect(crd.spec.versions[0].subresources.status).toEqual({});
        expect(crd.status.conditions.find((c: any) => c.type === 'NonStructuralSchema')).toBeUndefined();
      }
    });

    test('a namespace, a Cluster and a Database apply server-side with --validate=strict: exit 0, no warning', () => {
      appliesCleanly(cp(), true);
    }, 60_000);

    test('strict validation refuses an unknown field, naming it; wrong types, enum values and missing required fields too', () => {
      refusesMistakes(cp(), true);
    }, 60_000);

    test('what PostgresCluster, an app on it and its backups synthesize applies with --validate=strict: exit 0, no warning', () => {
      constructApplies(cp(), '1.29.2');
    }, 60_000);

    test('kubectl scale sets spec.instances (the scale subresource of the operator\'s CRD)', () => {
      cp().kubectl(['-n', CNPG_FIXTURE_NAMESPACE, 'scale', 'cluster', 'db', '--replicas=2']);
      expect(getJson(cp(), '-n', CNPG_FIXTURE_NAMESPACE, 'cluster', 'db').spec.instances).toBe(2);
    });
  });
});

// The CRDs are reference data of this repository's CI, not something users have. A control plane
// of its own per CloudNativePG version: swapping CRDs in place races the API server's CRD
// handling (a CRD deleted before its watch cache is up can stay Terminating for minutes).
const withOriginals = originals ? builtVersions().flatMap(version => (['1.29.2', '1.23.3'] as const).map(cnpg => [version, cnpg] as const)) : [];
(withOriginals.length > 0 ? describe.each(withOriginals) : describe.skip.each([['none', '1.29.2']] as const))(
  'CloudNativePG objects under the original CRDs (Kubernetes v%s, CloudNativePG %s)', (version, cnpg) => {
    // 1.23.3 has no Database CRD.
    const database = cnpg === '1.29.2';
    let controlPlane: ControlPlane | undefined;
    const cp = () => {
      if (!controlPlane) throw new Error('control plane did not start');
      return controlPlane;
    };
    beforeAll(async () => {
      controlPlane = await startControlPlane({ version, addons: false });
      installAddons(version, controlPlane.kubectl, { crdDirs: [ORIGINALS[cnpg]] });
    }, 180_000);
    afterAll(async () => { await controlPlane?.stop(); }, 60_000);

    test(`the same ${database ? 'Cluster and Database apply' : 'Cluster applies'} server-side with --validate=strict: exit 0, no warning`, () => {
      expect(cp().kubectl(['get', 'crd', 'databases.postgresql.cnpg.io', '-o', 'name'], { allowFail: true }).status === 0).toBe(database);
      appliesCleanly(cp(), database);
    }, 60_000);

    test('and the same mistakes are refused', () => {
      refusesMistakes(cp(), database);
    }, 60_000);

    test(`what PostgresCluster synthesizes for operator ${cnpg} (and an app and backups on it) applies with --validate=strict: exit 0, no warning`, () => {
      constructApplies(cp(), cnpg);
    }, 60_000);
  });
