// NetworkPolicy semantics as sets of ports: which ports one endpoint may open on another.
// Walks the rules (unlike the test suite's evaluator, which asks port by port), so the two
// cross-check each other.
import { LabelSelector, selectorMatches } from '../../lib/validation/pods';
import { Manifest } from '../../lib/validation/report';
import { cidrsOverlap, cidrWithin } from '../../lib/common/k8s-names';
import { ALL_PORTS, intersect, NO_PORTS, PortRange, PortSet, union } from './ports';

export interface NamedPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: string;
}

/** Something a connection starts or ends at. */
export type Endpoint =
  /** Pods: of a workload in the manifests, or pods a policy names that the manifests do not run. */
  | {
    readonly kind: 'pods';
    /** Undefined when only namespace labels are known (a namespaceSelector without a name). */
    readonly namespace?: string;
    readonly nsLabels: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
    /** Container ports, for named ports; undefined when the pods are not in the manifests. */
    readonly ports?: readonly NamedPort[];
  }
  /** Pods on the node's network (hostNetwork): no NetworkPolicy selects or isolates them. */
  | { readonly kind: 'host' }
  /** Addresses outside the cluster (an ipBlock). */
  | { readonly kind: 'ip'; readonly cidr: string; readonly except: readonly string[] }
  /** Any pod or address: what a rule without peers, or no isolation at all, lets through. */
  | { readonly kind: 'anywhere' };

export type Direction = 'Ingress' | 'Egress';

/** The policy types of a NetworkPolicy, with the API's defaults: unset or empty means Ingress,
 *  plus Egress when there is at least one egress rule. */
export function policyTypes(p: Manifest): Direction[] {
  const spec = (p as any).spec ?? {};
  return spec.policyTypes?.length ? spec.policyTypes : ['Ingress', ...(spec.egress?.length ? ['Egress' as const] : [])];
}

const namespaceOf = (p: Manifest) => p.metadata?.namespace ?? 'default';

const podSelectorOf = (p: Manifest): LabelSelector => (p as any).spec?.podSelector ?? {};

function ipBlockCovers(block: { cidr: string; except?: string[] }, ep: { cidr: string; except: readonly string[] }): boolean {
  if (!cidrWithin(ep.cidr, block.cidr)) return false;
  // Every excepted range must lie outside the endpoint's addresses (or inside what it excepts itself).
  return (block.except ?? []).every(cut => !cidrsOverlap(cut, ep.cidr) || ep.except.some(own => cidrWithin(cut, own)));
}

/** Whether a `from`/`to` entry of a rule in `policyNs` selects the endpoint. */
function peerMatches(peer: any, policyNs: string, ep: Endpoint): boolean {
  if (peer.ipBlock) return ep.kind === 'ip' && ipBlockCovers(peer.ipBlock, ep);
  if (ep.kind !== 'pods') return false;
  if (peer.namespaceSelector) {
    return selectorMatches(peer.namespaceSelector, ep.nsLabels) && (!peer.podSelector || selectorMatches(peer.podSelector, ep.labels));
  }
  return ep.namespace === policyNs && selectorMatches(peer.podSelector ?? {}, ep.labels);
}

/** The ports a rule's `ports` allow on the destination (named ports resolve on its containers;
 *  `unresolved` hears of a named port towards pods whose containers the manifests do not show). */
function rulePorts(rule: any, destination: Endpoint, unresolved: (name: string) => void): PortSet {
  if (!rule.ports || rule.ports.length === 0) return ALL_PORTS;
  return union(...rule.ports.map((pp: any): PortRange[] => {
    const protocol: string = pp.protocol ?? 'TCP';
    if (pp.port === undefined) return [{ protocol, from: 1, to: 65535 }];
    if (typeof pp.port === 'number') return [{ protocol, from: pp.port, to: pp.endPort ?? pp.port }];
    if (destination.kind !== 'pods') return [];
    if (!destination.ports) unresolved(`${pp.port}/${protocol}`);
    return (destination.ports ?? []).filter(c => c.name === pp.port && c.protocol === protocol).map(c => ({ protocol, from: c.containerPort, to: c.containerPort }));
  }));
}

/** The NetworkPolicies of a set of manifests, indexed by namespace, with each endpoint's
 *  isolating policies remembered (a diagram asks about every pair of endpoints). */
export class PolicyIndex {
  private readonly byNamespace = new Map<string, Manifest[]>();
  private readonly selecting = new WeakMap<Endpoint, Partial<Record<Direction, Manifest[]>>>();
  /** Named ports the policies use towards pods the manifests do not run (those flows cannot be drawn). */
  readonly unresolvedNamedPorts = new Set<string>();

  constructor(policies: readonly Manifest[]) {
    for (const p of policies) (this.byNamespace.get(namespaceOf(p)) ?? this.byNamespace.set(namespaceOf(p), []).get(namespaceOf(p))!).push(p);
  }

  /** The policies that isolate an endpoint in one direction (none: it is not isolated). */
  isolating(subject: Endpoint, dir: Direction): Manifest[] {
    if (subject.kind !== 'pods' || subject.namespace === undefined) return [];
    const known = this.selecting.get(subject) ?? {};
    if (!known[dir]) {
      known[dir] = (this.byNamespace.get(subject.namespace) ?? []).filter(p => policyTypes(p).includes(dir) && selectorMatches(podSelectorOf(p), subject.labels));
      this.selecting.set(subject, known);
    }
    return known[dir]!;
  }

  /** What the subject's own policies allow in one direction towards (or from) `other`. */
  private directionPorts(subject: Endpoint, other: Endpoint, dir: Direction, destination: Endpoint): PortSet {
    const selecting = this.isolating(subject, dir);
    if (selecting.length === 0) return ALL_PORTS;
    const key = dir === 'Ingress' ? 'ingress' : 'egress', peersKey = dir === 'Ingress' ? 'from' : 'to';
    return union(NO_PORTS, ...selecting.flatMap(p => ((p as any).spec?.[key] ?? [])
      .filter((rule: any) => {
        const peers = rule[peersKey];
        return !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, namespaceOf(p), other));
      })
      .map((rule: any) => rulePorts(rule, destination, port => this.unresolvedNamedPorts.add(`NetworkPolicy ${namespaceOf(p)}/${p.metadata?.name}: port ${port}`)))));
  }

  /** The ports `from` may open on `to`: its egress and the other's ingress both have to allow it. */
  allowedPorts(from: Endpoint, to: Endpoint): PortSet {
    return intersect(this.directionPorts(from, to, 'Egress', to), this.directionPorts(to, from, 'Ingress', to));
  }
}

/** Whether every pod of a namespace is isolated in a direction (a policy selecting all of them). */
export function namespaceIsolated(policies: readonly Manifest[], namespace: string, dir: Direction): boolean {
  return policies.some(p => namespaceOf(p) === namespace && policyTypes(p).includes(dir)
    && Object.keys(podSelectorOf(p).matchLabels ?? {}).length === 0 && (podSelectorOf(p).matchExpressions ?? []).length === 0);
}

