/**
 * The one place that decides what a message may show of a value: error messages (PropError,
 * the secrets-file loader) go to terminals and CI logs, so a secret-looking value is replaced
 * by `<redacted>` before it is formatted.
 */

export const REDACTED = '<redacted>';

/**
 * The one test of whether a name (an object key, a prop path like `credentials.password`, an
 * environment variable like `SECRET_KEY_BASE`, a ConfigMap key) holds a secret value: password,
 * passwd, passphrase, secret, token, cookie, credential(s), htpasswd, private/api key, key base,
 * auth(orization), a Docker config, DATABASE_URL. Used for redaction and by the validator's
 * policy rules. A name that only *refers* to a secret stays readable: camelCase props ending in
 * Name, Key(s), Ref, Scope, Mode, File, Path or Namespace (`secretName`, `passwordKey`,
 * `secretScope`: the library's convention), anything under a `keys` object (key names in a
 * Secret), and environment names ending in _NAME, _REF, _FILE, _PATH or _DIR (`PASSWORD_FILE`).
 */
const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|cookie|credential|htpasswd|private_?key|api_?key|key_?base|^auth(orization)?$|dockerconfig|database_?url/;
const PROP_REFERENCE = /(Name|Names|Key|Keys|Ref|Scope|Mode|File|Path|Namespace)$/;
const ENV_REFERENCE = /_(NAME|REF|FILE|PATH|DIR)$/;

/** Whether a name (last segment of a prop path, an object key, an env name) holds a secret value. */
export function isSecretName(name: string): boolean {
  const segments = name.split('.');
  const last = segments.pop() ?? name;
  if (segments.includes('keys')) return false;
  const norm = last.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
  if (!SECRET_NAME.test(norm)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(last)) return !ENV_REFERENCE.test(last);
  return /(private|api)_?key$/.test(norm) || !PROP_REFERENCE.test(last);
}

/** A URL's password (`scheme://user:password@host`) replaced by `<redacted>`. */
function redactString(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@\s]*@/i, `$1:${REDACTED}@`);
}

/**
 * A JSON-safe copy of `value` in which the value of every secret-named key (at any depth,
 * also inside class instances) is `<redacted>`, and so is the whole value when `name` itself
 * is secret-named. Constructs show as their path; cycles and depth beyond 6 are cut short.
 */
export function redact(value: unknown, name?: string): unknown {
  if (name !== undefined && isSecretName(name) && (value === null || typeof value !== 'object')) {
    return value === undefined || value === null || value === '' ? value : REDACTED;
  }
  return copy(value, new WeakSet(), 0);
}

function copy(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return `<function ${value.name || 'anonymous'}>`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  const path = (value as { node?: { path?: unknown } }).node?.path;
  if (typeof path === 'string') return `<construct ${path || '<root>'}>`;
  if (seen.has(value)) return '<circular>';
  if (depth >= 6) return '<…>';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map(v => copy(v, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretName(k) && (v === null || typeof v !== 'object') && v !== undefined && v !== '' ? REDACTED : copy(v, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** `value` as JSON for a message, redacted (see `redact`); `name` is the prop or key it came from. */
export function formatValue(value: unknown, name?: string): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(redact(value, name)) ?? String(value);
}

/**
 * What is wrong with JSON that failed to parse, without quoting it: V8's messages quote part
 * of the input (`Unexpected token 'a', ..."assword": abc"...`), which for a secrets file is
 * part of a password. Gives the line and column when the error tells the position.
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  let where = '';
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    where = ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
  } else if (/end of JSON input/i.test(message)) {
    where = ' (the file ends too early)';
  }
  return `syntax error${where}; the content is not shown because it holds secrets`;
}
