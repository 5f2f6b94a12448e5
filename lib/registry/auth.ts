import { createHmac } from 'crypto';
import bcrypt from 'bcryptjs';

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
}

export class OwnedHtpasswd extends RegistryAuth {
  constructor(public readonly username: string, public readonly password: string, public readonly realm: string) { super(); }

  /** The htpasswd line: bcrypt (cost 10) with a salt derived from the password, so it is the same on every synth. */
  public htpasswdLine(): string {
    return `${this.username}:${bcrypt.hashSync(this.password, stableSalt(this.password))}\n`;
  }
}

export class ExistingHtpasswd extends RegistryAuth {
  constructor(public readonly secretName: string, public readonly key: string, public readonly realm: string) { super(); }
}

export class AnonymousAccess extends RegistryAuth {
  constructor() { super(); }
}

/**
 * A bcrypt salt taken from an HMAC of the password: a fresh random salt would change the Secret
 * on every synth (and restart nothing, but make every apply report a change).
 */
function stableSalt(password: string): string {
  const bytes = createHmac('sha256', 'microk8s-phoenix registry htpasswd salt').update(password).digest().subarray(0, 16);
  return `$2b$10$${bcryptBase64(bytes)}`;
}

/** bcrypt's own base64 alphabet, 22 characters for 16 bytes. */
function bcryptBase64(bytes: Buffer): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  // The input is always 16 bytes (stableSalt), cut to the 22 characters bcrypt reads: the bounds below differ
  // from their mutants only in a 23rd character that is cut off again. (The other mutants of the same
  // operators on these lines, `>=` and `false`, drop characters and break every hash.)
  // Stryker disable next-line EqualityOperator: i runs 0, 3, ..., 15, 18, never 16, so i <= 16 loops as i < 16
  for (let i = 0; i < bytes.length; i += 3) {
    const c1 = bytes[i];
    const c2 = bytes[i + 1] ?? 0;
    const c3 = bytes[i + 2] ?? 0;
    out += alphabet[c1 >> 2] + alphabet[((c1 & 0x03) << 4) | (c2 >> 4)];
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: adds at most the 23rd character, cut off below
    if (i + 1 < bytes.length) out += alphabet[((c2 & 0x0f) << 2) | (c3 >> 6)];
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: adds at most the 23rd character, cut off below
    if (i + 2 < bytes.length) out += alphabet[c3 & 0x3f];
  }
  // Stryker disable next-line MethodExpression: the bounds above yield exactly 22 characters, and bcryptjs reads no more
  return out.slice(0, 22);
}
