// How an ElixirDeployment learns its public address and lets its ingress controller in, from
// every TlsIngress that exposes it (IHttpBackend.exposedVia).
import { Chart } from 'cdk8s';
import {
  ElixirDeployment, ElixirDeploymentProps, ElixirSecrets, IngressCertificate, MigrationMode, PhoenixNetworkPolicies,
  PodPeer, PostgresCredentials, PostgresStatefulSet, PropError, TlsIngress,
} from '../../lib';
import { Manifest, find, selects, synth, testChart } from '../util';
import { canConnect, pod, podLabels } from '../network/evaluator';

const NS = 'shop';
const base: ElixirDeploymentProps = {
  image: 'localhost:32000/shop:1.0.0',
  nodeBasename: 'shop',
  secrets: ElixirSecrets.fromExistingSecret('shop-secrets'),
};

function setup(props: Partial<ElixirDeploymentProps> = {}) {
  const chart = testChart(NS);
  const app = new ElixirDeployment(chart, 'Elixir', { ...base, ...props });
  return { chart, app };
}

/** PHX_HOST of the container "app" of the app's Deployment, as synthesized. */
function phxHostOf(chart: Chart, name = 'elixir'): string {
  const containers = find(synth(chart), 'Deployment', name).spec.template.spec.containers;
  const app = containers.find((c: any) => c.name === 'app');
  const vars = app.env.filter((e: any) => e.name === 'PHX_HOST');
  expect(vars).toHaveLength(1);
  return vars[0].value;
}

/** The error thrown by `fn` (fails the test when none). */
function errorOf(fn: () => unknown): Error {
  try { fn(); } catch (e) { return e as Error; }
  throw new Error('expected an error');
}

const dns01 = () => IngressCertificate.certManager({ clusterIssuer: 'x', challenge: 'dns01' });

describe('PHX_HOST follows the exposing Ingress', () => {
  test('without an Ingress nor phxHost it is "localhost"', () => {
    const { chart, app } = setup();
    expect(app.publicHost).toBe('localhost');
    expect(phxHostOf(chart)).toBe('localhost');
  });

  test('a TlsIngress with the app as backend sets it to its first host', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'Ingress', { backend: app, hosts: ['shop.example.com', 'www.shop.example.com'] });
    expect(app.publicHost).toBe('shop.example.com');
    expect(phxHostOf(chart)).toBe('shop.example.com');
  });

  test('a wildcard that is not the first host does not matter', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'Ingress', { backend: app, hosts: ['shop.example.com', '*.shop.example.com'], certificate: dns01() });
    expect(phxHostOf(chart)).toBe('shop.example.com');
  });

  test('host-less mode: the publicAddress (an IP here)', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'Ingress', { backend: app, publicAddress: '192.168.1.50' });
    expect(phxHostOf(chart)).toBe('192.168.1.50');
  });

  test('host-less mode without publicAddress: "localhost", which then counts as the exposed address', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'Local', { backend: app });
    expect(phxHostOf(chart)).toBe('localhost');
    // the app is now exposed as "localhost" by test/Local: another address conflicts
    const error = errorOf(() => new TlsIngress(chart, 'Public', { backend: app, name: 'public', hosts: ['shop.example.com'] }));
    expect(error).toBeInstanceOf(PropError);
    expect(error).toEqual(expect.objectContaining({ prop: 'phxHost' }));
    expect(error.message).toMatch(/exposed as "localhost" by test\/Local and as "shop\.example\.com" by test\/Public\b/);
  });

  test('the Ingress may be created in another chart of the same namespace', () => {
    const { chart, app } = setup();
    const other = new Chart(chart.node.scope!, 'edge', { namespace: NS });
    new TlsIngress(other, 'Ingress', { backend: app, hosts: ['shop.example.com'] });
    expect(phxHostOf(chart)).toBe('shop.example.com');
  });
});

describe('an explicit public host wins', () => {
  test('phxHost prop: stays as given, whatever and however many Ingresses expose the app', () => {
    const { chart, app } = setup({ phxHost: 'proxy.example.org' });
    new TlsIngress(chart, 'A', { backend: app, hosts: ['a.example.com'] });
    new TlsIngress(chart, 'B', { backend: app, name: 'b', hosts: ['b.example.com'] }); // no conflict
    new TlsIngress(chart, 'Wild', { backend: app, name: 'wild', hosts: ['*.example.com'], certificate: dns01() }); // no wildcard error
    expect(app.publicHost).toBe('proxy.example.org');
    expect(phxHostOf(chart)).toBe('proxy.example.org');
  });

  test('setPublicHost before the Ingress: stays as given', () => {
    const { chart, app } = setup();
    app.setPublicHost('proxy.example.org');
    new TlsIngress(chart, 'A', { backend: app, hosts: ['a.example.com'] });
    new TlsIngress(chart, 'Wild', { backend: app, name: 'wild', hosts: ['*.example.com'], certificate: dns01() });
    expect(phxHostOf(chart)).toBe('proxy.example.org');
  });

  test('setPublicHost after the Ingress: replaces its host, and later Ingresses no longer conflict', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'A', { backend: app, hosts: ['a.example.com'] });
    expect(app.publicHost).toBe('a.example.com');
    app.setPublicHost('proxy.example.org');
    expect(() => new TlsIngress(chart, 'B', { backend: app, name: 'b', hosts: ['b.example.com'] })).not.toThrow();
    expect(phxHostOf(chart)).toBe('proxy.example.org');
  });
});

describe('several Ingresses', () => {
  test('the same address twice is fine', () => {
    const { chart, app } = setup();
    app.exposeViaIngress('Public', { hosts: ['shop.example.com'] });
    new TlsIngress(chart, 'Nginx', { backend: app, name: 'shop-nginx', hosts: ['shop.example.com', 'www.shop.example.com'] });
    expect(phxHostOf(chart)).toBe('shop.example.com');
  });

  test('different addresses: PropError "phxHost" on the app naming both Ingresses', () => {
    const { chart, app } = setup();
    app.exposeViaIngress('Public', { hosts: ['a.example.com'] });
    const error = errorOf(() => new TlsIngress(chart, 'Other', { backend: app, name: 'other', hosts: ['b.example.com'] }));
    expect(error).toBeInstanceOf(PropError);
    expect(error).toEqual(expect.objectContaining({ prop: 'phxHost', constructPath: 'test/Elixir' }));
    expect(error.message).toMatch(/exposed as "a\.example\.com" by test\/Elixir\/Public and as "b\.example\.com" by test\/Other\b/);
    expect(error.message).toMatch(/set phxHost/);
    expect(app.publicHost).toBe('a.example.com'); // the first one stays
  });

  test('different addresses in host-less mode conflict too', () => {
    const { chart, app } = setup();
    new TlsIngress(chart, 'Lan', { backend: app, publicAddress: '192.168.1.50' });
    const error = errorOf(() => new TlsIngress(chart, 'Wifi', { backend: app, name: 'wifi', publicAddress: '10.0.0.7' }));
    expect(error).toEqual(expect.objectContaining({ prop: 'phxHost' }));
    expect(error.message).toMatch(/test\/Lan.*test\/Wifi/);
  });

  test('a wildcard first host: PropError "phxHost" naming the Ingress, unless phxHost was set', () => {
    const { chart, app } = setup();
    const error = errorOf(() => new TlsIngress(chart, 'Wild', { backend: app, name: 'wild', hosts: ['*.example.com'], certificate: dns01() }));
    expect(error).toBeInstanceOf(PropError);
    expect(error).toEqual(expect.objectContaining({ prop: 'phxHost', constructPath: 'test/Elixir' }));
    expect(error.message).toMatch(/exposed by test\/Wild under a wildcard host/);
    expect(app.publicHost).toBe('localhost');

    const ok = setup({ phxHost: 'shop.example.com' });
    expect(() => new TlsIngress(ok.chart, 'Wild', { backend: ok.app, hosts: ['*.example.com'], certificate: dns01() })).not.toThrow();
    expect(phxHostOf(ok.chart)).toBe('shop.example.com');
  });
});

describe('exposeViaIngress', () => {
  test('creates a TlsIngress under the app, with the app as backend, and returns it', () => {
    const { chart, app } = setup({ name: 'shop', servicePort: 8080 });
    const ingress = app.exposeViaIngress('Public', { hosts: ['shop.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le' }) });
    expect(ingress).toBeInstanceOf(TlsIngress);
    expect(ingress.node.scope).toBe(app);
    expect(ingress.node.path).toBe('test/Elixir/Public');
    expect(ingress.host).toBe('shop.example.com');
    expect(ingress.url).toBe('https://shop.example.com');
    const manifests = synth(chart);
    const kubeIngress = find(manifests, 'Ingress', 'shop'); // named after the backend's Service
    expect(kubeIngress.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('le');
    expect(kubeIngress.spec.rules).toEqual([{
      host: 'shop.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 8080 } } } }] },
    }]);
    expect(phxHostOf(chart, 'shop')).toBe('shop.example.com');
  });

  test('passes the other props through (name, publicAddress)', () => {
    const { chart, app } = setup();
    const ingress = app.exposeViaIngress('Lan', { name: 'lan', publicAddress: '192.168.1.50' });
    expect(ingress.url).toBe('https://192.168.1.50');
    const manifests = synth(chart);
    expect(find(manifests, 'Ingress', 'lan').spec.rules[0].backend).toBeUndefined();
    expect(find(manifests, 'Ingress', 'lan').spec.rules[0].http.paths[0].backend.service.name).toBe('elixir');
    expect(phxHostOf(chart)).toBe('192.168.1.50');
  });
});

describe('the ingress controller is let in on httpPort only', () => {
  const HTTP = 4100;
  const policiesOf = (ms: Manifest[]) => ms.filter(m => m.kind === 'NetworkPolicy');

  function exposed(options: { controllerNamespace?: string; enforce?: 'prop' | 'before' | 'after' | 'never'; phxHost?: string; standalone?: boolean } = {}) {
    const chart = testChart(NS);
    if (options.enforce === 'before') PhoenixNetworkPolicies.of(chart);
    const app = new ElixirDeployment(chart, 'Elixir', {
      ...base, name: 'shop', httpPort: HTTP, phxHost: options.phxHost, networkPolicies: (options.enforce ?? 'prop') === 'prop',
    });
    const props = { hosts: ['shop.example.com'], controllerNamespace: options.controllerNamespace };
    if (options.standalone) new TlsIngress(chart, 'Ingress', { backend: app, ...props });
    else app.exposeViaIngress('Public', props);
    if (options.enforce === 'after') PhoenixNetworkPolicies.of(chart);
    const all = synth(chart);
    return { all, app: pod(NS, podLabels(find(all, 'Deployment', 'shop'))) };
  }

  test('default controller namespace "ingress": in on httpPort, not on the Erlang ports nor elsewhere', () => {
    const { all, app } = exposed();
    const controller = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
    expect(canConnect(all, controller, app, HTTP)).toBe(true);
    expect(canConnect(all, controller, app, 4000)).toBe(false);
    expect(canConnect(all, controller, app, 4369)).toBe(false);
    expect(canConnect(all, controller, app, 9000)).toBe(false);
    expect(canConnect(all, pod('traefik', controller.labels), app, HTTP)).toBe(false);
    expect(canConnect(all, pod(NS, { 'app.kubernetes.io/name': 'debug' }), app, HTTP)).toBe(false);
    const rules = find(all, 'NetworkPolicy', 'shop-ingress').spec.ingress;
    expect(rules).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
      ports: [{ protocol: 'TCP', port: HTTP }],
    });
  });

  test('a custom controllerNamespace lets that namespace in, and not "ingress"', () => {
    const { all, app } = exposed({ controllerNamespace: 'traefik' });
    expect(canConnect(all, pod('traefik', {}), app, HTTP)).toBe(true);
    expect(canConnect(all, pod('ingress', {}), app, HTTP)).toBe(false);
    expect(canConnect(all, pod('traefik', {}), app, 9000)).toBe(false);
  });

  test('a standalone TlsIngress with the app as backend registers the same connection', () => {
    const { all, app } = exposed({ standalone: true, controllerNamespace: 'traefik' });
    expect(canConnect(all, pod('traefik', {}), app, HTTP)).toBe(true);
    expect(canConnect(all, pod('ingress', {}), app, HTTP)).toBe(false);
  });

  test('also when phxHost is set (the address is ignored, the connection is not)', () => {
    const { all, app } = exposed({ phxHost: 'proxy.example.org' });
    expect(canConnect(all, pod('ingress', {}), app, HTTP)).toBe(true);
  });

  test('the same policy whether the namespace denies by default before, with or after the Ingress', () => {
    const policy = (enforce: 'prop' | 'before' | 'after') => find(exposed({ enforce }).all, 'NetworkPolicy', 'shop-ingress').spec;
    const withProp = policy('prop');
    expect(policy('before')).toEqual(withProp);
    expect(policy('after')).toEqual(withProp);
    const { all, app } = exposed({ enforce: 'after' });
    expect(canConnect(all, pod('ingress', {}), app, HTTP)).toBe(true);
  });

  test('without default deny no NetworkPolicy is rendered (and nothing is blocked)', () => {
    const { all, app } = exposed({ enforce: 'never' });
    expect(policiesOf(all)).toEqual([]);
    expect(canConnect(all, pod('elsewhere', {}), app, 9000)).toBe(true);
  });
});

describe('database connections', () => {
  const migrateCommand = ['/app/bin/migrate'];

  test('Job migrations with a PostgresStatefulSet: the migration pods reach the database port and nothing else', () => {
    const chart = testChart(NS);
    const db = new PostgresStatefulSet(chart, 'Db', { name: 'shop-db', port: 5433, credentials: PostgresCredentials.fromExistingSecret('shop-db') });
    new ElixirDeployment(chart, 'Elixir', {
      ...base, name: 'shop', database: db, networkPolicies: true, migrations: { command: migrateCommand, mode: MigrationMode.JOB },
    }).exposeViaIngress('Public', { hosts: ['shop.example.com'] });
    const all = synth(chart);
    const jobs = all.filter(m => m.kind === 'Job');
    expect(jobs).toHaveLength(1);
    const migrate = pod(NS, podLabels(jobs[0]));
    const app = pod(NS, podLabels(find(all, 'Deployment', 'shop')));
    const server = pod(NS, podLabels(find(all, 'StatefulSet', 'shop-db')));

    expect(canConnect(all, migrate, server, 5433)).toBe(true);
    expect(canConnect(all, migrate, server, 5432)).toBe(false);
    for (const port of [4000, 4369, 9000]) expect(canConnect(all, migrate, app, port)).toBe(false);
    expect(canConnect(all, migrate, pod('ingress', {}), 443)).toBe(false);
    expect(canConnect(all, migrate, pod(NS, { 'app.kubernetes.io/name': 'other' }), 5433)).toBe(false);
    // the migration pods are a peer of their own, "<name>-migrate", with exactly one rule
    const egress = find(all, 'NetworkPolicy', 'shop-migrate-egress').spec;
    expect(selects(egress.podSelector.matchLabels, migrate.labels)).toBe(true);
    expect(selects(egress.podSelector.matchLabels, app.labels)).toBe(false);
    expect(egress.egress).toHaveLength(1);
    expect(egress.egress[0].ports).toEqual([{ protocol: 'TCP', port: 5433 }]);
    // and the app reaches the database too
    expect(canConnect(all, app, server, 5433)).toBe(true);
  });

  test('a user DATABASE_URL Secret without reachableAt: fine without default deny, a synth error naming what to do with it', () => {
    const build = (networkPolicies: boolean) => {
      const chart = testChart(NS);
      new ElixirDeployment(chart, 'Elixir', {
        ...base, name: 'shop', database: { secretName: 'shop-db-url' }, networkPolicies, migrations: { command: migrateCommand, mode: MigrationMode.JOB },
      });
      return chart;
    };
    const all = synth(build(false));
    const container = find(all, 'Deployment', 'shop').spec.template.spec.containers.find((c: any) => c.name === 'app');
    expect(container.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db-url', key: 'DATABASE_URL' } } });
    expect(() => synth(build(true))).toThrow(/test\/Elixir.*invalid prop "database".*Secret "shop-db-url".*namespace "shop" denies by default.*database.reachableAt/s);
  });

  test('a user DATABASE_URL Secret with reachableAt: the app and its migration Job reach that database, nothing else does', () => {
    const chart = testChart(NS);
    const external = new PodPeer(chart, 'LegacyDb', { peerName: 'legacy-db', podSelector: { app: 'legacy-db' } });
    new ElixirDeployment(chart, 'Elixir', {
      ...base, name: 'shop', database: { secretName: 'shop-db-url', reachableAt: { peer: external, port: 5433 } }, networkPolicies: true,
      migrations: { command: migrateCommand, mode: MigrationMode.JOB },
    });
    const all = synth(chart);
    const legacy = pod(NS, { app: 'legacy-db' });
    const app = pod(NS, podLabels(find(all, 'Deployment', 'shop')));
    const migrate = pod(NS, podLabels(all.find(m => m.kind === 'Job')!));
    expect(canConnect(all, app, legacy, 5433)).toBe(true);
    expect(canConnect(all, migrate, legacy, 5433)).toBe(true);
    expect(canConnect(all, app, legacy, 5432)).toBe(false);
    expect(canConnect(all, pod(NS, { app: 'other' }), legacy, 5433)).toBe(false);
    expect(() => new ElixirDeployment(testChart(NS), 'E', { ...base, database: { secretName: 'x', reachableAt: { peer: external, port: 0 } } }))
      .toThrow(expect.objectContaining({ prop: 'database.reachableAt.port' }));
  });

  test('an Ingress in another namespace than its app is refused, naming the Ingress and the prop', () => {
    const chart = testChart(NS);
    const app = new ElixirDeployment(chart, 'Elixir', base);
    const other = new Chart(chart.node.scope as any, 'other', { namespace: 'other' });
    expect(() => new TlsIngress(other, 'Ingress', { backend: app, hosts: ['shop.example.com'] }))
      .toThrow(expect.objectContaining({ prop: 'backend', message: expect.stringMatching(/other\/Ingress.*"backend".*namespace "other"/s) }));
  });
});
