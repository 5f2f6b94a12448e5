// Checks both PostgreSQL servers (PostgresStatefulSet, PostgresCluster) make of their props and
// of the databases added to them; errors name the construct and the prop.
import { IConstruct } from 'constructs';
import { PropError } from '../validation/props';

/** PostgreSQL majors the servers know the images of (15 is the oldest still supported upstream). */
export const SUPPORTED_POSTGRES_MAJORS = [15, 16, 17, 18] as const;

/** The major of an image tag pinned to MAJOR.MINOR (optionally with a variant suffix). */
export function parsePostgresVersion(scope: IConstruct, prop: string, version: string): number {
  const m = /^(\d+)\.(\d+)(-[a-z0-9][a-z0-9.]*)?$/.exec(version ?? '');
  if (!m) {
    throw new PropError(scope, prop, version,
      `expected an image tag pinned to MAJOR.MINOR (optionally with a variant, e.g. "17.6" or "17.6-bookworm"); supported majors: ${SUPPORTED_POSTGRES_MAJORS.join(', ')}`);
  }
  const major = Number(m[1]);
  if (!(SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(major)) {
    throw new PropError(scope, prop, version,
      `PostgreSQL ${major} is not supported; supported majors: ${SUPPORTED_POSTGRES_MAJORS.join(', ')}`);
  }
  return major;
}

/** A plain lower-case SQL identifier: needs no quoting in SQL and no encoding in a URL. */
export function checkIdentifier(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new PropError(scope, prop, value,
      "expected a lower-case PostgreSQL identifier: 1-63 characters of a-z, 0-9 and '_', not starting with a digit (e.g. \"doit_prod\")");
  }
  return value;
}

/** An application's login role: an identifier, neither the superuser nor a reserved pg_ role. */
export function checkAppRole(scope: IConstruct, prop: string, value: string): string {
  const username = checkIdentifier(scope, prop, value);
  if (username === 'postgres' || username.startsWith('pg_')) {
    throw new PropError(scope, prop, username, 'the application role must not be the superuser "postgres" nor a reserved pg_ role; pick the app\'s own name, e.g. "doit"');
  }
  return username;
}

/** The names of a database added to a server that already has `taken`: a database and a role of its own. */
export function checkNewDatabase(scope: IConstruct, id: string, props: { readonly databaseName: string; readonly username: string },
  taken: ReadonlyArray<{ readonly databaseName: string; readonly username: string }>): { readonly databaseName: string; readonly username: string } {
  const databaseName = checkIdentifier(scope, `addDatabase(${id}).databaseName`, props.databaseName);
  const username = checkAppRole(scope, `addDatabase(${id}).username`, props.username);
  const databases = ['postgres', 'template0', 'template1', ...taken.map(d => d.databaseName)];
  if (databases.includes(databaseName)) {
    throw new PropError(scope, `addDatabase(${id}).databaseName`, databaseName, `expected a database name not used on this server (taken: ${databases.join(', ')})`);
  }
  if (taken.some(d => d.username === username)) {
    throw new PropError(scope, `addDatabase(${id}).username`, username, `expected a role of its own (taken: ${taken.map(d => d.username).join(', ')}): one role per database keeps each app out of the others' data`);
  }
  return { databaseName, username };
}

/** `postgresql.conf` settings as strings, refusing the ones the server manages itself. */
export function checkSettings(scope: IConstruct, config: Record<string, string | number | boolean>, managed: readonly string[], owner: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(config)) {
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/.test(key)) {
      throw new PropError(scope, `config.${key}`, raw, 'expected a postgresql.conf parameter name (lower-case, e.g. "max_connections")');
    }
    if (managed.includes(key)) {
      throw new PropError(scope, `config.${key}`, raw, `this setting is managed by ${owner}; remove it (managed: ${managed.join(', ')})`);
    }
    const value = typeof raw === 'boolean' ? (raw ? 'on' : 'off') : String(raw);
    if (!['string', 'number', 'boolean'].includes(typeof raw) || value.length === 0 || /[\r\n\u0000]/.test(value)) {
      throw new PropError(scope, `config.${key}`, raw, 'expected a non-empty single-line string, a number or a boolean');
    }
    out[key] = value;
  }
  return out;
}
