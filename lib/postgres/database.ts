import * as k8s from '../../imports/k8s';
import type { IPodPeer } from '../network/peers';

/**
 * A database on a PostgreSQL server, as its clients need it: where it is, which Secret holds
 * the login, and a way to register as a client. `PostgresStatefulSet` is one (its first
 * database); `PostgresStatefulSet.addDatabase` returns more on the same server, each with its
 * own role and Secret.
 */
export interface IPostgresDatabase {
  /** DNS name of the server's client Service. */
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  /** The login role, owner of the database. */
  readonly username: string;
  /** Namespace of the server's chart (its Secrets are referenced by name, so clients must share it). */
  readonly namespace?: string;
  /** Secret holding the role's password and `DATABASE_URL`. */
  readonly secretName: string;
  readonly passwordKey: string;
  readonly databaseUrlKey: string;
  /** Image of the server, whose client tools (pg_isready, pg_dump) match its major. */
  readonly image: string;
  /** The Secrets clients reference that this app does not create (declared for validation). */
  readonly externalSecretNames: readonly string[];
  /** `DATABASE_URL` (or `name`) from the Secret, for an Ecto application. */
  databaseUrlEnv(name?: string): k8s.EnvVar;
  /** The password from the Secret under env var `name`. */
  passwordEnv(name?: string): k8s.EnvVar;
  /** `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` for psql, pg_dump and friends. */
  libpqEnv(): k8s.EnvVar[];
  /**
   * Let `client`'s pods connect to the server. Constructs that take a database register
   * themselves (an app, its migrations, backups); the NetworkPolicies of both ends follow.
   */
  addClient(client: IPodPeer): void;
}

/** True for an IPostgresDatabase (as opposed to, e.g., a user's `DATABASE_URL` Secret). */
export function isPostgresDatabase(value: unknown): value is IPostgresDatabase {
  const v = value as Partial<IPostgresDatabase> | undefined;
  return typeof v === 'object' && v !== null && typeof v.addClient === 'function' && typeof v.databaseUrlEnv === 'function';
}

/** Env var `name` from key `key` of Secret `secretName`. */
export function secretKeyEnv(name: string, secretName: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** The libpq variables of a database handle, for psql, pg_dump and friends. */
export function libpqEnvOf(db: Pick<IPostgresDatabase, 'host' | 'port' | 'databaseName' | 'username' | 'passwordEnv'>): k8s.EnvVar[] {
  return [
    { name: 'PGHOST', value: db.host },
    { name: 'PGPORT', value: String(db.port) },
    { name: 'PGDATABASE', value: db.databaseName },
    { name: 'PGUSER', value: db.username },
    db.passwordEnv('PGPASSWORD'),
  ];
}
