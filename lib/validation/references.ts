import { containersOf, isEmptySelector, LabelSelector, operatorPodsOf, podTemplateOf, PodTemplate, selectorMatches } from './pods';
import { EXTERNAL_PODS_ANNOTATION, EXTERNAL_SECRETS_ANNOTATION } from './declarations';
import { FindingSink, SourcedManifest } from './report';


/** Kinds that are not namespaced (a namespace on them is an error). */
export const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole',
  'ClusterRoleBinding', 'CustomResourceDefinition', 'IngressClass', 'PriorityClass', 'RuntimeClass', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ClusterIssuer', 'ComponentStatus']);

/**
 * A `$(VAR)` reference, or `$$`, the escape of a literal `$`. The kubelet reads them left to
 * right, so `$$(VAR)` is literal text but in `$$$(VAR)` VAR is expanded after a literal `$`.
 */
const VAR_REF = /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g;

interface Pods { readonly source: SourcedManifest; readonly template: PodTemplate }

/** Everything cross-reference rules look up, indexed once per validation run. */
export class ManifestIndex {
  public readonly pods = new Map<string, Pods[]>();
  public readonly services = new Map<string, SourcedManifest>();
  public readonly secrets = new Map<string, Set<string>>();
  public readonly configMaps = new Map<string, Set<string>>();
  public readonly pvcs = new Set<string>();
  public readonly externalSecrets = new Set<string>();

  constructor(public readonly sources: readonly SourcedManifest[]) {
    for (const s of sources) {
      const m = s.manifest;
      const ns = m.metadata?.namespace ?? '';
      const key = `${ns}/${m.metadata?.name}`;
      const template = podTemplateOf(m) ?? operatorPodsOf(m);
      if (template) push(this.pods, ns, { source: s, template });
      switch (m.kind) {
        case 'Service': this.services.set(key, s); break;
        case 'Secret': this.secrets.set(key, new Set([...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})])); break;
        case 'ConfigMap': this.configMaps.set(key, new Set([...Object.keys(m.data ?? {}), ...Object.keys(m.binaryData ?? {})])); break;
        case 'PersistentVolumeClaim': this.pvcs.add(key); break;
        case 'StatefulSet':
          // Claims the StatefulSet creates from its templates: <template>-<name>-<ordinal>.
          for (const t of m.spec?.volumeClaimTemplates ?? []) {
            for (let i = 0; i < (m.spec?.replicas ?? 1); i++) this.pvcs.add(`${ns}/${t.metadata?.name}-${m.metadata?.name}-${i}`);
          }
          break;
      }
      for (const name of [...(m.metadata?.annotations?.[EXTERNAL_SECRETS_ANNOTATION] ?? '').split(','), ...(s.declarations?.externalSecrets ?? [])]) {
        if (name.trim()) this.externalSecrets.add(`${ns}/${name.trim()}`);
      }
    }
  }

  public podsIn(ns: string): Pods[] {
    return this.pods.get(ns) ?? [];
  }

  public selected(ns: string, selector: LabelSelector | undefined): Pods[] {
    return this.podsIn(ns).filter(p => selectorMatches(selector, p.template.labels));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value); else map.set(key, [value]);
}

/** All cross-reference rules for one object. */
export function checkReferences(source: SourcedManifest, index: ManifestIndex, sink: FindingSink): void {
  const m = source.manifest;
  const ns = m.metadata?.namespace ?? '';
  if (m.kind && CLUSTER_SCOPED_KINDS.has(m.kind) && m.metadata?.namespace) {
    sink.add(source, 'cluster-scoped-namespace', 'metadata.namespace', `${m.kind} is cluster-scoped: remove metadata.namespace (put it in a chart without a namespace)`);
  }
  const externalPods = !!(m.metadata?.annotations?.[EXTERNAL_PODS_ANNOTATION] ?? source.declarations?.externalPodsReason);
  const template = podTemplateOf(m);
  if (template) {
    checkWorkloadSelector(source, template, sink);
    checkPodReferences(source, template, index, sink);
  }
  switch (m.kind) {
    case 'Service': checkService(source, index, sink); break;
    case 'Ingress': checkIngress(source, index, sink); break;
    case 'StatefulSet': checkStatefulSetService(source, index, sink); break;
    case 'PodDisruptionBudget':
      if (!externalPods && index.selected(ns, m.spec?.selector).length === 0) {
        sink.add(source, 'pdb-selector', 'spec.selector', 'selects no pod template in this namespace: make it match the workload\'s pod labels');
      }
      break;
    case 'NetworkPolicy': if (!externalPods) checkNetworkPolicy(source, index, sink); break;
  }
}

/** Duplicate objects across the whole set. */
export function checkDuplicates(sources: readonly SourcedManifest[], sink: FindingSink): void {
  const seen = new Map<string, SourcedManifest>();
  for (const s of sources) {
    const m = s.manifest;
    const group = (m.apiVersion ?? '').includes('/') ? m.apiVersion!.split('/')[0] : '';
    const key = `${group}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
    const first = seen.get(key);
    if (first) {
      sink.add(s, 'duplicate-object', 'metadata.name', `the same object is also defined by ${first.constructPath ?? first.file ?? 'another manifest'}: the later apply silently overwrites the earlier one; rename one of them`);
    } else {
      seen.set(key, s);
    }
  }
}

function checkWorkloadSelector(source: SourcedManifest, t: PodTemplate, sink: FindingSink): void {
  const m = source.manifest;
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(m.kind ?? '')) return;
  // Stryker disable next-line OptionalChaining: only workloads with a pod template get here, so spec exists
  const selector = m.spec?.selector;
  if (isEmptySelector(selector) || !selectorMatches(selector, t.labels)) {
    sink.add(source, 'workload-selector', 'spec.selector', 'the selector does not match the pod template labels (the API server rejects it): use the template\'s labels in spec.selector.matchLabels');
  }
}

function checkService(source: SourcedManifest, index: ManifestIndex, sink: FindingSink): void {
  const m = source.manifest;
  const selector = m.spec?.selector as Record<string, string> | undefined;
  // Stryker disable next-line OptionalChaining: a non-empty selector was read from spec, so spec exists
  if (!selector || Object.keys(selector).length === 0 || m.spec?.type === 'ExternalName') return;
  const ns = m.metadata?.namespace ?? '';
  const pods = index.selected(ns, { matchLabels: selector });
  if (pods.length === 0) {
    sink.add(source, 'service-selector', 'spec.selector', `selects no pod template in namespace "${ns}": make it match the labels of the workload it fronts`);
    return;
  }
  // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
  const containers = pods.flatMap(p => p.template.spec.containers ?? []);
  (m.spec.ports ?? []).forEach((port: any, i: number) => {
    // No targetPort, 0 or "": the server uses the port itself.
    const target = port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '' ? port.port : port.targetPort;
    const protocol = port.protocol ?? 'TCP';
    const found = containers.some((c: any) => (c.ports ?? []).some((cp: any) =>
      (typeof target === 'string' ? cp.name === target : cp.containerPort === target) && (cp.protocol ?? 'TCP') === protocol));
    if (!found) {
      sink.add(source, 'service-target-port', `spec.ports[${i}].targetPort`,
        `target port ${JSON.stringify(target)}/${protocol} is not declared by any selected container: declare it in the container's ports or fix the targetPort`);
    }
  });
}

function checkIngress(source: SourcedManifest, index: ManifestIndex, sink: FindingSink): void {
  const m = source.manifest;
  const ns = m.metadata?.namespace ?? '';
  // Stryker disable next-line ArrayDeclaration: a string entry has no backend, so the loop skips it
  const backends: Array<{ path: string; backend: any }> = [];
  if (m.spec?.defaultBackend) backends.push({ path: 'spec.defaultBackend', backend: m.spec.defaultBackend });
  // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
  (m.spec?.rules ?? []).forEach((r: any, i: number) => (r.http?.paths ?? []).forEach((p: any, j: number) =>
    backends.push({ path: `spec.rules[${i}].http.paths[${j}].backend`, backend: p.backend })));
  const certManaged = Object.keys(m.metadata?.annotations ?? {}).some(a => a === 'cert-manager.io/issuer' || a === 'cert-manager.io/cluster-issuer');
  // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
  (m.spec?.tls ?? []).forEach((t: any, i: number) => {
    const id = `${ns}/${t.secretName}`;
    if (t.secretName && !certManaged && !index.secrets.has(id) && !index.externalSecrets.has(id)) {
      sink.add(source, 'secret-reference', `spec.tls[${i}].secretName`, `TLS Secret "${t.secretName}" is not in the output and no cert-manager issuer annotation creates it: create it, or declare it external with ${EXTERNAL_SECRETS_ANNOTATION}`);
    }
  });
  for (const { path, backend } of backends) {
    const svc = backend?.service;
    if (!svc) continue; // resource backends point at custom objects
    const target = index.services.get(`${ns}/${svc.name}`);
    if (!target) {
      sink.add(source, 'ingress-backend', `${path}.service.name`, `Service "${svc.name}" does not exist in namespace "${ns}"`);
      continue;
    }
    const ports = target.manifest.spec?.ports ?? [];
    const ok = svc.port?.name !== undefined ? ports.some((p: any) => p.name === svc.port.name) : ports.some((p: any) => p.port === svc.port?.number);
    if (!ok) {
      sink.add(source, 'ingress-backend', `${path}.service.port`, `Service "${svc.name}" has no port ${JSON.stringify(svc.port?.name ?? svc.port?.number)}: use one of ${ports.map((p: any) => p.name ?? p.port).join(', ')}`);
    }
  }
}

function checkStatefulSetService(source: SourcedManifest, index: ManifestIndex, sink: FindingSink): void {
  const m = source.manifest;
  const name = m.spec?.serviceName;
  const svc = index.services.get(`${m.metadata?.namespace ?? ''}/${name}`);
  if (!svc) {
    sink.add(source, 'statefulset-service', 'spec.serviceName', `governing Service "${name}" does not exist in this namespace: create a headless Service (clusterIP: None) with that name`);
  } else if (svc.manifest.spec?.clusterIP !== 'None') {
    sink.add(source, 'statefulset-service', 'spec.serviceName', `Service "${name}" is not headless: set clusterIP: None, or pods get no stable DNS names`);
  }
}

function checkNetworkPolicy(source: SourcedManifest, index: ManifestIndex, sink: FindingSink): void {
  const m = source.manifest;
  const ns = m.metadata?.namespace ?? '';
  if (!isEmptySelector(m.spec?.podSelector) && index.selected(ns, m.spec.podSelector).length === 0) {
    sink.add(source, 'networkpolicy-selector', 'spec.podSelector', 'selects no pod template in this namespace: the policy has no effect; fix the labels');
  }
  for (const dir of ['ingress', 'egress'] as const) {
    // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
    (m.spec?.[dir] ?? []).forEach((rule: any, i: number) => (rule[dir === 'ingress' ? 'from' : 'to'] ?? []).forEach((peer: any, j: number) => {
      if (peer.podSelector && !peer.namespaceSelector && !isEmptySelector(peer.podSelector) && index.selected(ns, peer.podSelector).length === 0) {
        sink.add(source, 'networkpolicy-selector', `spec.${dir}[${i}].${dir === 'ingress' ? 'from' : 'to'}[${j}].podSelector`,
          'selects no pod template in this namespace: the rule allows nothing; fix the labels');
      }
    }));
  }
}

function checkPodReferences(source: SourcedManifest, t: PodTemplate, index: ManifestIndex, sink: FindingSink): void {
  const ns = source.manifest.metadata?.namespace ?? '';
  const secretRef = (name: string, key: string | undefined, optional: boolean | undefined, path: string) => {
    const id = `${ns}/${name}`;
    if (optional || index.externalSecrets.has(id)) return;
    const keys = index.secrets.get(id);
    if (!keys) {
      sink.add(source, 'secret-reference', path, `Secret "${name}" is not in the output: create it, or declare it as external with annotation ${EXTERNAL_SECRETS_ANNOTATION}`);
    } else if (key !== undefined && !keys.has(key)) {
      sink.add(source, 'secret-reference', path, `Secret "${name}" has no key "${key}" (keys: ${[...keys].join(', ') || 'none'})`);
    }
  };
  const configMapRef = (name: string, key: string | undefined, optional: boolean | undefined, path: string) => {
    if (optional) return;
    const keys = index.configMaps.get(`${ns}/${name}`);
    if (!keys) sink.add(source, 'configmap-reference', path, `ConfigMap "${name}" is not in the output`);
    else if (key !== undefined && !keys.has(key)) sink.add(source, 'configmap-reference', path, `ConfigMap "${name}" has no key "${key}" (keys: ${[...keys].join(', ') || 'none'})`);
  };

  (t.spec.imagePullSecrets ?? []).forEach((r: any, i: number) => secretRef(r.name, undefined, false, `${t.path}.imagePullSecrets[${i}].name`));
  // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
  (t.spec.volumes ?? []).forEach((v: any, i: number) => {
    const path = `${t.path}.volumes[${i}]`;
    if (v.persistentVolumeClaim && !index.pvcs.has(`${ns}/${v.persistentVolumeClaim.claimName}`)) {
      sink.add(source, 'pvc-reference', `${path}.persistentVolumeClaim.claimName`, `PersistentVolumeClaim "${v.persistentVolumeClaim.claimName}" is not in the output`);
    }
    if (v.secret) {
      if (!v.secret.items) secretRef(v.secret.secretName, undefined, v.secret.optional, `${path}.secret.secretName`);
      (v.secret.items ?? []).forEach((it: any, j: number) => secretRef(v.secret.secretName, it.key, v.secret.optional, `${path}.secret.items[${j}].key`));
    }
    // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
    (v.projected?.sources ?? []).forEach((src: any, j: number) => {
      // Stryker disable next-line ArrayDeclaration: as above
      if (src?.secret) (src.secret.items ?? [{}]).forEach((it: any, k: number) => secretRef(src.secret.name, it.key, src.secret.optional, `${path}.projected.sources[${j}].secret${src.secret.items ? `.items[${k}].key` : '.name'}`));
    });
    if (v.configMap) {
      if (!v.configMap.items) configMapRef(v.configMap.name, undefined, v.configMap.optional, `${path}.configMap.name`);
      (v.configMap.items ?? []).forEach((it: any, j: number) => configMapRef(v.configMap.name, it.key, v.configMap.optional, `${path}.configMap.items[${j}].key`));
    }
  });

  const volumeNames = new Set<string>([
    ...(t.spec.volumes ?? []).map((v: any) => v.name),
    ...(source.manifest.kind === 'StatefulSet' ? (source.manifest.spec?.volumeClaimTemplates ?? []).map((c: any) => c.metadata?.name) : []),
  ]);
  for (const { container, path } of containersOf(t)) {
    (container.volumeMounts ?? []).forEach((m: any, i: number) => {
      if (!volumeNames.has(m.name)) {
        sink.add(source, 'volume-mount', `${path}.volumeMounts[${i}].name`, `no volume (or claim template) named "${m.name}" in this pod: add it to spec.volumes or fix the name`);
      }
    });
    const defined = new Set<string>();
    const hasEnvFrom = (container.envFrom ?? []).length > 0;
    // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
    (container.envFrom ?? []).forEach((e: any, i: number) => {
      if (e.secretRef) secretRef(e.secretRef.name, undefined, e.secretRef.optional, `${path}.envFrom[${i}].secretRef`);
      if (e.configMapRef) configMapRef(e.configMapRef.name, undefined, e.configMapRef.optional, `${path}.envFrom[${i}].configMapRef`);
    });
    // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list (it defines the name undefined, which no $(VAR) can name)
    (container.env ?? []).forEach((e: any, i: number) => {
      const p = `${path}.env[${i}]`;
      if (typeof e.value === 'string') {
        for (const ref of varRefs(e.value)) {
          if (!defined.has(ref) && !hasEnvFrom) {
            sink.add(source, 'env-expansion', `${p}.value`, `$(${ref}) is not defined earlier in this container's env: Kubernetes leaves it unexpanded; move ${ref} above ${e.name} or define it`);
          }
        }
      }
      const s = e.valueFrom?.secretKeyRef;
      if (s) secretRef(s.name, s.key, s.optional, `${p}.valueFrom.secretKeyRef`);
      const c = e.valueFrom?.configMapKeyRef;
      if (c) configMapRef(c.name, c.key, c.optional, `${p}.valueFrom.configMapKeyRef`);
      defined.add(e.name);
    });
    for (const field of ['command', 'args'] as const) {
      // Stryker disable next-line ArrayDeclaration: the string "Stryker was here" holds no $(VAR), so it adds nothing, like the empty list
      (container[field] ?? []).forEach((arg: string, i: number) => {
        for (const ref of varRefs(arg)) {
          if (!defined.has(ref) && !hasEnvFrom) {
            sink.add(source, 'env-expansion', `${path}.${field}[${i}]`, `$(${ref}) is not defined in this container's env: Kubernetes leaves it unexpanded`);
          }
        }
      });
    }
  }
}

/** `$(VAR)` references, skipping the `$$` escapes. */
function varRefs(value: string): string[] {
  const refs: string[] = [];
  for (const match of value.matchAll(VAR_REF)) {
    if (match[1] !== undefined) refs.push(match[1]);
  }
  return refs;
}
