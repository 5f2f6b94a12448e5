/**
 * The syntax rules of Kubernetes' own validation (k8s.io/apimachinery/pkg/util/validation and
 * the API server's per-kind code), as one set of functions returning what is wrong or
 * undefined. Construct props, the doit config and the validator's server-parity rules all use
 * these, and the differential test holds them to the real API server.
 */
import { isIPv6 } from 'net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A DNS-1123 label: lower-case alphanumerics and '-', alphanumeric at both ends, 1-`max` characters. */
export function dns1123LabelProblem(value: unknown, max = 63): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  if (value.length > max) return `must be no more than ${max} characters`;
  return DNS1123_LABEL.test(value) ? undefined : "must be lower-case letters, digits and '-', starting and ending with a letter or digit";
}

/** A DNS-1123 subdomain: DNS-1123 labels joined by '.', at most `max` (253) characters. */
export function dns1123SubdomainProblem(value: unknown, max = 253): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  if (value.length > max) return `must be no more than ${max} characters`;
  return DNS1123_SUBDOMAIN.test(value) ? undefined : "must be lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
}

/**
 * An Ingress rule's host as the API server takes it: a DNS-1123 subdomain of at most 253
 * characters, a wildcard only as a leading "*.", and not an IP address as the server reads one.
 */
export function ingressHostProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (isIPAddress(value)) return 'must be a DNS name, not an IP address';
  if (value.length > 253) return 'must be no more than 253 characters';
  return dns1123SubdomainProblem(value.startsWith('*.') ? value.slice(2) : value);
}

/**
 * A host name our constructs and config accept: an Ingress host (above) whose labels are also
 * real DNS labels of at most 63 characters, as a certificate and a resolver need them.
 */
export function hostnameProblem(value: unknown): string | undefined {
  return ingressHostProblem(value)
    ?? ((value as string).split('.').some(l => l.length > 63) ? 'each dot-separated part must be no more than 63 characters' : undefined);
}

/** A DNS-1035 label: a DNS-1123 label that starts with a letter. */
export function dns1035LabelProblem(value: unknown): string | undefined {
  return dns1123LabelProblem(value) ?? (DNS1035_LABEL.test(value as string) ? undefined : 'must start with a lower-case letter');
}

/** A name used as a URL path segment (RBAC objects, PodDisruptionBudgets): not `.`/`..`, no `/` or `%`. */
export function pathSegmentNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  if (value === '.' || value === '..') return `may not be "${value}"`;
  return /[/%]/.test(value) ? "may not contain '/' or '%'" : undefined;
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain, name 1-63 of [A-Za-z0-9-_.] alphanumeric at both ends. */
export function qualifiedNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  const parts = value.split('/');
  if (parts.length > 2) return "may contain at most one '/' (prefix/name)";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'the prefix before "/" must not be empty';
    const p = dns1123SubdomainProblem(prefix);
    if (p) return `the prefix "${prefix}" ${p}`;
  }
  if (name.length === 0) return 'the name part must not be empty';
  if (name.length > 63) return 'the name part must be no more than 63 characters';
  return QUALIFIED_NAME.test(name) ? undefined : "the name part must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
}

/** A label value: empty, or up to 63 of [A-Za-z0-9-_.] alphanumeric at both ends. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 63) return 'must be no more than 63 characters';
  return LABEL_VALUE.test(value) ? undefined : "must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
}

/** A container port name (IANA service name): 1-15 of [a-z0-9-], at least one letter, no '--', no '-' at either end. */
export function ianaServiceNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  if (value.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(value)) return "must be lower-case letters, digits and '-'";
  if (!/[a-z]/.test(value)) return 'must contain at least one letter';
  if (value.includes('--')) return "must not contain '--'";
  return value.startsWith('-') || value.endsWith('-') ? "must not begin or end with '-'" : undefined;
}

/** An environment variable name (Kubernetes >= 1.34): printable ASCII other than '='. */
export function envVarNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must not be empty';
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(value) ? undefined : "must be printable ASCII characters other than '='";
}

/**
 * Whether the API server reads `value` as an IP address: IPv6, or IPv4 with any number of
 * leading zeros per octet (its "sloppy" parser: `01.02.03.004` is an address, `999.1.1.1` and
 * `1.2.3` are not and may be DNS names).
 */
export function isIPAddress(value: string): boolean {
  return ipBits(value) !== undefined || isIPv6(value);
}

/** An IP address's bytes/groups, leading zeros allowed (they make it non-standard), or undefined. */
function ipBits(ip: string): { parts: bigint[]; leadingZeros: boolean } | undefined {
  const octets = ip.split('.');
  if (octets.length === 4 && octets.every(o => /^\d+$/.test(o) && Number(o) <= 255)) {
    return { parts: octets.map(o => BigInt(Number(o))), leadingZeros: octets.some(o => o.length > 1 && o.startsWith('0')) };
  }
  if (!isIPv6(ip) || ip.includes('.') || ip.includes('%')) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { parts: groups.map(g => BigInt(parseInt(g, 16))), leadingZeros: false };
}

interface Cidr { readonly address: bigint; readonly prefix: number; readonly bits: number; readonly nonStandard?: string }

/**
 * What is wrong with a CIDR (`problem`), and why it is not in its standard form (`nonStandard`:
 * leading zeros, bits set beyond the prefix, e.g. "10.1.0.0/8"), which Kubernetes 1.34 accepts
 * with a warning and later versions refuse.
 */
export function checkCidr(value: unknown): { readonly problem?: string; readonly nonStandard?: string } {
  const parsed = parseCidr(value);
  return typeof parsed === 'string' ? { problem: parsed } : { nonStandard: parsed.nonStandard };
}

/** `inner` lies inside `outer` with a longer prefix (NetworkPolicy `except`). */
export function cidrStrictlyWithin(inner: string, outer: string): boolean {
  return prefixWithin(inner, outer, true);
}

/** Every address of `inner` is in `outer` (the same block included); false for anything not a CIDR. */
export function cidrWithin(inner: string, outer: string): boolean {
  return prefixWithin(inner, outer, false);
}

/** The two blocks share an address (of two CIDRs, one then contains the other). */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

function prefixWithin(inner: string, outer: string, strictly: boolean): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (typeof a === 'string' || typeof b === 'string' || a.bits !== b.bits || a.prefix < b.prefix || (strictly && a.prefix === b.prefix)) return false;
  const shift = BigInt(b.bits - b.prefix);
  return (a.address >> shift) === (b.address >> shift);
}

function parseCidr(value: unknown): Cidr | string {
  if (typeof value !== 'string' || !value.includes('/')) return 'must be an address and a prefix length, e.g. "10.0.0.0/8"';
  const [ip, len, ...rest] = value.split('/');
  const parsed = ipBits(ip);
  if (rest.length > 0 || parsed === undefined) return 'must be a valid IP address and a prefix length, e.g. "10.0.0.0/8"';
  const bits = parsed.parts.length === 4 ? 32 : 128;
  if (!/^\d+$/.test(len) || Number(len) > bits) return `the prefix length must be 0-${bits}`;
  const prefix = Number(len);
  const raw = parsed.parts.reduce((n, p) => (n << (bits === 32 ? 8n : 16n)) + p, 0n);
  const hostBits = BigInt(bits - prefix);
  const address = (raw >> hostBits) << hostBits;
  const nonStandard = parsed.leadingZeros || (len.length > 1 && len.startsWith('0')) ? 'must not have leading zeros in the address or prefix length'
    : address !== raw ? 'must not have bits set beyond the prefix length' : undefined;
  return { address, prefix, bits, nonStandard };
}
