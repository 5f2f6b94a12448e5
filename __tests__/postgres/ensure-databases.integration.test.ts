/**
 * `ensure-databases.sh`, which PostgresStatefulSet runs next to the server once databases are
 * added with addDatabase, on a real PostgreSQL (Debian's `postgresql`) set up as the pod has it:
 * SCRAM everywhere, the rendered pg_hba.conf (no superuser over TCP), a data directory that
 * already holds the first app's database. The script, its environment and the password files
 * are taken from the synthesized manifests.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCredentials, PostgresDatabaseCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { initdb, postgresAvailable, startPostgres } from '../pg';
import { Manifest, find, synth } from '../util';

const describeIf = postgresAvailable('the ensure-databases test') ? describe : describe.skip;

describeIf('ensure-databases.sh on a real server', () => {
  const SUPER = 'superuser:pass\\word-1234';
  const APP = 'application-password-5678';
  const BLOG = 'blog-password-abcdefgh';
  const SHOP = 'shop-password-ijklmnop';
  let dir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let manifests: Manifest[];
  const psql = (user: string, db: string, password: string, sql: string, host = '127.0.0.1') =>
    spawnSync('psql', ['-X', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', host === 'socket' ? dir : host, '-p', String(port), '-U', user, '-d', db, '-c', sql],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' } });

  /**
   * Runs the script as the container would, until its first pass is over (or it exits), then
   * stops it with TERM; returns its output and exit status (null: it was still running).
   */
  async function ensure(envOverride: Record<string, string> = {}): Promise<{ done: boolean; status: number | null; stderr: string; stdout: string; exitAfterTerm: number | null }> {
    const sts = find(manifests, 'StatefulSet', 'postgres');
    const container = sts.spec.template.spec.containers.find((c: any) => c.name === 'ensure-databases');
    const env: Record<string, string> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    const done = join(dir, 'done');
    rmSync(done, { force: true });
    const script = join(dir, 'ensure-databases.sh');
    writeFileSync(script, find(manifests, 'ConfigMap', 'postgres-scripts').data['ensure-databases.sh']);
    const child = spawn('sh', [script], {
      env: {
        ...process.env, ...env, DATABASES_DIR: join(dir, 'databases'), POSTGRES_PASSWORD_FILE: join(dir, 'superuser'),
        PGPORT: String(port), SOCKET_DIR: dir, RAN_FILE: done, TMPDIR: join(dir, 'tmp'), ...envOverride,
      },
    });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    let status: number | null = null;
    const exited = new Promise<void>(resolve => child.on('exit', code => { status = code; resolve(); }));
    for (let i = 0; i < 200 && status === null && !existsSync(done); i++) await new Promise(r => setTimeout(r, 100));
    const isDone = existsSync(done);
    const statusBeforeTerm = status;
    child.kill('SIGTERM'); // stops at once (the trap), not after the grace period
    await exited;
    return { done: isDone, status: statusBeforeTerm, stderr, stdout, exitAfterTerm: status };
  }

  beforeAll(async () => {
    const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
    const pg = new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: APP, superuserPassword: SUPER }) });
    pg.addDatabase('Blog', { databaseName: 'blog', username: 'blog', credentials: PostgresDatabaseCredentials.fromPassword(BLOG) });
    pg.addDatabase('Shop', { databaseName: 'shop_prod', username: 'shop', credentials: PostgresDatabaseCredentials.fromExistingSecret('shop-db') });
    manifests = synth(chart);

    dir = mkdtempSync(join(tmpdir(), 'pg-ensure-'));
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'databases'));
    mkdirSync(join(dir, 'tmp'));
    // the files the projected Secret volume holds: one per role, named after it
    writeFileSync(join(dir, 'databases', 'blog'), BLOG);
    writeFileSync(join(dir, 'databases', 'shop'), SHOP);
    writeFileSync(join(dir, 'superuser'), SUPER);
    const hba = join(dir, 'pg_hba.conf');
    writeFileSync(hba, find(manifests, 'ConfigMap', 'postgres-config').data['pg_hba.conf'], { mode: 0o644 });
    writeFileSync(join(dir, 'pw'), SUPER, { mode: 0o644 });
    initdb(join(dir, 'data'), ['-U', 'postgres', `--pwfile=${join(dir, 'pw')}`, '--auth=scram-sha-256']);
    port = await freePort();
    const started = startPostgres(join(dir, 'data'), port, dir, ['-c', 'password_encryption=scram-sha-256', '-c', `hba_file=${hba}`]);
    server = started.server;
    expect(await started.ready()).toBe(true);
    // the data directory as the first init left it, and a role "shop" from before, with an old password
    for (const sql of [`CREATE ROLE app LOGIN PASSWORD '${APP}'`, 'CREATE DATABASE app OWNER app', 'REVOKE ALL ON DATABASE app FROM PUBLIC',
      'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC', "CREATE ROLE shop LOGIN PASSWORD 'an-old-password-000'"]) {
      expect(psql('postgres', 'postgres', SUPER, sql, 'socket').stderr).toBe('');
    }
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('creates the missing roles and databases on an existing data directory, and sets the passwords from the Secrets', async () => {
    const run = await ensure();
    expect(run).toEqual(expect.objectContaining({ done: true, status: null, exitAfterTerm: 0, stderr: '' }));
    expect(run.stdout).toMatch(/role blog owns database blog/);
    expect(psql('blog', 'blog', BLOG, 'select current_user, current_database()').stdout.trim()).toBe('blog|blog');
    expect(psql('shop', 'shop_prod', SHOP, 'select current_user').stdout.trim()).toBe('shop'); // the new password
    expect(psql('shop', 'shop_prod', 'an-old-password-000', 'select 1').stderr).toMatch(/password authentication failed/);
    expect(psql('postgres', 'postgres', SUPER, "select datname || ':' || pg_get_userbyid(datdba) from pg_database where datname in ('blog','shop_prod') order by 1", 'socket').stdout.trim())
      .toBe('blog:blog\nshop_prod:shop');
    expect(psql('postgres', 'postgres', SUPER, "select rolsuper or rolcreatedb or rolcreaterole from pg_roles where rolname = 'blog'", 'socket').stdout.trim()).toBe('f');
    // no superuser password left behind
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  }, 60_000);

  test('each role reaches only its own database', async () => {
    expect((await ensure()).done).toBe(true);
    expect(psql('blog', 'shop_prod', BLOG, 'select 1').stderr).toMatch(/permission denied for database "shop_prod"/);
    expect(psql('shop', 'blog', SHOP, 'select 1').stderr).toMatch(/permission denied for database "blog"/);
    expect(psql('app', 'blog', APP, 'select 1').stderr).toMatch(/permission denied for database "blog"/);
    expect(psql('blog', 'app', BLOG, 'select 1').stderr).toMatch(/permission denied for database "app"/);
    expect(psql('blog', 'postgres', BLOG, 'select 1').stderr).toMatch(/permission denied for database "postgres"/);
  }, 60_000);

  test('again on every start: idempotent, and a changed Secret rotates the password', async () => {
    expect(await ensure()).toEqual(expect.objectContaining({ done: true, status: null, exitAfterTerm: 0, stderr: '' }));
    writeFileSync(join(dir, 'databases', 'blog'), 'a-rotated-password-999');
    expect(await ensure()).toEqual(expect.objectContaining({ done: true, status: null, exitAfterTerm: 0 }));
    expect(psql('blog', 'blog', 'a-rotated-password-999', 'select 1').stdout.trim()).toBe('1');
    expect(psql('blog', 'blog', BLOG, 'select 1').status).not.toBe(0);
    writeFileSync(join(dir, 'databases', 'blog'), BLOG);
  }, 60_000);

  test('a missing password file fails that database alone: reported, no role without a password, the container stays', async () => {
    const run = await ensure({ APP_DATABASES: 'ghost:ghost blog:blog' });
    expect(run.done).toBe(true); // the first pass is over: the pod may be ready
    expect(run.status).toBeNull(); // still running (it tries again every minute)
    expect(run.exitAfterTerm).toBe(0);
    expect(run.stderr).toMatch(/password file .*ghost of role ghost is missing.*database ghost is not ensured/);
    expect(run.stdout).toMatch(/role blog owns database blog/);
    expect(psql('postgres', 'postgres', SUPER, "select count(*) from pg_roles where rolname = 'ghost'", 'socket').stdout.trim()).toBe('0');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]); // the superuser's passfile is gone
  }, 60_000);

  test('a role that exists with privileges loses them; a database of another owner is not taken over', async () => {
    for (const sql of ["CREATE ROLE wiki LOGIN SUPERUSER CREATEROLE PASSWORD 'old-wiki-password-1'", 'CREATE ROLE squatter LOGIN', 'CREATE DATABASE wiki OWNER squatter']) {
      expect(psql('postgres', 'postgres', SUPER, sql, 'socket').stderr).toBe('');
    }
    writeFileSync(join(dir, 'databases', 'wiki'), 'wiki-password-abcdefgh');
    const run = await ensure({ APP_DATABASES: 'wiki:wiki blog:blog' });
    expect(run.done).toBe(true);
    expect(run.stderr).toMatch(/database wiki belongs to role squatter, not wiki: left as it is/);
    expect(run.stdout).toMatch(/role blog owns database blog/);
    expect(psql('postgres', 'postgres', SUPER, "select rolsuper::text || rolcreaterole::text from pg_roles where rolname = 'wiki'", 'socket').stdout.trim()).toBe('falsefalse');
    expect(psql('postgres', 'postgres', SUPER, "select pg_get_userbyid(datdba) from pg_database where datname = 'wiki'", 'socket').stdout.trim()).toBe('squatter');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  }, 60_000);

  test('a superuser password that no longer matches: reported, nothing left behind', async () => {
    writeFileSync(join(dir, 'superuser'), 'not-the-superuser-password');
    try {
      const run = await ensure();
      expect(run.done).toBe(true);
      expect(run.stderr).toMatch(/password authentication failed for user "postgres"/);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    } finally {
      writeFileSync(join(dir, 'superuser'), SUPER);
    }
  }, 60_000);
});
