import { POLICY_RULES, SERVER_PARITY_RULES, validateManifests, WAIVER_ANNOTATION_PREFIX, EXTERNAL_SECRETS_ANNOTATION } from '../../lib';
import { baseline, byName, meta, NS, podSpec, secureContainer, web, webContainer, wrap } from './fixture';

test('the baseline passes every rule', () => {
  const report = validateManifests(wrap(baseline()));
  expect(report.format()).toContain('0 error(s), 0 warning(s)');
  expect(report.ok).toBe(true);
});

/** rule id → mutation that must produce exactly that rule's finding (at that path). */
const cases: Array<[string, (ms: any[]) => void, string]> = [
  ['schema', ms => { web(ms).spec.replicas = 'two'; }, 'spec.replicas'],
  ['schema', ms => { delete webContainer(ms).name; }, 'spec.template.spec.containers[0]'],
  ['schema', ms => { ms.push({ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: meta('typo') }); }, 'kind'],
  ['unknown-field', ms => { webContainer(ms).imagePullPolice = 'Always'; }, 'spec.template.spec.containers[0].imagePullPolice'],
  ['unknown-field', ms => { ms.push({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'ca' }, spec: { ca: { secretName: 'ca' }, bogus: 1 } }); }, 'spec.bogus'],
  ['schema', ms => { ms.push({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('c'), spec: { secretName: 'c' } }); }, 'spec'],
  ['removed-api', ms => { byName(ms, 'PodDisruptionBudget', 'web').apiVersion = 'policy/v1beta1'; }, 'apiVersion'],
  ['unchecked-kind', ms => { ms.push({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta('web'), spec: {} }); }, 'apiVersion'],
  ['schema', ms => { ms.push({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('limit'), spec: { buffering: { maxRequestBodyBytes: '8M' } } }); }, 'spec.buffering.maxRequestBodyBytes'],
  ['unknown-field', ms => { ms.push({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('redirect'), spec: { redirectSchema: { scheme: 'https' } } }); }, 'spec.redirectSchema'],
  ['service-selector', ms => { byName(ms, 'Service', 'web').spec.selector = { app: 'wbe' }; }, 'spec.selector'],
  ['service-target-port', ms => { byName(ms, 'Service', 'web').spec.ports[0].targetPort = 'htp'; }, 'spec.ports[0].targetPort'],
  ['service-target-port', ms => { byName(ms, 'Service', 'db-headless').spec.ports[0].targetPort = 5433; }, 'spec.ports[0].targetPort'],
  ['ingress-backend', ms => { byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.port.number = 8080; }, 'spec.rules[0].http.paths[0].backend.service.port'],
  ['ingress-backend', ms => { byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name = 'api'; }, 'spec.rules[0].http.paths[0].backend.service.name'],
  ['ingress-backend', ms => { byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.port = { name: 'https' }; }, 'spec.rules[0].http.paths[0].backend.service.port'],
  ['ingress-backend', ms => { byName(ms, 'Ingress', 'web').spec.defaultBackend = { service: { name: 'api', port: { number: 80 } } }; }, 'spec.defaultBackend.service.name'],
  ['statefulset-service', ms => { byName(ms, 'Service', 'db-headless').spec.clusterIP = '10.0.0.1'; }, 'spec.serviceName'],
  ['workload-selector', ms => { web(ms).spec.selector.matchLabels = { app: 'other' }; }, 'spec.selector'],
  ['pvc-reference', ms => { web(ms).spec.template.spec.volumes[0].persistentVolumeClaim.claimName = 'gone'; }, 'spec.template.spec.volumes[0].persistentVolumeClaim.claimName'],
  ['secret-reference', ms => { webContainer(ms).env[2].valueFrom.secretKeyRef.key = 'passwd'; }, 'spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef'],
  ['secret-reference', ms => { byName(ms, 'StatefulSet', 'db').spec.template.spec.volumes[0].secret.secretName = 'nope'; }, 'spec.template.spec.volumes[0].secret.items[0].key'],
  ['configmap-reference', ms => { webContainer(ms).env[3].valueFrom.configMapKeyRef.name = 'cfg2'; }, 'spec.template.spec.containers[0].env[3].valueFrom.configMapKeyRef'],
  ['configmap-reference', ms => { webContainer(ms).env[3].valueFrom.configMapKeyRef.key = 'LOGLEVEL'; }, 'spec.template.spec.containers[0].env[3].valueFrom.configMapKeyRef'],
  ['configmap-reference', ms => { web(ms).spec.template.spec.volumes.push({ name: 'conf', configMap: { name: 'nope' } }); }, 'spec.template.spec.volumes[2].configMap.name'],
  ['configmap-reference', ms => { web(ms).spec.template.spec.volumes.push({ name: 'conf', configMap: { name: 'cfg', items: [{ key: 'NOPE', path: 'x' }] } }); }, 'spec.template.spec.volumes[2].configMap.items[0].key'],
  ['configmap-reference', ms => { webContainer(ms).envFrom = [{ configMapRef: { name: 'nope' } }]; }, 'spec.template.spec.containers[0].envFrom[0].configMapRef'],
  ['secret-reference', ms => { webContainer(ms).envFrom = [{ secretRef: { name: 'nope' } }]; }, 'spec.template.spec.containers[0].envFrom[0].secretRef'],
  ['secret-reference', ms => { web(ms).spec.template.spec.volumes.push({ name: 'creds', secret: { secretName: 'nope' } }); }, 'spec.template.spec.volumes[2].secret.secretName'],
  ['secret-reference', ms => { web(ms).spec.template.spec.imagePullSecrets = [{ name: 'pull' }]; }, 'spec.template.spec.imagePullSecrets[0].name'],
  ['secret-reference', ms => { const ing = byName(ms, 'Ingress', 'web'); ing.spec.tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]; ing.metadata.annotations = { 'traefik.ingress.kubernetes.io/router.tls': 'true' }; }, 'spec.tls[0].secretName'],
  ['service-target-port', ms => { byName(ms, 'Service', 'web').spec.ports[0].protocol = 'UDP'; }, 'spec.ports[0].targetPort'],
  ['env-expansion', ms => { webContainer(ms).args = ['--node', '$(NODE_NAME)']; }, 'spec.template.spec.containers[0].args[1]'],
  ['env-expansion', ms => { webContainer(ms).command = ['run', '$(NODE_NAME)']; }, 'spec.template.spec.containers[0].command[1]'],
  ['volume-mount', ms => { webContainer(ms).volumeMounts[0].name = 'filez'; }, 'spec.template.spec.containers[0].volumeMounts[0].name'],
  ['secret-reference', ms => { byName(ms, 'Ingress', 'web').spec.tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]; }, 'spec.tls[0].secretName'],
  ['env-expansion', ms => { const env = webContainer(ms).env; env.push(env.shift()); }, 'spec.template.spec.containers[0].env[0].value'],
  ['pdb-selector', ms => { byName(ms, 'PodDisruptionBudget', 'web').spec.selector.matchLabels.app = 'nobody'; }, 'spec.selector'],
  ['networkpolicy-selector', ms => { byName(ms, 'NetworkPolicy', 'web-to-db').spec.podSelector.matchLabels.app = 'dbx'; }, 'spec.podSelector'],
  ['networkpolicy-selector', ms => { byName(ms, 'NetworkPolicy', 'web-to-db').spec.ingress[0].from[0].podSelector.matchLabels.app = 'wbe'; }, 'spec.ingress[0].from[0].podSelector'],
  ['duplicate-object', ms => { ms.push(JSON.parse(JSON.stringify(byName(ms, 'ConfigMap', 'cfg')))); }, 'metadata.name'],
  ['cluster-scoped-namespace', ms => { byName(ms, 'ClusterRole', 'reader').metadata.namespace = NS; }, 'metadata.namespace'],
  ['dns-name', ms => { byName(ms, 'ConfigMap', 'cfg').metadata.name = 'Cfg_1'; webContainer(ms).env[3].valueFrom.configMapKeyRef.name = 'Cfg_1'; }, 'metadata.name'],
  ['dns-name', ms => { ms.push({ apiVersion: 'v1', kind: 'Service', metadata: meta('a.b'), spec: { ports: [{ port: 1 }] } }); }, 'metadata.name'],
  // server parity: what the API server's validation refuses beyond the schema
  ['dns-name', ms => { ms.push({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('a'.repeat(53)), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: podSpec([{ ...secureContainer('job'), readinessProbe: undefined, livenessProbe: undefined }], { restartPolicy: 'Never' }) } } } } }); }, 'metadata.name'],
  ['label-syntax', ms => { byName(ms, 'ConfigMap', 'cfg').metadata.labels = { tier: 'x'.repeat(64) }; }, 'metadata.labels.tier'],
  ['annotation-syntax', ms => { byName(ms, 'ConfigMap', 'cfg').metadata.annotations = { 'a/b/c': 'x' }; }, 'metadata.annotations.a/b/c'],
  ['pod-names', ms => { webContainer(ms).ports[0].name = 'http_port'; byName(ms, 'Service', 'web').spec.ports[0].targetPort = 8080; }, 'spec.template.spec.containers[0].ports[0].name'],
  ['port-range', ms => { byName(ms, 'Service', 'db-headless').spec.ports[0].port = 70000; }, 'spec.ports[0].port'],
  ['env-name', ms => { webContainer(ms).env.push({ name: 'A=B', value: 'x' }); }, 'spec.template.spec.containers[0].env[4].name'],
  ['ingress-rule', ms => { byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].path = 'shop'; }, 'spec.rules[0].http.paths[0].path'],
  ['networkpolicy-peer', ms => { byName(ms, 'NetworkPolicy', 'web-to-db').spec.ingress[0].from.push({ ipBlock: { cidr: '10.0.0.0/33' } }); }, 'spec.ingress[0].from[1].ipBlock.cidr'],
  ['quantity', ms => { webContainer(ms).resources.requests.memory = '512Mi'; }, 'spec.template.spec.containers[0].resources.requests.memory'],
  ['probe', ms => { webContainer(ms).livenessProbe.successThreshold = 2; }, 'spec.template.spec.containers[0].livenessProbe.successThreshold'],
  ['schedule', ms => { ms.push({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('nightly'), spec: { schedule: '0 25 * * *', jobTemplate: { spec: { template: { spec: podSpec([{ ...secureContainer('job'), readinessProbe: undefined, livenessProbe: undefined }], { restartPolicy: 'Never' }) } } } } }); }, 'spec.schedule'],
  ['run-as-non-root', ms => { web(ms).spec.template.spec.securityContext.runAsNonRoot = false; webContainer(ms).securityContext.runAsNonRoot = undefined; }, 'spec.template.spec.containers[0].securityContext.runAsNonRoot'],
  ['run-as-non-root', ms => { webContainer(ms).securityContext.runAsUser = 0; }, 'spec.template.spec.containers[0].securityContext.runAsNonRoot'],
  ['no-privilege-escalation', ms => { webContainer(ms).securityContext.allowPrivilegeEscalation = true; }, 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'],
  ['no-privilege-escalation', ms => { webContainer(ms).securityContext.privileged = true; }, 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'],
  ['run-as-non-root', ms => { web(ms).spec.template.spec.securityContext.runAsUser = 0; }, 'spec.template.spec.containers[0].securityContext.runAsNonRoot'],
  ['resources', ms => { delete webContainer(ms).resources.requests.cpu; }, 'spec.template.spec.containers[0].resources'],
  ['resources', ms => { delete webContainer(ms).resources.requests.memory; }, 'spec.template.spec.containers[0].resources'],
  ['ephemeral-storage', ms => { delete webContainer(ms).resources.requests['ephemeral-storage']; }, 'spec.template.spec.containers[0].resources'],
  ['seccomp-runtime-default', ms => { webContainer(ms).securityContext.seccompProfile = { type: 'Unconfined' }; }, 'spec.template.spec.containers[0].securityContext.seccompProfile'],
  ['probes', ms => { delete webContainer(ms).readinessProbe; }, 'spec.template.spec.containers[0]'],
  ['pinned-image', ms => { webContainer(ms).image = 'registry.example/web:'; }, 'spec.template.spec.containers[0].image'],
  ['pinned-image', ms => { webContainer(ms).image = ''; }, 'spec.template.spec.containers[0].image'],
  ['pinned-image', ms => { webContainer(ms).image = 'web@sha256:abc'; }, 'spec.template.spec.containers[0].image'],
  ['pinned-image', ms => { webContainer(ms).image = `web@sha256:${'a'.repeat(64)}x`; }, 'spec.template.spec.containers[0].image'],
  ['drop-all-capabilities', ms => { webContainer(ms).securityContext.capabilities.drop = ['NET_RAW']; }, 'spec.template.spec.containers[0].securityContext.capabilities.drop'],
  ['seccomp-runtime-default', ms => { delete web(ms).spec.template.spec.securityContext.seccompProfile; }, 'spec.template.spec.containers[0].securityContext.seccompProfile'],
  ['read-only-root-filesystem', ms => { webContainer(ms).securityContext.readOnlyRootFilesystem = false; }, 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem'],
  ['resources', ms => { delete webContainer(ms).resources.limits.memory; }, 'spec.template.spec.containers[0].resources'],
  ['ephemeral-storage', ms => { delete webContainer(ms).resources.limits['ephemeral-storage']; }, 'spec.template.spec.containers[0].resources'],
  ['ephemeral-storage', ms => { delete web(ms).spec.template.spec.volumes[1].emptyDir.sizeLimit; }, 'spec.template.spec.volumes[1].emptyDir.sizeLimit'],
  ['probes', ms => { delete webContainer(ms).livenessProbe; }, 'spec.template.spec.containers[0]'],
  ['pinned-image', ms => { webContainer(ms).image = 'registry.example/web:latest'; }, 'spec.template.spec.containers[0].image'],
  ['pinned-image', ms => { webContainer(ms).image = 'localhost:5000/web'; }, 'spec.template.spec.containers[0].image'],
  ['service-account-token', ms => { delete web(ms).spec.template.spec.automountServiceAccountToken; }, 'spec.template.spec.automountServiceAccountToken'],
  ['no-secrets-in-configmap', ms => { byName(ms, 'ConfigMap', 'cfg').data.DB_PASSWORD = 'x'; }, 'data.DB_PASSWORD'],
  ['no-secrets-in-configmap', ms => { byName(ms, 'ConfigMap', 'cfg').data.URL = 'ecto://u:p@db/x'; }, 'data.URL'],
  ['no-secret-literal-env', ms => { webContainer(ms).env.push({ name: 'RELEASE_COOKIE', value: 'abc' }); }, 'spec.template.spec.containers[0].env[4].value'],
  ['no-secret-literal-env', ms => { webContainer(ms).env.push({ name: 'DATABASE_URL', value: 'ecto://u:secret@db/x' }); }, 'spec.template.spec.containers[0].env[4].value'],
];

describe.each(cases)('rule %s fails', (rule, mutate, path) => {
  test(`at ${path}`, () => {
    const ms = baseline();
    mutate(ms);
    const report = validateManifests(wrap(ms));
    const hits = report.findings.filter(f => f.rule === rule);
    expect(hits.map(f => f.path)).toContain(path);
    const hit = hits.find(f => f.path === path)!;
    expect(hit.object).toMatch(/^[A-Za-z]+\/(shop\/)?[^/]+$/);
    expect(hit.constructPath).toMatch(/^test\/Obj\d+$/);
    expect(hit.message.length).toBeGreaterThan(10);
    // the mutation breaks that rule and nothing unrelated
    const otherRules = new Set(report.findings.map(f => f.rule));
    otherRules.delete(rule);
    for (const r of otherRules) expect(['schema', 'unknown-field', 'secret-reference', 'configmap-reference', 'env-expansion', 'pod-names']).toContain(r);
    if (rule === 'unchecked-kind') expect(report.ok).toBe(true); else expect(report.ok).toBe(false);
  });
});

test('every policy and server-parity rule has a failing case above', () => {
  const covered = new Set(cases.map(c => c[0]));
  for (const rule of [...Object.keys(POLICY_RULES), ...Object.keys(SERVER_PARITY_RULES)]) expect(covered).toContain(rule);
});

describe('waivers', () => {
  test('a waiver with a reason turns the finding into a listed waiver', () => {
    const ms = baseline();
    delete webContainer(ms).livenessProbe;
    web(ms).metadata.annotations = { [`${WAIVER_ANNOTATION_PREFIX}probes`]: 'the image has no health endpoint yet (ticket 42)' };
    const report = validateManifests(wrap(ms));
    expect(report.ok).toBe(true);
    expect(report.waivers).toEqual([{ rule: 'probes', object: 'Deployment/shop/web', constructPath: 'test/Obj0', reason: 'the image has no health endpoint yet (ticket 42)' }]);
    expect(report.format()).toContain('Waived policy rules:\n  - [probes] Deployment/shop/web (test/Obj0): the image has no health endpoint yet');
  });

  test('a waiver without a reason, or of a non-policy rule, is an error', () => {
    const ms = baseline();
    web(ms).metadata.annotations = { [`${WAIVER_ANNOTATION_PREFIX}probes`]: ' ', [`${WAIVER_ANNOTATION_PREFIX}schema`]: 'because I said so, really' };
    const report = validateManifests(wrap(ms));
    expect(report.errors.filter(f => f.rule === 'waiver').map(f => f.message)).toEqual([
      'waiving "probes" needs a written reason of at least 10 characters',
      expect.stringMatching(/^"schema" is not a policy rule/),
    ]);
  });
});

test('an external Secret is declared, not guessed', () => {
  const ms = baseline();
  ms.splice(ms.indexOf(byName(ms, 'Secret', 'db-creds')), 1);
  expect(validateManifests(wrap(ms)).errors.map(f => f.rule)).toEqual(['secret-reference', 'secret-reference']);
  web(ms).metadata.annotations = { [EXTERNAL_SECRETS_ANNOTATION]: 'db-creds' };
  byName(ms, 'StatefulSet', 'db').metadata.annotations = { [EXTERNAL_SECRETS_ANNOTATION]: 'db-creds' };
  expect(validateManifests(wrap(ms)).ok).toBe(true);
});

test('a TLS Secret that cert-manager creates is not required in the output', () => {
  const ms = baseline();
  const ing = byName(ms, 'Ingress', 'web');
  ing.spec.tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }];
  ing.metadata.annotations = { 'cert-manager.io/cluster-issuer': 'letsencrypt' };
  expect(validateManifests(wrap(ms)).ok).toBe(true);
});

test('a policy for pods an operator creates is declared, not guessed', () => {
  const ms = baseline();
  const np = byName(ms, 'NetworkPolicy', 'web-to-db');
  np.spec.podSelector.matchLabels = { 'acme.cert-manager.io/http01-solver': 'true' };
  expect(validateManifests(wrap(ms)).errors.map(f => f.rule)).toEqual(['networkpolicy-selector']);
  np.metadata.annotations = { 'validation.microk8s-phoenix.io/external-pods': 'cert-manager starts the solver pods' };
  expect(validateManifests(wrap(ms)).ok).toBe(true);
});

test('cross-references are namespace-aware', () => {
  const ms = baseline();
  byName(ms, 'Secret', 'db-creds').metadata.namespace = 'other';
  expect(validateManifests(wrap(ms)).errors.filter(f => f.rule === 'secret-reference')).toHaveLength(2);
});

describe('cross-references that must not be reported', () => {
  const errorsAfter = (mutate: (ms: any[]) => void) => {
    const ms = baseline();
    mutate(ms);
    return validateManifests(wrap(ms)).findings.map(f => `${f.rule} ${f.path}`);
  };

  test('optional Secret and ConfigMap references may point nowhere', () => {
    expect(errorsAfter(ms => {
      const c = webContainer(ms);
      c.envFrom = [{ secretRef: { name: 'nope', optional: true } }, { configMapRef: { name: 'nope', optional: true } }];
      c.env.push({ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } });
      c.env.push({ name: 'B', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } });
      web(ms).spec.template.spec.volumes.push({ name: 'a', secret: { secretName: 'nope', optional: true } }, { name: 'b', configMap: { name: 'nope', optional: true } });
    })).toEqual([]);
  });

  test('a ConfigMap key in binaryData, a Secret key in data, and whole-object volumes exist', () => {
    expect(errorsAfter(ms => {
      byName(ms, 'ConfigMap', 'cfg').binaryData = { 'logo.png': 'iVBORw0KGgo=' };
      byName(ms, 'Secret', 'db-creds').data = { token: 'dG9rZW4=' };
      web(ms).spec.template.spec.volumes.push(
        { name: 'logo', configMap: { name: 'cfg', items: [{ key: 'logo.png', path: 'logo.png' }] } },
        { name: 'tok', secret: { secretName: 'db-creds', items: [{ key: 'token', path: 't' }] } },
        { name: 'all', configMap: { name: 'cfg' } },
      );
    })).toEqual([]);
  });

  test('$$(VAR) is an escape, and envFrom may define any variable', () => {
    expect(errorsAfter(ms => { webContainer(ms).args = ['$$(NOT_A_REF)']; })).toEqual([]);
    expect(errorsAfter(ms => { webContainer(ms).args = ['$(FROM_ENV_FROM)']; webContainer(ms).envFrom = [{ configMapRef: { name: 'cfg' } }]; })).toEqual([]);
  });

  test('a cert-manager issuer annotation (namespaced or cluster) creates the TLS Secret', () => {
    for (const annotation of ['cert-manager.io/issuer', 'cert-manager.io/cluster-issuer']) {
      expect(errorsAfter(ms => {
        const ing = byName(ms, 'Ingress', 'web');
        ing.spec.tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }];
        ing.metadata.annotations = { [annotation]: 'ca' };
      })).toEqual([]);
    }
  });

  test('the claims of every replica of a StatefulSet exist, and the claim template is a volume', () => {
    const claimPod = (ms: any[], replicas: number, claim: string) => {
      const db = byName(ms, 'StatefulSet', 'db');
      db.spec.replicas = replicas;
      db.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
      db.spec.template.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }];
      web(ms).spec.template.spec.volumes[0].persistentVolumeClaim.claimName = claim;
    };
    expect(errorsAfter(ms => claimPod(ms, 3, 'data-db-2'))).toEqual([]);
    expect(errorsAfter(ms => claimPod(ms, 3, 'data-db-3'))).toEqual(['pvc-reference spec.template.spec.volumes[0].persistentVolumeClaim.claimName']);
    expect(errorsAfter(ms => claimPod(ms, undefined as any, 'data-db-0'))).toEqual([]);
  });

  test('an Ingress backend port by name, the same name in another namespace or API group is no duplicate', () => {
    expect(errorsAfter(ms => {
      byName(ms, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.port = { name: 'http' };
      ms.push({ ...JSON.parse(JSON.stringify(byName(ms, 'ConfigMap', 'cfg'))), metadata: { name: 'cfg', namespace: 'other' } });
      ms.push({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('web'), spec: { headers: { stsSeconds: 1 } } });
    })).toEqual([]);
  });

  test('a Service without a selector, an ExternalName Service and a resource backend are not checked against pods', () => {
    expect(errorsAfter(ms => {
      ms.push({ apiVersion: 'v1', kind: 'Service', metadata: meta('external'), spec: { type: 'ExternalName', externalName: 'db.example.com', selector: { app: 'none' } } });
      ms.push({ apiVersion: 'v1', kind: 'Service', metadata: meta('manual'), spec: { ports: [{ port: 1 }] } });
      byName(ms, 'Ingress', 'web').spec.rules[0].http.paths.push({ path: '/files', pathType: 'Prefix', backend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'files' } } });
    })).toEqual([]);
  });
});

test('every cluster-scoped kind (kubectl api-resources --namespaced=false, with the addons) refuses a namespace; namespaced kinds keep theirs', () => {
  const clusterScoped = ['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
    'IngressClass', 'PriorityClass', 'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'ValidatingWebhookConfiguration',
    'MutatingWebhookConfiguration', 'APIService', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterIssuer', 'ComponentStatus'];
  const rulesFor = (kind: string) => validateManifests(wrap([{ apiVersion: 'example.com/v1', kind, metadata: { name: 'x', namespace: NS } }]))
    .findings.filter(f => f.rule === 'cluster-scoped-namespace').map(f => f.path);
  for (const kind of clusterScoped) expect([kind, rulesFor(kind)]).toEqual([kind, ['metadata.namespace']]);
  for (const kind of ['Role', 'RoleBinding', 'Secret', 'Issuer', 'Middleware', 'Lease']) expect([kind, rulesFor(kind)]).toEqual([kind, []]);
});
