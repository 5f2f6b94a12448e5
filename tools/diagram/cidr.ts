// IPv4 and IPv6 CIDR blocks: containment and overlap, for NetworkPolicy ipBlock peers.

export interface Cidr {
  readonly version: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]), tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every(g => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (rest.length > 0 || len === undefined || !/^\d{1,3}$/.test(len)) return undefined;
  const bits = Number(len);
  if (addr.includes(':')) {
    const base = parseIpv6(addr);
    return base === undefined || bits > 128 ? undefined : { version: 6, base, bits };
  }
  const octets = addr.split('.');
  if (octets.length !== 4 || !octets.every(o => /^\d{1,3}$/.test(o) && Number(o) <= 255) || bits > 32) return undefined;
  return { version: 4, base: octets.reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), bits };
}

const width = (c: Cidr) => (c.version === 4 ? 32 : 128);
const prefix = (c: Cidr, bits: number) => c.base >> BigInt(width(c) - bits);

/** Whether every address of `inner` is in `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  return inner.version === outer.version && inner.bits >= outer.bits && prefix(inner, outer.bits) === prefix(outer, outer.bits);
}

/** Whether the two blocks share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return a.version === b.version && prefix(a, bits) === prefix(b, bits);
}
