import { Chart, Testing } from 'cdk8s';
import {
  ClusterStrategy, ElixirDeployment, ElixirSecrets, MigrationMode, PostgresBackup, PostgresCluster, PostgresClusterProps, PostgresCredentials,
  PostgresDatabaseCredentials, PostgresStatefulSet, validate,
} from '../../lib';
import { compareVersions } from '../../lib/postgres/postgres-cluster';
import { declarationsOf } from '../../lib/validation/declarations';
import { canConnect, pod, podLabels } from '../network/evaluator';
import { Manifest, find, secretValues, synth, testChart } from '../util';

const credentials = PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) });
const cluster = (props: Partial<PostgresClusterProps> = {}, chart = testChart('shop')) => ({
  chart, db: new PostgresCluster(chart, 'Db', { credentials, networkPolicies: true, ...props }),
});
const errorOf = (fn: () => unknown): any => { try { fn(); } catch (e) { return e; } throw new Error('expected an error'); };
const spec = (all: Manifest[]) => find(all, 'Cluster', 'postgres').spec;

describe('PostgresCluster: the Cluster resource', () => {
  test('defaults: 3 instances on different nodes, the pinned image, retained-nothing hostpath storage, initdb from the owned Secret', () => {
    const { chart, db } = cluster();
    const all = synth(chart);
    const c = find(all, 'Cluster', 'postgres');
    expect(c.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(c.spec).toEqual({
      instances: 3,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.6',
      primaryUpdateStrategy: 'unsupervised',
      storage: { size: '5Gi', storageClass: 'microk8s-hostpath' },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      affinity: { enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' },
      inheritedMetadata: { labels: c.metadata.labels },
      bootstrap: { initdb: { database: 'app', owner: 'app', secret: { name: 'postgres-credentials' } } },
      enableSuperuserAccess: true,
      superuserSecret: { name: 'postgres-superuser' },
      managed: { roles: [] },
    });
    expect(c.metadata.labels).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database' }));
    expect([db.host, db.port, db.serviceName, db.databaseName, db.username, db.instances, db.runAsUser, db.majorVersion, db.operatorVersion])
      .toEqual(['postgres-rw.shop.svc.cluster.local', 5432, 'postgres-rw', 'app', 'app', 3, 26, 17, '1.23.3']);
    expect(db.podSelector).toEqual({ 'cnpg.io/cluster': 'postgres' });
    expect(db.cluster.name).toBe('postgres');
  });

  test('props reach the resource: name, instances, database, role, image with digest, storage, resources, settings, soft anti-affinity, labels', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { chart, db } = cluster({
      name: 'pg', instances: 5, databaseName: 'shop_prod', username: 'shop', image: 'mirror.example/cnpg/postgresql', version: '16.10', imageDigest: digest,
      storageSize: '20Gi', storageClassName: 'openebs-mayastor', podAntiAffinity: 'preferred', config: { max_connections: 200, jit: false, shared_buffers: '256MB' },
      resources: { requests: { cpu: Testing.app() && require('../../imports/k8s').Quantity.fromString('1'), memory: require('../../imports/k8s').Quantity.fromNumber(1073741824) } },
      labels: { 'app.kubernetes.io/part-of': 'shop' },
    });
    const s = find(synth(chart), 'Cluster', 'pg').spec;
    expect(s.instances).toBe(5);
    expect(s.imageName).toBe(`mirror.example/cnpg/postgresql:16.10@${digest}`);
    expect(s.storage).toEqual({ size: '20Gi', storageClass: 'openebs-mayastor' });
    expect(s.resources).toEqual({ requests: { cpu: '1', memory: 1073741824 } });
    expect(s.affinity.podAntiAffinityType).toBe('preferred');
    expect(s.postgresql).toEqual({ parameters: { max_connections: '200', jit: 'off', shared_buffers: '256MB' } });
    expect(s.bootstrap.initdb).toEqual({ database: 'shop_prod', owner: 'shop', secret: { name: 'pg-credentials' } });
    expect(s.inheritedMetadata.labels['app.kubernetes.io/part-of']).toBe('shop');
    expect([db.host, db.majorVersion]).toEqual(['pg-rw.shop.svc.cluster.local', 16]);
  });

  test('without a namespace the host is the bare Service name; another cluster domain is used', () => {
    const app = Testing.app();
    expect(new PostgresCluster(new Chart(app, 'c'), 'Db', { credentials }).host).toBe('postgres-rw');
    expect(new PostgresCluster(new Chart(app, 'd', { namespace: 'x' }), 'Db', { credentials, clusterDomain: 'k8s.example' }).host).toBe('postgres-rw.x.svc.k8s.example');
  });
});

describe('PostgresCluster: Secrets as CloudNativePG reads them', () => {
  test('owned: basic-auth Secrets, the application\'s with DATABASE_URL to the -rw Service, the superuser\'s apart', () => {
    const { chart, db } = cluster();
    const all = synth(chart);
    const app = find(all, 'Secret', 'postgres-credentials');
    expect(app.type).toBe('kubernetes.io/basic-auth');
    expect(secretValues(app)).toEqual({
      username: 'app', password: 'p'.repeat(24), database: 'app', host: 'postgres-rw.shop.svc.cluster.local', port: '5432',
      DATABASE_URL: `ecto://app:${'p'.repeat(24)}@postgres-rw.shop.svc.cluster.local:5432/app`,
    });
    const su = find(all, 'Secret', 'postgres-superuser');
    expect(su.type).toBe('kubernetes.io/basic-auth');
    expect(secretValues(su)).toEqual({ username: 'postgres', password: 's'.repeat(24) });
    expect([db.secretName, db.passwordKey, db.databaseUrlKey, db.superuserSecretName, db.externalSecretNames]).toEqual(['postgres-credentials', 'password', 'DATABASE_URL', 'postgres-superuser', []]);
    expect(db.databaseUrlEnv()).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'DATABASE_URL' } } });
    expect(db.passwordEnv()).toEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'password' } } });
    expect(db.libpqEnv().map(e => e.name)).toEqual(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD']);
  });

  test('existing Secrets: referenced, declared to the validator, nothing written', () => {
    const { chart, db } = cluster({ credentials: PostgresCredentials.fromExistingSecret('shop-db', { superuserSecretName: 'shop-db-admin' }) });
    const all = synth(chart);
    expect(all.filter(m => m.kind === 'Secret')).toEqual([]);
    expect(spec(all).bootstrap.initdb.secret).toEqual({ name: 'shop-db' });
    expect(spec(all).superuserSecret).toEqual({ name: 'shop-db-admin' });
    expect(db.externalSecretNames).toEqual(['shop-db']);
    expect(validate(chart).errors).toEqual([]);
  });

  test.each([
    [{ password: 'pw' }, 'credentials.keys.password', '"pw"'],
    [{ superuserPassword: 'secret' }, 'credentials.keys.superuserPassword', '"secret"'],
  ])('a password under another key than "password" (%j) is refused: basic-auth', (keys, prop, value) => {
    const e = errorOf(() => cluster({ credentials: PostgresCredentials.fromExistingSecret('shop-db', keys) }));
    expect(e.message).toBe(`test/Db: invalid prop "${prop}" = ${value}: CloudNativePG reads basic-auth Secrets: the password under key "password" and the role under "username"`);
  });

  test('the superuser\'s Secret must not be the application\'s', () => {
    expect(errorOf(() => cluster({ credentials: PostgresCredentials.fromExistingSecret('shop-db', { superuserSecretName: 'shop-db' }) })).message)
      .toBe('test/Db: invalid prop "credentials.superuserSecretName" = "shop-db": expected a Secret other than the application\'s "shop-db" (default "postgres-superuser")');
  });

  test('credentials that are not a PostgresCredentials', () => {
    expect(errorOf(() => cluster({ credentials: {} as any })).message).toContain('invalid prop "credentials"');
  });
});

describe('PostgresCluster: props are checked at synth', () => {
  test.each<[Partial<PostgresClusterProps>, string]>([
    [{ instances: 0 }, 'invalid prop "instances" = 0'],
    [{ instances: 10 }, 'invalid prop "instances" = 10'],
    [{ name: 'Bad_Name' }, 'invalid prop "name" = "Bad_Name"'],
    [{ name: 'a'.repeat(51) }, 'invalid prop "name"'],
    [{ username: 'postgres' }, 'invalid prop "username" = "postgres"'],
    [{ databaseName: 'Shop' }, 'invalid prop "databaseName" = "Shop"'],
    [{ version: '17' }, 'invalid prop "version" = "17"'],
    [{ version: '14.9' }, 'PostgreSQL 14 is not supported'],
    [{ imageDigest: 'sha256:abc' }, 'invalid prop "imageDigest"'],
    [{ image: '' }, 'invalid prop "image"'],
    [{ storageSize: 'lots' }, 'invalid prop "storageSize"'],
    [{ storageClassName: 'Fast_SSD' }, 'invalid prop "storageClassName"'],
    [{ podAntiAffinity: 'always' as any }, 'invalid prop "podAntiAffinity" = "always": expected "required" or "preferred"'],
    [{ operatorVersion: '1.23' }, 'invalid prop "operatorVersion" = "1.23": expected the operator\'s MAJOR.MINOR.PATCH'],
    [{ operatorVersion: 1.23 as any }, 'invalid prop "operatorVersion" = 1.23'],
    [{ operatorVersion: '1.22.5' }, 'invalid prop "operatorVersion" = "1.22.5": CloudNativePG 1.22.5 is not supported: 1.23.0 or later (the MicroK8s addon installs 1.23.3)'],
    [{ operatorNamespace: 'CNPG' }, 'invalid prop "operatorNamespace" = "CNPG"'],
    [{ apiServer: { cidr: '10.0.0.0/33', port: 16443 } }, 'invalid prop "apiServer.cidr" = "10.0.0.0/33"'],
    [{ apiServer: { cidr: '10.0.0.0/24', port: 0 } }, 'invalid prop "apiServer.port" = 0'],
    [{ clusterDomain: '' }, 'invalid prop "clusterDomain"'],
    [{ config: { wal_level: 'minimal' } }, 'invalid prop "config.wal_level" = "minimal": this setting is managed by CloudNativePG'],
    [{ config: { listen_addresses: '*' } }, 'invalid prop "config.listen_addresses"'],
    [{ labels: { 'bad key!': 'x' } }, 'invalid prop "labels'],
    [{ resources: { requests: { cpu: { value: 'lots' } as any } } }, 'invalid prop "resources'],
  ])('%j', (props, message) => {
    const e = errorOf(() => cluster(props));
    expect(e.name).toBe('PropError');
    expect(e.message).toContain('test/Db: ');
    expect(e.message).toContain(message);
  });

  test('operator versions compare by number, not text', () => {
    expect(compareVersions('1.23.3', '1.23.0')).toBe(1);
    expect(compareVersions('1.9.0', '1.23.0')).toBe(-1);
    expect(compareVersions('1.25.0', '1.25.0')).toBe(0);
    expect(compareVersions('2.0.0', '1.99.9')).toBe(1);
    expect(compareVersions('1.25.1', '1.25.0')).toBe(1);
    expect(compareVersions('1.25.0', '1.25.1')).toBe(-1);
    expect(() => cluster({ operatorVersion: '1.23.0' })).not.toThrow();
  });
});

describe('PostgresCluster: connections under default deny', () => {
  const instance = (all: Manifest[]) => pod('shop', { ...find(all, 'Cluster', 'postgres').spec.inheritedMetadata.labels, 'cnpg.io/cluster': 'postgres' });
  const operator = pod('cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg' });

  test('the operator reaches the instance manager (8000) and PostgreSQL; instances replicate to each other; nothing else gets in', () => {
    const { chart } = cluster();
    const all = synth(chart);
    const me = instance(all);
    expect(canConnect(all, operator, me, 8000)).toBe(true);
    expect(canConnect(all, operator, me, 5432)).toBe(true);
    expect(canConnect(all, me, me, 5432)).toBe(true); // streaming replication
    expect(canConnect(all, me, me, 8000)).toBe(true);
    expect(canConnect(all, operator, me, 9187)).toBe(false);
    expect(canConnect(all, pod('ingress', {}), me, 5432)).toBe(false);
    expect(canConnect(all, pod('shop', { app: 'debug' }), me, 5432)).toBe(false);
  });

  test('instances (and the operator\'s init Jobs) reach the API server on 16443 and nowhere else outside', () => {
    const { chart } = cluster();
    const all = synth(chart);
    const me = instance(all);
    expect(canConnect(all, me, { ip: '10.0.0.5/32' }, 16443)).toBe(true);
    expect(canConnect(all, me, { ip: '10.0.0.5/32' }, 443)).toBe(false);
    expect(canConnect(all, me, { ip: '93.184.216.34/32' }, 5432)).toBe(false);
    const narrow = cluster({ apiServer: { cidr: '192.168.1.0/24', port: 6443 } });
    const n = synth(narrow.chart);
    expect(canConnect(n, instance(n), { ip: '192.168.1.10/32' }, 6443)).toBe(true);
    expect(canConnect(n, instance(n), { ip: '10.0.0.5/32' }, 6443)).toBe(false);
  });

  test('another operator namespace', () => {
    const { chart } = cluster({ operatorNamespace: 'postgres-operator' });
    const all = synth(chart);
    expect(canConnect(all, pod('postgres-operator', {}), instance(all), 8000)).toBe(true);
    expect(canConnect(all, operator, instance(all), 8000)).toBe(false);
  });

  test('the validator knows the operator starts the pods: no "selects no pod template" error for the cluster\'s policies', () => {
    const { chart } = cluster();
    expect(validate(chart).errors).toEqual([]);
  });
});

/** The same consumer code, whichever server: what an app, its migrations and its backups need. */
function consumer(chart: Chart, db: PostgresStatefulSet | PostgresCluster) {
  const app = new ElixirDeployment(chart, 'Web', {
    name: 'shop', image: 'ghcr.io/acme/shop:2026.11.1', nodeBasename: 'shop', clusterStrategy: ClusterStrategy.DNS_CLUSTER,
    secrets: ElixirSecrets.fromExistingSecret('shop-secrets'), database: db, replicas: 2,
    migrations: { command: ['/app/bin/migrate'], mode: MigrationMode.JOB }, networkPolicies: true,
  });
  const backup = new PostgresBackup(chart, 'Backup', { database: db });
  return { app, backup };
}

describe.each([
  ['PostgresStatefulSet', (chart: Chart) => new PostgresStatefulSet(chart, 'Db', { credentials })],
  ['PostgresCluster', (chart: Chart) => new PostgresCluster(chart, 'Db', { credentials })],
])('the same consumer code on a %s', (_, server) => {
  // Built in each test, not while jest collects the file (mutation runs attribute code run then to no test).
  const setup = () => {
    const chart = testChart('shop');
    const db = server(chart);
    consumer(chart, db);
    const all = synth(chart);
    const dbPod = db instanceof PostgresCluster ? pod('shop', { ...find(all, 'Cluster', 'postgres').spec.inheritedMetadata.labels, 'cnpg.io/cluster': 'postgres' })
      : pod('shop', podLabels(find(all, 'StatefulSet', 'postgres')));
    return { chart, db, all, dbPod };
  };

  test('validates with no error', () => {
    const { chart } = setup();
    expect(validate(chart).errors).toEqual([]);
  });

  test('the app, its migration Job and the backup reach the database; DATABASE_URL and PGHOST point at the server\'s client Service', () => {
    const { db, all, dbPod } = setup();
    const web = pod('shop', podLabels(find(all, 'Deployment', 'shop')));
    const job = pod('shop', podLabels(all.find(m => m.kind === 'Job')!));
    const backup = pod('shop', podLabels(find(all, 'CronJob', 'postgres-backup')));
    for (const client of [web, job, backup]) expect(canConnect(all, client, dbPod, 5432)).toBe(true);
    expect(canConnect(all, web, dbPod, 8000)).toBe(false);
    const env = find(all, 'Deployment', 'shop').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'DATABASE_URL' } } });
    const backupEnv = find(all, 'CronJob', 'postgres-backup').spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(backupEnv).toContainEqual({ name: 'PGHOST', value: db.host });
  });

  test('backups run the server\'s image as its postgres user', () => {
    const { db, all } = setup();
    const p = find(all, 'CronJob', 'postgres-backup').spec.jobTemplate.spec.template.spec;
    expect(p.containers[0].image).toBe(db.image);
    expect(p.securityContext.runAsUser).toBe(db.runAsUser);
  });
});

describe('PostgresCluster.addDatabase', () => {
  test('a Database resource and a managed role whose password the operator takes from the database\'s basic-auth Secret', () => {
    const { chart, db } = cluster({ operatorVersion: '1.29.2' });
    const blog = db.addDatabase('Blog', { databaseName: 'blog_prod', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    const all = synth(chart);
    expect(spec(all).managed.roles).toEqual([{ name: 'blog', ensure: 'present', login: true, passwordSecret: { name: 'postgres-blog-prod-credentials' } }]);
    const d = find(all, 'Database', 'postgres-blog-prod');
    expect(d.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(d.spec).toEqual({ name: 'blog_prod', owner: 'blog', cluster: { name: 'postgres' }, ensure: 'present' });
    const secret = find(all, 'Secret', blog.secretName);
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    expect(secretValues(secret)).toEqual(expect.objectContaining({ username: 'blog', password: 'b'.repeat(20), host: 'postgres-rw.shop.svc.cluster.local' }));
    expect(db.addedDatabases).toEqual([blog]);
    expect(blog.host).toBe(db.host);
    expect(validate(chart).errors).toEqual([]);
  });

  test('an existing Secret for the role: referenced by the role, declared to the validator', () => {
    const { chart, db } = cluster({ operatorVersion: '1.25.0' });
    db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromExistingSecret('blog-db') });
    const all = synth(chart);
    expect(spec(all).managed.roles[0].passwordSecret).toEqual({ name: 'blog-db' });
    expect(validate(chart).errors).toEqual([]);
  });

  test('a role password under another key is refused (the operator reads "password")', () => {
    const { db } = cluster({ operatorVersion: '1.29.2' });
    expect(errorOf(() => db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromExistingSecret('blog-db', { password: 'pw' }) })).message)
      .toBe('test/Db/Blog: invalid prop "credentials.keys.password" = "pw": CloudNativePG reads the role\'s password under key "password" (and its name under "username")');
  });

  test('refused before operator 1.25 (no Database resource), saying how to get a newer one', () => {
    const { db } = cluster();
    const e = errorOf(() => db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) }));
    expect(e.message).toBe('test/Db: invalid prop "addDatabase(Blog)" = "1.23.3": the Database resource needs CloudNativePG 1.25.0 or later; this cluster is written for operatorVersion 1.23.3: '
      + 'enable a newer operator (`microk8s enable cloudnative-pg 1.29.2`) and set operatorVersion to it');
  });

  test('names already taken on the cluster are refused', () => {
    const { db } = cluster({ operatorVersion: '1.29.2' });
    const creds = PostgresDatabaseCredentials.fromPassword('b'.repeat(20));
    expect(errorOf(() => db.addDatabase('A', { databaseName: 'app', username: 'other', credentials: creds })).message).toContain('invalid prop "addDatabase(A).databaseName" = "app"');
    expect(errorOf(() => db.addDatabase('B', { databaseName: 'other', username: 'app', credentials: creds })).message).toContain('invalid prop "addDatabase(B).username" = "app"');
    db.addDatabase('C', { databaseName: 'blog', username: 'blog', credentials: creds });
    expect(errorOf(() => db.addDatabase('D', { databaseName: 'blog', username: 'blog2', credentials: creds })).message).toContain('taken: postgres, template0, template1, app, blog');
  });

  test('an app on an added database reaches the cluster', () => {
    const { chart, db } = cluster({ operatorVersion: '1.29.2' });
    const blog = db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    new ElixirDeployment(chart, 'Web', {
      name: 'blog', image: 'ghcr.io/acme/blog:1.0.0', nodeBasename: 'blog', clusterStrategy: ClusterStrategy.DNS_CLUSTER,
      secrets: ElixirSecrets.fromExistingSecret('blog-secrets'), database: blog, networkPolicies: true,
    });
    const all = synth(chart);
    const me = pod('shop', { ...spec(all).inheritedMetadata.labels, 'cnpg.io/cluster': 'postgres' });
    expect(canConnect(all, pod('shop', podLabels(find(all, 'Deployment', 'blog'))), me, 5432)).toBe(true);
  });
});

describe('PostgresCluster: what the other tests leave open', () => {
  test.each(['port', 'listen_addresses', 'unix_socket_directories', 'data_directory', 'hba_file', 'ident_file', 'config_file',
    'archive_mode', 'archive_command', 'restore_command', 'primary_conninfo', 'primary_slot_name', 'recovery_target', 'hot_standby', 'wal_level',
    'log_destination', 'logging_collector', 'ssl', 'ssl_cert_file', 'ssl_key_file', 'ssl_ca_file', 'password_encryption'])('config.%s is the operator\'s: refused', key => {
    const message = errorOf(() => cluster({ config: { [key]: 'x' } })).message;
    expect(message).toContain(`invalid prop "config.${key}" = `);
    expect(message).toContain('this setting is managed by CloudNativePG');
  });

  test('operatorVersion: MAJOR.MINOR.PATCH with numbers of any length, nothing around them', () => {
    for (const ok of ['1.23.3', '1.100.0', '1.23.10', '2.0.0', '10.0.0']) expect(cluster({ operatorVersion: ok }).db.operatorVersion).toBe(ok);
    for (const bad of ['v1.23.3', '1.23.3-rc1', ' 1.23.3', '1.23.3.4']) expect(errorOf(() => cluster({ operatorVersion: bad })).message).toContain('expected the operator\'s MAJOR.MINOR.PATCH');
  });

  test('existing Secrets are declared to the validator on the Cluster (and a role\'s on its Database); owned ones are not', () => {
    const existing = cluster({ credentials: PostgresCredentials.fromExistingSecret('shop-db', { superuserSecretName: 'shop-db-admin' }), operatorVersion: '1.29.2' });
    existing.db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromExistingSecret('blog-db') });
    expect(declarationsOf(existing.db.cluster)?.externalSecrets).toEqual(['shop-db', 'shop-db-admin']);
    const database = existing.db.addedDatabases[0].node.findAll().find(c => (c as any).kind === 'Database')!;
    expect(declarationsOf(database)?.externalSecrets).toEqual(['blog-db']);
    const owned = cluster({ operatorVersion: '1.29.2' });
    owned.db.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    expect(declarationsOf(owned.db.cluster)?.externalSecrets ?? []).toEqual([]);
    expect(declarationsOf(owned.db.addedDatabases[0].node.findAll().find(c => (c as any).kind === 'Database')!)?.externalSecrets ?? []).toEqual([]);
  });

  test('two clusters in one namespace are two peers: a client of one is not let into the other', () => {
    const chart = testChart('shop');
    const a = new PostgresCluster(chart, 'A', { credentials, name: 'pg-a', networkPolicies: true });
    new PostgresCluster(chart, 'B', { credentials: PostgresCredentials.fromValues({ password: 'q'.repeat(24), superuserPassword: 't'.repeat(24) }), name: 'pg-b' });
    new PostgresBackup(chart, 'Backup', { database: a });
    const all = synth(chart);
    const backup = pod('shop', podLabels(find(all, 'CronJob', 'pg-a-backup')));
    expect(canConnect(all, backup, pod('shop', { 'cnpg.io/cluster': 'pg-a' }), 5432)).toBe(true);
    expect(canConnect(all, backup, pod('shop', { 'cnpg.io/cluster': 'pg-b' }), 5432)).toBe(false);
    expect(all.filter(m => m.kind === 'NetworkPolicy').map(m => m.metadata.name).sort()).toEqual(
      ['allow-dns', 'default-deny', 'pg-a-backup-egress', 'pg-a-egress', 'pg-a-ingress', 'pg-b-egress', 'pg-b-ingress']);
  });

  test('without networkPolicies the namespace gets no default deny from the cluster', () => {
    const { chart } = cluster({ networkPolicies: false });
    expect(synth(chart).filter(m => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('credentials that are not a PostgresCredentials: the error says which are', () => {
    expect(errorOf(() => cluster({ credentials: {} as any })).message)
      .toContain('expected PostgresCredentials.fromValues({ password, superuserPassword }) or PostgresCredentials.fromExistingSecret(name)');
  });
});
