import { Construct, IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { declareExternalPods } from '../validation/declarations';
import { PropError, checkPort } from '../validation/props';
import { INetworkPeer, IPodPeer, NetworkPort, isPodPeer, namespaceOf } from './peers';

/** A connection some pods need: `from` opens TCP/UDP connections to `to` on `ports`. */
interface Flow {
  readonly from: INetworkPeer;
  readonly to: INetworkPeer;
  readonly ports: readonly NetworkPort[];
}

interface PeerPolicies {
  ingress?: k8s.NetworkPolicyIngressRule[];
  egress?: k8s.NetworkPolicyEgressRule[];
}

const zones = new WeakMap<IConstruct, Map<string, NetworkZone>>();

/**
 * The connections of one namespace of one App: every construct registers the pods it runs
 * (`IPodPeer`) and the connections they need, whether or not anything enforces them. Once the
 * namespace denies by default (`PhoenixNetworkPolicies`), each peer gets one ingress and one
 * egress NetworkPolicy holding exactly its registered connections, created then or at its
 * first connection, and filled as connections are registered (before synth, in any order).
 * @internal
 */
export class NetworkZone {
  /** The zone of the namespace `scope`'s chart is in. */
  public static of(scope: IConstruct): NetworkZone {
    const root = scope.node.root;
    // Stryker disable next-line StringLiteral: any key no namespace is named works for charts without one
    const namespace = namespaceOf(scope) ?? '';
    let byNamespace = zones.get(root);
    if (!byNamespace) zones.set(root, byNamespace = new Map());
    let zone = byNamespace.get(namespace);
    if (!zone) byNamespace.set(namespace, zone = new NetworkZone(namespace || undefined));
    return zone;
  }

  private enforcerPath?: string;
  private readonly peers = new Map<string, IPodPeer>();
  private readonly shared = new Map<string, IPodPeer>();
  private readonly flows: Flow[] = [];
  private readonly flowKeys = new Set<string>();
  private readonly policies = new Map<IPodPeer, PeerPolicies>();
  private readonly externalReasons = new Map<IPodPeer, string>();

  private constructor(public readonly namespace: string | undefined) {}

  /** Whether the namespace denies by default (then the policies are rendered). */
  public get enforced(): boolean {
    return this.enforcerPath !== undefined;
  }

  /** Register pods; two different constructs may not share a peer name in one namespace. */
  public registerPeer(peer: IPodPeer, prop = 'name'): void {
    const other = this.peers.get(peer.peerName);
    if (other && other !== peer) {
      throw new PropError(peer, prop, peer.peerName,
        `another construct in namespace "${this.namespace ?? '(none)'}" already uses this name (${other.node.path}): their objects and NetworkPolicies would overwrite each other; give one of them its own name`);
    }
    this.peers.set(peer.peerName, peer);
  }

  /** One peer per namespace for pods that something else starts (cert-manager's solver). */
  public sharedPeer(key: string, create: () => IPodPeer, externalReason: string): IPodPeer {
    let peer = this.shared.get(key);
    if (!peer) {
      peer = create();
      this.shared.set(key, peer);
      this.externalReasons.set(peer, externalReason);
      this.registerPeer(peer);
    }
    return peer;
  }

  /** A connection with an end in this namespace. */
  public addFlow(flow: Flow): void {
    const key = `${flow.from.peerKey}>${flow.to.peerKey}:${flow.ports.map(p => `${p.protocol ?? 'TCP'}/${p.port}`).join(',')}`;
    if (this.flowKeys.has(key)) return;
    this.flowKeys.add(key);
    this.flows.push(flow);
    if (this.enforced) this.render(flow);
  }

  /** The namespace denies by default from now on: render every connection registered so far. */
  public enforce(enforcer: IConstruct): void {
    if (this.enforcerPath !== undefined) {
      throw new Error(`${enforcer.node.path}: namespace "${this.namespace ?? '(none)'}" already has its default-deny NetworkPolicies from ${this.enforcerPath}; use PhoenixNetworkPolicies.of(scope) to share them`);
    }
    this.enforcerPath = enforcer.node.path;
    for (const flow of this.flows) this.render(flow);
  }

  private render(flow: Flow): void {
    const ports = flow.ports.map(p => ({ protocol: p.protocol ?? 'TCP', port: k8s.IntOrString.fromNumber(p.port) }));
    if (isPodPeer(flow.to) && namespaceOf(flow.to) === this.namespace) {
      addSorted(this.policiesOf(flow.to, 'ingress').ingress!, { from: [flow.from.toNetworkPolicyPeer(this.namespace)], ports });
    }
    if (isPodPeer(flow.from) && namespaceOf(flow.from) === this.namespace) {
      addSorted(this.policiesOf(flow.from, 'egress').egress!, { to: [flow.to.toNetworkPolicyPeer(this.namespace)], ports });
    }
  }

  /** The peer's policy for one direction, created at its first rule (rules are added until synth). */
  private policiesOf(peer: IPodPeer, direction: 'ingress' | 'egress'): PeerPolicies {
    let entry = this.policies.get(peer);
    if (!entry) this.policies.set(peer, entry = {});
    if (!entry[direction]) {
      const rules: any[] = [];
      entry[direction] = rules;
      const policy = new k8s.KubeNetworkPolicy(peer, direction === 'ingress' ? 'IngressPolicy' : 'EgressPolicy', {
        metadata: { name: `${peer.peerName}-${direction}` },
        spec: {
          podSelector: { matchLabels: peer.podSelector },
          policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'],
          [direction]: rules,
        },
      });
      const reason = this.externalReasons.get(peer);
      if (reason) declareExternalPods(policy, reason);
    }
    return entry;
  }
}

/** Rules in one order whatever the order of registration, so the output does not depend on it. */
function addSorted<T>(rules: T[], rule: T): void {
  rules.push(rule);
  const key = (r: T) => JSON.stringify(r);
  rules.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Register that `from` connects to `to` on `ports`, in the namespace of each end that is pods. */
export function connect(scope: Construct, from: INetworkPeer, to: INetworkPeer, ports: readonly (number | NetworkPort)[]): void {
  const normalized = ports.map((p, i) => {
    const port = typeof p === 'number' ? { port: p } : p;
    checkPort(scope, `ports[${i}]`, port.port);
    if (port.protocol !== undefined && port.protocol !== 'TCP' && port.protocol !== 'UDP') {
      throw new PropError(scope, `ports[${i}].protocol`, port.protocol, 'expected "TCP" or "UDP"');
    }
    return port;
  });
  if (normalized.length === 0) throw new PropError(scope, 'ports', ports, 'expected at least one port');
  const ends = [from, to].filter(isPodPeer);
  if (ends.length === 0) throw new PropError(scope, 'peer', to, 'one end of a connection must be pods of a construct (an IPodPeer)');
  const zonesOfEnds = new Set(ends.map(end => NetworkZone.of(end)));
  for (const zone of zonesOfEnds) zone.addFlow({ from, to, ports: normalized });
}
