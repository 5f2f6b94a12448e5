import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ElixirDeployment, ElixirSecrets, IngressCertificate, MigrationMode, Peer, PhoenixNetworkPolicies, PodPeer, PostgresBackup,
  PostgresCredentials, PostgresStatefulSet, PropError, TlsIngress,
} from '../../lib';
import { Manifest, find, synth, testChart, declared } from '../util';
import { canConnect, pod, podLabels } from './evaluator';

const APP_IMAGE = 'localhost:32000/shop:1.0.0';

/** A shop: app (Job migrations), database, backup, Ingress with an HTTP-01 certificate. */
function shop(chart: Construct, options: { name?: string; policiesFirst?: boolean; policiesLast?: boolean; networkPolicies?: boolean } = {}) {
  if (options.policiesFirst) new PhoenixNetworkPolicies(chart, 'Net');
  const name = options.name ?? 'shop';
  const db = new PostgresStatefulSet(chart, `${name}Db`, { name: `${name}-db`, credentials: PostgresCredentials.fromExistingSecret(`${name}-db`) });
  const web = new ElixirDeployment(chart, `${name}Web`, {
    name,
    image: APP_IMAGE,
    nodeBasename: 'shop',
    secrets: ElixirSecrets.fromExistingSecret(`${name}-secrets`),
    database: db,
    migrations: { command: ['/app/bin/migrate'], mode: MigrationMode.JOB },
    networkPolicies: options.networkPolicies,
  });
  const backup = new PostgresBackup(chart, `${name}Backup`, { database: db });
  const ingress = web.exposeViaIngress('Ingress', { hosts: [`${name}.example.com`], certificate: IngressCertificate.certManager({ clusterIssuer: 'letsencrypt' }) });
  if (options.policiesLast) new PhoenixNetworkPolicies(chart, 'Net');
  return { db, web, backup, ingress };
}

const policiesOf = (ms: Manifest[]) => ms.filter(m => m.kind === 'NetworkPolicy');

describe('connections and the NetworkPolicies derived from them', () => {
  let all: Manifest[];
  let chart: Chart;
  beforeEach(() => {
    chart = testChart('shop');
    shop(chart, { networkPolicies: true });
    all = synth(chart);
  });
  const labelsOf = (kind: string, name: string) => pod('shop', podLabels(find(all, kind, name)));
  const ingressController = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
  const coredns = pod('kube-system', { 'k8s-app': 'kube-dns' });
  const stranger = pod('shop', { 'app.kubernetes.io/name': 'debug' });
  const solver = pod('shop', { 'acme.cert-manager.io/http01-solver': 'true' });

  test('allowed: exactly what the constructs registered, read off the synthesized pods', () => {
    const app = labelsOf('Deployment', 'shop');
    const db = labelsOf('StatefulSet', 'shop-db');
    const migrate = pod('shop', all.find(m => m.kind === 'Job')!.spec.template.metadata.labels);
    const backup = labelsOf('CronJob', 'shop-db-backup');
    expect(canConnect(all, ingressController, app, 4000)).toBe(true);
    expect(canConnect(all, app, app, 4369)).toBe(true);
    expect(canConnect(all, app, app, 9000)).toBe(true);
    expect(canConnect(all, app, db, 5432)).toBe(true);
    expect(canConnect(all, migrate, db, 5432)).toBe(true);
    expect(canConnect(all, backup, db, 5432)).toBe(true);
    expect(canConnect(all, ingressController, solver, 8089)).toBe(true);
    for (const p of [app, db, migrate, backup, stranger]) {
      expect(canConnect(all, p, coredns, 53, 'UDP')).toBe(true);
      expect(canConnect(all, p, coredns, 53, 'TCP')).toBe(true);
    }
    // denied: everything else
    expect(canConnect(all, ingressController, app, 4369)).toBe(false);
    expect(canConnect(all, ingressController, db, 5432)).toBe(false);
    expect(canConnect(all, ingressController, solver, 4000)).toBe(false);
    expect(canConnect(all, stranger, db, 5432)).toBe(false);
    expect(canConnect(all, stranger, app, 4000)).toBe(false);
    expect(canConnect(all, stranger, solver, 8089)).toBe(false);
    expect(canConnect(all, pod('other', app.labels), app, 9000)).toBe(false); // same labels, other namespace
    expect(canConnect(all, app, db, 22)).toBe(false);
    expect(canConnect(all, db, app, 4000)).toBe(false);
    expect(canConnect(all, migrate, app, 9000)).toBe(false);
    expect(canConnect(all, backup, app, 4000)).toBe(false);
    expect(canConnect(all, app, pod('kube-system', { 'k8s-app': 'metrics' }), 53, 'UDP')).toBe(false);
  });

  test('one ingress and one egress policy per set of pods, named after its construct', () => {
    expect(policiesOf(all).map(p => p.metadata.name).sort()).toEqual([
      'acme-http01-solver-ingress', 'allow-dns', 'default-deny', 'shop-db-backup-egress', 'shop-db-ingress',
      'shop-egress', 'shop-ingress', 'shop-migrate-egress',
    ]);
    const solverPolicy = find(all, 'NetworkPolicy', 'acme-http01-solver-ingress');
    expect(solverPolicy.metadata.annotations).toBeUndefined();
    expect(declared(chart, 'NetworkPolicy', 'acme-http01-solver-ingress').podsReason).toMatch(/cert-manager/);
    expect(find(all, 'NetworkPolicy', 'shop-db-ingress').spec.policyTypes).toEqual(['Ingress']);
    expect(find(all, 'NetworkPolicy', 'shop-egress').spec.policyTypes).toEqual(['Egress']);
  });

  test('the same policies whether the namespace denies by default before, during or after the constructs', () => {
    const render = (options: Parameters<typeof shop>[1]) => {
      const chart = testChart('shop');
      shop(chart, options);
      return policiesOf(synth(chart)).map(p => ({ name: p.metadata.name, spec: p.spec })).sort((a, b) => a.name.localeCompare(b.name));
    };
    const during = render({ networkPolicies: true });
    expect(render({ policiesFirst: true })).toEqual(during);
    expect(render({ policiesLast: true })).toEqual(during);
  });

  test('the same rules whichever client registers first (the backup before the app, or after)', () => {
    const render = (backupFirst: boolean) => {
      const chart = testChart('shop');
      PhoenixNetworkPolicies.of(chart);
      const db = new PostgresStatefulSet(chart, 'Db', { name: 'shop-db', credentials: PostgresCredentials.fromExistingSecret('shop-db') });
      const app = () => new ElixirDeployment(chart, 'Web', { name: 'shop', image: APP_IMAGE, nodeBasename: 'shop', secrets: ElixirSecrets.fromExistingSecret('s'), database: db });
      if (!backupFirst) app();
      new PostgresBackup(chart, 'Backup', { database: db });
      if (backupFirst) app();
      return find(synth(chart), 'NetworkPolicy', 'shop-db-ingress').spec;
    };
    expect(render(true)).toEqual(render(false));
    expect(render(true).ingress).toHaveLength(2);
  });

  test('of() with other props than the namespace\'s existing default deny is refused, naming it', () => {
    const chart = testChart('shop');
    shop(chart, { networkPolicies: true });
    expect(() => PhoenixNetworkPolicies.of(chart, { dns: { namespace: 'dns', podSelector: { app: 'coredns' } } }))
      .toThrow(expect.objectContaining({ prop: 'props', message: expect.stringMatching(/already has its default deny from test\/PhoenixNetworkPolicies-shop/) }));
    expect(PhoenixNetworkPolicies.of(chart, {})).toBe(PhoenixNetworkPolicies.of(chart));
  });

  test('no NetworkPolicy at all unless the namespace denies by default', () => {
    const chart = testChart('shop');
    shop(chart);
    expect(policiesOf(synth(chart))).toEqual([]);
  });
});

describe('many instances in one namespace', () => {
  test('two apps with their databases: no collisions, one default deny, each app reaches only its own database', () => {
    const chart = testChart('shop');
    shop(chart, { name: 'shop', networkPolicies: true });
    shop(chart, { name: 'blog', networkPolicies: true });
    const all = synth(chart);
    const keys = all.map(m => `${m.kind}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter(k => k === 'NetworkPolicy/default-deny')).toHaveLength(1);
    expect(keys.filter(k => k === 'NetworkPolicy/acme-http01-solver-ingress')).toHaveLength(1);
    const p = (kind: string, name: string) => pod('shop', podLabels(find(all, kind, name)));
    const [shopApp, blogApp, shopDb, blogDb] = [p('Deployment', 'shop'), p('Deployment', 'blog'), p('StatefulSet', 'shop-db'), p('StatefulSet', 'blog-db')];
    expect(canConnect(all, shopApp, shopDb, 5432)).toBe(true);
    expect(canConnect(all, blogApp, blogDb, 5432)).toBe(true);
    expect(canConnect(all, shopApp, blogDb, 5432)).toBe(false);
    expect(canConnect(all, blogApp, shopDb, 5432)).toBe(false);
    expect(canConnect(all, shopApp, blogApp, 9000)).toBe(false); // two Erlang clusters, not one
    // PHX_HOST follows each app's own Ingress
    const phxHost = (name: string) => find(all, 'Deployment', name).spec.template.spec.containers[0].env.find((e: any) => e.name === 'PHX_HOST').value;
    expect(phxHost('shop')).toBe('shop.example.com');
    expect(phxHost('blog')).toBe('blog.example.com');
  });

  test('two constructs of one name in one namespace: a clear error naming both', () => {
    const chart = testChart('shop');
    new PostgresStatefulSet(chart, 'A', { credentials: PostgresCredentials.fromExistingSecret('a') });
    let error: unknown;
    try { new PostgresStatefulSet(chart, 'B', { credentials: PostgresCredentials.fromExistingSecret('b') }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(PropError);
    expect((error as PropError).prop).toBe('name');
    expect((error as Error).message).toMatch(/test\/B.*"name".*test\/A/s);
    // the same name in another namespace of the same app is fine
    new PostgresStatefulSet(new Chart(chart.node.scope as Construct, 'other', { namespace: 'other' }), 'B', { credentials: PostgresCredentials.fromExistingSecret('b') });
  });

  test('default deny once per namespace: of() shares it, a second one is refused, other namespaces get their own', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const first = PhoenixNetworkPolicies.of(a);
    expect(PhoenixNetworkPolicies.of(new Chart(app, 'a2', { namespace: 'a' }))).toBe(first);
    expect(() => new PhoenixNetworkPolicies(a, 'Again')).toThrow(/a\/Again: namespace "a" already has its default-deny NetworkPolicies from a\/PhoenixNetworkPolicies-a/);
    const b = PhoenixNetworkPolicies.of(new Chart(app, 'b', { namespace: 'b' }));
    expect(b).not.toBe(first);
    expect(b.namespace).toBe('b');
    // a new App starts afresh
    expect(PhoenixNetworkPolicies.of(new Chart(Testing.app(), 'a', { namespace: 'a' }))).not.toBe(first);
  });
});

describe('explicit control', () => {
  test('connections.allowTo / allowFrom for what the library does not know', () => {
    const chart = testChart('shop');
    PhoenixNetworkPolicies.of(chart);
    const { web } = shop(chart);
    const worker = new PodPeer(chart, 'Worker', { peerName: 'worker', podSelector: { app: 'worker' } });
    web.connections.allowTo(Peer.ipBlock('0.0.0.0/0', ['10.0.0.0/8']), [443]);
    web.connections.allowFrom(worker, [4000, { port: 4001, protocol: 'UDP' }]);
    web.connections.allowFrom(worker, [4000, { port: 4001, protocol: 'UDP' }]); // once is enough
    const all = synth(chart);
    const app = pod('shop', podLabels(find(all, 'Deployment', 'shop')));
    expect(canConnect(all, pod('shop', { app: 'worker' }), app, 4000)).toBe(true);
    expect(canConnect(all, pod('shop', { app: 'worker' }), app, 4001, 'UDP')).toBe(true);
    expect(canConnect(all, pod('shop', { app: 'worker' }), app, 4002)).toBe(false);
    expect(find(all, 'NetworkPolicy', 'worker-egress').spec.egress).toHaveLength(1);
    expect(find(all, 'NetworkPolicy', 'shop-egress').spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('pods in another namespace are selected with their namespace', () => {
    const app = Testing.app();
    const tools = new Chart(app, 'tools', { namespace: 'tools' });
    const shopChart = new Chart(app, 'shop', { namespace: 'shop' });
    PhoenixNetworkPolicies.of(tools);
    PhoenixNetworkPolicies.of(shopChart);
    const { db } = shop(shopChart);
    const metabase = new PodPeer(tools, 'Metabase', { peerName: 'metabase', podSelector: { app: 'metabase' } });
    db.addClient(metabase);
    const all = [...synth(tools), ...synth(shopChart)];
    const server = pod('shop', podLabels(find(all, 'StatefulSet', 'shop-db')));
    expect(canConnect(all, pod('tools', { app: 'metabase' }), server, 5432)).toBe(true);
    expect(canConnect(all, pod('shop', { app: 'metabase' }), server, 5432)).toBe(false);
    expect(find(synth(tools), 'NetworkPolicy', 'metabase-egress').spec.egress[0].to[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } });
  });

  test('bad input', () => {
    const chart = testChart('shop');
    const { web } = shop(chart);
    expect(() => web.connections.allowTo(Peer.ipBlock('0.0.0.0/0'), [0])).toThrow(/"ports\[0\]" = 0/);
    expect(() => web.connections.allowTo(Peer.ipBlock('0.0.0.0/0'), [])).toThrow(/"ports".*at least one port/);
    expect(() => web.connections.allowTo(Peer.ipBlock('0.0.0.0/0'), [{ port: 1, protocol: 'SCTP' as any }])).toThrow(/"ports\[0\].protocol".*"TCP" or "UDP"/);
    expect(() => Peer.ipBlock('10.0.0.300/8')).toThrow(/Peer.ipBlock: "10.0.0.300\/8"/);
    expect(() => Peer.namespace('Ingress NS')).toThrow(/Peer.namespace: "Ingress NS"/);
    expect(() => new PodPeer(chart, 'P', { peerName: 'p', podSelector: {} })).toThrow(/"podSelector".*non-empty/);
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { dns: { namespace: 'Kube System', podSelector: { a: 'b' } } })).toThrow(/"dns.namespace"/);
    expect(() => new PhoenixNetworkPolicies(testChart('x'), 'N', { dns: { namespace: 'kube-system', podSelector: {} } })).toThrow(/"dns.podSelector"/);
  });

  test('DNS: another namespace and selector for the resolver', () => {
    const chart = testChart('shop');
    new PhoenixNetworkPolicies(chart, 'Net', { dns: { namespace: 'dns', podSelector: { app: 'coredns' } } });
    const { web } = shop(chart);
    void web;
    const all = synth(chart);
    const app = pod('shop', podLabels(find(all, 'Deployment', 'shop')));
    expect(canConnect(all, app, pod('dns', { app: 'coredns' }), 53, 'UDP')).toBe(true);
    expect(canConnect(all, app, pod('kube-system', { 'k8s-app': 'kube-dns' }), 53, 'UDP')).toBe(false);
  });

  test('an Ingress in front of a backend not of ours: a synth error under default deny, until backendPods says where its pods are', () => {
    const build = (enforce: boolean, withPods: boolean) => {
      const chart = testChart('shop');
      if (enforce) PhoenixNetworkPolicies.of(chart);
      const legacy = new PodPeer(chart, 'Legacy', { peerName: 'legacy', podSelector: { app: 'legacy' } });
      new TlsIngress(chart, 'Ing', {
        backend: { serviceName: 'legacy', servicePort: 80 }, hosts: ['legacy.example.com'],
        backendPods: withPods ? { peer: legacy, port: 8080 } : undefined,
      });
      return chart;
    };
    expect(() => synth(build(false, false))).not.toThrow(); // nothing denies: it only routes
    expect(() => synth(build(true, false))).toThrow(/test\/Ing.*invalid prop "backend".*Service "legacy".*denies by default.*backendPods/s);
    const all = synth(build(true, true));
    const controller = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
    expect(canConnect(all, controller, pod('shop', { app: 'legacy' }), 8080)).toBe(true);
    expect(canConnect(all, controller, pod('shop', { app: 'legacy' }), 80)).toBe(false);
    expect(canConnect(all, pod('shop', { app: 'x' }), pod('shop', { app: 'legacy' }), 8080)).toBe(false);
    expect(() => new TlsIngress(testChart('shop'), 'I', { backend: { serviceName: 'l', servicePort: 80 }, backendPods: { peer: new PodPeer(testChart('shop'), 'P', { peerName: 'p', podSelector: { a: 'b' } }), port: 0 } }))
      .toThrow(expect.objectContaining({ prop: 'backendPods.port' }));
  });
});
