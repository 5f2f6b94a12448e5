import { randomBytes } from 'crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { dirname } from 'path';

/**
 * The doit stack's secret values, generated once with a CSPRNG and kept in a git-ignored
 * local file (default `.secrets/doit.json`, mode 0600) that every later synth reuses:
 * PostgreSQL applies its password only when the data directory is first initialised, so
 * a password that changed on every synth would lock the app out of its database.
 */
export interface DoitSecretValues {
  /** Password of the database user (43 URL-safe characters, 256 bits). */
  readonly postgresPassword: string;
  /** Password of the `postgres` superuser, for administration only (43 URL-safe characters). */
  readonly postgresSuperuserPassword: string;
  /** Phoenix SECRET_KEY_BASE (88 characters, 512 bits). */
  readonly secretKeyBase: string;
  /** Erlang distribution cookie shared by all app pods (43 URL-safe characters). */
  readonly releaseCookie: string;
  /** Registry http.secret that signs upload state (64 hex characters). */
  readonly registryHttpSecret: string;
  /** Password of the registry user `doit` (43 URL-safe characters; bcrypt in the registry's htpasswd). */
  readonly registryPassword: string;
}

interface SecretSpec {
  readonly generate: () => string;
  readonly minLength: number;
  readonly pattern: RegExp;
}

const SPECS: Record<keyof DoitSecretValues, SecretSpec> = {
  postgresPassword: { generate: () => randomBytes(32).toString('base64url'), minLength: 32, pattern: /^[A-Za-z0-9_-]+$/ },
  postgresSuperuserPassword: { generate: () => randomBytes(32).toString('base64url'), minLength: 32, pattern: /^[A-Za-z0-9_-]+$/ },
  secretKeyBase: { generate: () => randomBytes(64).toString('base64'), minLength: 64, pattern: /^[A-Za-z0-9+/=_-]+$/ },
  releaseCookie: { generate: () => randomBytes(32).toString('base64url'), minLength: 32, pattern: /^[A-Za-z0-9_-]+$/ },
  registryHttpSecret: { generate: () => randomBytes(32).toString('hex'), minLength: 32, pattern: /^[A-Za-z0-9_-]+$/ },
  registryPassword: { generate: () => randomBytes(32).toString('base64url'), minLength: 32, pattern: /^[A-Za-z0-9_-]+$/ },
};

export class SecretsFileError extends Error {
  constructor(file: string, problem: string,
    hint = 'Fix or delete the file (deleting it generates new values: only do that before the database was first initialised).') {
    super(`${file}: ${problem}. ${hint}`);
    this.name = 'SecretsFileError';
  }
}

/**
 * Read the secrets file, generating the values it lacks (all of them on first use) and
 * writing it back atomically with mode 0600. Existing values are never changed.
 */
export function loadOrCreateSecrets(file: string, warn: (message: string) => void = m => console.warn(m)): DoitSecretValues {
  if (existsSync(file)) keepPrivate(file, warn);
  const existing = existsSync(file) ? parse(file) : {};
  const values: Record<string, string> = { ...existing };
  for (const [key, spec] of Object.entries(SPECS)) values[key] ??= spec.generate();
  validate(file, values);

  const missing = Object.keys(SPECS).filter(k => !(k in existing));
  if (missing.length > 0) write(file, values, Object.keys(existing).length === 0);
  return values as unknown as DoitSecretValues;
}

function parse(file: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SecretsFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new SecretsFileError(file, 'expected a JSON object');
  const unknown = Object.keys(data).filter(k => !(k in SPECS));
  if (unknown.length > 0) throw new SecretsFileError(file, `unknown key(s) ${unknown.join(', ')}; known: ${Object.keys(SPECS).join(', ')}`);
  return data as Record<string, string>;
}

function validate(file: string, values: Record<string, string>): void {
  for (const [key, spec] of Object.entries(SPECS)) {
    const v = values[key];
    if (typeof v !== 'string' || v.length < spec.minLength || !spec.pattern.test(v)) {
      throw new SecretsFileError(file, `"${key}" must be a string of at least ${spec.minLength} characters matching ${spec.pattern}`);
    }
  }
}

/** Group or other permissions on the secrets file are removed (0600), with a warning. */
function keepPrivate(file: string, warn: (message: string) => void): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(file, 0o600);
  } catch (e) {
    throw new SecretsFileError(file, `is readable by others (mode ${mode.toString(8).padStart(4, '0')}) and its mode cannot be changed (${(e as NodeJS.ErrnoException).code}); make it 0600`);
  }
  warn(`warning: ${file} was readable by others (mode ${mode.toString(8).padStart(4, '0')}); set it to 0600. Anyone who read it has the database password: rotate it if that was not you.`);
}

function write(file: string, values: Record<string, string>, create: boolean): void {
  try {
    writeAtomically(file, values, create);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof SecretsFileError || !code) throw e;
    throw new SecretsFileError(file, `cannot be written (${(e as Error).message})`,
      'Set DOIT_SECRETS_FILE to a file in a writable directory, outside the output directory (default .secrets/doit.json).');
  }
}

function writeAtomically(file: string, values: Record<string, string>, create: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(values, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    if (create) {
      // link() fails if another synth created the file meanwhile: never overwrite its values.
      try {
        linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SecretsFileError(file, 'was created concurrently by another synth; run synth again');
        throw e;
      }
    } else {
      renameSync(tmp, file);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}
