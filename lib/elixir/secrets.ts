/** Keys of the Secret that holds an Elixir release's own secrets. */
export interface ElixirSecretKeys {
  /**
   * Key of Phoenix's `SECRET_KEY_BASE`.
   * @default "SECRET_KEY_BASE"
   */
  readonly secretKeyBase?: string;
  /**
   * Key of the Erlang distribution cookie shared by all nodes.
   * @default "RELEASE_COOKIE"
   */
  readonly releaseCookie?: string;
}

/** Values for a Secret that the ElixirDeployment creates and owns. */
export interface ElixirSecretValues {
  /** Phoenix `SECRET_KEY_BASE`: at least 64 characters (`mix phx.gen.secret`). */
  readonly secretKeyBase: string;
  /**
   * Erlang cookie: at least 32 characters of `A-Z a-z 0-9 + / = _ - .`. It must differ from
   * `secretKeyBase` (the original setup reused one for the other).
   */
  readonly releaseCookie: string;
}

/**
 * Where `SECRET_KEY_BASE` and `RELEASE_COOKIE` come from: a Secret this construct writes from
 * given values, or a Secret that already exists. They always reach the pods through
 * `secretKeyRef`, never as literal env values; the construct never invents them.
 */
export abstract class ElixirSecrets {
  /** The construct creates Secret `<name>-secrets` holding these values. */
  public static fromValues(values: ElixirSecretValues): ElixirSecrets {
    return new OwnedElixirSecrets(values);
  }

  /** Reference an existing Secret (see the README for the `kubectl create secret` command). */
  public static fromExistingSecret(secretName: string, keys: ElixirSecretKeys = {}): ElixirSecrets {
    return new ExistingElixirSecrets(secretName, keys);
  }

  /** @internal */
  public abstract readonly kind: 'owned' | 'existing';
}

/** @internal */
export class OwnedElixirSecrets extends ElixirSecrets {
  public readonly kind = 'owned' as const;
  constructor(public readonly values: ElixirSecretValues) { super(); }
}

/** @internal */
export class ExistingElixirSecrets extends ElixirSecrets {
  public readonly kind = 'existing' as const;
  constructor(public readonly secretName: string, public readonly keys: ElixirSecretKeys) { super(); }
}
