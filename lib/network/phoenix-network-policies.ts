import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { declareExternalPods } from '../validation/declarations';
import { PropError, checkDnsLabel, checkPort } from '../validation/props';

/** Pods of the clustered app: who they are and the ports they use. */
export interface NetworkPolicyApp {
  /** Labels selecting the app pods. */
  readonly podSelector: Record<string, string>;
  /** Port the pods serve HTTP on (the ingress controller's target). */
  readonly httpPort: number;
  /** Erlang port mapper port. */
  readonly epmdPort: number;
  /** Fixed Erlang distribution port. */
  readonly distributionPort: number;
}

/** A server that some pods may reach on one TCP port. */
export interface NetworkPolicyServer {
  readonly podSelector: Record<string, string>;
  readonly port: number;
}

export interface PhoenixNetworkPoliciesProps {
  /** The clustered app (e.g. from an ElixirDeployment). */
  readonly app: NetworkPolicyApp;
  /** The database (e.g. from a PostgresStatefulSet). */
  readonly database: NetworkPolicyServer;
  /**
   * Other pods that connect to the database besides the app pods (migration Job, backup
   * CronJob, restore Job), by their labels.
   * @default none
   */
  readonly databaseClients?: Array<Record<string, string>>;
  /**
   * Namespace of the ingress controller, allowed to reach the app's HTTP port. MicroK8s'
   * `ingress` addon runs its controller (NGINX up to 1.34, Traefik from 1.35) in `ingress`.
   * @default "ingress"
   */
  readonly ingressNamespace?: string;
  /**
   * Namespace and labels of the cluster DNS pods that every pod may query on port 53.
   * @default namespace "kube-system", labels { "k8s-app": "kube-dns" } (MicroK8s' CoreDNS)
   */
  readonly dns?: { readonly namespace: string; readonly podSelector: Record<string, string> };
  /**
   * Allow cert-manager's ACME HTTP-01 solver pods (which it starts in this namespace, label
   * `acme.cert-manager.io/http01-solver: "true"`, port 8089) to be reached from the ingress
   * controller's namespace; default deny would otherwise block every challenge.
   * @default false
   */
  readonly acmeHttp01Solver?: boolean;
  /**
   * Extra labels on every policy (e.g. `app.kubernetes.io/part-of`).
   * @default none
   */
  readonly labels?: Record<string, string>;
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const pods = (matchLabels: Record<string, string>): k8s.NetworkPolicyPeer => ({ podSelector: { matchLabels } });
const namespace = (name: string): k8s.LabelSelector => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/**
 * NetworkPolicies for a clustered Phoenix app and its database, in the namespace of the
 * chart: everything is denied, then exactly this is allowed:
 * - every pod → cluster DNS (UDP/TCP 53);
 * - ingress controller namespace → app pods' HTTP port;
 * - app pods ↔ app pods on epmd and the distribution port;
 * - app pods and the declared database clients → database port.
 *
 * They are enforced only by a CNI that implements NetworkPolicy (Calico, MicroK8s' default).
 */
export class PhoenixNetworkPolicies extends Construct {
  /** Names of the policies, in creation order. */
  public readonly policyNames: string[] = [];
  private readonly labels?: Record<string, string>;

  constructor(scope: Construct, id: string, props: PhoenixNetworkPoliciesProps) {
    super(scope, id);
    this.labels = props.labels;
    const { app, database } = props;
    checkPort(this, 'app.httpPort', app.httpPort);
    checkPort(this, 'app.epmdPort', app.epmdPort);
    checkPort(this, 'app.distributionPort', app.distributionPort);
    checkPort(this, 'database.port', database.port);
    for (const [prop, selector] of [['app.podSelector', app.podSelector], ['database.podSelector', database.podSelector]] as const) {
      if (Object.keys(selector ?? {}).length === 0) {
        throw new PropError(this, prop, selector, 'expected a non-empty label selector (an empty one would select every pod in the namespace)');
      }
    }
    const ingressNamespace = checkDnsLabel(this, 'ingressNamespace', props.ingressNamespace ?? 'ingress');
    const dns = props.dns ?? { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } };
    checkDnsLabel(this, 'dns.namespace', dns.namespace);
    const dbClients = [app.podSelector, ...(props.databaseClients ?? [])];

    this.policy('default-deny', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    this.policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: namespace(dns.namespace), podSelector: { matchLabels: dns.podSelector } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
      }],
    });
    this.policy('allow-ingress-to-app', {
      podSelector: { matchLabels: app.podSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: namespace(ingressNamespace) }], ports: [tcp(app.httpPort)] }],
    });
    this.policy('allow-app-cluster', {
      podSelector: { matchLabels: app.podSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [pods(app.podSelector)], ports: [tcp(app.epmdPort), tcp(app.distributionPort)] }],
      egress: [{ to: [pods(app.podSelector)], ports: [tcp(app.epmdPort), tcp(app.distributionPort)] }],
    });
    dbClients.forEach((selector, i) => {
      this.policy(i === 0 ? 'allow-app-to-database' : `allow-client-${i}-to-database`, {
        podSelector: { matchLabels: selector },
        policyTypes: ['Egress'],
        egress: [{ to: [pods(database.podSelector)], ports: [tcp(database.port)] }],
      });
    });
    if (props.acmeHttp01Solver) {
      const solver = this.policy('allow-acme-http01-solver', {
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: namespace(ingressNamespace) }], ports: [tcp(8089)] }],
      });
      declareExternalPods(solver, 'cert-manager starts the HTTP-01 solver pods while a challenge runs');
    }
    this.policy('allow-database-from-clients', {
      podSelector: { matchLabels: database.podSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: dbClients.map(pods), ports: [tcp(database.port)] }],
    });
  }

  private policy(name: string, spec: k8s.NetworkPolicySpec): k8s.KubeNetworkPolicy {
    this.policyNames.push(name);
    return new k8s.KubeNetworkPolicy(this, name, { metadata: { name, labels: this.labels }, spec });
  }
}
