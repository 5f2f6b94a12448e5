/** The Secret keys a PostgresStatefulSet reads (and, when it owns the Secret, writes). */
export interface PostgresSecretKeys {
  /**
   * Key holding the database user's password.
   * @default "password"
   */
  readonly password?: string;
  /**
   * Key holding the password of the `postgres` superuser (for administration only; the
   * application never uses it).
   * @default "superuser-password"
   */
  readonly superuserPassword?: string;
  /**
   * Key holding a complete Ecto URL, `ecto://USER:PASSWORD@HOST:PORT/DATABASE` with the
   * password percent-encoded.
   * @default "DATABASE_URL"
   */
  readonly databaseUrl?: string;
}

/** Values for a Secret that the PostgresStatefulSet creates and owns. */
export interface PostgresCredentialValues {
  /**
   * The password of the database user. At least 16 characters; it is applied by the
   * server only at first initialisation of the data directory, so keep it stable.
   * Never commit it: read it from a git-ignored file or the environment.
   */
  readonly password: string;
  /** The password of the `postgres` superuser (the application's role is not a superuser). */
  readonly superuserPassword: string;
}

/**
 * Where the database password comes from: a Secret this construct writes from given
 * values, or a Secret that already exists in the namespace (created with
 * `kubectl create secret`, an external secret operator, sealed-secrets, …).
 *
 * The construct never invents a password by itself.
 */
export abstract class PostgresCredentials {
  /** The construct creates a Secret holding these values plus username, database, host, port and `DATABASE_URL`. */
  public static fromValues(values: PostgresCredentialValues): PostgresCredentials {
    return new OwnedCredentials(values);
  }

  /**
   * Reference a Secret that already exists. It must hold the application password under
   * `keys.password`, the superuser password under `keys.superuserPassword` and a ready
   * `DATABASE_URL` under `keys.databaseUrl` (see the README for the
   * `microk8s kubectl create secret` command).
   */
  public static fromExistingSecret(secretName: string, keys: PostgresSecretKeys = {}): PostgresCredentials {
    return new ExistingCredentials(secretName, keys);
  }

  /** @internal */
  public abstract readonly kind: 'owned' | 'existing';
}

/** @internal */
export class OwnedCredentials extends PostgresCredentials {
  public readonly kind = 'owned' as const;
  constructor(public readonly values: PostgresCredentialValues) { super(); }
}

/** @internal */
export class ExistingCredentials extends PostgresCredentials {
  public readonly kind = 'existing' as const;
  constructor(public readonly secretName: string, public readonly keys: PostgresSecretKeys) { super(); }
}

/** `ecto://user:pass@host:port/db`, user and password percent-encoded (Ecto URL-decodes them). */
export function ectoUrl(username: string, password: string, host: string, port: number, database: string): string {
  return `ecto://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}
