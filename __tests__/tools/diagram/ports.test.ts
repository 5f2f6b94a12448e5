// Port sets, against membership computed the slow, obvious way.
import fc from 'fast-check';
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
