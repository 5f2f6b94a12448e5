/**
 * The data-directory guard (check-data-dir.sh), exactly as PostgresStatefulSet renders it into
 * its ConfigMap, against clusters made by a real initdb (Debian's `postgresql`): a volume that
 * holds a cluster of another major refuses to start; the same major starts, and the server
 * then really runs on that data directory. Skips on a laptop without the server; fails under CI.
 */
import { ChildProcess, execFileSync, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { initdb, PG_BIN, postgresAvailable, startPostgres } from '../pg';
import { find, synth } from '../util';

const describeIf = postgresAvailable('the data-directory guard test') ? describe : describe.skip;

describeIf('check-data-dir.sh against clusters made by a real initdb', () => {
  // /usr/lib/postgresql/<major>/bin
  const major = PG_BIN ? basename(dirname(PG_BIN)) : '';
  let dir: string;
  let script: string;
  const children: ChildProcess[] = [];

  const guard = (volume: string, pgdata: string, pgMajor: string) =>
    spawnSync('sh', [script], { env: { PATH: process.env.PATH, VOLUME: volume, PGDATA: pgdata, PG_MAJOR: pgMajor }, encoding: 'utf8' });
  const initCluster = (pgdata: string) => {
    mkdirSync(pgdata, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    initdb(pgdata);
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
    initCluster(pgdata);
    const ok = guard(volume, pgdata, major);
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toContain(`PostgreSQL ${major} cluster in ${pgdata}`);

    // The server really starts on what the guard accepted.
    const { server, ready } = startPostgres(pgdata, await freePort(), dir);
    children.push(server);
    expect(await ready()).toBe(true);
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
    initCluster(pgdata);
    expect(guard(volume, pgdata, major).status).toBe(0);
    const older = String(Number(major) - 1);
    const refused = guard(volume, join(volume, 'pgdata'), older);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`PostgreSQL ${major} cluster in ${pgdata}`);
  }, 60_000);
});
