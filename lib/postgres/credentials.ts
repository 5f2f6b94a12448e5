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
  constructor(public readonly secretName: string, public readonly keys: PostgresExistingSecretOptions) { super(); }
}

/** `ecto://user:pass@host:port/db`, user and password percent-encoded (Ecto URL-decodes them). */
export function ectoUrl(username: string, password: string, host: string, port: number, database: string): string {
  return `ecto://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}
