/**
 * The cross-reference rules of lib/validation/references.ts beyond the one-failure-per-rule table
 * of rules.test.ts: the index they look objects up in, objects without a namespace, every
 * workload kind, the egress side of NetworkPolicies, `$$` escapes, and objects so malformed that
 * only the schema rule can describe them (the reference rules must not throw on those).
 */
import { EXTERNAL_SECRETS_ANNOTATION, validateManifests } from '../../lib';
import { checkDuplicates, checkReferences, ManifestIndex } from '../../lib/validation/references';
import { FindingSink } from '../../lib/validation/report';
import { baseline, byName, meta, NS, podSpec, secureContainer, web, webContainer, wrap } from './fixture';

/** Findings of the cross-reference rules only, as "rule path". */
function references(manifests: any[]): string[] {
  const sources = wrap(manifests);
  const index = new ManifestIndex(sources);
  const sink = new FindingSink();
  for (const s of sources) checkReferences(s, index, sink);
  checkDuplicates(sources, sink);
  return sink.findings.map(f => `${f.rule} ${f.path}`);
}

/** Reference findings after `mutate` changed the baseline. */
function after(mutate: (ms: any[]) => void): string[] {
  const ms = baseline();
  mutate(ms);
  return references(ms);
}

const workload = (kind: string, name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}, containers = [secureContainer(name)]) => ({
  apiVersion: 'apps/v1', kind, metadata: meta(name),
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(containers) }, ...spec },
});

describe('the index', () => {
  test('claims, Secrets, ConfigMaps and nothing else: no phantom claim from a StatefulSet without claim templates', () => {
    const index = new ManifestIndex(wrap(baseline()));
    expect([...index.pvcs]).toEqual([`${NS}/files`]);
    expect([...index.secrets]).toEqual([[`${NS}/db-creds`, new Set(['password'])]]);
    expect([...index.configMaps]).toEqual([[`${NS}/cfg`, new Set(['LOG_LEVEL'])]]);
    expect([...index.externalSecrets]).toEqual([]);
    expect([...index.services.keys()]).toEqual([`${NS}/web`, `${NS}/db-headless`]);
    expect([...index.pods.keys()]).toEqual([NS]);
  });

  test('a StatefulSet creates one claim per template and replica, one replica by default', () => {
    const ms = baseline();
    byName(ms, 'StatefulSet', 'db').spec.volumeClaimTemplates = [{ metadata: { name: 'data' } }, { metadata: { name: 'wal' } }];
    byName(ms, 'StatefulSet', 'db').spec.replicas = 2;
    expect([...new ManifestIndex(wrap(ms)).pvcs].sort()).toEqual([`${NS}/data-db-0`, `${NS}/data-db-1`, `${NS}/files`, `${NS}/wal-db-0`, `${NS}/wal-db-1`]);
    delete byName(ms, 'StatefulSet', 'db').spec.replicas;
    expect([...new ManifestIndex(wrap(ms)).pvcs].sort()).toEqual([`${NS}/data-db-0`, `${NS}/files`, `${NS}/wal-db-0`]);
  });

  test('external Secrets: the comma-separated names, trimmed, blanks skipped, in the object\'s namespace', () => {
    const ms = baseline();
    web(ms).metadata.annotations = { [EXTERNAL_SECRETS_ANNOTATION]: ' pull , ,tls-cert,' };
    expect([...new ManifestIndex(wrap(ms)).externalSecrets]).toEqual([`${NS}/pull`, `${NS}/tls-cert`]);
    // so a reference to either is not reported, with the blanks around the name or not
    webContainer(ms).envFrom = [{ secretRef: { name: 'pull' } }, { secretRef: { name: 'tls-cert' } }];
    web(ms).spec.template.spec.imagePullSecrets = [{ name: 'pull' }];
    expect(references(ms)).toEqual([]);
  });
});

test('objects without a namespace reference each other (the namespace kubectl applies them to)', () => {
  const ms = baseline();
  for (const m of ms) delete m.metadata.namespace;
  expect(references(ms)).toEqual([]);
  expect(validateManifests(wrap(ms)).findings).toEqual([]);
  // and they are still checked
  byName(ms, 'Service', 'web').spec.selector = { app: 'wbe' };
  expect(references(ms)).toEqual(['service-selector spec.selector']);
});

describe('workload selectors', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'])('a %s whose selector misses its pod labels', kind => {
    const w = workload(kind, 'w', { app: 'w' });
    expect(references([w])).not.toContain('workload-selector spec.selector');
    w.spec.selector = { matchLabels: { app: 'other' } };
    expect(references([w])).toContain('workload-selector spec.selector');
  });
});

describe('Services', () => {
  test('an empty selector is no selector: the endpoints are managed by hand, so no pod needs to match', () => {
    expect(after(ms => { ms.push({ apiVersion: 'v1', kind: 'Service', metadata: meta('manual'), spec: { selector: {}, ports: [{ port: 1 }] } }); })).toEqual([]);
    expect(after(ms => { byName(ms, 'Service', 'web').spec.selector = {}; byName(ms, 'Service', 'web').spec.ports[0].targetPort = 'nope'; })).toEqual([]);
  });

  test('a selecting Service without ports has no target port to miss', () => {
    expect(after(ms => { delete byName(ms, 'Service', 'db-headless').spec.ports; })).toEqual([]);
  });

  test('the target port may be declared by any container of the pod, not every one', () => {
    expect(after(ms => { web(ms).spec.template.spec.containers.unshift(secureContainer('sidecar', { ports: [{ name: 'metrics', containerPort: 9090 }] })); })).toEqual([]);
    expect(after(ms => { web(ms).spec.template.spec.containers.push(secureContainer('sidecar', { ports: [{ name: 'metrics', containerPort: 9090 }] })); })).toEqual([]);
  });

  test('no targetPort, 0 or "": the port itself is the target (the server fills it in)', () => {
    for (const targetPort of [undefined, 0, '']) {
      const ports = (ms: any[]) => { byName(ms, 'Service', 'web').spec.ports = [{ name: 'http', port: 80, targetPort }]; };
      expect(after(ms => { ports(ms); webContainer(ms).ports[0].containerPort = 80; })).toEqual([]);
      expect(after(ports)).toEqual(['service-target-port spec.ports[0].targetPort']); // the container listens on 8080
    }
  });

  test('a port without a number matches no container, also not one without ports', () => {
    expect(after(ms => {
      byName(ms, 'Service', 'web').spec.ports = [{ name: 'x' }];
      byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.port = { name: 'x' };
      delete webContainer(ms).ports;
    })).toEqual(['service-target-port spec.ports[0].targetPort']);
  });
});

describe('Ingress backends', () => {
  const twoPorts = (ms: any[]) => {
    byName(ms, 'Service', 'web').spec.ports = [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'alt', port: 8081, targetPort: 'http' }];
  };
  const backend = (ms: any[]) => byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service;

  test('any port of the Service, by name or by number', () => {
    expect(after(ms => { twoPorts(ms); backend(ms).port = { name: 'alt' }; })).toEqual([]);
    expect(after(ms => { twoPorts(ms); backend(ms).port = { number: 8081 }; })).toEqual([]);
    expect(after(ms => { twoPorts(ms); backend(ms).port = { number: 8082 }; })).toEqual(['ingress-backend spec.rules[0].http.paths[0].backend.service.port']);
  });

  test('a backend without a port, or a Service without ports or spec, has no matching port', () => {
    expect(after(ms => { delete backend(ms).port; })).toEqual(['ingress-backend spec.rules[0].http.paths[0].backend.service.port']);
    expect(after(ms => { delete backend(ms).port; delete byName(ms, 'Service', 'web').spec.ports; }))
      .toEqual(['ingress-backend spec.rules[0].http.paths[0].backend.service.port']);
    expect(after(ms => { delete byName(ms, 'Service', 'web').spec; })).toEqual(['ingress-backend spec.rules[0].http.paths[0].backend.service.port']);
  });

  test('a rule without http (host only), a path without backend and an Ingress without spec are left to the schema', () => {
    expect(after(ms => { byName(ms, 'Ingress', 'web').spec.rules.push({ host: 'other.example.com' }); })).toEqual([]);
    expect(after(ms => { delete byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend; })).toEqual([]);
    expect(after(ms => { delete byName(ms, 'Ingress', 'web').spec; })).toEqual([]);
  });

  test('the default backend is checked too', () => {
    expect(after(ms => { byName(ms, 'Ingress', 'web').spec.defaultBackend = { service: { name: 'web', port: { number: 80 } } }; })).toEqual([]);
    expect(after(ms => { byName(ms, 'Ingress', 'web').spec.defaultBackend = { service: { name: 'web', port: { number: 81 } } }; }))
      .toEqual(['ingress-backend spec.defaultBackend.service.port']);
  });
});

describe('StatefulSet governing Service', () => {
  test('missing, not headless, or without spec', () => {
    expect(after(ms => { byName(ms, 'StatefulSet', 'db').spec.serviceName = 'nope'; })).toEqual(['statefulset-service spec.serviceName']);
    expect(after(ms => { delete byName(ms, 'StatefulSet', 'db').spec.serviceName; })).toEqual(['statefulset-service spec.serviceName']);
    expect(after(ms => { delete byName(ms, 'Service', 'db-headless').spec; })).toEqual(['statefulset-service spec.serviceName']);
  });

  test('a missing Service is an error with the rule\'s id', () => {
    const ms = baseline();
    byName(ms, 'StatefulSet', 'db').spec.serviceName = 'nope';
    const found = validateManifests(wrap(ms)).findings.filter(f => f.object === `StatefulSet/${NS}/db`);
    expect(found.map(f => [f.rule, f.path, f.severity])).toEqual([['statefulset-service', 'spec.serviceName', 'error']]);
  });
});

describe('NetworkPolicy peers', () => {
  const np = (ms: any[]) => byName(ms, 'NetworkPolicy', 'web-to-db');

  test('egress peers are checked under "to", like ingress peers under "from"', () => {
    expect(after(ms => { np(ms).spec.egress = [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }] }]; })).toEqual([]);
    expect(after(ms => { np(ms).spec.egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { podSelector: { matchLabels: { app: 'nobody' } } }] }]; }))
      .toEqual(['networkpolicy-selector spec.egress[0].to[1].podSelector']);
    // "from" in an egress rule is no peer of it
    expect(after(ms => { np(ms).spec.egress = [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }]; })).toEqual([]);
  });

  test('a peer in another namespace, an empty selector, and a policy without spec are not looked up', () => {
    expect(after(ms => { np(ms).spec.egress = [{ to: [{ podSelector: { matchLabels: { app: 'nobody' } }, namespaceSelector: {} }] }]; })).toEqual([]);
    expect(after(ms => { np(ms).spec.egress = [{ to: [{ podSelector: {} }] }]; })).toEqual([]);
    expect(after(ms => { delete np(ms).spec; })).toEqual([]);
  });
});

describe('volumes', () => {
  test('a missing whole-object Secret or ConfigMap volume is reported once, at its name', () => {
    expect(after(ms => { web(ms).spec.template.spec.volumes.push({ name: 's', secret: { secretName: 'nope' } }); }))
      .toEqual(['secret-reference spec.template.spec.volumes[2].secret.secretName']);
    expect(after(ms => { web(ms).spec.template.spec.volumes.push({ name: 'c', configMap: { name: 'nope' } }); }))
      .toEqual(['configmap-reference spec.template.spec.volumes[2].configMap.name']);
  });

  test('a missing Secret or ConfigMap with items is reported at each item, not also at its name', () => {
    expect(after(ms => { web(ms).spec.template.spec.volumes.push({ name: 's', secret: { secretName: 'nope', items: [{ key: 'a', path: 'a' }, { key: 'b', path: 'b' }] } }); }))
      .toEqual(['secret-reference spec.template.spec.volumes[2].secret.items[0].key', 'secret-reference spec.template.spec.volumes[2].secret.items[1].key']);
    expect(after(ms => { web(ms).spec.template.spec.volumes.push({ name: 'c', configMap: { name: 'nope', items: [{ key: 'a', path: 'a' }] } }); }))
      .toEqual(['configmap-reference spec.template.spec.volumes[2].configMap.items[0].key']);
  });

  test('a mount names a volume of the pod; claim templates count only in a StatefulSet', () => {
    const noName = workload('StatefulSet', 'db', { app: 'db' }, { serviceName: 'db-headless' }, [secureContainer('db', { ports: [{ containerPort: 5432 }], volumeMounts: [{ mountPath: '/data' }] })]);
    expect(after(ms => { ms.splice(ms.indexOf(byName(ms, 'StatefulSet', 'db')), 1, noName); }))
      .toEqual(['volume-mount spec.template.spec.containers[0].volumeMounts[0].name']);
    expect(after(ms => {
      web(ms).spec.volumeClaimTemplates = [{ metadata: { name: 'data' } }];
      webContainer(ms).volumeMounts.push({ name: 'data', mountPath: '/data' });
    })).toEqual(['volume-mount spec.template.spec.containers[0].volumeMounts[1].name']);
  });
});

describe('$(VAR) references', () => {
  const args = (...values: string[]) => after(ms => { webContainer(ms).args = values; });

  test('$$ escapes one $, read left to right', () => {
    expect(args('$$(NOPE)', 'a$$(NOPE)b', '$$$$(NOPE)', '$(POD_IP)$$(NOPE)', 'cost: $$5', '$')).toEqual([]);
    // an escaped $ followed by a reference: the reference is expanded, so it must be defined
    expect(args('$$$(NOPE)')).toEqual(['env-expansion spec.template.spec.containers[0].args[0]']);
    expect(args('x', '$$$$$(NOPE)')).toEqual(['env-expansion spec.template.spec.containers[0].args[1]']);
    expect(args('$(NOPE)$(POD_IP)', '$(POD_IP)$(NOPE)')).toEqual(['env-expansion spec.template.spec.containers[0].args[0]', 'env-expansion spec.template.spec.containers[0].args[1]']);
  });

  test('in env values too', () => {
    expect(after(ms => { webContainer(ms).env.push({ name: 'PRICE', value: '$$$(NOPE)' }); })).toEqual(['env-expansion spec.template.spec.containers[0].env[4].value']);
    expect(after(ms => { webContainer(ms).env.push({ name: 'PRICE', value: '$$(NOPE) and $(NODE)' }); })).toEqual([]);
  });
});

describe('duplicates', () => {
  test('the same kind and name in another API group is another object; in another version of the same group the same one', () => {
    const mw = (apiVersion: string) => ({ apiVersion, kind: 'Middleware', metadata: meta('limit'), spec: {} });
    expect(references([mw('traefik.io/v1alpha1'), mw('traefik.containo.us/v1alpha1')])).toEqual([]);
    expect(references([mw('traefik.io/v1alpha1'), mw('traefik.io/v1beta1')])).toEqual(['duplicate-object metadata.name']);
    expect(references([mw('traefik.io/v1alpha1'), { ...mw('traefik.io/v1alpha1'), metadata: { name: 'limit' } }])).toEqual([]);
  });

  test('core objects without a group, and objects without apiVersion, are compared too', () => {
    const cm = (apiVersion?: string) => ({ apiVersion, kind: 'ConfigMap', metadata: meta('cfg') });
    expect(references([cm('v1'), cm('v1')])).toEqual(['duplicate-object metadata.name']);
    expect(references([cm(undefined), cm(undefined)])).toEqual(['duplicate-object metadata.name']);
    expect(references([cm('v1'), cm('example.com/v1')])).toEqual([]);
  });
});

describe('malformed objects are left to the schema rule: the reference rules do not throw', () => {
  const podTemplate = { metadata: { labels: { app: 'x' } }, spec: podSpec([secureContainer('x')]) };
  const cases: Array<[string, any[], string[]]> = [
    ['no metadata, no spec', ['Deployment', 'StatefulSet', 'Service', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Pod', 'ConfigMap', 'Secret', 'ClusterRole']
      .map(kind => ({ apiVersion: 'v1', kind })), ['statefulset-service spec.serviceName', 'pdb-selector spec.selector']],
    ['no apiVersion', [{ kind: 'ConfigMap', metadata: meta('a') }], []],
    ['workloads without metadata', [{ apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { serviceName: 's', selector: { matchLabels: { app: 'x' } }, template: podTemplate, volumeClaimTemplates: [{ metadata: { name: 'data' } }] } },
      { apiVersion: 'v1', kind: 'Pod', spec: podSpec([secureContainer('x')]) }],
    ['statefulset-service spec.serviceName']],
    ['a claim template without metadata', [workload('StatefulSet', 's', { app: 's' }, { serviceName: 's', volumeClaimTemplates: [{}] })],
      ['statefulset-service spec.serviceName']],
    ['a selecting Service without metadata', [{ apiVersion: 'v1', kind: 'Service', spec: { selector: { app: 'x' } } }], ['service-selector spec.selector']],
    ['an Ingress without metadata', [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { rules: [] } }], []],
    ['a NetworkPolicy without metadata', [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: { matchLabels: { app: 'x' } } } }],
      ['networkpolicy-selector spec.podSelector']],
    ['a cluster-scoped object without metadata', [{ apiVersion: 'v1', kind: 'Namespace' }], []],
  ];

  test.each(cases)('%s', (_, manifests, expected) => {
    expect(references(manifests)).toEqual(expected);
    expect(() => validateManifests(wrap(manifests))).not.toThrow();
  });
});

describe('projected volumes and declarations', () => {
  const projected = (sources: any[]) => (ms: any[]) => { web(ms).spec.template.spec.volumes = [...(web(ms).spec.template.spec.volumes ?? []), { name: 'proj', projected: { sources } }]; };
  const volumeIndex = (ms: any[]) => web(ms).spec.template.spec.volumes.length - 1;

  test('a Secret in a projected volume must exist, with the keys it names', () => {
    const ms = baseline();
    projected([{ secret: { name: 'nope', items: [{ key: 'k', path: 'p' }] } }, { secret: { name: 'db-creds', items: [{ key: 'missing', path: 'p' }] } }, { secret: { name: 'absent' } }, { configMap: { name: 'cfg' } }])(ms);
    const i = volumeIndex(ms);
    const p = `spec.template.spec.volumes[${i}].projected.sources`;
    expect(references(ms)).toEqual([`secret-reference ${p}[0].secret.items[0].key`, `secret-reference ${p}[1].secret.items[0].key`, `secret-reference ${p}[2].secret.name`]);
    expect(after(projected([{ secret: { name: 'db-creds', items: [{ key: 'password', path: 'p' }] } }, { secret: { name: 'gone', optional: true } }]))).toEqual([]);
  });

  test('Secrets declared external in the construct tree (not in the manifest) are accepted', () => {
    const ms = baseline();
    projected([{ secret: { name: 'vault', items: [{ key: 'k', path: 'p' }] } }])(ms);
    const sources = wrap(ms).map(s => (s.manifest === web(ms) ? { ...s, declarations: { externalSecrets: ['vault'] } } : s));
    const index = new ManifestIndex(sources);
    const sink = new FindingSink();
    for (const s of sources) checkReferences(s, index, sink);
    expect(sink.findings).toEqual([]);
  });
});

describe('pods an operator starts: a CloudNativePG Cluster\'s instances', () => {
  const cnpgCluster = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: meta(name), spec: { instances: 3, ...extra } });
  const policyTo = (labels: Record<string, string>) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('to-pg'),
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
  });
  const service = (selector: Record<string, string>, targetPort: string | number) => ({
    apiVersion: 'v1', kind: 'Service', metadata: meta('pg-extra'), spec: { selector, ports: [{ port: 5432, targetPort }] },
  });

  test('selected by cnpg.io/cluster and the labels of spec.inheritedMetadata', () => {
    expect(references([...baseline(), cnpgCluster('pg'), policyTo({ 'cnpg.io/cluster': 'pg' })])).toEqual([]);
    expect(references([...baseline(), cnpgCluster('pg', { inheritedMetadata: { labels: { tier: 'db' } } }), policyTo({ tier: 'db', 'cnpg.io/cluster': 'pg' })])).toEqual([]);
    expect(references([...baseline(), cnpgCluster('pg'), policyTo({ 'cnpg.io/cluster': 'other' })])).toEqual(['networkpolicy-selector spec.podSelector']);
    expect(references([...baseline(), cnpgCluster('pg'), policyTo({ tier: 'db' })])).toEqual(['networkpolicy-selector spec.podSelector']);
  });

  test('their ports are postgresql 5432, status 8000 and metrics 9187', () => {
    for (const port of ['postgresql', 'status', 'metrics', 5432, 8000, 9187]) expect([port, references([...baseline(), cnpgCluster('pg'), service({ 'cnpg.io/cluster': 'pg' }, port)])]).toEqual([port, []]);
    expect(references([...baseline(), cnpgCluster('pg'), service({ 'cnpg.io/cluster': 'pg' }, 'http')])).toEqual(['service-target-port spec.ports[0].targetPort']);
  });

  test('only for postgresql.cnpg.io/v1 Cluster: another group\'s Cluster starts no pods here', () => {
    const other = { ...cnpgCluster('pg'), apiVersion: 'example.com/v1' };
    expect(references([...baseline(), other, policyTo({ 'cnpg.io/cluster': 'pg' })])).toEqual(['networkpolicy-selector spec.podSelector']);
    const notCluster = { ...cnpgCluster('pg'), kind: 'Pooler' };
    expect(references([...baseline(), notCluster, policyTo({ 'cnpg.io/cluster': 'pg' })])).toEqual(['networkpolicy-selector spec.podSelector']);
    expect(new ManifestIndex(wrap([cnpgCluster('pg')])).podsIn(NS).map(p => [p.template.labels, p.template.longRunning, p.template.path]))
      .toEqual([[{ 'cnpg.io/cluster': 'pg' }, true, 'spec']]);
  });
});
