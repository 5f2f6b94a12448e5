import {
  ElixirDeployment, ElixirSecrets, PostgresCredentials, PostgresDatabase, PostgresDatabaseCredentials, PostgresStatefulSet, validate,
} from '../../lib';
import { canConnect, pod, podLabels } from '../network/evaluator';
import { Manifest, find, secretValues, synth, testChart, declared } from '../util';

const server = (chart = testChart('apps')) => ({
  chart,
  pg: new PostgresStatefulSet(chart, 'Postgres', {
    databaseName: 'shop', username: 'shop', networkPolicies: true,
    credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }),
  }),
});
const podSpec = (all: Manifest[]) => find(all, 'StatefulSet', 'postgres').spec.template.spec;
const errorOf = (fn: () => unknown): any => { try { fn(); } catch (e) { return e; } throw new Error('expected an error'); };

describe('PostgresStatefulSet.addDatabase', () => {
  test('without added databases the pod is unchanged: no ensure-databases container, script or volume', () => {
    const { chart } = server();
    const all = synth(chart);
    expect(podSpec(all).containers.map((c: any) => c.name)).toEqual(['postgres']);
    expect(podSpec(all).volumes.map((v: any) => v.name)).not.toContain('databases');
    expect(Object.keys(find(all, 'ConfigMap', 'postgres-scripts').data)).toEqual(['check-data-dir.sh']);
  });

  test('an owned database: its own Secret, role and database rendered into the server pod', () => {
    const { chart, pg } = server();
    const blog = pg.addDatabase('Blog', { databaseName: 'blog_prod', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    const all = synth(chart);
    expect(blog.secretName).toBe('postgres-blog-prod-credentials');
    const values = secretValues(find(all, 'Secret', blog.secretName));
    expect(values).toEqual(expect.objectContaining({ username: 'blog', password: 'b'.repeat(20), database: 'blog_prod', host: 'postgres.apps.svc.cluster.local', port: '5432' }));
    expect(values.DATABASE_URL).toBe(`ecto://blog:${'b'.repeat(20)}@postgres.apps.svc.cluster.local:5432/blog_prod`);
    const ensure = podSpec(all).containers.find((c: any) => c.name === 'ensure-databases');
    expect(ensure.env).toContainEqual({ name: 'APP_DATABASES', value: 'blog:blog_prod' });
    expect(ensure.image).toBe(pg.image);
    expect(ensure.readinessProbe.exec.command).toEqual(['test', '-f', '/tmp/ensure-databases.ran']);
    expect(ensure.securityContext).toEqual(expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true }));
    const volume = podSpec(all).volumes.find((v: any) => v.name === 'databases');
    expect(volume.projected.sources).toEqual([{ secret: { name: blog.secretName, items: [{ key: 'password', path: 'blog' }], optional: true } }]);
    expect(find(all, 'ConfigMap', 'postgres-scripts').data['ensure-databases.sh']).toMatch(/CREATE DATABASE :"database" OWNER :"role"/);
    // the app's own password is not mounted into the ensure container, only the superuser's and the added roles'
    expect(ensure.volumeMounts.map((m: any) => m.name).sort()).toEqual(['databases', 'run', 'scripts', 'superuser', 'tmp']);
    expect(validate(chart).errors).toEqual([]);
  });

  test('two added databases: one container listing both, the existing Secret declared for validation', () => {
    const { chart, pg } = server();
    pg.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    const wiki = pg.addDatabase('Wiki', { databaseName: 'wiki', username: 'wiki', credentials: PostgresDatabaseCredentials.fromExistingSecret('wiki-db', { password: 'pw', databaseUrl: 'url' }) });
    const all = synth(chart);
    const containers = podSpec(all).containers.filter((c: any) => c.name === 'ensure-databases');
    expect(containers).toHaveLength(1);
    expect(containers[0].env).toContainEqual({ name: 'APP_DATABASES', value: 'blog:blog wiki:wiki' });
    expect(podSpec(all).volumes.find((v: any) => v.name === 'databases').projected.sources[1]).toEqual({ secret: { name: 'wiki-db', items: [{ key: 'pw', path: 'wiki' }], optional: true } });
    expect(wiki.databaseUrlEnv()).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'wiki-db', key: 'url' } } });
    expect(wiki.externalSecretNames).toEqual(['wiki-db']);
    expect(all.some(m => m.kind === 'Secret' && m.metadata.name === 'wiki-db')).toBe(false);
    expect(declared(chart, 'StatefulSet', 'postgres').secrets).toBe('wiki-db');
    expect(pg.addedDatabases).toHaveLength(2);
  });

  test('two apps on one server: each gets its own DATABASE_URL, both reach the server, nobody else does', () => {
    const { chart, pg } = server();
    const blogDb = pg.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    const app = (name: string, database: typeof blogDb | PostgresStatefulSet) => new ElixirDeployment(chart, name, {
      name, image: `localhost:32000/${name}:1.0.0`, nodeBasename: name, database, secrets: ElixirSecrets.fromExistingSecret(`${name}-secrets`),
    });
    app('shop', pg);
    app('blog', blogDb);
    const all = synth(chart);
    const url = (name: string) => find(all, 'Deployment', name).spec.template.spec.containers[0].env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name;
    expect(url('shop')).toBe('postgres-credentials');
    expect(url('blog')).toBe('postgres-blog-credentials');
    const p = (kind: string, name: string) => pod('apps', podLabels(find(all, kind, name)));
    expect(canConnect(all, p('Deployment', 'shop'), p('StatefulSet', 'postgres'), 5432)).toBe(true);
    expect(canConnect(all, p('Deployment', 'blog'), p('StatefulSet', 'postgres'), 5432)).toBe(true);
    expect(canConnect(all, pod('apps', { app: 'other' }), p('StatefulSet', 'postgres'), 5432)).toBe(false);
    expect(validate(chart).errors).toEqual([]);
  });

  test('bad input names the server, the call and the prop', () => {
    const { pg } = server();
    const creds = PostgresDatabaseCredentials.fromPassword('b'.repeat(20));
    expect(errorOf(() => pg.addDatabase('X', { databaseName: 'Blog-DB', username: 'blog', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(X).databaseName' }));
    expect(errorOf(() => pg.addDatabase('X', { databaseName: 'blog', username: '1blog', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(X).username' }));
    expect(errorOf(() => pg.addDatabase('X', { databaseName: 'blog', username: 'postgres', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(X).username' }));
    expect(errorOf(() => pg.addDatabase('X', { databaseName: 'blog', username: 'pg_blog', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(X).username' }));
    for (const taken of ['shop', 'postgres', 'template1']) {
      expect(errorOf(() => pg.addDatabase('X', { databaseName: taken, username: 'blog', credentials: creds })).message).toMatch(/test\/Postgres.*"addDatabase\(X\).databaseName".*not used on this server/s);
    }
    expect(errorOf(() => pg.addDatabase('X', { databaseName: 'blog', username: 'shop', credentials: creds })).message).toMatch(/"addDatabase\(X\).username".*role of its own/s);
    pg.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: creds });
    expect(errorOf(() => pg.addDatabase('Blog2', { databaseName: 'blog', username: 'blog2', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(Blog2).databaseName' }));
    expect(errorOf(() => pg.addDatabase('Blog3', { databaseName: 'blog3', username: 'blog', credentials: creds }))).toEqual(expect.objectContaining({ prop: 'addDatabase(Blog3).username' }));
    expect(errorOf(() => pg.addDatabase('Short', { databaseName: 'short', username: 'short', credentials: PostgresDatabaseCredentials.fromPassword('short') })))
      .toEqual(expect.objectContaining({ prop: 'credentials.password', message: expect.stringMatching(/test\/Postgres\/Short/) }));
    expect(errorOf(() => pg.addDatabase('Ctl', { databaseName: 'ctl', username: 'ctl', credentials: PostgresDatabaseCredentials.fromPassword(`${'a'.repeat(20)}\n`) })))
      .toEqual(expect.objectContaining({ prop: 'credentials.password' }));
    expect(errorOf(() => pg.addDatabase('Ex', { databaseName: 'ex', username: 'ex', credentials: PostgresDatabaseCredentials.fromExistingSecret('Bad_Name') })))
      .toEqual(expect.objectContaining({ prop: 'credentials.secretName' }));
    expect(errorOf(() => pg.addDatabase('Ex2', { databaseName: 'ex2', username: 'ex2', credentials: PostgresDatabaseCredentials.fromExistingSecret('ok', { password: 'bad key!' }) })))
      .toEqual(expect.objectContaining({ prop: 'credentials.keys.password' }));
    expect(errorOf(() => pg.addDatabase('Ex3', { databaseName: 'ex3', username: 'ex3', credentials: PostgresDatabaseCredentials.fromExistingSecret('ok', { databaseUrl: 'bad key!' }) })))
      .toEqual(expect.objectContaining({ prop: 'credentials.keys.databaseUrl' }));
    expect(errorOf(() => pg.addDatabase('None', { databaseName: 'none', username: 'none', credentials: undefined as any })))
      .toEqual(expect.objectContaining({ prop: 'credentials' }));
  });

  test('handles give libpq variables for the added database', () => {
    const { pg } = server(testChart('apps'));
    const blog = pg.addDatabase('Blog', { databaseName: 'blog', username: 'blogger', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    expect(blog.libpqEnv()).toEqual([
      { name: 'PGHOST', value: 'postgres.apps.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGDATABASE', value: 'blog' },
      { name: 'PGUSER', value: 'blogger' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-blog-credentials', key: 'password' } } },
    ]);
    expect(blog.passwordEnv('X')).toEqual({ name: 'X', valueFrom: { secretKeyRef: { name: 'postgres-blog-credentials', key: 'password' } } });
    expect(blog.externalSecretNames).toEqual([]);
    expect(blog.namespace).toBe('apps');
  });

  test('password boundaries, a credentials object of the wrong kind, the default env names and the Secret labels', () => {
    const { chart, pg } = server();
    expect(errorOf(() => pg.addDatabase('A', { databaseName: 'a', username: 'a', credentials: PostgresDatabaseCredentials.fromPassword('x'.repeat(15)) })))
      .toEqual(expect.objectContaining({ prop: 'credentials.password' }));
    const ok = pg.addDatabase('B', { databaseName: 'b', username: 'b', credentials: PostgresDatabaseCredentials.fromPassword('x'.repeat(16)) });
    expect(errorOf(() => pg.addDatabase('C', { databaseName: 'c', username: 'c', credentials: PostgresDatabaseCredentials.fromPassword(1234567890123456789 as any) })))
      .toEqual(expect.objectContaining({ prop: 'credentials.password' }));
    expect(errorOf(() => pg.addDatabase('D', { databaseName: 'd', username: 'd', credentials: { secretName: 'x' } as any })))
      .toEqual(expect.objectContaining({ prop: 'credentials' }));
    expect(ok.passwordEnv()).toEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-b-credentials', key: 'password' } } });
    expect(ok.databaseUrlEnv()).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-b-credentials', key: 'DATABASE_URL' } } });
    expect(find(synth(chart), 'Secret', 'postgres-b-credentials').metadata.labels).toEqual(expect.objectContaining({
      'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database',
    }));
  });

  test('an owned Secret name another construct already creates is refused, naming both', () => {
    const chart = testChart('apps');
    const pg = new PostgresStatefulSet(chart, 'Pg', { name: 'pg', credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }) });
    pg.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    // server "pg-blog" would own Secret "pg-blog-credentials", which pg's added database already has
    expect(errorOf(() => new PostgresStatefulSet(chart, 'PgBlog', { name: 'pg-blog', credentials: PostgresCredentials.fromValues({ password: 'q'.repeat(24), superuserPassword: 't'.repeat(24) }) })))
      .toEqual(expect.objectContaining({ prop: 'name', message: expect.stringMatching(/test\/PgBlog.*Secret "pg-blog-credentials".*test\/Pg\/Blog/s) }));
    // the other way round: the added database names the prop it comes from
    const chart2 = testChart('apps');
    new PostgresStatefulSet(chart2, 'PgBlog', { name: 'pg-blog', credentials: PostgresCredentials.fromValues({ password: 'q'.repeat(24), superuserPassword: 't'.repeat(24) }) });
    const pg2 = new PostgresStatefulSet(chart2, 'Pg', { name: 'pg', credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }) });
    expect(errorOf(() => pg2.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) })))
      .toEqual(expect.objectContaining({ prop: 'databaseName', constructPath: 'test/Pg/Blog' }));
  });

  test('new PostgresDatabase(server, id, props) is addDatabase: checked and rendered by the server', () => {
    const { chart, pg } = server();
    const blog = new PostgresDatabase(pg, 'Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) });
    expect(pg.addedDatabases).toEqual([blog]);
    expect(podSpec(synth(chart)).containers.find((c: any) => c.name === 'ensure-databases').env).toContainEqual({ name: 'APP_DATABASES', value: 'blog:blog' });
    expect(errorOf(() => new PostgresDatabase(pg, 'Again', { databaseName: 'blog', username: 'other', credentials: PostgresDatabaseCredentials.fromPassword('b'.repeat(20)) })))
      .toEqual(expect.objectContaining({ prop: 'addDatabase(Again).databaseName' }));
  });
});
