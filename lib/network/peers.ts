import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PropError, checkDnsLabel } from '../validation/props';
import { checkCidr, dns1123LabelProblem } from '../common/k8s-names';

/** A TCP or UDP port of a connection. */
export interface NetworkPort {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP';
}

/**
 * Something on the other end of a connection, as a NetworkPolicy names it: pods of a
 * construct, pods in another namespace (the ingress controller), or an address block.
 */
export interface INetworkPeer {
  /** How a policy in `policyNamespace` selects this peer. */
  toNetworkPolicyPeer(policyNamespace: string | undefined): k8s.NetworkPolicyPeer;
  /** Stable identity of the peer, so the same connection registered twice is one rule. */
  readonly peerKey: string;
}

/**
 * Pods of one construct in one namespace that connect or are connected to: an
 * `ElixirDeployment`, its migration Job, a `PostgresStatefulSet`, a backup. Their
 * NetworkPolicies are derived from the connections registered on them and are named after
 * `peerName` (`<peerName>-ingress`, `<peerName>-egress`), so two instances never collide.
 */
export interface IPodPeer extends INetworkPeer, IConstruct {
  /** A DNS label unique among the peers of the namespace. */
  readonly peerName: string;
  /** Labels that select exactly these pods. */
  readonly podSelector: Record<string, string>;
}

/** True when `peer` is pods of a construct (rather than a namespace or address block). */
export function isPodPeer(peer: INetworkPeer): peer is IPodPeer {
  const p = peer as Partial<IPodPeer>;
  return typeof p.peerName === 'string' && typeof p.podSelector === 'object' && Construct.isConstruct(peer) === true;
}

const namespaceSelector = (name: string): k8s.LabelSelector => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** How a policy in `policyNamespace` selects pods labelled `podSelector` in `namespace`. */
export function podsPeer(podSelector: Record<string, string>, namespace: string | undefined, policyNamespace: string | undefined): k8s.NetworkPolicyPeer {
  if (namespace === policyNamespace || namespace === undefined) return { podSelector: { matchLabels: podSelector } };
  return { namespaceSelector: namespaceSelector(namespace), podSelector: { matchLabels: podSelector } };
}

/** Peers that are not constructs of this library. */
export class Peer {
  /**
   * Every pod of namespace `name` (e.g. MicroK8s' ingress controller in `ingress`), or only
   * those labelled `podSelector` there.
   */
  public static namespace(name: string, podSelector?: Record<string, string>): INetworkPeer {
    const problem = dns1123LabelProblem(name);
    if (problem) throw new Error(`Peer.namespace: "${name}" is not a namespace name: ${problem}`);
    return {
      peerKey: `namespace:${name}:${JSON.stringify(podSelector ?? {})}`,
      toNetworkPolicyPeer: () => ({ namespaceSelector: namespaceSelector(name), podSelector: podSelector ? { matchLabels: podSelector } : undefined }),
    };
  }

  /** Addresses outside the cluster, e.g. `Peer.ipBlock('0.0.0.0/0')` for an external API. */
  public static ipBlock(cidr: string, except?: string[]): INetworkPeer {
    for (const c of [cidr, ...(except ?? [])]) {
      const { problem } = checkCidr(c);
      if (problem) throw new Error(`Peer.ipBlock: "${c}" ${problem}`);
    }
    return {
      peerKey: `ipBlock:${cidr}:${(except ?? []).join(',')}`,
      toNetworkPolicyPeer: () => ({ ipBlock: { cidr, except } }),
    };
  }
}

export interface PodPeerProps {
  /** See `IPodPeer.peerName`. */
  readonly peerName: string;
  readonly podSelector: Record<string, string>;
}

/**
 * Pods that a construct creates besides its main ones (a migration Job, a backup CronJob) or
 * that something else starts (cert-manager's solver), as a peer of their own.
 */
export class PodPeer extends Construct implements IPodPeer {
  public readonly peerName: string;
  public readonly podSelector: Record<string, string>;
  public readonly peerKey: string;

  constructor(scope: Construct, id: string, props: PodPeerProps) {
    super(scope, id);
    this.peerName = checkDnsLabel(this, 'peerName', props.peerName);
    if (Object.keys(props.podSelector ?? {}).length === 0) {
      throw new PropError(this, 'podSelector', props.podSelector, 'expected a non-empty label selector (an empty one would select every pod in the namespace)');
    }
    this.podSelector = { ...props.podSelector };
    this.peerKey = `pods:${this.node.path}`;
  }

  public toNetworkPolicyPeer(policyNamespace: string | undefined): k8s.NetworkPolicyPeer {
    return podsPeer(this.podSelector, namespaceOf(this), policyNamespace);
  }
}

/** Namespace of the chart `scope` is in. */
export function namespaceOf(scope: IConstruct): string | undefined {
  return Chart.of(scope).namespace;
}
