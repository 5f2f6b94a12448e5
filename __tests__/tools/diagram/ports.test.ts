// Port sets and CIDR blocks, against membership computed the slow, obvious way.
import fc from 'fast-check';
import { overlaps, parseCidr, within } from '../../../tools/diagram/cidr';
import { ALL_PORTS, contains, formatPorts, intersect, parsePorts, PortRange, subtract, union } from '../../../tools/diagram/ports';

const rangeArb = fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), from: fc.integer({ min: 1, max: 70 }), len: fc.integer({ min: 0, max: 20 }) })
  .map(r => ({ protocol: r.protocol, from: r.from, to: Math.min(65535, r.from + r.len) }));
const setArb = fc.array(rangeArb, { maxLength: 5 });
const probes = ['TCP', 'UDP', 'SCTP'].flatMap(p => Array.from({ length: 95 }, (_, i) => [p, i + 1] as [string, number]));
const member = (set: PortRange[], p: string, n: number) => set.some(r => r.protocol === p && r.from <= n && n <= r.to);

test('union, intersect and subtract keep exactly the right ports; format and parse round-trip', () => {
  fc.assert(fc.property(setArb, setArb, (a, b) => {
    for (const [p, n] of probes) {
      expect(contains(union(a, b), p, n)).toBe(member(a, p, n) || member(b, p, n));
      expect(contains(intersect(a, b), p, n)).toBe(member(a, p, n) && member(b, p, n));
      expect(contains(subtract(a, b), p, n)).toBe(member(a, p, n) && !member(b, p, n));
    }
    expect(formatPorts(parsePorts(formatPorts(a)))).toBe(formatPorts(a));
    expect(parsePorts(formatPorts(union(a)))).toEqual(union(a));
  }), { numRuns: 300, seed: 1130 });
});

test.each([
  [ALL_PORTS, 'any port'],
  [[{ protocol: 'UDP', from: 1, to: 65535 }, { protocol: 'TCP', from: 53, to: 53 }], '53/TCP; any UDP'],
  [[{ protocol: 'TCP', from: 9000, to: 9000 }, { protocol: 'TCP', from: 4369, to: 4369 }], '4369, 9000/TCP'],
  [[{ protocol: 'TCP', from: 30000, to: 32767 }], '30000-32767/TCP'],
  [[], 'none'],
])('%j reads "%s"', (set, text) => {
  expect(formatPorts(set)).toBe(text);
});

describe('CIDR blocks', () => {
  const c = (s: string) => parseCidr(s)!;
  test.each([
    ['10.1.0.0/16', '10.0.0.0/8', true], ['10.0.0.0/8', '10.1.0.0/16', false], ['11.0.0.0/8', '10.0.0.0/8', false],
    ['0.0.0.0/0', '0.0.0.0/0', true], ['192.168.1.7/32', '192.168.1.0/24', true],
    ['2001:db8:1::/48', '2001:db8::/32', true], ['2001:db9::/32', '2001:db8::/32', false], ['::1/128', '::/0', true],
    ['10.0.0.0/8', '::/0', false],
  ])('%s within %s: %s', (inner, outer, yes) => {
    expect(within(c(inner), c(outer))).toBe(yes);
  });
  test('overlap is symmetric and means one contains the other', () => {
    expect(overlaps(c('10.0.0.0/8'), c('10.2.3.0/24'))).toBe(true);
    expect(overlaps(c('10.2.3.0/24'), c('10.0.0.0/8'))).toBe(true);
    expect(overlaps(c('10.0.0.0/24'), c('10.0.1.0/24'))).toBe(false);
  });
  test.each(['10.0.0.0', '10.0.0/8', '256.0.0.0/8', '10.0.0.0/33', '1::2::3/64', 'fe80::/129', 'g::/8', '10.0.0.0/8/8'])('%s is not a CIDR', bad => {
    expect(parseCidr(bad)).toBeUndefined();
  });
});
