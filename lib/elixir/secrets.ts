import { IConstruct } from 'constructs';
import { PropError, checkDnsSubdomain, checkSecretKey } from '../validation/props';

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

/** What an ElixirDeployment needs from its ElixirSecrets (`ElixirSecrets.bind`). */
export interface ElixirSecretsConfig {
  /** The Secret to reference. @default the deployment's own `<name>-secrets` (owned) */
  readonly secretName?: string;
  readonly secretKeyBaseKey: string;
  readonly releaseCookieKey: string;
  /** Values of the Secret the deployment creates and owns; absent: the Secret exists already. */
  readonly values?: Record<string, string>;
}

const COOKIE = /^[A-Za-z0-9+/=_.-]{32,}$/;

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

  /**
   * Checks this choice for the ElixirDeployment `scope` (errors name its path and the
   * `secrets.*` prop) and says which Secret and keys the pods read, and what to write.
   */
  public abstract bind(scope: IConstruct): ElixirSecretsConfig;
}

class OwnedElixirSecrets extends ElixirSecrets {
  constructor(private readonly values: ElixirSecretValues) { super(); }

  public bind(scope: IConstruct): ElixirSecretsConfig {
    const { secretKeyBase, releaseCookie } = this.values ?? ({} as Partial<ElixirSecretValues>);
    if (typeof secretKeyBase !== 'string' || secretKeyBase.length < 64 || /\s/.test(secretKeyBase)) {
      throw new PropError(scope, 'secrets.secretKeyBase', secretKeyBase, 'expected at least 64 characters without whitespace; generate one with `mix phx.gen.secret`');
    }
    if (typeof releaseCookie !== 'string' || !COOKIE.test(releaseCookie) || releaseCookie === secretKeyBase) {
      throw new PropError(scope, 'secrets.releaseCookie', releaseCookie, 'expected at least 32 characters of A-Z a-z 0-9 + / = _ - ., different from secretKeyBase; generate one with `openssl rand -base64 32`');
    }
    return {
      secretKeyBaseKey: 'SECRET_KEY_BASE',
      releaseCookieKey: 'RELEASE_COOKIE',
      values: { SECRET_KEY_BASE: secretKeyBase, RELEASE_COOKIE: releaseCookie },
    };
  }
}

class ExistingElixirSecrets extends ElixirSecrets {
  constructor(private readonly secretName: string, private readonly keys: ElixirSecretKeys) { super(); }

  public bind(scope: IConstruct): ElixirSecretsConfig {
    return {
      secretName: checkDnsSubdomain(scope, 'secrets.secretName', this.secretName),
      secretKeyBaseKey: checkSecretKey(scope, 'secrets.keys.secretKeyBase', this.keys.secretKeyBase ?? 'SECRET_KEY_BASE'),
      releaseCookieKey: checkSecretKey(scope, 'secrets.keys.releaseCookie', this.keys.releaseCookie ?? 'RELEASE_COOKIE'),
    };
  }
}
