import { Construct } from 'constructs';
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

/**
 * A PostgreSQL server (its first database is the handle itself): `PostgresStatefulSet` or
 * `PostgresCluster`. What backups and added databases need from either.
 */
export interface IPostgresServer extends IPostgresDatabase {
  /** Base name of the server's objects (`<name>-backup`, `<name>-<database>-credentials`). */
  readonly name: string;
  /** StorageClass of the server's data (the default of a backup volume). */
  readonly storageClassName: string;
  /** uid/gid of `postgres` in the server's image (backup pods run its client tools as that user). */
  readonly runAsUser: number;
}

/** True for an IPostgresServer. */
export function isPostgresServer(value: unknown): value is IPostgresServer {
  const v = value as Partial<IPostgresServer> | undefined;
  return isPostgresDatabase(value) && typeof v!.name === 'string' && typeof v!.storageClassName === 'string' && typeof v!.runAsUser === 'number';
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

/**
 * What every database handle of this library (PostgresStatefulSet, PostgresCluster,
 * PostgresDatabase) derives from its Secret the same way: the env vars clients read, and
 * whether the Secret is left to the user.
 */
export abstract class PostgresDatabaseHandle extends Construct {
  public abstract readonly host: string;
  public abstract readonly port: number;
  public abstract readonly databaseName: string;
  public abstract readonly username: string;
  public abstract readonly secretName: string;
  public abstract readonly passwordKey: string;
  public abstract readonly databaseUrlKey: string;
  /** The Secret, when this construct owns it. */
  public abstract readonly secret?: k8s.KubeSecret;

  /** The Secrets clients reference that this app does not create (declared for validation). */
  public get externalSecretNames(): readonly string[] {
    return this.secret ? [] : [this.secretName];
  }

  /** `DATABASE_URL` (or `name`) from the Secret, for an Ecto application. */
  public databaseUrlEnv(name = 'DATABASE_URL'): k8s.EnvVar {
    return secretKeyEnv(name, this.secretName, this.databaseUrlKey);
  }

  /** The password from the Secret under env var `name`. */
  public passwordEnv(name = 'PGPASSWORD'): k8s.EnvVar {
    return secretKeyEnv(name, this.secretName, this.passwordKey);
  }

  /** The libpq variables (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`) for psql, pg_dump and friends. */
  public libpqEnv(): k8s.EnvVar[] {
    return libpqEnvOf(this);
  }
}
