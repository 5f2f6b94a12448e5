import { IConstruct } from 'constructs';
import { PropError, checkDnsSubdomain, checkSecretKey } from '../validation/props';

/** The Secret keys a PostgresStatefulSet reads (and, when it owns the Secret, writes). */
export interface PostgresSecretKeys {
  /**
   * Key holding the database user's password.
   * @default "password"
   */
  readonly password?: string;
  /**
   * Key holding the password of the `postgres` superuser (for administration only; the
   * application never uses it), in the superuser Secret
   * (`PostgresExistingSecretOptions.superuserSecretName`), not in the application's Secret.
   * @default "password"
   */
  readonly superuserPassword?: string;
  /**
   * Key holding a complete Ecto URL, `ecto://USER:PASSWORD@HOST:PORT/DATABASE` with the
   * password percent-encoded.
   * @default "DATABASE_URL"
   */
  readonly databaseUrl?: string;
}

/** Where an existing application Secret's keys are, and where the superuser password is. */
export interface PostgresExistingSecretOptions extends PostgresSecretKeys {
  /**
   * The Secret holding the `postgres` superuser password (under `superuserPassword`). It must
   * be a Secret of its own, not the application's: only the database pod mounts it, while the
   * application's pods (and whoever may read their Secret) get `DATABASE_URL` and the
   * application password only. Naming the application's Secret here is refused.
   * @default "<StatefulSet name>-superuser" (the name an owned superuser Secret has, so moving
   *   from owned to existing Secrets keeps it)
   */
  readonly superuserSecretName?: string;
}

/** Values for the Secrets that the PostgresStatefulSet creates and owns. */
export interface PostgresCredentialValues {
  /**
   * The password of the database user. At least 16 characters; it is applied by the
   * server only at first initialisation of the data directory, so keep it stable.
   * Never commit it: read it from a git-ignored file or the environment.
   */
  readonly password: string;
  /**
   * The password of the `postgres` superuser (the application's role is not a superuser).
   * Written to a Secret of its own (`<name>-superuser`, key `password`) that only the
   * database pod mounts.
   */
  readonly superuserPassword: string;
}

/** What a PostgresStatefulSet needs from its PostgresCredentials (`PostgresCredentials.bind`). */
export interface PostgresCredentialsConfig {
  /** The application's Secret. @default the server's own `<name>-credentials` (owned) */
  readonly secretName?: string;
  readonly passwordKey: string;
  readonly databaseUrlKey: string;
  /** The superuser's Secret. @default `<name>-superuser` */
  readonly superuserSecretName?: string;
  readonly superuserPasswordKey: string;
  /** Passwords for the Secrets the server creates and owns; absent: the Secrets exist already. */
  readonly values?: PostgresCredentialValues;
}

/**
 * Where the database password comes from: a Secret this construct writes from given
 * values, or a Secret that already exists in the namespace (created with
 * `kubectl create secret`, an external secret operator, sealed-secrets, …).
 *
 * The construct never invents a password by itself.
 */
export abstract class PostgresCredentials {
  /**
   * The construct creates Secret `<name>-credentials` holding the application password plus
   * username, database, host, port and `DATABASE_URL` (what the application reads), and
   * Secret `<name>-superuser` holding the superuser password (what only the database reads).
   */
  public static fromValues(values: PostgresCredentialValues): PostgresCredentials {
    return new OwnedCredentials(values);
  }

  /**
   * Reference Secrets that already exist: `secretName` must hold the application password
   * under `options.password` and a ready `DATABASE_URL` under `options.databaseUrl`;
   * `options.superuserSecretName` (default `<StatefulSet name>-superuser`) the superuser password
   * under `options.superuserPassword` (see the README for the `microk8s kubectl create secret`
   * commands).
   */
  public static fromExistingSecret(secretName: string, options: PostgresExistingSecretOptions = {}): PostgresCredentials {
    return new ExistingCredentials(secretName, options);
  }

  /**
   * Checks this choice for the PostgresStatefulSet `scope` (errors name its path and the
   * `credentials.*` prop) and says which Secrets and keys the server and its clients read.
   */
  public abstract bind(scope: IConstruct): PostgresCredentialsConfig;
}

class OwnedCredentials extends PostgresCredentials {
  constructor(private readonly values: PostgresCredentialValues) { super(); }

  public bind(scope: IConstruct): PostgresCredentialsConfig {
    const { password, superuserPassword } = this.values ?? ({} as Partial<PostgresCredentialValues>);
    checkDatabasePassword(scope, 'credentials.password', password);
    checkDatabasePassword(scope, 'credentials.superuserPassword', superuserPassword);
    if (password === superuserPassword) {
      throw new PropError(scope, 'credentials.superuserPassword', superuserPassword, 'must differ from the application password');
    }
    return { passwordKey: 'password', databaseUrlKey: 'DATABASE_URL', superuserPasswordKey: 'password', values: { password: password!, superuserPassword: superuserPassword! } };
  }
}

class ExistingCredentials extends PostgresCredentials {
  constructor(private readonly secretName: string, private readonly keys: PostgresExistingSecretOptions) { super(); }

  public bind(scope: IConstruct): PostgresCredentialsConfig {
    const keys = this.keys ?? {};
    return {
      secretName: checkDnsSubdomain(scope, 'credentials.secretName', this.secretName),
      passwordKey: checkSecretKey(scope, 'credentials.keys.password', keys.password ?? 'password'),
      superuserSecretName: keys.superuserSecretName === undefined ? undefined : checkDnsSubdomain(scope, 'credentials.superuserSecretName', keys.superuserSecretName),
      superuserPasswordKey: checkSecretKey(scope, 'credentials.keys.superuserPassword', keys.superuserPassword ?? 'password'),
      databaseUrlKey: checkSecretKey(scope, 'credentials.keys.databaseUrl', keys.databaseUrl ?? 'DATABASE_URL'),
    };
  }
}

/** A password PostgreSQL stores for a role: at least 16 characters, no control characters. */
export function checkDatabasePassword(scope: IConstruct, prop: string, password: unknown): string {
  if (typeof password !== 'string' || password.length < 16 || /[\u0000-\u001f\u007f]/.test(password)) {
    throw new PropError(scope, prop, password, 'expected at least 16 characters without control characters; generate one, e.g. `openssl rand -base64 32`');
  }
  return password;
}

/** `ecto://user:pass@host:port/db`, user and password percent-encoded (Ecto URL-decodes them). */
export function ectoUrl(username: string, password: string, host: string, port: number, database: string): string {
  return `ecto://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}
