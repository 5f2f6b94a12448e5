import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { replacedBySynth } from './output-dir';
import { describeJsonError } from '../lib/common/redact';

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

export interface SecretsFileLocation {
  /** Directories synth replaces as a whole: the output directory (DOIT_OUTDIR) and its staging. */
  readonly outdirs?: readonly string[];
  /** Directories wiped before every run (the cdk8s CLI's CDK8S_OUTDIR). */
  readonly wipedDirs?: readonly string[];
  /** Where a relative path shows from. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Refuses a secrets file that synth would delete, and warns when git would commit it.
 *
 * A file inside the output directory (or its staging, or the CLI's output directory, which
 * `cdk8s synth` wipes first) is gone after the next synth, which then generates new
 * passwords: PostgreSQL keeps the old one, and the app is locked out after the next apply.
 * Inside a git work tree, a file that `git check-ignore` does not report as ignored gets a
 * warning (a `git add .` would commit the passwords); outside one, or without git, no check.
 */
export function checkSecretsFileLocation(file: string, location: SecretsFileLocation = {}, warn: (message: string) => void = m => console.warn(m)): void {
  const real = realish(file);
  const show = (p: string) => {
    const rel = relative(location.cwd ?? process.cwd(), p);
    return rel && !rel.startsWith('..') ? rel : p;
  };
  for (const [dirs, what] of [[location.outdirs ?? [], 'the output directory'], [location.wipedDirs ?? [], 'the cdk8s CLI\'s output directory, which `cdk8s synth` empties before every run']] as const) {
    for (const dir of dirs) {
      const inside = replacedBySynth(real, realish(dir));
      if (!inside) continue;
      throw new SecretsFileError(file, `is inside ${show(inside)} (${what}), which synth replaces as a whole: the next synth would delete it and generate new passwords, and the app would be locked out of its database after the next apply`,
        `Nothing was written. Set DOIT_SECRETS_FILE (secrets.file) to a path outside it, e.g. .secrets/doit.json${existsSync(file) ? `, after moving this file there (it holds the passwords the database was initialised with: mv ${show(resolve(file))} .secrets/doit.json)` : ''}.`);
    }
  }
  const problem = gitExposure(real);
  if (problem) {
    warn(`warning: the secrets file ${file} ${problem}. Add it to .gitignore (the default .secrets/ is), or set DOIT_SECRETS_FILE (secrets.file) to a git-ignored path.`);
  }
}

/** Why git could commit `file`, or undefined (ignored, not in a work tree, or no git). */
function gitExposure(file: string): string | undefined {
  let dir = dirname(file);
  while (!existsSync(dir)) dir = dirname(dir);
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const inside = git('rev-parse', '--is-inside-work-tree');
  if (inside.error || inside.status !== 0 || inside.stdout.trim() !== 'true') return undefined;
  if (git('ls-files', '--error-unmatch', '--', file).status === 0) {
    return 'is tracked by git: the passwords are in its history (git rm --cached it, and rotate them if the history left this machine)';
  }
  const ignored = git('check-ignore', '-q', '--', file);
  if (ignored.status === 1) return 'is not ignored by git (git check-ignore): a `git add .` would commit the passwords';
  return undefined;
}

/** `path` with symbolic links resolved as far as it exists. */
function realish(path: string): string {
  const abs = resolve(path);
  let existing = abs;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    return join(realpathSync(existing), relative(existing, abs));
  } catch {
    return abs;
  }
}

function parse(file: string): Record<string, string> {
  let data: unknown;
  const text = readFileSync(file, 'utf8');
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8 quotes part of the input, i.e. of a password: say where, never what.
    throw new SecretsFileError(file, `not valid JSON (${describeJsonError(e, text)})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new SecretsFileError(file, 'expected a JSON object');
  const unknown = Object.keys(data).filter(k => !(k in SPECS));
  // A key is shown only when it looks like a name (a pasted password could sit in a key).
  const shown = unknown.map(k => (/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(k) ? k : '<redacted>'));
  if (unknown.length > 0) throw new SecretsFileError(file, `unknown key(s) ${shown.join(', ')}; known: ${Object.keys(SPECS).join(', ')}`);
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
