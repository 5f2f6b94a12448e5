/**
 * The shared prop checks of lib/validation/props.ts and the name rules of lib/common/k8s-names.ts
 * they rest on, each at its boundaries: what passes, what fails, and that the error names the
 * construct path and the prop.
 */
import { Construct } from 'constructs';
import {
  checkDigest, checkDnsLabel, checkDnsSubdomain, checkInteger, checkLabels, checkNameAndLabel, checkNonEmpty, checkPort,
  checkPublicAddress, checkQuantity, checkResources, checkSecretKey, PropError,
} from '../../lib/validation/props';
import { dns1035LabelProblem, dns1123LabelProblem, dns1123SubdomainProblem, labelValueProblem, qualifiedNameProblem } from '../../lib/common/k8s-names';
import { testChart } from '../util';

const scope = () => new Construct(testChart('ns'), 'Thing');
const q = (value: string) => ({ value });

/** `check` accepts every value of `ok` (returning it) and refuses every value of `bad` with a PropError for `prop`. */
function boundaries(check: (s: Construct, prop: string, v: any) => unknown, ok: unknown[], bad: unknown[]) {
  for (const v of ok) expect(check(scope(), 'p', v)).toBe(v);
  for (const v of bad) {
    let error: unknown;
    try { check(scope(), 'p', v); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(PropError);
    expect((error as PropError).constructPath).toBe('test/Thing');
    expect((error as PropError).prop).toBe('p');
    expect((error as PropError).message).toMatch(/^test\/Thing: invalid prop "p" = /);
  }
}

describe('DNS names', () => {
  test('a DNS-1123 label: 1-63 characters, anchored at both ends', () => {
    expect(dns1123LabelProblem('a'.repeat(63))).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(64))).toMatch(/no more than 63/);
    expect(dns1123LabelProblem('a'.repeat(40), 40)).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(41), 40)).toMatch(/no more than 40/);
    for (const bad of ['', '-a', 'a-', 'a_b', 'a.b', 'A', 'ab\n', 'ab!', '!ab']) expect(dns1123LabelProblem(bad)).toBeDefined();
    for (const good of ['a', '0', 'a-b', 'a--b', '1a']) expect(dns1123LabelProblem(good)).toBeUndefined();
  });

  test('a DNS-1123 subdomain: 1-253 characters, every part a label, anchored at both ends', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(dns1123SubdomainProblem(long)).toBeUndefined();
    expect(dns1123SubdomainProblem(`${long}d`)).toMatch(/no more than 253/);
    expect(dns1123SubdomainProblem('a'.repeat(64), 63)).toMatch(/no more than 63/);
    for (const bad of ['', '.a', 'a.', 'a..b', 'a_b', 'a.-b', 'doit.example.com_', '_doit.example.com', 'Doit.example.com']) expect(dns1123SubdomainProblem(bad)).toBeDefined();
    for (const good of ['a', 'doit.example.com', 'a-1.b-2']) expect(dns1123SubdomainProblem(good)).toBeUndefined();
  });

  test('a DNS-1035 label starts with a letter', () => {
    expect(dns1035LabelProblem('a1')).toBeUndefined();
    expect(dns1035LabelProblem('1a')).toMatch(/start with a lower-case letter/);
    expect(dns1035LabelProblem('a'.repeat(64))).toMatch(/no more than 63/);
  });

  test('label keys and values', () => {
    expect(qualifiedNameProblem('example.com/team')).toBeUndefined();
    expect(qualifiedNameProblem(`x/${'a'.repeat(63)}`)).toBeUndefined();
    expect(qualifiedNameProblem(`x/${'a'.repeat(64)}`)).toMatch(/no more than 63/);
    for (const bad of ['', 'a/b/c', '/a', 'a/', 'Bad_Prefix/a', '-a', 'a-']) expect(qualifiedNameProblem(bad)).toBeDefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('a'.repeat(63))).toBeUndefined();
    expect(labelValueProblem('a'.repeat(64))).toMatch(/no more than 63/);
    for (const bad of ['-a', 'a-', 'a b', 'a/b']) expect(labelValueProblem(bad)).toBeDefined();
  });
});

describe('prop checks', () => {
  test('checkDnsLabel and checkDnsSubdomain', () => {
    boundaries(checkDnsLabel, ['postgres', 'a'.repeat(63)], ['', 'a'.repeat(64), 'Postgres', 'a.b', 42]);
    boundaries((s, p, v) => checkDnsLabel(s, p, v, 15), ['a'.repeat(15)], ['a'.repeat(16)]);
    boundaries(checkDnsSubdomain, ['doit.example.com', 'a'.repeat(253)], ['', 'a'.repeat(254), 'doit.example.com.', 'Doit.com', undefined]);
  });

  test('checkNameAndLabel: a subdomain that also fits a label value (63)', () => {
    boundaries(checkNameAndLabel, ['doit.web', 'a'.repeat(63)], ['a'.repeat(64), 'Doit', '', null]);
  });

  test('checkLabels: keys and values as the API server accepts them', () => {
    expect(checkLabels(scope(), 'labels', undefined)).toBeUndefined();
    expect(checkLabels(scope(), 'labels', { 'example.com/team': 'web', tier: '' })).toEqual({ 'example.com/team': 'web', tier: '' });
    expect(() => checkLabels(scope(), 'labels', { 'a/b/c': 'x' })).toThrow(/invalid prop "labels\["a\/b\/c"\]" = "a\/b\/c": expected a label key/);
    expect(() => checkLabels(scope(), 'labels', { team: '-web' })).toThrow(/invalid prop "labels\["team"\]" = "-web": expected a label value/);
  });

  test('checkNonEmpty: no blank strings, no control characters', () => {
    boundaries(checkNonEmpty, ['x', 'cluster.local', ' padded '], ['', '   ', 'a\nb', 'a\u0000', 'tab\there', 'del\u007f', 42, undefined]);
  });

  test('checkSecretKey: letters, digits, - _ . and 1-253 characters', () => {
    boundaries(checkSecretKey, ['password', 'DATABASE_URL', 'tls.crt', 'a-b', 'k'.repeat(253)], ['', 'k'.repeat(254), 'a/b', 'a b', 'ключ', 7]);
  });

  test('checkInteger and checkPort: integers within the bounds, both ends included', () => {
    boundaries((s, p, v) => checkInteger(s, p, v, 2, 5), [2, 5], [1, 6, 2.5, NaN, '3']);
    boundaries(checkPort, [1, 65535], [0, 65536, -1, 80.5]);
  });

  test('checkQuantity: positive quantities only', () => {
    boundaries(checkQuantity, ['1Gi', '500m', '2', '0.5'], ['0', '-1Gi', '0Gi', 'lots', '', 5]);
  });

  test('checkDigest: sha256 and 64 lower-case hex digits', () => {
    boundaries(checkDigest, [`sha256:${'a'.repeat(64)}`], [`sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `sha512:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}0`]);
  });

  test('checkPublicAddress: an IP address or a lower-case DNS name, nothing else', () => {
    boundaries(checkPublicAddress, ['192.168.1.50', '::1', 'doit.example.com', 'localhost'], ['https://doit.example.com', 'doit.example.com:443', 'Doit.example.com', '', 300]);
  });

  test('checkResources: valid, non-negative, no request above its limit, each resource on its own', () => {
    const ok = { requests: { cpu: q('250m'), memory: q('512Mi') }, limits: { cpu: q('1'), memory: q('512Mi') } };
    expect(checkResources(scope(), 'resources', ok)).toBe(ok);
    expect(checkResources(scope(), 'resources', { requests: { cpu: q('2') } })).toBeTruthy(); // no limit: nothing to exceed
    expect(checkResources(scope(), 'resources', { requests: { memory: q('0') } })).toBeTruthy();
    expect(() => checkResources(scope(), 'resources', { requests: { cpu: q('2') }, limits: { cpu: q('1') } }))
      .toThrow(/invalid prop "resources.requests.cpu" = "2": must not exceed limits.cpu \(1\)/);
    expect(() => checkResources(scope(), 'resources', { limits: { memory: q('lots') } }))
      .toThrow(/invalid prop "resources.limits.memory" = "lots": expected a non-negative Kubernetes quantity/);
    expect(() => checkResources(scope(), 'resources', { limits: { memory: q('-1') } })).toThrow(/resources.limits.memory/);
    expect(() => checkResources(scope(), 'resources', { requests: { memory: q('1Gi') }, limits: { cpu: q('100m') } })).not.toThrow();
  });
});
