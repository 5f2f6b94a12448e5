import { PhoenixNetworkPolicies, PhoenixNetworkPoliciesProps, PropError } from '../../lib';
import { selectorMatches } from '../../lib/validation/pods';
import { Manifest, synth, testChart } from '../util';

const APP = { 'app.kubernetes.io/name': 'web' };
const DB = { 'app.kubernetes.io/name': 'postgres' };
const MIGRATE = { 'app.kubernetes.io/name': 'web-migrate' };
const props: PhoenixNetworkPoliciesProps = {
  app: { podSelector: APP, httpPort: 4000, epmdPort: 4369, distributionPort: 9000 },
  database: { podSelector: DB, port: 5432 },
  databaseClients: [MIGRATE],
};

interface Pod { ns: string; labels: Record<string, string> }
const pod = (ns: string, labels: Record<string, string>): Pod => ({ ns, labels });
// Kubernetes selector semantics (matchLabels and matchExpressions; {} selects everything)
const matches = (sel: any, labels: Record<string, string>) => selectorMatches(sel, labels);
const nsLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: any, policyNs: string, other: Pod): boolean {
  if (peer.namespaceSelector) {
    return matches(peer.namespaceSelector, nsLabels(other.ns)) && (!peer.podSelector || matches(peer.podSelector, other.labels));
  }
  return other.ns === policyNs && matches(peer.podSelector, other.labels);
}

/** Kubernetes NetworkPolicy semantics for one direction of one connection. */
function allowedBy(policies: Manifest[], subject: Pod, other: Pod, port: number, proto: string, dir: 'Ingress' | 'Egress'): boolean {
  const selecting = policies.filter(p => p.metadata.namespace === subject.ns
    && (p.spec.policyTypes ?? ['Ingress']).includes(dir) && matches(p.spec.podSelector, subject.labels));
  if (selecting.length === 0) return true; // not isolated
  return selecting.some(p => (p.spec[dir === 'Ingress' ? 'ingress' : 'egress'] ?? []).some((rule: any) => {
    const peers = rule[dir === 'Ingress' ? 'from' : 'to'];
    const peerOk = !peers || peers.some((peer: any) => peerMatches(peer, subject.ns, other));
    const portOk = !rule.ports || rule.ports.some((pp: any) => pp.port === port && (pp.protocol ?? 'TCP') === proto);
    return peerOk && portOk;
  }));
}

function canConnect(policies: Manifest[], from: Pod, to: Pod, port: number, proto = 'TCP'): boolean {
  return allowedBy(policies, from, to, port, proto, 'Egress') && allowedBy(policies, to, from, port, proto, 'Ingress');
}

describe('PhoenixNetworkPolicies', () => {
  // Built for each test (not once for the describe block), so mutation testing attributes the
  // construct's code to the tests that check it.
  let policies: Manifest[];
  beforeEach(() => {
    const chart = testChart('shop');
    new PhoenixNetworkPolicies(chart, 'Net', { ...props, labels: { 'app.kubernetes.io/part-of': 'shop' } });
    policies = synth(chart);
  });

  const app = pod('shop', APP);
  const app2 = pod('shop', { ...APP, extra: 'x' });
  const db = pod('shop', DB);
  const migrate = pod('shop', MIGRATE);
  const stranger = pod('shop', { 'app.kubernetes.io/name': 'debug' });
  const ingress = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
  const coredns = pod('kube-system', { 'k8s-app': 'kube-dns' });
  const otherNs = pod('other', APP);

  test('snapshot', () => expect(policies).toMatchSnapshot());

  test('every policy is in the chart namespace and labelled', () => {
    for (const p of policies) {
      expect(p.kind).toBe('NetworkPolicy');
      expect(p.metadata.namespace).toBe('shop');
      expect(p.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'shop' });
    }
  });

  test('allowed: exactly the flows the app needs', () => {
    expect(canConnect(policies, ingress, app, 4000)).toBe(true);
    expect(canConnect(policies, app, app2, 4369)).toBe(true);
    expect(canConnect(policies, app, app2, 9000)).toBe(true);
    expect(canConnect(policies, app, db, 5432)).toBe(true);
    expect(canConnect(policies, migrate, db, 5432)).toBe(true);
    for (const p of [app, db, migrate, stranger]) {
      expect(canConnect(policies, p, coredns, 53, 'UDP')).toBe(true);
      expect(canConnect(policies, p, coredns, 53, 'TCP')).toBe(true);
    }
  });

  test('denied: everything else', () => {
    expect(canConnect(policies, ingress, app, 4369)).toBe(false); // controller cannot reach epmd
    expect(canConnect(policies, ingress, db, 5432)).toBe(false);
    expect(canConnect(policies, stranger, db, 5432)).toBe(false);
    expect(canConnect(policies, stranger, app, 4000)).toBe(false);
    expect(canConnect(policies, otherNs, app, 9000)).toBe(false); // same labels, other namespace
    expect(canConnect(policies, app, db, 22)).toBe(false);
    expect(canConnect(policies, db, app, 4000)).toBe(false);
    expect(canConnect(policies, migrate, app, 9000)).toBe(false);
    expect(canConnect(policies, app, pod('kube-system', { 'k8s-app': 'metrics' }), 53, 'UDP')).toBe(false);
    expect(canConnect(policies, app, pod('internet', {}), 443)).toBe(false);
  });

  test('ACME HTTP-01 solver pods are reachable from the ingress namespace only when asked', () => {
    const solver = pod('shop', { 'acme.cert-manager.io/http01-solver': 'true' });
    expect(canConnect(policies, ingress, solver, 8089)).toBe(false);
    const chart = testChart('shop');
    new PhoenixNetworkPolicies(chart, 'Net', { ...props, acmeHttp01Solver: true });
    const withSolver = synth(chart);
    expect(canConnect(withSolver, ingress, solver, 8089)).toBe(true);
    expect(canConnect(withSolver, stranger, solver, 8089)).toBe(false);
    expect(canConnect(withSolver, ingress, solver, 22)).toBe(false);
    // the solver policy opens 8089 on the solver pods only
    for (const other of [app, db, migrate, stranger]) expect(canConnect(withSolver, ingress, other, 8089)).toBe(false);
    const solverPolicy = withSolver.find(p => p.metadata.name === 'allow-acme-http01-solver')!;
    expect(solverPolicy.spec.podSelector).toEqual({ matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } });
    expect(solverPolicy.metadata.annotations).toEqual({ 'validation.microk8s-phoenix.io/external-pods': expect.stringContaining('cert-manager') });
  });

  test('policy names, in creation order, one per database client', () => {
    const chart = testChart('shop');
    const net = new PhoenixNetworkPolicies(chart, 'Net', { ...props, databaseClients: [MIGRATE, { 'app.kubernetes.io/name': 'report' }], acmeHttp01Solver: true });
    const names = ['default-deny', 'allow-dns', 'allow-ingress-to-app', 'allow-app-cluster', 'allow-app-to-database', 'allow-client-1-to-database',
      'allow-client-2-to-database', 'allow-acme-http01-solver', 'allow-database-from-clients'];
    expect(net.policyNames).toEqual(names);
    expect(synth(chart).map(p => p.metadata.name)).toEqual(names);
  });

  test('DNS: another namespace and selector for the resolver', () => {
    const chart = testChart('shop');
    new PhoenixNetworkPolicies(chart, 'Net', { ...props, dns: { namespace: 'dns', podSelector: { app: 'coredns' } } });
    const ps = synth(chart);
    const resolver = pod('dns', { app: 'coredns' });
    expect(canConnect(ps, app, resolver, 53, 'UDP')).toBe(true);
    expect(canConnect(ps, app, coredns, 53, 'UDP')).toBe(false);
  });

  test('bad props', () => {
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, app: { ...props.app, podSelector: {} } }))
      .toThrow(PropError);
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, app: { ...props.app, podSelector: {} } }))
      .toThrow(/test\/N: invalid prop "app.podSelector".*non-empty label selector/);
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, database: { ...props.database, port: 0 } }))
      .toThrow(/"database.port" = 0: expected an integer from 1 to 65535/);
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, ingressNamespace: 'Ingress NS' }))
      .toThrow(/"ingressNamespace"/);
    for (const [prop, patch] of [
      ['app.httpPort', { app: { ...props.app, httpPort: 70000 } }],
      ['app.epmdPort', { app: { ...props.app, epmdPort: 0 } }],
      ['app.distributionPort', { app: { ...props.app, distributionPort: -1 } }],
      ['database.podSelector', { database: { ...props.database, podSelector: {} } }],
      ['dns.namespace', { dns: { namespace: 'Kube System', podSelector: {} } }],
    ] as const) {
      let error: unknown;
      try { new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, ...patch }); } catch (e) { error = e; }
      expect((error as PropError).prop).toBe(prop);
    }
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { ...props, app: { ...props.app, podSelector: undefined as any } })).toThrow(/app.podSelector/);
  });
});
