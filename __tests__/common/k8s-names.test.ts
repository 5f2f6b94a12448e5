/** IP addresses and CIDRs as the API server's lenient ("sloppy") parser reads them. */
import { checkCidr, cidrStrictlyWithin, cidrsOverlap, cidrWithin, hostnameProblem, ingressHostProblem, isIPAddress } from '../../lib/common/k8s-names';

test.each<[string, boolean]>([
  ['1.2.3.4', true], ['255.255.255.255', true], ['0.0.0.0', true],
  ['01.02.03.004', true], ['0001.1.1.1', true], // leading zeros: still an address to the server
  ['256.1.1.1', false], ['999.1.1.1', false], ['1.2.3', false], ['1.2.3.4.5', false], ['0x1.1.1.1', false], ['1.2.3.4 ', false], ['', false],
  ['::1', true], ['fe80::1', true], ['::ffff:1.2.3.4', true], ['a:80', false], ['shop.example.com', false],
])('%j is an IP address: %s', (value, ip) => {
  expect(isIPAddress(value)).toBe(ip);
});

test.each<[string, 'ok' | 'non-standard' | 'problem']>([
  ['10.0.0.0/8', 'ok'], ['10.1.0.0/8', 'non-standard'], ['010.0.0.0/8', 'non-standard'], ['0010.0.0.0/8', 'non-standard'],
  ['10.0.0.0/08', 'non-standard'], ['256.0.0.0/8', 'problem'], ['10.0.0.0/33', 'problem'], ['10.0.0.0', 'problem'], ['fd00::/8', 'ok'],
])('CIDR %j: %s', (cidr, verdict) => {
  const { problem, nonStandard } = checkCidr(cidr);
  expect(problem ? 'problem' : nonStandard ? 'non-standard' : 'ok').toBe(verdict);
});

test.each<[unknown, boolean]>([
  ['shop.example.com', true], ['*.example.com', true], ['localhost', true], ['999.1.1.1', true],
  [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, true], // 253 characters
  [`*.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}`, true], // 253 with the wildcard
  [`*.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}`, false], // 254
  [`${'a'.repeat(64)}.example.com`, false], ['1.2.3.4', false], ['::1', false], ['*', false], ['a.*.b', false], ['Shop.example.com', false], ['', false], [5, false],
])('%j is a host name: %s', (host, ok) => {
  expect(hostnameProblem(host) === undefined).toBe(ok);
});

test('an Ingress host may have labels longer than 63 characters (the server takes them); our host names may not', () => {
  const long = `${'a'.repeat(64)}.example.com`;
  expect(ingressHostProblem(long)).toBeUndefined();
  expect(hostnameProblem(long)).toBeDefined();
  for (const refused of ['1.2.3.4', '*', 'a.*.b', 'x'.repeat(254), 5]) expect([refused, ingressHostProblem(refused) !== undefined]).toEqual([refused, true]);
});

describe('CIDR containment and overlap (the diagram\'s ipBlock peers)', () => {
  test.each([
    ['10.1.0.0/16', '10.0.0.0/8', true], ['10.0.0.0/8', '10.1.0.0/16', false], ['11.0.0.0/8', '10.0.0.0/8', false],
    ['0.0.0.0/0', '0.0.0.0/0', true], ['192.168.1.7/32', '192.168.1.0/24', true],
    ['2001:db8:1::/48', '2001:db8::/32', true], ['2001:db9::/32', '2001:db8::/32', false], ['::1/128', '::/0', true],
    ['10.0.0.0/8', '::/0', false],
  ])('%s within %s: %s', (inner, outer, yes) => {
    expect(cidrWithin(inner, outer)).toBe(yes);
  });
  test('overlap is symmetric and means one contains the other', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.2.3.0/24')).toBe(true);
    expect(cidrsOverlap('10.2.3.0/24', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/24', '10.0.1.0/24')).toBe(false);
  });
  test('within, not strictly: the same block is within itself but not strictly within it', () => {
    expect([cidrWithin('10.0.0.0/8', '10.0.0.0/8'), cidrStrictlyWithin('10.0.0.0/8', '10.0.0.0/8'), cidrStrictlyWithin('10.1.0.0/16', '10.0.0.0/8')]).toEqual([true, false, true]);
  });
  test.each(['10.0.0.0', '10.0.0/8', '256.0.0.0/8', '10.0.0.0/33', '1::2::3/64', 'fe80::/129', 'g::/8', '10.0.0.0/8/8'])('%s is not a CIDR: contains and overlaps nothing', bad => {
    expect(checkCidr(bad).problem).toBeDefined();
    expect([cidrWithin(bad, '0.0.0.0/0'), cidrWithin(bad, '::/0'), cidrWithin('10.0.0.0/8', bad), cidrsOverlap(bad, bad)]).toEqual([false, false, false, false]);
  });
});
