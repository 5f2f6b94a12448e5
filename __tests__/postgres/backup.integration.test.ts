/**
 * The backup and restore scripts, exactly as PostgresBackup renders them into its ConfigMap,
 * against a real PostgreSQL (Debian's `postgresql`) on a loopback port with a temporary
 * data directory. Skips on a laptop without the server; fails under CI (CI=true).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresBackup, PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { find, synth } from '../util';

const pgRoot = '/usr/lib/postgresql';
const bin = existsSync(pgRoot) ? readdirSync(pgRoot).map(v => join(pgRoot, v, 'bin')).filter(d => existsSync(join(d, 'initdb'))).sort().pop() : undefined;
const clients = ['pg_dump', 'pg_restore', 'psql'].filter(c => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
const available = !!bin && clients.length === 0;
if (!available && process.env.CI === 'true') {
  throw new Error('the backup integration test needs PostgreSQL server and client binaries (Debian package postgresql, see .ci/apt-packages.txt)');
}
if (!available) console.warn('skipping PostgreSQL backup integration test: postgresql is not installed');
const describeIf = available ? describe : describe.skip;

const PASSWORD = 'integration-test-password';
const asRoot = process.getuid?.() === 0;
/** initdb refuses to run as root: run the server as the `postgres` user then. */
const serverCmd = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];


describeIf('backup.sh and restore.sh against a real PostgreSQL', () => {
  let dir: string;
  let data: string;
  let port: number;
  let server: ChildProcess | undefined;
  let scripts: { backup: string; restore: string };
  let backups: string;

  const env = (extra: Record<string, string> = {}) => ({
    ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'app', PGPASSWORD: PASSWORD, PGDATABASE: 'app',
    BACKUP_DIR: backups, BACKUP_RETENTION: '3', BACKUP_PREFIX: 'app', ...extra,
  });
  const sql = (query: string) => execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', query], { env: env(), encoding: 'utf8' }).trim();
  const run = (script: string, args: string[] = [], extra: Record<string, string> = {}) =>
    spawnSync('sh', [script, ...args], { env: env(extra), encoding: 'utf8', timeout: 60_000 });
  const dumps = () => readdirSync(backups).filter(f => f.endsWith('.dump')).sort();
  const fingerprint = () => sql("SELECT count(*) || ':' || md5(string_agg(id || '|' || title || '|' || done, ',' ORDER BY id)) FROM todos");

  beforeAll(async () => {
    // the scripts exactly as the construct renders them
    const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
    const pg = new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'x'.repeat(20), superuserPassword: 'superuser-'.repeat(3) }) });
    new PostgresBackup(chart, 'Backup', { database: pg });
    const cm = find(synth(chart), 'ConfigMap', 'postgres-backup-scripts');
    dir = mkdtempSync(join(tmpdir(), 'pg-it-'));
    chmodSync(dir, 0o755);
    scripts = { backup: join(dir, 'backup.sh'), restore: join(dir, 'restore.sh') };
    writeFileSync(scripts.backup, cm.data['backup.sh']);
    writeFileSync(scripts.restore, cm.data['restore.sh']);
    backups = join(dir, 'backups');
    execFileSync('mkdir', ['-p', backups]);

    data = join(dir, 'data');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, PASSWORD);
    if (asRoot) {
      execFileSync('mkdir', ['-p', data]);
      chownSync(data, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
      chmodSync(pwfile, 0o644);
    }
    execFileSync(...serverCmd(join(bin!, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync']), { stdio: 'pipe' });
    port = await freePort();
    const [cmd, args] = serverCmd(join(bin!, 'postgres'), ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', 'unix_socket_directories=', '-c', 'fsync=off']);
    server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr!.on('data', d => { log += d; });
    for (let i = 0; ; i++) {
      if (spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]).status === 0) break;
      if (i > 100 || server.exitCode !== null) throw new Error(`PostgreSQL did not start: ${log}`);
      await new Promise(r => setTimeout(r, 100));
    }
    const admin = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: PASSWORD, PGDATABASE: 'postgres' };
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`, '-c', 'CREATE DATABASE app OWNER app'], { env: admin });
    sql(`CREATE TABLE todos (id serial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false);
         INSERT INTO todos (title, done) SELECT 'task ' || g, g % 3 = 0 FROM generate_series(1, 5000) g;`);
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise(r => server!.once('exit', r));
      spawnSync(...serverCmd(join(bin!, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20']), { stdio: 'ignore' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise(r => { timer = setTimeout(r, 5000); })]);
      clearTimeout(timer);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('create-app-role.sh (as rendered) makes a login role without superuser rights that owns its database', () => {
    const chart = new Chart(Testing.app(), 'db2', { namespace: 'db' });
    new PostgresStatefulSet(chart, 'Postgres', { username: 'shop', databaseName: 'shop', credentials: PostgresCredentials.fromValues({ password: 'shop-password-1234567', superuserPassword: 'superuser-'.repeat(3) }) });
    const script = join(dir, 'create-app-role.sh');
    writeFileSync(script, find(synth(chart), 'ConfigMap', 'postgres-initdb').data['000-create-app-role.sh']);
    const pwFile = join(dir, 'shop-password');
    writeFileSync(pwFile, "it's a pass'word; DROP ROLE x;"); // quoting is psql's job
    const admin = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGPASSWORD: PASSWORD, POSTGRES_USER: 'postgres' };
    const r = spawnSync('sh', [script], { env: { ...admin, APP_USER: 'shop', APP_DATABASE: 'shop', APP_PASSWORD_FILE: pwFile }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const q = (query: string, user = 'postgres', pw = PASSWORD, db = 'postgres') => spawnSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', query],
      { env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user, PGPASSWORD: pw, PGDATABASE: db }, encoding: 'utf8' });
    expect(q("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'shop'").stdout.trim()).toBe('f|f|f');
    expect(q("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'").stdout.trim()).toBe('shop');
    const asShop = (query: string) => q(query, 'shop', "it's a pass'word; DROP ROLE x;", 'shop');
    expect(asShop('CREATE TABLE t (id int); SELECT 1').stdout.trim()).toBe('1');
    expect(asShop("COPY (SELECT 1) TO PROGRAM 'id'").stderr).toMatch(/permission denied|must be superuser|pg_execute_server_program/);
    expect(asShop('CREATE ROLE intruder').stderr).toMatch(/permission denied/);
    expect(q('SELECT 1', 'shop', "it's a pass'word; DROP ROLE x;", 'postgres').stderr).toMatch(/permission denied for database "postgres"/);
  }, 30_000);

  describe('create-app-role.sh keeps the application password off command lines and environments', () => {
    // Quotes, backslashes, spaces, `$`, a backtick and psql's own interpolation syntax: all literal.
    const NASTY = "it's a \"pass\\word\" with $HOME, `id`, :'app_user' and \\\\; DROP ROLE x; --";
    const admin = () => ({ ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGPASSWORD: PASSWORD, POSTGRES_USER: 'postgres' });
    const login = (user: string, pw: string, db: string) => spawnSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', 'SELECT current_user'],
      { env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user, PGPASSWORD: pw, PGDATABASE: db }, encoding: 'utf8' });

    /** The rendered script, run with wrappers of `psql` and `cat` first on PATH that record their argv and environment. */
    function runRecorded(user: string, passwordFile: string): { r: ReturnType<typeof spawnSync>; record: string } {
      const chart = new Chart(Testing.app(), `db-${user}`, { namespace: 'db' });
      new PostgresStatefulSet(chart, 'Postgres', { username: user, databaseName: user, credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(20), superuserPassword: 'superuser-'.repeat(3) }) });
      const script = join(dir, `create-${user}.sh`);
      writeFileSync(script, find(synth(chart), 'ConfigMap', 'postgres-initdb').data['000-create-app-role.sh']);
      const wrappers = join(dir, `wrappers-${user}`);
      mkdirSync(wrappers);
      const record = join(dir, `record-${user}`);
      for (const tool of ['psql', 'cat']) {
        const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
        writeFileSync(join(wrappers, tool), `#!/bin/sh
{ printf '%s argv:' ${tool}; for a in "$0" "$@"; do printf ' [%s]' "$a"; done; printf '\\n%s environment:\\n' ${tool}; env; } >> '${record}'
exec '${real}' "$@"
`, { mode: 0o755 });
      }
      const r = spawnSync('sh', [script], {
        env: { ...admin(), PATH: `${wrappers}:${process.env.PATH}`, APP_USER: user, APP_DATABASE: user, APP_PASSWORD_FILE: passwordFile },
        encoding: 'utf8',
      });
      return { r, record: existsSync(record) ? readFileSync(record, 'utf8') : '' };
    }

    test('the password is in no argv or environment of psql (or of the cat it runs), and the role logs in with it', () => {
      const pwFile = join(dir, 'vault-password');
      writeFileSync(pwFile, NASTY);
      const { r, record } = runRecorded('vault', pwFile);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // The wrappers did run (psql, and the cat psql's backquote runs with the file's path only),
      // and neither saw the password or a piece of it.
      expect(record).toMatch(/^psql argv: \[.*\/psql\]/m);
      expect(record).not.toContain(NASTY);
      expect(record).not.toContain('DROP ROLE x');
      expect(record).toContain(`cat argv: [${join(dir, 'wrappers-vault', 'cat')}] [--] [${pwFile}]`);
      expect(login('vault', NASTY, 'vault').stdout.trim()).toBe('vault');
      expect(login('vault', NASTY.slice(0, -1), 'vault').stderr).toMatch(/password authentication failed for user "vault"/);
    }, 30_000);

    test('an empty password file fails the init instead of creating a role without a password', () => {
      const pwFile = join(dir, 'empty-password');
      writeFileSync(pwFile, '');
      const { r } = runRecorded('nopass', pwFile);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/create-app-role: the application password file .* is missing, unreadable or empty/);
      const roles = spawnSync('psql', ['-X', '-q', '-t', '-A', '-c', "SELECT count(*) FROM pg_roles WHERE rolname = 'nopass'"],
        { env: { ...admin(), PGUSER: 'postgres', PGDATABASE: 'postgres' }, encoding: 'utf8' });
      expect(roles.stdout.trim()).toBe('0');
    }, 30_000);
  });

  test('repeated backups write verified dumps and keep only the newest BACKUP_RETENTION', () => {
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = run(scripts.backup);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const name = /wrote .*\/(app-[^ ]+\.dump)/.exec(r.stdout)![1];
      written.push(name);
    }
    expect(new Set(written).size).toBe(5);
    expect(dumps()).toEqual([...written].slice(-3).sort());
    expect(readdirSync(backups).filter(f => f.startsWith('.'))).toEqual([]);
  }, 60_000);

  test('a failing dump (wrong password) exits non-zero and leaves no partial file', () => {
    const before = dumps();
    const r = run(scripts.backup, [], { PGPASSWORD: 'wrong' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(readdirSync(backups).sort()).toEqual(before);
  }, 30_000);

  test('files that are not ours survive pruning', () => {
    writeFileSync(join(backups, 'notes.txt'), 'keep me');
    writeFileSync(join(backups, 'other-20200101T000000Z.dump'), 'another prefix');
    expect(run(scripts.backup).status).toBe(0);
    expect(readdirSync(backups)).toEqual(expect.arrayContaining(['notes.txt', 'other-20200101T000000Z.dump']));
    expect(dumps().filter(f => f.startsWith('app-'))).toHaveLength(3);
  }, 30_000);

  test('drop the data, restore the newest dump: same row count and checksum', () => {
    const expected = fingerprint();
    expect(expected).toMatch(/^5000:[0-9a-f]{32}$/);
    sql('DROP TABLE todos');
    expect(() => sql('SELECT count(*) FROM todos')).toThrow();
    const r = run(scripts.restore);
    expect(r.status).toBe(0);
    expect(fingerprint()).toBe(expected);
    // the restored table is usable (sequence restored too)
    expect(sql("INSERT INTO todos (title) VALUES ('after restore') RETURNING id")).toBe('5001');
  }, 60_000);

  test('restore of a named dump; a missing file fails without touching the database', () => {
    const before = fingerprint();
    const r = run(scripts.restore, ['app-20000101T000000Z.dump']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/does not exist/);
    expect(fingerprint()).toBe(before);
    const oldest = dumps().filter(f => f.startsWith('app-'))[0];
    // RESTORE_FILE (what the README's restore Job sets) names the dump as well as an argument does
    expect(run(scripts.restore, [], { RESTORE_FILE: oldest }).stdout).toContain(`checking ${join(backups, oldest)}`);
    expect(run(scripts.restore, [oldest]).status).toBe(0);
    expect(fingerprint()).toMatch(/^5000:/); // back to the dumped state
  }, 60_000);
});
