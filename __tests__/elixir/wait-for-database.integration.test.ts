/**
 * wait-for-database.sh, exactly as ElixirDeployment renders it into its init container, with
 * the real pg_isready against a real PostgreSQL (Debian's `postgresql`): it returns as soon as
 * the server accepts connections, logs while it waits, and gives up after WAIT_SECONDS.
 */
import { ChildProcess, spawn } from 'child_process';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ElixirDeployment, ElixirSecrets, PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { freePort } from '../net';
import { initdb, postgresAvailable, startPostgres } from '../pg';
import { find, synth, testChart } from '../util';

const describeIf = postgresAvailable('the wait-for-database test') ? describe : describe.skip;

describeIf('wait-for-database.sh with the real pg_isready', () => {
  let dir: string;
  let script: string;
  let server: ChildProcess | undefined;
  beforeAll(() => {
    const chart = testChart('doit');
    const database = new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }) });
    new ElixirDeployment(chart, 'App', {
      image: 'localhost:32000/doit:1.0.0', nodeBasename: 'doit', database,
      secrets: ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) }),
      migrations: { command: ['/app/bin/doit', 'eval', 'Doit.Release.migrate'] },
    });
    const pod = find(synth(chart), 'Deployment', 'elixir').spec.template.spec;
    script = pod.initContainers.find((c: any) => c.name === 'wait-for-database').command[2];
    dir = mkdtempSync(join(tmpdir(), 'pg-wait-'));
    chmodSync(dir, 0o777);
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const wait = (url: string, seconds: number) => spawn('sh', ['-c', script], { env: { PATH: process.env.PATH, DATABASE_URL: url, WAIT_SECONDS: String(seconds) } });
  const outcome = (child: ChildProcess) => new Promise<{ code: number | null; out: string; ms: number }>(resolve => {
    const started = Date.now();
    let out = '';
    child.stdout!.on('data', d => { out += d; });
    child.stderr!.on('data', d => { out += d; });
    child.on('exit', code => resolve({ code, out, ms: Date.now() - started }));
  });

  test('no server: logs while waiting, gives up after WAIT_SECONDS with exit 1', async () => {
    const port = await freePort();
    const r = await outcome(wait(`ecto://doit:secret-password@127.0.0.1:${port}/doit_prod`, 4));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`wait-for-database: waiting for 127.0.0.1:${port} to accept connections`);
    expect(r.out).toContain(`127.0.0.1:${port} accepts no connections after 4 s; giving up`);
    expect(r.out).not.toContain('secret-password');
  }, 30_000);

  test('a server that comes up while waiting: returns once it accepts connections', async () => {
    const port = await freePort();
    const data = join(dir, 'data');
    initdb(data);
    const waiting = outcome(wait(`ecto://doit:pw@127.0.0.1:${port}/doit_prod?ssl=false`, 60));
    await new Promise(r => setTimeout(r, 3000));
    server = startPostgres(data, port, dir).server;
    const r = await waiting;
    expect(r.code).toBe(0);
    expect(r.out).toContain('waiting for 127.0.0.1');
    expect(r.out).toContain(`wait-for-database: 127.0.0.1:${port} accepts connections`);
  }, 90_000);
});
