/**
 * The pg_hba.conf PostgresStatefulSet renders into its ConfigMap (and passes as hba_file), on a
 * real PostgreSQL (Debian's `postgresql`): the superuser is refused over TCP even with its
 * password, the application role logs in with SCRAM, the superuser still works on the socket.
 */
import { ChildProcess, spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { initdb, postgresAvailable, startPostgres } from '../pg';
import { find, synth } from '../util';

const describeIf = postgresAvailable('the pg_hba test') ? describe : describe.skip;

describeIf('pg_hba.conf of PostgresStatefulSet on a real server', () => {
  const SUPER = 'superuser-password-1234';
  const APP = 'application-password-5678';
  let dir: string;
  let port: number;
  let server: ChildProcess | undefined;
  const psql = (args: string[], password: string) =>
    spawnSync('psql', ['-X', '-t', '-A', '-v', 'ON_ERROR_STOP=1', ...args], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' } });

  beforeAll(async () => {
    const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
    const pg = new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: APP, superuserPassword: SUPER }) });
    const manifests = synth(chart);
    const hbaArg: string = find(manifests, 'StatefulSet', pg.name).spec.template.spec.containers[0].args.find((a: string) => a.startsWith('hba_file='));
    expect(hbaArg).toBe('hba_file=/etc/postgresql/config/pg_hba.conf');
    dir = mkdtempSync(join(tmpdir(), 'pg-hba-'));
    chmodSync(dir, 0o777);
    const hba = join(dir, 'pg_hba.conf');
    writeFileSync(hba, find(manifests, 'ConfigMap', 'postgres-config').data['pg_hba.conf'], { mode: 0o644 });
    writeFileSync(join(dir, 'pw'), SUPER, { mode: 0o644 });
    initdb(join(dir, 'data'), ['-U', 'postgres', `--pwfile=${join(dir, 'pw')}`, '--auth=scram-sha-256']);
    port = await freePort();
    const started = startPostgres(join(dir, 'data'), port, dir, ['-c', 'password_encryption=scram-sha-256', '-c', `hba_file=${hba}`]);
    server = started.server;
    expect(await started.ready()).toBe(true);
    const setup = psql(['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', `CREATE ROLE app LOGIN PASSWORD '${APP}'`], SUPER);
    expect(setup.stderr).toBe('');
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('the superuser over TCP is refused, even with the right password', () => {
    const r = psql(['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'select 1'], SUPER);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/pg_hba.conf rejects connection for host "127.0.0.1", user "postgres"/);
  });

  test('the application role over TCP with SCRAM works, with a wrong password it does not', () => {
    expect(psql(['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', 'postgres', '-c', 'select current_user'], APP).stdout.trim()).toBe('app');
    expect(psql(['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', 'postgres', '-c', 'select 1'], 'wrong').stderr).toMatch(/password authentication failed for user "app"/);
  });

  test('the superuser on the local socket (kubectl exec) still works, with its password', () => {
    expect(psql(['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'select current_user'], SUPER).stdout.trim()).toBe('postgres');
    expect(psql(['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'select 1'], 'wrong').status).not.toBe(0);
  });
});
