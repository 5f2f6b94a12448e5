// Kubernetes NetworkPolicy semantics, to prove which connections a set of policies allows. Asks
// one port at a time, on purpose unlike tools/diagram/policy.ts (port sets), so each checks the other.
import { selectorMatches } from '../../lib/validation/pods';
import { Manifest } from '../util';

export interface ContainerPort { readonly name?: string; readonly containerPort: number; readonly protocol: string }
/** Pods (namespace, labels; nsLabels when the namespace's labels are more than its name). */
export interface Pod {
  readonly ns?: string;
  readonly labels: Record<string, string>;
  readonly nsLabels?: Record<string, string>;
  readonly ports?: readonly ContainerPort[];
}
/** Addresses outside the cluster, pods on a node's network (no policy selects them), or any pod or address at all. */
export type Peer = Pod | { readonly ip: string; readonly except?: readonly string[] } | { readonly host: true } | { readonly anywhere: true };
export const pod = (ns: string, labels: Record<string, string>): Pod => ({ ns, labels });

const isPod = (p: Peer): p is Pod => 'labels' in p;
const nsLabelsOf = (p: Pod) => p.nsLabels ?? (p.ns ? { 'kubernetes.io/metadata.name': p.ns } : {});

/** An IPv4 block as its first and last address (enough for the tests' blocks). */
function range(cidr: string): [number, number] {
  const [addr, bits] = cidr.split('/');
  const start = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(start / size) * size;
  return [first, first + size - 1];
}
const inside = (a: [number, number], b: [number, number]) => a[0] >= b[0] && a[1] <= b[1];
const disjoint = (a: [number, number], b: [number, number]) => a[1] < b[0] || b[1] < a[0];

function peerMatches(peer: any, policyNs: string, other: Peer): boolean {
  if (peer.ipBlock) {
    if (!('ip' in other)) return false; // pods are not matched by address here
    const mine = range(other.ip);
    return inside(mine, range(peer.ipBlock.cidr)) && (peer.ipBlock.except ?? []).every((x: string) =>
      disjoint(range(x), mine) || (other.except ?? []).some(e => inside(range(x), range(e))));
  }
  if (!isPod(other)) return false;
  if (peer.namespaceSelector) {
    return selectorMatches(peer.namespaceSelector, nsLabelsOf(other)) && (!peer.podSelector || selectorMatches(peer.podSelector, other.labels));
  }
  return other.ns === policyNs && selectorMatches(peer.podSelector ?? {}, other.labels);
}

function portMatches(pp: any, port: number, proto: string, destination: Peer): boolean {
  if ((pp.protocol ?? 'TCP') !== proto) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'number') return pp.port <= port && port <= (pp.endPort ?? pp.port);
  return isPod(destination) && (destination.ports ?? []).some(c => c.name === pp.port && c.containerPort === port && c.protocol === proto);
}

/** As the API server defaults it: no (or an empty) policyTypes is Ingress, and Egress too if there are egress rules. */
function typesOf(p: Manifest): string[] {
  if (Array.isArray(p.spec.policyTypes) && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return Array.isArray(p.spec.egress) && p.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** One direction of one connection: allowed when no policy isolates `subject`, or one allows it. */
function allowedBy(policies: Manifest[], subject: Peer, other: Peer, port: number, proto: string, dir: 'Ingress' | 'Egress', destination: Peer): boolean {
  if (!isPod(subject) || subject.ns === undefined) return true; // nothing here isolates it
  const selecting = policies.filter(p => p.kind === 'NetworkPolicy' && (p.metadata.namespace ?? 'default') === subject.ns
    && typesOf(p).includes(dir) && selectorMatches(p.spec.podSelector ?? {}, subject.labels));
  if (selecting.length === 0) return true; // not isolated
  return selecting.some(p => (p.spec[dir === 'Ingress' ? 'ingress' : 'egress'] ?? []).some((rule: any) => {
    const peers = rule[dir === 'Ingress' ? 'from' : 'to'];
    const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, subject.ns!, other));
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((pp: any) => portMatches(pp, port, proto, destination));
    return peerOk && portOk;
  }));
}

/** Whether `from` may open a connection to `to` on `port`: egress of one and ingress of the other. */
export function canConnect(policies: Manifest[], from: Peer, to: Peer, port: number, proto = 'TCP'): boolean {
  return allowedBy(policies, from, to, port, proto, 'Egress', to) && allowedBy(policies, to, from, port, proto, 'Ingress', to);
}

/** The labels of the pods a workload manifest starts. */
export function podLabels(m: Manifest): Record<string, string> {
  const spec = m.kind === 'CronJob' ? m.spec.jobTemplate.spec : m.spec;
  return spec.template.metadata.labels;
}
