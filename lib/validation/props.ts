import { isIP } from 'net';
import { IConstruct } from 'constructs';
import { digestProblem, imageReferenceProblem } from '../common/image-ref';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelValueProblem, qualifiedNameProblem } from '../common/k8s-names';
import { formatValue } from '../common/redact';

/**
 * A construct was given a prop it cannot synthesize.
 *
 * Thrown while the construct tree is built, i.e. before anything is written to `dist/`.
 * The message names the construct path, the prop, the value and what would be accepted;
 * secret values (a prop or key named like a password, secret, token, cookie…) show as
 * `<redacted>` (`lib/common/redact.ts`).
 */
export class PropError extends Error {
  public readonly constructPath: string;
  public readonly prop: string;

  constructor(scope: IConstruct, prop: string, value: unknown, accepted: string) {
    const path = scope.node.path || '<root>';
    super(`${path}: invalid prop "${prop}" = ${formatValue(value, prop)}: ${accepted}`);
    this.name = 'PropError';
    this.constructPath = path;
    this.prop = prop;
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
/** Decimal SI suffixes as powers of ten. */
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * Value of a Kubernetes quantity in base units (bytes, cores), or undefined when the API server
 * cannot parse it: resource.ParseQuantity's own scanner (a sign, digits, a fraction, then a
 * binary or decimal SI suffix or an exponent like "e3"), as lenient as it is: a missing number
 * is 0 ("Gi", "."), "1." is 1. Negative values parse; whether they are allowed is the caller's
 * business. The JSON decoder trims blanks first, so " 1Gi" is 1Gi.
 */
export function parseQuantity(input: string): number | undefined {
  if (typeof input !== 'string') return undefined;
  const str = input.trim();
  if (str.length === 0) return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*)([-+]?\d*)$/.exec(str);
  if (!m) return undefined;
  const [, sign, whole, fraction = '', letters, exponentDigits] = m;
  const suffix = letters + exponentDigits;
  const power = suffix in BINARY ? 0 : suffix in DECIMAL ? DECIMAL[suffix] : exponentOf(suffix);
  if (power === undefined) return undefined;
  // One decimal conversion with the power of ten in it: equal quantities are equal numbers
  // (1001m is 1.001; 1001 * 1e-3 would be 1.0010000000000001, more than "1.001").
  const number = Number(`${sign}0${whole}.${fraction}0e${power}`);
  return asTheServerStoresIt(number * (BINARY[suffix] ?? 1), suffix in BINARY);
}

const INT64 = 2n ** 63n;

/**
 * The power of ten of an `e<n>` suffix as the API server reads it: n must fit in 64 bits
 * ("1e9223372036854775808" is no quantity) and is then cut to 32 (`int32(n)`: "1e4294967297"
 * is 10), as checked on Kubernetes 1.36.3.
 */
function exponentOf(suffix: string): number | undefined {
  const digits = /^[eE]([-+]?\d+)$/.exec(suffix)?.[1];
  if (digits === undefined) return undefined;
  const n = BigInt(digits);
  return n < -INT64 || n >= INT64 ? undefined : Number(BigInt.asIntN(32, n));
}

// Stryker disable next-line ArithmeticOperator: 2^63 - 1 and 2^63 + 1 are the same double (2^63)
const MAX_QUANTITY = 2 ** 63 - 1;

/**
 * resource.Quantity caps a value with a binary suffix at 2^63-1 (so "9Ei" equals "8Ei" and a
 * request of 9Ei fits a limit of 8Ei, while "10E" stays 10^19) and rounds anything finer than a
 * nano-unit up to 1n.
 */
function asTheServerStoresIt(value: number, binary: boolean): number {
  const capped = binary ? Math.max(-MAX_QUANTITY, Math.min(MAX_QUANTITY, value)) : value;
  return Math.abs(capped) < 1 && capped !== 0 ? Math.sign(capped) * Math.ceil(Math.abs(capped) * 1e9 - 1e-6) / 1e9 : capped;
}

/** A DNS-1123 label (Service, container and port names): lower-case alphanumerics and '-', at most `max` chars. */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string, max = 63): string {
  if (typeof value !== 'string' || dns1123LabelProblem(value, max)) {
    throw new PropError(scope, prop, value,
      `expected a DNS-1123 label of 1-${max} characters: lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. "postgres")`);
  }
  return value;
}

/** Extra labels for every object of a construct: keys and values as the API server accepts them. */
export function checkLabels(scope: IConstruct, prop: string, labels: Record<string, string> | undefined): Record<string, string> | undefined {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) throw new PropError(scope, `${prop}["${key}"]`, key, `expected a label key ([prefix/]name, e.g. "team" or "example.com/team"): ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) throw new PropError(scope, `${prop}["${key}"]`, value, `expected a label value (up to 63 letters, digits, '-', '_', '.'): ${valueProblem}`);
  }
  return labels;
}

/** A name that also becomes a label value (app.kubernetes.io/instance): a DNS-1123 subdomain of at most 63 characters. */
export function checkNameAndLabel(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || dns1123SubdomainProblem(value, 63)) {
    throw new PropError(scope, prop, value, "expected a DNS-1123 subdomain of at most 63 characters (it is also a label value): lower-case letters, digits, '-' and '.'");
  }
  return value;
}

/** A DNS-1123 subdomain (most object names, hostnames): labels joined by '.', at most 253 chars. */
export function checkDnsSubdomain(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || dns1123SubdomainProblem(value)) {
    throw new PropError(scope, prop, value,
      "expected a DNS-1123 subdomain of at most 253 characters: lower-case letters, digits, '-' and '.' (e.g. \"doit.example.com\")");
  }
  return value;
}

/** A Kubernetes quantity strictly greater than zero (e.g. "1Gi", "500m"). */
export function checkQuantity(scope: IConstruct, prop: string, value: string): string {
  const parsed = typeof value === 'string' ? parseQuantity(value) : undefined;
  if (parsed === undefined || !(parsed > 0)) {
    throw new PropError(scope, prop, value,
      'expected a positive Kubernetes quantity such as "512Mi", "10Gi", "250m" or "2"');
  }
  return value;
}

/** An integer within [min, max]. */
export function checkInteger(scope: IConstruct, prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PropError(scope, prop, value, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** A TCP/UDP port number. */
export function checkPort(scope: IConstruct, prop: string, value: number): number {
  return checkInteger(scope, prop, value, 1, 65535);
}

/** A non-empty string without control characters. */
export function checkNonEmpty(scope: IConstruct, prop: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.trim().length === 0 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new PropError(scope, prop, value, 'expected a non-empty string without control characters');
  }
  return value;
}

/** A content digest (`sha256:<64 hex>`), for pinning an image beyond its tag. */
export function checkDigest(scope: IConstruct, prop: string, value: string): string {
  const problem = digestProblem(value);
  if (problem) throw new PropError(scope, prop, value, problem);
  return value;
}

/**
 * An image reference pinned to a tag or digest: `latest` and a missing tag are rejected,
 * because they make a rollout non-reproducible and `kubectl apply` of the same YAML a no-op
 * when the image changed.
 */
export function checkPinnedImage(scope: IConstruct, prop: string, value: string): string {
  const problem = imageReferenceProblem(value);
  if (problem) {
    throw new PropError(scope, prop, value, `expected an image reference pinned to a tag other than "latest" or to a digest, e.g. "localhost:32000/doit:1.2.3" (${problem})`);
  }
  return value;
}

/**
 * Container resources: every quantity valid and not negative, and no request above its limit
 * (the API server refuses both at apply time).
 */
export function checkResources<T extends { requests?: Record<string, { value: string | number }>; limits?: Record<string, { value: string | number }> }>(
  scope: IConstruct, prop: string, resources: T): T {
  const parsed: Record<'requests' | 'limits', Record<string, number>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [resource, q] of Object.entries(resources?.[kind] ?? {})) {
      const text = String((q as { value: string | number })?.value ?? q);
      const value = parseQuantity(text);
      if (value === undefined || value < 0) {
        throw new PropError(scope, `${prop}.${kind}.${resource}`, text, 'expected a non-negative Kubernetes quantity such as "250m" or "512Mi"');
      }
      parsed[kind][resource] = value;
    }
  }
  for (const [resource, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[resource];
    if (limit !== undefined && request > limit) {
      throw new PropError(scope, `${prop}.requests.${resource}`, String((resources.requests as any)[resource].value),
        `must not exceed limits.${resource} (${String((resources.limits as any)[resource].value)}): raise the limit or lower the request`);
    }
  }
  return resources;
}

/** Where people reach an app: an IPv4/IPv6 address or a DNS name (no scheme, no port). */
export function checkPublicAddress(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !(isIP(value) || !dns1123SubdomainProblem(value))) {
    throw new PropError(scope, prop, value, 'expected an IP address (e.g. "192.168.1.50") or a lower-case DNS name, without scheme or port');
  }
  return value;
}

/** A key of a Secret or ConfigMap. */
export function checkSecretKey(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(value)) {
    throw new PropError(scope, prop, value, "expected a Secret key: letters, digits, '-', '_' and '.'");
  }
  return value;
}
