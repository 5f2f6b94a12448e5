// The flows a diagram draws are exactly the connections the NetworkPolicy evaluator allows.
import fc from 'fast-check';
import { buildModel } from '../../../tools/diagram/model';
import { formatPorts } from '../../../tools/diagram/ports';
import { Manifest } from '../../util';
import { disagreements, doitManifests } from './helpers';

const flowsOf = (manifests: Manifest[]) => buildModel(manifests).flows.map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`);

describe('flows of the doit stack', () => {
  test.each([
    ['defaults', {}],
    ['cert-manager (HTTP-01 solver)', { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' }],
    ['NGINX, own TLS Secret', { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'secret', DOIT_TLS_SECRET_NAME: 'doit-tls', DOIT_INGRESS_CONTROLLER: 'nginx' }],
    ['no registry, no backups', { DOIT_REGISTRY_ENABLED: 'false', DOIT_BACKUP_ENABLED: 'false' }],
    ['CloudNativePG cluster', { DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: 'mayastor' }],
  ])('%s: drawn flows equal the evaluator\'s, port by port', (_, env) => {
    const manifests = doitManifests(env);
    const model = buildModel(manifests);
    expect(disagreements(model, model.flows, manifests)).toEqual([]);
  });

  test('defaults: the flows, named', () => {
    expect(flowsOf(doitManifests())).toEqual([
      'anywhere → namespace:container-registry: any port',
      'doit/CronJob/postgres-backup → doit/StatefulSet/postgres: 5432/TCP',
      'doit/Deployment/elixir → doit/Deployment/elixir: 4369, 9000/TCP',
      'doit/Deployment/elixir → doit/StatefulSet/postgres: 5432/TCP',
      'namespace:container-registry → anywhere: any port',
      'namespace:doit → pods:kube-system/k8s-app=kube-dns: 53/TCP; 53/UDP',
      'pods:ingress → doit/Deployment/elixir: 4000/TCP',
    ]);
  });

  test('on a CloudNativePG cluster: the operator and the API server appear, the instances replicate, the clients are the same', () => {
    const flows = flowsOf(doitManifests({ DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: 'mayastor' }));
    expect(flows).toEqual(expect.arrayContaining([
      'doit/Cluster/postgres → doit/Cluster/postgres: 5432, 8000/TCP',
      'doit/Cluster/postgres → ip:0.0.0.0/0: 16443/TCP',
      'doit/CronJob/postgres-backup → doit/Cluster/postgres: 5432/TCP',
      'doit/Deployment/elixir → doit/Cluster/postgres: 5432/TCP',
      'pods:cnpg-system → doit/Cluster/postgres: 5432, 8000/TCP',
    ]));
    expect(flows.filter(f => f.includes('StatefulSet/postgres'))).toEqual([]);
  });

  test('cert-manager mode adds the solver pods cert-manager starts: the controller reaches them on 8089, they reach DNS', () => {
    const base = new Set(flowsOf(doitManifests({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' })));
    const added = flowsOf(doitManifests({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' })).filter(f => !base.has(f));
    expect(added).toEqual([
      'pods:doit/acme.cert-manager.io/http01-solver=true → pods:kube-system/k8s-app=kube-dns: 53/TCP; 53/UDP',
      'pods:ingress → pods:doit/acme.cert-manager.io/http01-solver=true: 8089/TCP',
    ]);
  });

  test.each([
    ['postgres-ingress', ['doit/CronJob/postgres-backup → doit/StatefulSet/postgres: 5432/TCP', 'doit/Deployment/elixir → doit/StatefulSet/postgres: 5432/TCP']],
    ['elixir-egress', ['doit/Deployment/elixir → doit/Deployment/elixir: 4369, 9000/TCP', 'doit/Deployment/elixir → doit/StatefulSet/postgres: 5432/TCP']],
    ['allow-dns', ['namespace:doit → pods:kube-system/k8s-app=kube-dns: 53/TCP; 53/UDP']],
  ])('without %s, exactly its flows disappear', (name, gone) => {
    const all = doitManifests();
    const without = all.filter(m => !(m.kind === 'NetworkPolicy' && m.metadata.name === name));
    const before = flowsOf(all), after = flowsOf(without);
    expect(before.filter(f => !after.includes(f))).toEqual(gone);
    expect(after.filter(f => !before.includes(f))).toEqual([]);
    const model = buildModel(without);
    expect(disagreements(model, model.flows, without)).toEqual([]);
  });

  test('without default-deny, the pods that had no policy of their own open up, and the drawing says so', () => {
    const without = doitManifests().filter(m => !(m.kind === 'NetworkPolicy' && m.metadata.name === 'default-deny'));
    const flows = flowsOf(without);
    // allow-dns still isolates every pod's egress; the backup Job's pods are the only ones without an ingress policy of their own.
    expect(flows).toContain('anywhere → doit/CronJob/postgres-backup: any port');
    expect(flows.filter(f => f.startsWith('anywhere → doit/') || f.includes('→ anywhere') && f.startsWith('doit/'))).toEqual(['anywhere → doit/CronJob/postgres-backup: any port']);
    const model = buildModel(without);
    expect(model.namespaces.find(n => n.name === 'doit')).toMatchObject({ denyIngress: false, denyEgress: true });
    expect(disagreements(model, model.flows, without)).toEqual([]);
  });
});

// Random workloads and policies: every feature of the API the model reads (selectors with every
// operator, namespace selectors by name and by label, ipBlocks with except, named ports, port
// ranges, protocols, default and empty policyTypes, empty peer and port lists, policies without
// a namespace, hostNetwork pods), against the evaluator, which reads the workloads itself.
const labelsArb = fc.record({ app: fc.constantFrom('web', 'db', 'job'), tier: fc.constantFrom('front', 'back') }, { requiredKeys: ['app'] });
const selectorArb = fc.oneof(
  fc.constant({}),
  labelsArb.map(l => ({ matchLabels: l })),
  fc.constantFrom(
    { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
    { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, // matches nothing
  ),
);
const NAMESPACES = ['a', 'b', 'default'];
const peerArb = fc.oneof(
  selectorArb.map(s => ({ podSelector: s })),
  fc.record({ namespaceSelector: fc.constantFrom({}, ...NAMESPACES.map(n => ({ matchLabels: { 'kubernetes.io/metadata.name': n } })),
    { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, { matchLabels: { team: 'x' } }, { matchLabels: { 'kubernetes.io/metadata.name': 'a', team: 'x' } },
    { matchExpressions: [{ key: 'team', operator: 'Exists' }] }) }, { requiredKeys: ['namespaceSelector'] })
    .chain(p => fc.option(selectorArb, { nil: undefined }).map(s => (s ? { ...p, podSelector: s } : p))),
  fc.constantFrom({ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '10.1.0.0/16' } }),
);
const portArb = fc.oneof(
  fc.record({ port: fc.constantFrom(80, 443, 53, 5432) as fc.Arbitrary<number | string>, protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port'] }),
  fc.record({ port: fc.constantFrom('http', 'dns'), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port'] }),
  fc.constant({ port: 8000, endPort: 8100 }),
  fc.constant({ protocol: 'UDP' }),
);
const ruleArb = (peersKey: 'from' | 'to') => fc.record({ [peersKey]: fc.array(peerArb, { maxLength: 2 }), ports: fc.array(portArb, { maxLength: 2 }) }, { requiredKeys: [] });
const policyArb = fc.record({
  ns: fc.constantFrom('a', 'b', undefined),
  podSelector: selectorArb,
  policyTypes: fc.option(fc.oneof(fc.constant([]), fc.subarray(['Ingress', 'Egress'], { minLength: 1 })), { nil: undefined }),
  ingress: fc.option(fc.array(ruleArb('from'), { maxLength: 2 }), { nil: undefined }),
  egress: fc.option(fc.array(ruleArb('to'), { maxLength: 2 }), { nil: undefined }),
});
const workloadArb = fc.record({
  ns: fc.constantFrom(...NAMESPACES), labels: labelsArb, hostNetwork: fc.integer({ min: 0, max: 9 }).map(n => n === 0),
  ports: fc.subarray([{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'http', containerPort: 9090, protocol: 'UDP' }]),
});

function manifestsOf(workloads: any[], policies: any[], teams: boolean): Manifest[] {
  return [
    ...(teams ? [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 'x' } } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { team: 'y' } } }] : []),
    ...workloads.map((w, i) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w${i}`, namespace: w.ns },
      spec: { selector: { matchLabels: w.labels }, template: { metadata: { labels: w.labels }, spec: { hostNetwork: w.hostNetwork || undefined, containers: [{ name: 'c', image: 'x:1', ports: w.ports }] } } },
    })),
    ...policies.map((p, i) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p${i}`, ...(p.ns ? { namespace: p.ns } : {}) },
      spec: Object.fromEntries(Object.entries({ podSelector: p.podSelector, policyTypes: p.policyTypes, ingress: p.ingress, egress: p.egress }).filter(([, v]) => v !== undefined)),
    })),
  ];
}

test('random policies: drawn flows equal the evaluator\'s', () => {
  fc.assert(fc.property(fc.array(workloadArb, { minLength: 1, maxLength: 4 }), fc.array(policyArb, { maxLength: 4 }), fc.boolean(), (workloads, policies, teams) => {
    const manifests = manifestsOf(workloads, policies, teams);
    const model = buildModel(manifests);
    expect(disagreements(model, model.flows, manifests)).toEqual([]);
  }), { numRuns: 300, seed: 20261130 });
});
