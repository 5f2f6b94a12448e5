// Sets of ports (per protocol, as ranges) with the operations NetworkPolicy evaluation needs.

export interface PortRange {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
}

export type PortSet = readonly PortRange[];

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const MAX_PORT = 65535;

export const ALL_PORTS: PortSet = PROTOCOLS.map(protocol => ({ protocol, from: 1, to: MAX_PORT }));
export const NO_PORTS: PortSet = [];

/** Sorted by protocol then port, overlapping and adjacent ranges merged. */
export function normalize(set: PortSet): PortSet {
  const sorted = [...set].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.protocol === r.protocol && r.from <= last.to + 1) out[out.length - 1] = { ...last, to: Math.max(last.to, r.to) };
    else out.push({ ...r });
  }
  return out;
}

export const union = (...sets: PortSet[]): PortSet => normalize(sets.flat());

export function intersect(a: PortSet, b: PortSet): PortSet {
  const out: PortRange[] = [];
  for (const x of a) for (const y of b) {
    if (x.protocol !== y.protocol) continue;
    const from = Math.max(x.from, y.from), to = Math.min(x.to, y.to);
    if (from <= to) out.push({ protocol: x.protocol, from, to });
  }
  return normalize(out);
}

/** The ports of `a` that are not in `b`. */
export function subtract(a: PortSet, b: PortSet): PortSet {
  let rest: PortRange[] = [...normalize(a)];
  for (const y of normalize(b)) {
    rest = rest.flatMap(x => {
      if (x.protocol !== y.protocol || y.to < x.from || y.from > x.to) return [x];
      const parts: PortRange[] = [];
      if (y.from > x.from) parts.push({ protocol: x.protocol, from: x.from, to: y.from - 1 });
      if (y.to < x.to) parts.push({ protocol: x.protocol, from: y.to + 1, to: x.to });
      return parts;
    });
  }
  return normalize(rest);
}

export const contains = (set: PortSet, protocol: string, port: number): boolean =>
  set.some(r => r.protocol === protocol && r.from <= port && port <= r.to);

export const isEmpty = (set: PortSet): boolean => set.length === 0;

export const sameSet = (a: PortSet, b: PortSet): boolean => formatPorts(a) === formatPorts(b);

/** `any port`, `any UDP`, `5432/TCP`, `4369, 9000/TCP`, `30000-32767/TCP`, `53/TCP; 53/UDP`. */
export function formatPorts(set: PortSet): string {
  const n = normalize(set);
  if (n.length === 0) return 'none';
  const full = (p: string) => n.some(r => r.protocol === p && r.from === 1 && r.to === MAX_PORT);
  if (PROTOCOLS.every(full)) return 'any port';
  const protocols = [...new Set(n.map(r => r.protocol))];
  return protocols.map(p => full(p) ? `any ${p}`
    : `${n.filter(r => r.protocol === p).map(r => r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`).join(', ')}/${p}`).join('; ');
}

/** The inverse of formatPorts (for reading a drawing back). */
export function parsePorts(text: string): PortSet {
  if (text === 'none') return [];
  if (text === 'any port') return ALL_PORTS;
  return normalize(text.split('; ').flatMap(part => {
    const any = /^any (\w+)$/.exec(part);
    if (any) return [{ protocol: any[1], from: 1, to: MAX_PORT }];
    const m = /^(.*)\/(\w+)$/.exec(part);
    if (!m) throw new Error(`not a port list: ${part}`);
    return m[1].split(', ').map(p => {
      const [from, to] = p.split('-').map(Number);
      return { protocol: m[2], from, to: to ?? from };
    });
  }));
}
