/**
 * The data-directory guard (check-data-dir.sh), exactly as PostgresStatefulSet renders it into
 * its ConfigMap, against clusters made by a real initdb (Debian's `postgresql`): a volume that
 * holds a cluster of another major refuses to start; the same major starts, and the server
 * then really runs on that data directory. Skips on a laptop without the server; fails under CI.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { find, synth } from '../util';

const pgRoot = '/usr/lib/postgresql';
const bin = existsSync(pgRoot) ? readdirSync(pgRoot).map(v => join(pgRoot, v, 'bin')).filter(d => existsSync(join(d, 'initdb'))).sort().pop() : undefined;
if (!bin && process.env.CI === 'true') throw new Error('the data-directory guard test needs the PostgreSQL server binaries (Debian package postgresql)');
if (!bin) console.warn('skipping data-directory guard test: postgresql is not installed');
const describeIf = bin ? describe : describe.skip;
const asRoot = process.getuid?.() === 0;
const asPostgres = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

describeIf('check-data-dir.sh against clusters made by a real initdb', () => {
  // /usr/lib/postgresql/<major>/bin
  const major = bin ? basename(dirname(bin)) : '';
  let dir: string;
  let script: string;
  const children: ChildProcess[] = [];

  const guard = (volume: string, pgdata: string, pgMajor: string) =>
    spawnSync('sh', [script], { env: { PATH: process.env.PATH, VOLUME: volume, PGDATA: pgdata, PG_MAJOR: pgMajor }, encoding: 'utf8' });
  const initdb = (pgdata: string) => {
    mkdirSync(pgdata, { recursive: true });
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    const [cmd, args] = asPostgres(join(bin!, 'initdb'), ['-D', pgdata, '--auth=trust', '--no-sync', '-U', 'postgres']);
    execFileSync(cmd, args, { stdio: 'pipe' });
  };

  beforeAll(() => {
    const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
    new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'x'.repeat(20), superuserPassword: 'superuser-'.repeat(3) }) });
    dir = mkdtempSync(join(tmpdir(), 'pg-guard-'));
    chmodSync(dir, 0o755);
    script = join(dir, 'check-data-dir.sh');
    writeFileSync(script, find(synth(chart), 'ConfigMap', 'postgres-scripts').data['check-data-dir.sh']);
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('an empty volume: the server may initialise it', () => {
    const volume = join(dir, 'empty');
    mkdirSync(volume);
    const r = guard(volume, join(volume, 'pgdata'), major);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`no cluster on the volume yet; PostgreSQL ${major} will initialise`);
  });

  test('layout up to 17 (<volume>/pgdata): the same major starts and serves; another major refuses and creates nothing', async () => {
    const volume = join(dir, 'v17');
    const pgdata = join(volume, 'pgdata');
    initdb(pgdata);
    const ok = guard(volume, pgdata, major);
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toContain(`PostgreSQL ${major} cluster in ${pgdata}`);

    // The server really starts on what the guard accepted.
    const port = await freePort();
    const [cmd, args] = asPostgres(join(bin!, 'postgres'), ['-D', pgdata, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']);
    const server = spawn(cmd, args, { stdio: 'ignore' });
    children.push(server);
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = spawnSync(join(bin!, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0;
      if (!ready) await new Promise(r => setTimeout(r, 100));
    }
    expect(ready).toBe(true);
    server.kill('SIGINT');

    // The next major (18's layout): refuses, names the old cluster, and leaves no new directory.
    const next = String(Number(major) + 1);
    const refused = guard(volume, join(volume, next, 'docker'), next);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`REFUSING TO START PostgreSQL ${next}`);
    expect(refused.stderr).toContain(`PostgreSQL ${major} cluster in ${pgdata}`);
    expect(refused.stderr).toContain('Upgrading PostgreSQL to a new major version');
    expect(existsSync(join(volume, next))).toBe(false);
  }, 60_000);

  test('layout from 18 (<volume>/<major>/docker): another major refuses, the same major starts', () => {
    const volume = join(dir, 'v18');
    const pgdata = join(volume, major, 'docker');
    initdb(pgdata);
    expect(guard(volume, pgdata, major).status).toBe(0);
    const older = String(Number(major) - 1);
    const refused = guard(volume, join(volume, 'pgdata'), older);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`PostgreSQL ${major} cluster in ${pgdata}`);
  }, 60_000);
});
