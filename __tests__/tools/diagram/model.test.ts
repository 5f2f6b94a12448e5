// What the model reads from manifests, fact by fact, on small hand-written inputs.
import { buildModel } from '../../../tools/diagram/model';
import { toDot } from '../../../tools/diagram/dot';
import { parseManifests } from '../../../tools/diagram/manifests';
import { toText } from '../../../tools/diagram/text';
import { formatPorts } from '../../../tools/diagram/ports';
import { Manifest } from '../../util';
import { doitManifests } from './helpers';

const deployment = (name: string, ns: string, podSpec: any, labels: Record<string, string> = { app: name }): Manifest => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: `${name}:1`, ...podSpec.container }], ...podSpec.pod } } },
});
const claim = (name: string, ns: string, spec: any): Manifest => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
const storageClass = (name: string, extra: any = {}): Manifest => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, ...extra.metadata }, provisioner: 'x', ...extra.body });

describe('storage: where the reclaim policy comes from', () => {
  const uses = (claimName: string) => deployment(`uses-${claimName}`, 'a', { pod: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }] }, container: { volumeMounts: [{ name: 'd', mountPath: '/data' }] } });
  const model = buildModel([
    storageClass('keep', { body: { reclaimPolicy: 'Retain' } }),
    storageClass('default-one', { metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }),
    claim('kept', 'a', { storageClassName: 'keep' }),
    claim('defaulted', 'a', {}),
    claim('elsewhere', 'a', { storageClassName: 'ceph' }),
    claim('static', 'a', { storageClassName: '', volumeName: 'pv-1' }),
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { persistentVolumeReclaimPolicy: 'Recycle' } },
    uses('kept'), uses('missing'),
  ]);
  const byName = (n: string) => model.storage.find(s => s.name === n)!;

  test.each([
    ['kept', 'Retain', 'StorageClass keep'],
    ['defaulted', 'Delete', 'StorageClass default-one'], // a class without reclaimPolicy deletes
    ['elsewhere', undefined, 'StorageClass ceph (not in these manifests)'],
    ['static', 'Recycle', 'PersistentVolume pv-1'],
    ['missing', undefined, 'the claim is not in these manifests'],
  ])('%s: %s from %s', (name, policy, source) => {
    expect([byName(name).reclaimPolicy, byName(name).reclaimSource]).toEqual([policy, source]);
  });

  test('mounts say where', () => {
    expect(model.workloads.find(w => w.name === 'uses-kept')!.mounts).toEqual([{ storage: 'pvc:a/kept', paths: ['/data'] }]);
  });

  test('drawing: Retain is highlighted (green, bold), Delete is red, unknown is yellow', () => {
    const dot = toDot(model);
    const node = (id: string) => dot.split('\n').find(l => l.trimStart().startsWith(`"${id}" [`))!;
    expect(node('pvc:a/kept')).toMatch(/fillcolor="#c8e6c9", color="#1b5e20", penwidth=2\.5/);
    expect(node('pvc:a/kept')).toContain('reclaim: RETAIN (StorageClass keep)');
    expect(node('pvc:a/defaulted')).toMatch(/fillcolor="#ffcdd2"/);
    expect(node('pvc:a/elsewhere')).toMatch(/fillcolor="#fff9c4"/);
    expect(node('pvc:a/elsewhere')).toContain('reclaim: per StorageClass ceph (not in these manifests)');
  });
});

describe('the default doit stack', () => {
  const model = buildModel(doitManifests());
  const text = toText(model);

  test('StatefulSet claim templates: one entry per template, per replica, kept when the StatefulSet goes; replica claims used elsewhere map to it', () => {
    expect(model.storage.find(s => s.id === 'pvc:doit/data-postgres-*')).toMatchObject({ size: '5Gi', storageClass: 'microk8s-hostpath-retain', reclaimPolicy: 'Retain', whenOwnerDeleted: 'Retain', perReplicaOf: 'doit/StatefulSet/postgres' });
    const gc = model.workloads.find(w => w.name === 'registry-gc')!;
    expect(gc.mounts).toEqual([{ storage: 'pvc:container-registry/data-registry-*', paths: ['/var/lib/registry (replica 0)'] }]);
    expect(model.storage.some(s => !s.inManifests)).toBe(false);
  });

  test('CronJobs with their schedules', () => {
    expect(model.workloads.filter(w => w.kind === 'CronJob').map(w => `${w.name} ${w.schedule}`).sort()).toEqual(['postgres-backup 15 2 * * *', 'registry-gc 30 3 * * 0']);
    expect(text).toContain('CronJob postgres-backup: schedule 15 2 * * * (controller time zone)');
  });

  test('Secret and ConfigMap use, by key and mount', () => {
    const elixir = model.workloads.find(w => w.id === 'doit/Deployment/elixir')!;
    expect(elixir.reads).toEqual(expect.arrayContaining([
      { kind: 'Secret', name: 'elixir-secrets', how: ['env SECRET_KEY_BASE', 'env RELEASE_COOKIE'], inManifests: true, systemProvided: false },
      { kind: 'Secret', name: 'postgres-credentials', how: ['env DATABASE_URL'], inManifests: true, systemProvided: false },
      { kind: 'Secret', name: 'registry-pull', how: ['image pull'], inManifests: true, systemProvided: false },
      { kind: 'ConfigMap', name: 'elixir-vm-args', how: ['volume /etc/elixir'], inManifests: true, systemProvided: false },
    ]));
    expect(model.workloads.flatMap(w => w.reads).filter(r => !r.inManifests)).toEqual([]);
  });

  test('request paths: both Ingresses to the app\'s Service to its pods; the registry\'s NodePort', () => {
    expect(model.ingresses.map(i => [i.name, i.tls, i.routes.map(r => `${r.service}:${r.port}`)])).toEqual([
      ['elixir', 'controller\'s default certificate', ['elixir:80']], ['elixir-http', 'none', ['elixir:80']]]);
    expect(model.services.find(s => s.id === 'svc:doit/elixir')!.targets).toEqual(['doit/Deployment/elixir']);
    expect(model.services.find(s => s.id === 'svc:container-registry/registry')).toMatchObject({ type: 'NodePort', ports: [{ port: 5000, nodePort: 32000 }], targets: ['container-registry/StatefulSet/registry'] });
    expect(text).toContain('NodePort 32000 on every node → Service registry:5000 → StatefulSet registry');
  });

  test('default deny is stated once per namespace, in the drawing and the text', () => {
    expect(model.namespaces.filter(n => n.denyIngress && n.denyEgress).map(n => n.name)).toEqual(['doit']);
    expect(toDot(model).match(/ingress and egress denied by default/g)).toHaveLength(1);
    expect(text.match(/ingress and egress denied by default/g)).toHaveLength(1);
  });

  test('kinds not drawn are listed, with counts', () => {
    expect(model.notShown).toEqual({ Middleware: 2, Role: 1, RoleBinding: 1, ServiceAccount: 1, ValidatingAdmissionPolicy: 1, ValidatingAdmissionPolicyBinding: 1 });
    expect(text).toContain('Not drawn: ');
  });
});

describe('other people\'s manifests', () => {
  test('a route to a Service that is not there, a Secret that is not there, a PDB, a hostPort', () => {
    const model = buildModel([
      deployment('web', 'x', { container: { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'token', key: 't' } } }], ports: [{ containerPort: 80, hostPort: 8080 }] } }),
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'x' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'x' }, spec: { rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gone', port: { number: 80 } } } }] } }] } },
    ]);
    expect(model.services).toEqual([expect.objectContaining({ id: 'svc:x/gone', inManifests: false })]);
    expect(model.workloads[0]).toMatchObject({ disruptionBudget: 'web (minAvailable 1)', hostPorts: [8080], reads: [{ kind: 'Secret', name: 'token', how: ['env TOKEN'], inManifests: false, systemProvided: false }] });
    expect(model.namespaces).toEqual([expect.objectContaining({ name: 'x', inManifests: false, denyIngress: false, denyEgress: false, policies: 0 })]);
    const dot = toDot(model);
    expect(dot).toContain('Service gone\\n(not in these manifests)');
    expect(dot).toContain('(not in manifests)');
  });

  test('a policy naming pods the manifests do not run draws them as outside pods; one no pod can match is left out', () => {
    const model = buildModel([
      deployment('web', 'x', {}),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: {
        podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['proxy'] }] } }, { podSelector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] } }] }],
      } },
    ]);
    expect(model.externals.filter(e => e.id.startsWith('pods:')).map(e => e.id)).toEqual(['pods:x/role in (proxy)']);
    expect(model.flows.map(f => `${f.from} → ${f.to}`)).toContain('pods:x/role in (proxy) → x/Deployment/web');
  });

  test('policyTypes as the API server defaults them: empty means Ingress, egress: [] adds no Egress; a policy without a namespace is in the default one', () => {
    const np = (name: string, spec: any, namespace?: string): Manifest => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
    const model = buildModel([
      deployment('web', 'a', {}), deployment('web', 'b', {}), deployment('web', 'default', {}),
      np('only-ingress', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }], egress: [] }, 'a'),
      np('empty-types', { podSelector: {}, policyTypes: [] }, 'b'),
      np('no-namespace', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ]);
    expect(model.namespaces.map(n => [n.name, n.denyIngress, n.denyEgress])).toEqual([['a', true, false], ['b', true, false], ['default', true, true]]);
    expect(model.flows.map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`)).toEqual([
      'a/Deployment/web → anywhere: any port', 'anywhere → a/Deployment/web: 8080/TCP', 'b/Deployment/web → anywhere: any port']);
    expect(buildModel([deployment('web', 'x', {}), np('deny', { podSelector: {}, policyTypes: ['Ingress'] })], { defaultNamespace: 'x' }).namespaces).toEqual([expect.objectContaining({ name: 'x', denyIngress: true })]);
  });

  test('a peer for any namespace is drawn as such even when a workload here matches it (it means more pods)', () => {
    const model = buildModel([
      deployment('web', 'x', {}),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] }] } },
    ]);
    expect(model.flows.map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`)).toContain('pods:any namespace → x/Deployment/web: 8080/TCP');
  });

  test('named ports of pods not in the manifests, and hostNetwork pods, are said rather than drawn wrong', () => {
    const model = buildModel([
      deployment('web', 'x', { pod: { hostNetwork: true } }), deployment('api', 'x', {}),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'dns', namespace: 'x' }, spec: {
        podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 'dns', protocol: 'UDP' }] }] } },
    ]);
    expect(model.warnings).toEqual([
      'NetworkPolicy x/dns: port dns/UDP names a port of pods these manifests do not run: the flows through it are not drawn',
      'Deployment x/web uses the node\'s network: NetworkPolicies do not apply to it',
    ]);
    expect(toText(model)).toContain('Note: Deployment x/web uses the node\'s network');
    expect(toDot(model)).toContain('Note: NetworkPolicy x/dns: port dns/UDP');
  });

  test('Pods named by generateName, an ExternalName and a selector-less Service, an Ingress to a resource backend', () => {
    const pod = (): Manifest => ({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'debug-', namespace: 'x' } as any, spec: { containers: [{ name: 'c', image: 'x:1' }] } });
    const model = buildModel([
      pod(), pod(),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'x' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'x' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'static', namespace: 'x' }, spec: { defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } } } },
    ]);
    expect(model.workloads.map(w => w.id)).toEqual(['x/Pod/debug-*', 'x/Pod/debug-* (2)']);
    expect(model.services.map(s => [s.name, s.elsewhere])).toEqual([['db', 'DNS name db.example.com'], ['manual', 'endpoints kept by hand (no selector)']]);
    expect(model.ingresses[0].routes).toEqual([]);
    expect(toDot(model)).toContain('→ DNS name db.example.com');
  });

  test('kustomization.yaml and cdk8s metadata are not manifest files', () => {
    expect(parseManifests('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n', 'kustomization.yaml')).toEqual([]);
    expect(parseManifests('{"version": "1.0.0", "resources": {}}', 'construct-metadata.json')).toEqual([]);
  });

  test('kubectl List objects are unpacked; empty documents skipped', () => {
    const parsed = parseManifests('---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n', 'list.yaml');
    expect(parsed.map(p => [p.manifest.kind, p.manifest.metadata?.name, p.file])).toEqual([['ConfigMap', 'a', 'list.yaml']]);
  });
});
