import { createHmac } from 'crypto';
import bcrypt from 'bcryptjs';
import { Construct } from 'constructs';
import { checkDnsSubdomain, checkNonEmpty, checkSecretKey, PropError } from '../validation/props';

/** What a LocalRegistry needs from its RegistryAuth (`RegistryAuth.bind`). */
export interface RegistryAuthConfig {
  /** The htpasswd Secret the registry mounts. @default none: anonymous access */
  readonly htpasswd?: {
    readonly secretName: string;
    readonly key: string;
    readonly realm: string;
    /** The file's content when the construct writes the Secret itself; absent: the Secret is yours. */
    readonly content?: string;
  };
  /** The user and password for image pull Secrets, when the construct knows them. @default none */
  readonly pullCredentials?: { readonly username: string; readonly password: string };
}

/**
 * Who may use the registry. Anyone who reaches a node can reach its NodePort, so the default
 * of the doit stack is basic auth from an htpasswd file (bcrypt); anonymous access has to be
 * asked for by name.
 */
export abstract class RegistryAuth {
  /**
   * One user with a password the construct knows: it writes the htpasswd Secret (bcrypt) and
   * can write image pull Secrets for the namespaces that pull from it (`imagePullSecret`).
   */
  public static htpasswd(props: { readonly username: string; readonly password: string; readonly realm?: string }): RegistryAuth {
    return new OwnedHtpasswd(props.username, props.password, props.realm ?? 'registry');
  }

  /** An htpasswd file (`htpasswd -Bbn user password`) in a Secret you create; pull Secrets are yours too. */
  public static fromExistingSecret(secretName: string, options: { readonly key?: string; readonly realm?: string } = {}): RegistryAuth {
    return new ExistingHtpasswd(secretName, options.key ?? 'htpasswd', options.realm ?? 'registry');
  }

  /**
   * No authentication: anyone who reaches a node's port can push and delete images. Only for
   * a single node whose NodePort is not reachable from other machines (README, LocalRegistry).
   */
  public static anonymous(): RegistryAuth {
    return new AnonymousAccess();
  }

  protected constructor() {}

  /**
   * Checks this choice for the LocalRegistry `scope` (errors name its path and the `auth.*` prop)
   * and says what the registry mounts and writes.
   */
  public abstract bind(scope: Construct): RegistryAuthConfig;
}

export class OwnedHtpasswd extends RegistryAuth {
  constructor(public readonly username: string, public readonly password: string, public readonly realm: string) { super(); }

  public bind(scope: Construct): RegistryAuthConfig {
    if (typeof this.username !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(this.username)) {
      throw new PropError(scope, 'auth.username', this.username, 'expected 1-64 letters, digits, ".", "_" or "-"');
    }
    if (typeof this.password !== 'string' || this.password.length < 16 || Buffer.byteLength(this.password) > 72) {
      throw new PropError(scope, 'auth.password', this.password, 'expected 16 to 72 characters, at most 72 bytes in UTF-8 (bcrypt ignores the rest); generate one with `openssl rand -hex 24`');
    }
    const realm = checkNonEmpty(scope, 'auth.realm', this.realm);
    return {
      htpasswd: { secretName: 'registry-htpasswd', key: 'htpasswd', realm, content: this.htpasswdLine() },
      pullCredentials: { username: this.username, password: this.password },
    };
  }

  /** The htpasswd line: bcrypt (cost 10) with a salt derived from the password, so it is the same on every synth. */
  public htpasswdLine(): string {
    return `${this.username}:${bcrypt.hashSync(this.password, stableSalt(this.password))}\n`;
  }
}

export class ExistingHtpasswd extends RegistryAuth {
  constructor(public readonly secretName: string, public readonly key: string, public readonly realm: string) { super(); }

  public bind(scope: Construct): RegistryAuthConfig {
    return {
      htpasswd: {
        secretName: checkDnsSubdomain(scope, 'auth.secretName', this.secretName),
        key: checkSecretKey(scope, 'auth.key', this.key),
        realm: checkNonEmpty(scope, 'auth.realm', this.realm),
      },
    };
  }
}

export class AnonymousAccess extends RegistryAuth {
  constructor() { super(); }

  public bind(): RegistryAuthConfig {
    return {};
  }
}

/**
 * A bcrypt salt taken from an HMAC of the password: a fresh random salt would change the Secret
 * on every synth (and restart nothing, but make every apply report a change).
 */
function stableSalt(password: string): string {
  const bytes = createHmac('sha256', 'microk8s-phoenix registry htpasswd salt').update(password).digest().subarray(0, 16);
  return `$2b$10$${bcryptBase64(bytes)}`;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT_BASE64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * bcrypt's base64 of the 16-byte salt: standard base64 without its "==" padding (22 characters,
 * all bcrypt reads), in bcrypt's own alphabet.
 */
function bcryptBase64(bytes: Buffer): string {
  return bytes.toString('base64').slice(0, 22).replace(/[A-Za-z0-9+/]/g, c => BCRYPT_BASE64[BASE64.indexOf(c)]);
}
