import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { checkDnsLabel, checkLabels, PropError } from '../validation/props';
import { NetworkZone } from './zone';

export interface PhoenixNetworkPoliciesProps {
  /**
   * Namespace and labels of the cluster DNS pods that every pod may query on port 53.
   * @default namespace "kube-system", labels { "k8s-app": "kube-dns" } (MicroK8s' CoreDNS)
   */
  readonly dns?: { readonly namespace: string; readonly podSelector: Record<string, string> };
  /**
   * Extra labels on the two namespace-wide policies (the chart's labels are on every object).
   * @default none
   */
  readonly labels?: Record<string, string>;
}

/**
 * Default deny for the namespace of its chart, once per namespace: every pod may reach the
 * cluster DNS and nothing else, except the connections registered on the constructs'
 * `connections` (an app and its database, its migrations, backups, the ingress controller,
 * cert-manager's solver, …). Those become one ingress and one egress NetworkPolicy per set of
 * pods, named after the construct (`<name>-ingress`, `<name>-egress`), derived at synth from
 * what was registered, so a forgotten client is impossible rather than detected.
 *
 * Enforced only by a CNI that implements NetworkPolicy (Calico, MicroK8s' default).
 */
export class PhoenixNetworkPolicies extends Construct {
  /**
   * The namespace's default deny: the one already created for the namespace of `scope`'s
   * chart, or a new one in that chart. However many constructs ask, there is one.
   */
  public static of(scope: IConstruct, props: PhoenixNetworkPoliciesProps = {}): PhoenixNetworkPolicies {
    const existing = registry.get(NetworkZone.of(scope));
    if (existing) {
      if (Object.keys(props).length > 0 && JSON.stringify(props) !== JSON.stringify(existing.props)) {
        throw new PropError(scope, 'props', props,
          `namespace "${existing.namespace ?? '(none)'}" already has its default deny from ${existing.node.path}, with other props: give them where it is first created (the first construct asking, or PhoenixNetworkPolicies.of before the constructs)`);
      }
      return existing;
    }
    const chart = Chart.of(scope);
    return new PhoenixNetworkPolicies(chart, `PhoenixNetworkPolicies${chart.namespace ? `-${chart.namespace}` : ''}`, props);
  }

  /** Names of the namespace-wide policies. */
  public readonly policyNames: string[] = [];
  /** The namespace they deny by default (the chart's). */
  public readonly namespace?: string;

  private readonly props: PhoenixNetworkPoliciesProps;

  constructor(scope: Construct, id: string, props: PhoenixNetworkPoliciesProps = {}) {
    super(scope, id);
    this.props = props;
    const zone = NetworkZone.of(this);
    this.namespace = zone.namespace;
    const labels = checkLabels(this, 'labels', props.labels);
    const dns = props.dns ?? { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } };
    checkDnsLabel(this, 'dns.namespace', dns.namespace);
    if (Object.keys(dns.podSelector ?? {}).length === 0) {
      throw new PropError(this, 'dns.podSelector', dns.podSelector, 'expected the labels of the DNS pods, e.g. { "k8s-app": "kube-dns" }');
    }
    zone.enforce(this);
    registry.set(zone, this);

    const policy = (name: string, spec: k8s.NetworkPolicySpec) => {
      this.policyNames.push(name);
      return new k8s.KubeNetworkPolicy(this, name, { metadata: { name, labels }, spec });
    };
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: dns.podSelector } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
      }],
    });
  }
}

const registry = new WeakMap<NetworkZone, PhoenixNetworkPolicies>();
