/**
 * Debian's PostgreSQL for the integration tests that run a real server or initdb. Skips on a
 * laptop without it; under CI (CI=true) a missing server fails the test file.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
import { join } from 'path';

const PG_ROOT = '/usr/lib/postgresql';

/** `/usr/lib/postgresql/<major>/bin` of the newest installed server, if any. */
export const PG_BIN: string | undefined = existsSync(PG_ROOT)
  ? readdirSync(PG_ROOT).map(v => join(PG_ROOT, v, 'bin')).filter(d => existsSync(join(d, 'initdb'))).sort().pop()
  : undefined;

/** Whether the server (and pg_isready on PATH) is there; throws under CI when it is not. */
export function postgresAvailable(what: string): boolean {
  const ok = !!PG_BIN && spawnSync('sh', ['-c', 'command -v pg_isready']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error(`${what} needs PostgreSQL (Debian package postgresql, see .ci/apt-packages.txt)`);
  if (!ok) console.warn(`skipping ${what}: postgresql is not installed`);
  return ok;
}

/** initdb and the server refuse to run as root: as the `postgres` user then. */
export function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export function initdb(dataDir: string, args: string[] = ['--auth=trust', '-U', 'postgres']): void {
  const [cmd, argv] = asPostgres(join(PG_BIN!, 'initdb'), ['-D', dataDir, '--no-sync', ...args]);
  execFileSync(cmd, argv, { stdio: 'pipe' });
}

/** Starts the server on 127.0.0.1:`port` (socket in `socketDir`); `ready` waits until it accepts connections. */
export function startPostgres(dataDir: string, port: number, socketDir: string, extra: string[] = []): { server: ChildProcess; ready: () => Promise<boolean> } {
  const [cmd, args] = asPostgres(join(PG_BIN!, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', ...extra]);
  const server = spawn(cmd, args, { stdio: 'ignore' });
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      if (spawnSync(join(PG_BIN!, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0) return true;
      await new Promise(r => setTimeout(r, 100));
    }
    return false;
  };
  return { server, ready };
}
