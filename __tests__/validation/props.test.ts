/**
 * The shared prop checks of lib/validation/props.ts and the name rules of lib/common/k8s-names.ts
 * they rest on, each at its boundaries: what passes, what fails, and that the error names the
 * construct path and the prop.
 */
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  checkDigest, checkDnsLabel, checkDnsSubdomain, checkInteger, checkLabels, checkNameAndLabel, checkNonEmpty, checkPort,
  checkPublicAddress, checkQuantity, checkResources, checkSecretKey, parseQuantity, PropError,
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

describe('PropError', () => {
  test('is named PropError and names the root construct when thrown for the app itself', () => {
    let error: any;
    try { checkDnsLabel(Testing.app(), 'name', 'Not_A_Label'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(PropError);
    expect(error.name).toBe('PropError');
    expect(String(error)).toMatch(/^PropError: <root>: invalid prop "name"/);
    expect(error.constructPath).toBe('<root>');
    expect(error.prop).toBe('name');
  });
});

describe('non-string values whose text would pass are refused', () => {
  test('an array holding a valid value is not that value', () => {
    boundaries(checkPublicAddress, [], [['192.168.1.50'], ['doit.example.com']]);
    boundaries(checkDnsLabel, [], [['postgres']]);
    boundaries(checkNameAndLabel, [], [['doit']]);
    boundaries(checkDnsSubdomain, [], [['doit.example.com']]);
    boundaries(checkQuantity, [], [['1Gi'], { toString: () => '1Gi' }]);
  });
});

describe('parseQuantity', () => {
  test('only strings', () => {
    for (const v of [undefined, null, 5, ['1Gi'], { value: '1Gi' }]) expect(parseQuantity(v as any)).toBeUndefined();
  });

  test('every SI suffix, decimal and binary', () => {
    expect(['1n', '1u', '1m', '1', '1k', '1M', '1G', '1T', '1P', '1E'].map(parseQuantity)).toEqual([1e-9, 1e-6, 1e-3, 1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18]);
    expect(['1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'].map(parseQuantity)).toEqual([2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 2 ** 60]);
    for (const bad of ['1K', '1mi', '1KI', '1Ki1', '1Mm']) expect([bad, parseQuantity(bad)]).toEqual([bad, undefined]);
  });

  test('exponents: signed, several digits, only right after the number', () => {
    expect(['1e3', '1e+3', '1E+3', '1e-3', '5e12', '1.5e-6', '2E1', '-1e2'].map(parseQuantity)).toEqual([1000, 1000, 1000, 0.001, 5e12, 0.0000015, 20, -100]);
    for (const bad of ['1me3', '1Ke3', '1e3m', '1e', '1e+', '1ee3', '1e++3', '1e3.5']) expect([bad, parseQuantity(bad)]).toEqual([bad, undefined]);
  });

  // As Kubernetes 1.36.3 answers: the exponent is parsed as a 64-bit integer and then cut to 32 bits.
  test('huge exponents: beyond 64 bits no quantity, within them cut to 32 bits like the server', () => {
    for (const bad of ['1e9223372036854775808', '1e-9223372036854775809', '1e99999999999999999999']) expect([bad, parseQuantity(bad)]).toEqual([bad, undefined]);
    expect(parseQuantity('1e9223372036854775807')).toBe(0.1); // int32: -1
    expect(parseQuantity('1e-9223372036854775808')).toBe(1); // int32: 0
    expect(parseQuantity('1e4294967296')).toBe(1);
    expect(parseQuantity('1e4294967297')).toBe(10);
    expect(parseQuantity('1e-4294967295')).toBe(10);
  });

  test('the same quantity written two ways is the same number (the API server compares them exactly)', () => {
    for (let n = 1; n <= 40000; n += 7) {
      const milli = `${n}m`;
      const decimal = `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}`;
      if (parseQuantity(milli) !== parseQuantity(decimal)) expect([milli, parseQuantity(milli)]).toEqual([decimal, parseQuantity(decimal)]);
    }
    expect(parseQuantity('1001m')).toBe(1.001);
    expect(parseQuantity('32002m')).toBe(32.002);
    expect(parseQuantity('1.5Gi')).toBe(parseQuantity('1536Mi'));
    expect(parseQuantity('1.5Gi')).toBe(1610612736);
    expect(parseQuantity('1.001G')).toBe(parseQuantity('1001M'));
    expect(parseQuantity('2.5e3')).toBe(parseQuantity('2500'));
    expect(parseQuantity('-1500m')).toBe(-1.5);
  });

  test('binary values are capped at 2^63-1, which as a number is 2^63', () => {
    expect(parseQuantity('8Ei')).toBe(2 ** 63);
    expect(parseQuantity('-9Ei')).toBe(-(2 ** 63));
    expect(parseQuantity('7Ei')).toBe(7 * 2 ** 60);
  });
});

describe('checkResources at its edges', () => {
  test('a request equal to its limit in another notation is not above it', () => {
    const r = { requests: { cpu: q('1001m'), memory: q('1.5Gi') }, limits: { cpu: q('1.001'), memory: q('1536Mi') } };
    expect(checkResources(scope(), 'resources', r)).toBe(r);
    expect(() => checkResources(scope(), 'resources', { requests: { cpu: q('1001m') }, limits: { cpu: q('1') } })).toThrow(/resources.requests.cpu/);
  });

  test('quantities as numbers or bare strings, blanks around them; nothing given is nothing to check', () => {
    const r = { requests: { cpu: 1 as any, memory: ' 1Gi ' as any }, limits: { cpu: q(' 2 '), memory: { value: 2 ** 30 } } };
    expect(checkResources(scope(), 'resources', r)).toBe(r);
    expect(checkResources(scope(), 'resources', undefined as any)).toBeUndefined();
    expect(checkResources(scope(), 'resources', {})).toEqual({});
  });

  test('a missing quantity is a PropError for that resource', () => {
    for (const missing of [undefined, null]) {
      let error: any;
      try { checkResources(scope(), 'resources', { requests: { cpu: missing as any } }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(PropError);
      expect(error.prop).toBe('resources.requests.cpu');
    }
  });
});
