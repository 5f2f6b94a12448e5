// What a set of manifests runs, what talks to what and where data lives: the facts a diagram
// draws, independent of how it is drawn (DOT, text).
import { containersOf, LabelSelector, operatorPodsOf, podTemplateOf, selectorMatches } from '../../lib/validation/pods';
import { Manifest } from '../../lib/validation/report';
import { Endpoint, namespaceIsolated, NamedPort, PolicyIndex } from './policy';
import { ALL_PORTS, intersect, isEmpty, PortSet, sameSet, subtract } from './ports';

export interface ConfigUse {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  /** How pods get it: `env KEY`, `envFrom`, `volume /path`, `image pull`. */
  readonly how: readonly string[];
  readonly inManifests: boolean;
  /** Put in every namespace by Kubernetes (kube-root-ca.crt). */
  readonly systemProvided: boolean;
}

export interface Workload {
  /** `<namespace>/<Kind>/<name>` */
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** On the node's network: NetworkPolicies neither select nor isolate these pods. */
  readonly hostNetwork: boolean;
  readonly replicas?: number;
  readonly schedule?: string;
  readonly timeZone?: string;
  readonly suspended: boolean;
  /** Images of the app containers, then `init <image>` for init containers. */
  readonly images: readonly string[];
  readonly ports: readonly NamedPort[];
  readonly hostPorts: readonly number[];
  readonly reads: readonly ConfigUse[];
  /** Storage ids with where they are mounted. */
  readonly mounts: ReadonlyArray<{ readonly storage: string; readonly paths: readonly string[] }>;
  readonly disruptionBudget?: string;
}

export interface ServiceInfo {
  /** `svc:<namespace>/<name>` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly headless: boolean;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly targetPort: string; readonly protocol: string; readonly nodePort?: number | 'auto' }>;
  /** Workload ids whose pods the selector picks. */
  readonly targets: readonly string[];
  /** Where the Service points when not at pods of a selector: an ExternalName, or endpoints kept by hand. */
  readonly elsewhere?: string;
  readonly inManifests: boolean;
}

export interface IngressInfo {
  /** `ing:<namespace>/<name>` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly className?: string;
  /** How TLS is terminated: `Secret <name>`, the controller's default certificate, or `none`. */
  readonly tls: string;
  /** Controller settings from well-known annotations (Traefik entry points and middlewares). */
  readonly notes: readonly string[];
  readonly routes: ReadonlyArray<{ readonly host: string; readonly path: string; readonly service: string; readonly port: string }>;
}

export interface StorageInfo {
  /** `pvc:<namespace>/<name>`; a StatefulSet's claim template is one entry for all its replicas. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly perReplicaOf?: string;
  readonly size?: string;
  readonly storageClass?: string;
  readonly accessModes: readonly string[];
  /** Retain, Delete, Recycle, or undefined when the manifests do not say (class or volume not in them). */
  readonly reclaimPolicy?: string;
  /** Where reclaimPolicy comes from. */
  readonly reclaimSource: string;
  /** A StatefulSet's persistentVolumeClaimRetentionPolicy.whenDeleted (Retain when unset). */
  readonly whenOwnerDeleted?: string;
  readonly inManifests: boolean;
}

/** A connection endpoint the manifests do not run: named by a policy, or the outside. */
export interface ExternalInfo {
  readonly id: string;
  readonly label: string;
  readonly endpoint: Endpoint;
  /** No policy in these manifests limits it either way, so it reaches (and is reached from) anywhere. */
  readonly open: boolean;
  /** For pods: the selectors of the policy peer it stands for (all the pods it means). */
  readonly selects?: { readonly namespace?: string; readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector };
  /** Whether any flow starts or ends there (only those are drawn). */
  readonly drawn?: boolean;
}

export interface NamespaceInfo {
  readonly name: string;
  readonly inManifests: boolean;
  readonly podSecurity?: string;
  readonly denyIngress: boolean;
  readonly denyEgress: boolean;
  readonly policies: number;
}

/** A flow as drawn: from/to are workload or external ids, or `namespace:<ns>` for all of a namespace's workloads. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly ports: PortSet;
}

export interface DiagramModel {
  readonly namespaces: readonly NamespaceInfo[];
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceInfo[];
  readonly ingresses: readonly IngressInfo[];
  readonly storage: readonly StorageInfo[];
  readonly externals: readonly ExternalInfo[];
  /** Allowed connections, except those implied by `X → anywhere` and `anywhere → Y` together. */
  readonly flows: readonly Flow[];
  /** What the drawing cannot show faithfully (named ports of pods it does not know, hostNetwork pods). */
  readonly warnings: readonly string[];
  /** Kinds in the manifests that the drawing does not show, with their counts. */
  readonly notShown: Readonly<Record<string, number>>;
  /** The endpoint behind every workload and external id (what the flows were computed from). */
  readonly endpoints: ReadonlyMap<string, Endpoint>;
}

export const ANYWHERE = 'anywhere';
const GROUP = 'namespace:';
/** The flow end that stands for every workload of a namespace. */
export const namespaceGroup = (ns: string) => `${GROUP}${ns}`;
/** The namespace a flow end stands for all of, or undefined for a single endpoint. */
export const groupNamespace = (end: string) => (end.startsWith(GROUP) ? end.slice(GROUP.length) : undefined);

const NAME_LABEL = 'kubernetes.io/metadata.name';
const CLUSTER_SCOPED = new Set(['Namespace', 'StorageClass', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ClusterIssuer', 'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService']);
const SHOWN = new Set(['Cluster', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod',
  'Service', 'Ingress', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Secret', 'ConfigMap', 'NetworkPolicy', 'Namespace', 'PodDisruptionBudget']);

/** Objects Kubernetes itself puts in every namespace. */
const SYSTEM_PROVIDED = new Set(['ConfigMap/kube-root-ca.crt']);
const nsOf = (m: Manifest) => m.metadata?.namespace ?? 'default';
const byName = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
/** `app=web,tier in (back),!debug`: a label selector, short. */
function selectorText(sel: any): string {
  return [...Object.entries(sel?.matchLabels ?? {}).filter(([k]) => k !== NAME_LABEL).map(([k, v]) => `${k}=${v}`),
    ...(sel?.matchExpressions ?? []).map((e: any) => e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}`
      : `${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`)].join(',');
}

/** Whether a selector only picks pods with a given value of some label (matchLabels, or In). */
function requiresLabelValue(sel: LabelSelector | undefined): boolean {
  return Object.keys(sel?.matchLabels ?? {}).length > 0 || (sel?.matchExpressions ?? []).some(e => e.operator === 'In');
}

/** Labels of a pod the selector picks (to stand for all of them), or undefined if none can match. */
function representativeLabels(sel: any): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...sel?.matchLabels };
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In' && labels[e.key] === undefined && e.values?.length) labels[e.key] = e.values[0];
    else if (e.operator === 'Exists' && labels[e.key] === undefined) labels[e.key] = 'any';
  }
  return selectorMatches(sel ?? {}, labels) ? labels : undefined;
}

/** Where the containers of a pod spec mount a volume. */
function mountPathsOf(spec: any, volume: string): string[] {
  return [...new Set(containersOf({ path: '', spec, labels: {}, longRunning: true })
    .flatMap(c => (c.container.volumeMounts ?? []).filter((vm: any) => vm.name === volume).map((vm: any) => vm.mountPath as string)))];
}

function configUses(spec: any, ns: string, present: Set<string>): ConfigUse[] {
  const uses = new Map<string, { kind: 'Secret' | 'ConfigMap'; name: string; how: string[] }>();
  const add = (kind: 'Secret' | 'ConfigMap', name: string | undefined, how: string) => {
    if (!name) return;
    const key = `${kind}/${name}`;
    const u = uses.get(key) ?? { kind, name, how: [] };
    if (!u.how.includes(how)) u.how.push(how);
    uses.set(key, u);
  };
  for (const { container } of containersOf({ path: '', spec, labels: {}, longRunning: true })) {
    for (const e of container.env ?? []) {
      add('Secret', e.valueFrom?.secretKeyRef?.name, `env ${e.name}`);
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, `env ${e.name}`);
    }
    for (const e of container.envFrom ?? []) {
      add('Secret', e.secretRef?.name, 'envFrom');
      add('ConfigMap', e.configMapRef?.name, 'envFrom');
    }
  }
  for (const v of spec.volumes ?? []) {
    const at = mountPathsOf(spec, v.name).map(p => `volume ${p}`);
    const where = at.length > 0 ? at : ['volume (not mounted)'];
    where.forEach(w => add('Secret', v.secret?.secretName, w));
    where.forEach(w => add('ConfigMap', v.configMap?.name, w));
    for (const s of v.projected?.sources ?? []) {
      where.forEach(w => add('Secret', s.secret?.name, w));
      where.forEach(w => add('ConfigMap', s.configMap?.name, w));
    }
  }
  for (const s of spec.imagePullSecrets ?? []) add('Secret', s.name, 'image pull');
  return [...uses.values()].map(u => ({ ...u, inManifests: present.has(`${u.kind}/${ns}/${u.name}`) || SYSTEM_PROVIDED.has(`${u.kind}/${u.name}`), systemProvided: SYSTEM_PROVIDED.has(`${u.kind}/${u.name}`) }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

function storageClassFacts(className: string | undefined, classes: Map<string, Manifest>, defaultClass: Manifest | undefined) {
  if (className === '') return { reclaimSource: 'no StorageClass (a PersistentVolume bound by hand)' };
  const sc = className === undefined ? defaultClass : classes.get(className);
  if (sc) return { storageClass: sc.metadata!.name, reclaimPolicy: (sc as any).reclaimPolicy ?? 'Delete', reclaimSource: `StorageClass ${sc.metadata!.name}` };
  return className === undefined
    ? { reclaimSource: 'the cluster\'s default StorageClass (not in these manifests)' }
    : { storageClass: className, reclaimSource: `StorageClass ${className} (not in these manifests)` };
}

/** App container images, then init containers' images that the app containers do not also run. */
function images(app: string[], init: string[]): string[] {
  return [...new Set(app), ...[...new Set(init)].filter(i => !app.includes(i)).map(i => `init ${i}`)];
}

export interface ModelOptions {
  /** The namespace of namespaced objects that name none (as `kubectl apply -n`). @default 'default' */
  readonly defaultNamespace?: string;
}

/** The facts of a set of manifests (any, not only this library's). */
export function buildModel(input: readonly Manifest[], options: ModelOptions = {}): DiagramModel {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const manifests = input.map(m => (CLUSTER_SCOPED.has(m.kind!) || m.metadata?.namespace ? m : { ...m, metadata: { ...m.metadata, namespace: defaultNamespace } }));
  const present = new Set(manifests.map(m => `${m.kind}/${CLUSTER_SCOPED.has(m.kind!) ? '' : `${nsOf(m)}/`}${m.metadata?.name}`));
  const ofKind = (kind: string) => manifests.filter(m => m.kind === kind);
  const policies = ofKind('NetworkPolicy');
  const classes = new Map(ofKind('StorageClass').map(sc => [sc.metadata!.name!, sc]));
  const defaultClass = ofKind('StorageClass').find(sc => (sc.metadata as any)?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  const volumes = ofKind('PersistentVolume');

  // Storage: claims in the manifests, and each StatefulSet's claim templates.
  const storage = new Map<string, StorageInfo>();
  const claimFacts = (ns: string, name: string, spec: any, extra: Partial<StorageInfo>): StorageInfo => {
    const pv = volumes.find(v => v.metadata?.name === spec.volumeName || ((v as any).spec?.claimRef?.name === name && ((v as any).spec?.claimRef?.namespace ?? ns) === ns));
    const fromClass = storageClassFacts(spec.storageClassName, classes, defaultClass);
    return {
      id: `pvc:${ns}/${name}`, namespace: ns, name, size: spec.resources?.requests?.storage, accessModes: spec.accessModes ?? [], inManifests: true,
      ...fromClass,
      ...(pv ? { reclaimPolicy: (pv as any).spec?.persistentVolumeReclaimPolicy ?? 'Retain', reclaimSource: `PersistentVolume ${pv.metadata!.name}` } : {}),
      ...extra,
    };
  };
  for (const pvc of ofKind('PersistentVolumeClaim')) storage.set(`pvc:${nsOf(pvc)}/${pvc.metadata!.name}`, claimFacts(nsOf(pvc), pvc.metadata!.name!, (pvc as any).spec ?? {}, {}));

  // Workloads.
  const storageTemplates = new Set(ofKind('StatefulSet').flatMap(s => ((s as any).spec?.volumeClaimTemplates ?? [])
    .map((tpl: any) => `pvc:${nsOf(s)}/${tpl.metadata?.name}-${s.metadata!.name}-*`)));
  const workloads: Workload[] = [];
  for (const m of manifests) {
    const t = podTemplateOf(m);
    if (!t) continue;
    const ns = nsOf(m), spec: any = (m as any).spec ?? {};
    const name = m.metadata?.name ?? `${(m.metadata as any)?.generateName ?? ''}*`;
    let id = `${ns}/${m.kind}/${name}`;
    for (let n = 2; workloads.some(w => w.id === id); n++) id = `${ns}/${m.kind}/${name} (${n})`; // generateName twins
    const mounts: Array<{ storage: string; paths: string[] }> = [];
    const mountPaths = (volume: string) => mountPathsOf(t.spec, volume);
    for (const v of t.spec.volumes ?? []) {
      const claim: string | undefined = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      // A StatefulSet replica's claim (`data-postgres-0`) belongs to its template (`data-postgres-*`).
      const replica = /^(.*)-(\d+)$/.exec(claim);
      const template = replica && storageTemplates.has(`pvc:${ns}/${replica[1]}-*`) ? `pvc:${ns}/${replica[1]}-*` : undefined;
      const sid = template ?? `pvc:${ns}/${claim}`;
      if (!storage.has(sid)) storage.set(sid, { id: sid, namespace: ns, name: claim, accessModes: [], reclaimSource: 'the claim is not in these manifests', inManifests: false });
      mounts.push({ storage: sid, paths: mountPaths(v.name).map(p => (template ? `${p} (replica ${replica![2]})` : p)) });
    }
    if (m.kind === 'StatefulSet') {
      for (const tpl of spec.volumeClaimTemplates ?? []) {
        const claim = `${tpl.metadata?.name}-${name}`;
        const sid = `pvc:${ns}/${claim}-*`;
        storage.set(sid, claimFacts(ns, `${claim}-*`, tpl.spec ?? {}, {
          id: sid, perReplicaOf: id, whenOwnerDeleted: spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain',
        }));
        mounts.push({ storage: sid, paths: mountPaths(tpl.metadata?.name) });
      }
    }
    const refs = containersOf(t);
    const containers = refs.map(c => c.container);
    const cron = m.kind === 'CronJob';
    workloads.push({
      id, kind: m.kind!, namespace: ns, name, labels: t.labels, hostNetwork: t.spec.hostNetwork === true,
      replicas: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(m.kind!) ? spec.replicas ?? 1 : undefined,
      schedule: cron ? spec.schedule : undefined, timeZone: cron ? spec.timeZone : undefined, suspended: cron && spec.suspend === true,
      images: images(refs.filter(c => !c.init).map(c => String(c.container.image)), refs.filter(c => c.init).map(c => String(c.container.image))),
      ports: containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }))),
      hostPorts: containers.flatMap((c: any) => (c.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => p.hostPort as number)),
      reads: configUses(t.spec, ns, present),
      mounts,
    });
  }
  // Pods an operator starts for a resource: a CloudNativePG Cluster's instances, their claims and Secrets.
  for (const m of manifests) {
    const t = operatorPodsOf(m);
    if (!t) continue;
    const ns = nsOf(m), spec: any = (m as any).spec ?? {}, name = m.metadata!.name!;
    const id = `${ns}/Cluster/${name}`;
    const sid = `pvc:${ns}/${name}-*`;
    storage.set(sid, claimFacts(ns, `${name}-*`, { storageClassName: spec.storage?.storageClass, resources: { requests: { storage: spec.storage?.size } }, accessModes: ['ReadWriteOnce'] }, {
      id: sid, perReplicaOf: id, whenOwnerDeleted: 'Delete', // the Cluster owns its instances' claims
    }));
    const secret = (secretName: string | undefined, how: string): ConfigUse[] => (secretName
      ? [{ kind: 'Secret', name: secretName, how: [how], inManifests: present.has(`Secret/${ns}/${secretName}`), systemProvided: false }] : []);
    workloads.push({
      id, kind: 'Cluster', namespace: ns, name, labels: t.labels, hostNetwork: false,
      replicas: spec.instances ?? 1, suspended: false, images: spec.imageName ? [String(spec.imageName)] : [],
      ports: t.spec.containers[0].ports, hostPorts: [],
      reads: [
        ...secret(spec.bootstrap?.initdb?.secret?.name, 'initdb owner'),
        ...secret(spec.superuserSecret?.name, 'superuser'),
        ...(spec.managed?.roles ?? []).flatMap((r: any) => secret(r.passwordSecret?.name, `role ${r.name}`)),
      ],
      mounts: [{ storage: sid, paths: ['/var/lib/postgresql/data'] }],
    });
  }
  for (const pdb of ofKind('PodDisruptionBudget')) {
    const spec: any = (pdb as any).spec ?? {};
    const what = spec.minAvailable !== undefined ? `minAvailable ${spec.minAvailable}` : `maxUnavailable ${spec.maxUnavailable}`;
    for (const [i, w] of workloads.entries()) {
      if (w.namespace === nsOf(pdb) && spec.selector && selectorMatches(spec.selector, w.labels)) workloads[i] = { ...w, disruptionBudget: `${pdb.metadata!.name} (${what})` };
    }
  }
  workloads.sort(byName);

  // Services and Ingresses.
  const services: ServiceInfo[] = ofKind('Service').map(s => {
    const spec: any = (s as any).spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    const selector = spec.selector && Object.keys(spec.selector).length > 0 ? { matchLabels: spec.selector } : undefined;
    return {
      id: `svc:${nsOf(s)}/${s.metadata!.name}`, namespace: nsOf(s), name: s.metadata!.name!, type, headless: spec.clusterIP === 'None', inManifests: true,
      ports: (spec.ports ?? []).map((p: any) => ({
        port: p.port, targetPort: String(p.targetPort ?? p.port), protocol: p.protocol ?? 'TCP',
        ...(type === 'NodePort' || type === 'LoadBalancer' ? { nodePort: p.nodePort ?? 'auto' } : {}),
      })),
      targets: selector ? workloads.filter(w => w.namespace === nsOf(s) && selectorMatches(selector, w.labels)).map(w => w.id) : [],
      elsewhere: type === 'ExternalName' ? `DNS name ${spec.externalName}` : selector ? undefined : 'endpoints kept by hand (no selector)',
    };
  });
  const ingresses: IngressInfo[] = ofKind('Ingress').map(i => {
    const spec: any = (i as any).spec ?? {};
    const backend = (b: any) => ({ service: b?.service?.name ?? '(no service)', port: String(b?.service?.port?.number ?? b?.service?.port?.name ?? '') });
    const routes = (spec.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).filter((p: any) => p.backend?.service)
      .map((p: any) => ({ host: r.host ?? '*', path: p.path ?? '/', ...backend(p.backend) })));
    if (spec.defaultBackend?.service) routes.push({ host: '*', path: '(default)', ...backend(spec.defaultBackend) });
    const annotations: Record<string, string> = (i.metadata as any)?.annotations ?? {};
    const traefik = (key: string) => annotations[`traefik.ingress.kubernetes.io/router.${key}`];
    const secrets: string[] = (spec.tls ?? []).map((t: any) => t.secretName).filter(Boolean);
    const tls = secrets.length ? `Secret ${secrets.join(', ')}` : spec.tls?.length || traefik('tls') === 'true' ? 'controller\'s default certificate' : 'none';
    const notes = [
      ...(traefik('entrypoints') ? [`entry point ${traefik('entrypoints')}`] : []),
      ...(traefik('middlewares') ? [`middlewares ${traefik('middlewares')}`] : []),
      ...(annotations['cert-manager.io/cluster-issuer'] ? [`cert-manager ClusterIssuer ${annotations['cert-manager.io/cluster-issuer']}`] : []),
      ...(annotations['cert-manager.io/issuer'] ? [`cert-manager Issuer ${annotations['cert-manager.io/issuer']}`] : []),
    ];
    return { id: `ing:${nsOf(i)}/${i.metadata!.name}`, namespace: nsOf(i), name: i.metadata!.name!, className: spec.ingressClassName, tls, notes, routes };
  });
  for (const i of ingresses) for (const r of i.routes) {
    const id = `svc:${i.namespace}/${r.service}`;
    if (!services.some(s => s.id === id)) services.push({ id, namespace: i.namespace, name: r.service, type: '?', headless: false, ports: [], targets: [], inManifests: false });
  }
  services.sort(byName);
  ingresses.sort(byName);

  // Namespaces.
  const nsLabels = new Map<string, Record<string, string>>();
  for (const n of ofKind('Namespace')) nsLabels.set(n.metadata!.name!, { ...(n.metadata as any).labels, [NAME_LABEL]: n.metadata!.name! });
  const namespaceNames = new Set([...nsLabels.keys(), ...manifests.filter(m => !CLUSTER_SCOPED.has(m.kind!)).map(nsOf)]);
  const namespaces: NamespaceInfo[] = [...namespaceNames].sort().map(name => ({
    name, inManifests: nsLabels.has(name), podSecurity: nsLabels.get(name)?.['pod-security.kubernetes.io/enforce'],
    denyIngress: namespaceIsolated(policies, name, 'Ingress'), denyEgress: namespaceIsolated(policies, name, 'Egress'),
    policies: policies.filter(p => nsOf(p) === name).length,
  }));
  const labelsOfNs = (ns: string) => nsLabels.get(ns) ?? { [NAME_LABEL]: ns };

  // Endpoints: the workloads' pods, everything the policies name that the manifests do not run, anywhere.
  const endpoints = new Map<string, Endpoint>();
  for (const w of workloads) {
    endpoints.set(w.id, w.hostNetwork ? { kind: 'host' } : { kind: 'pods', namespace: w.namespace, nsLabels: labelsOfNs(w.namespace), labels: w.labels, ports: w.ports });
  }
  const index = new PolicyIndex(policies);
  const anywhere: Endpoint = { kind: 'anywhere' };
  const externals = new Map<string, ExternalInfo>();
  const addExternal = (e: Omit<ExternalInfo, 'open'>) => externals.set(e.id, {
    ...e, open: sameSet(index.allowedPorts(e.endpoint, anywhere), ALL_PORTS) && sameSet(index.allowedPorts(anywhere, e.endpoint), ALL_PORTS),
  });
  const matchesWorkload = (ns: string | undefined, nsSel: any, podSel: any) => workloads.some(w => !w.hostNetwork
    && (ns === undefined ? selectorMatches(nsSel, labelsOfNs(w.namespace)) : w.namespace === ns) && selectorMatches(podSel ?? {}, w.labels));
  /** Pods a policy names: drawn apart from the workloads when they may be others too. */
  const addPods = (ns: string | undefined, nsSel: any, podSel: any, subject: boolean) => {
    // A peer for namespaces by label, or for pods without a label value it requires (all of a
    // namespace, `tier notin (back)`), stands for more than the workloads here; a peer requiring
    // a label value (`app=web`) that workloads here carry means those workloads.
    const broad = !subject && (ns === undefined || !requiresLabelValue(podSel));
    if (!broad && matchesWorkload(ns, nsSel, podSel)) return;
    const labels = representativeLabels(podSel ?? {});
    const nsLabels = ns ? { ...representativeLabels(nsSel), ...labelsOfNs(ns) } : representativeLabels(nsSel);
    if (!labels || !nsLabels) return; // a selector no pod can satisfy
    const pods = selectorText(podSel ?? {});
    const where = ns ?? (selectorText(nsSel) ? `namespaces ${selectorText(nsSel)}` : 'any namespace');
    const id = `pods:${where}${pods ? `/${pods}` : ''}`;
    addExternal({
      id, label: `${ns ? `namespace ${ns}` : where}${pods ? `\npods ${pods}` : broad && ns ? '\nall pods' : ''}`,
      endpoint: { kind: 'pods', namespace: ns, nsLabels, labels },
      selects: { namespace: ns, namespaceSelector: nsSel, podSelector: podSel },
    });
  };
  for (const p of policies) {
    const spec: any = (p as any).spec ?? {};
    // The pods a policy is for, when the manifests do not run them (cert-manager's HTTP-01 solver).
    addPods(nsOf(p), undefined, spec.podSelector, true);
    for (const rule of [...(spec.ingress ?? []).map((r: any) => r.from), ...(spec.egress ?? []).map((r: any) => r.to)]) {
      for (const peer of rule ?? []) {
        if (peer.ipBlock) {
          const except: string[] = peer.ipBlock.except ?? [];
          const id = `ip:${peer.ipBlock.cidr}${except.length ? ` except ${except.join(', ')}` : ''}`;
          addExternal({ id, label: `${peer.ipBlock.cidr}${except.length ? `\nexcept ${except.join(', ')}` : ''}`, endpoint: { kind: 'ip', cidr: peer.ipBlock.cidr, except } });
        } else {
          const nsSel = peer.namespaceSelector;
          addPods(nsSel ? nsSel.matchLabels?.[NAME_LABEL] : nsOf(p), nsSel, peer.podSelector, false);
        }
      }
    }
  }
  addExternal({ id: ANYWHERE, label: 'anywhere\n(any pod or address)', endpoint: anywhere });
  for (const e of externals.values()) endpoints.set(e.id, e.endpoint);

  const flows = computeFlows(index, workloads, endpoints, new Set([...externals.values()].filter(e => e.open).map(e => e.id)));
  const used = new Set(flows.flatMap(f => [f.from, f.to]));
  const warnings = [
    ...[...index.unresolvedNamedPorts].map(u => `${u} names a port of pods these manifests do not run: the flows through it are not drawn`),
    ...workloads.filter(w => w.hostNetwork).map(w => `${w.kind} ${w.namespace}/${w.name} uses the node's network: NetworkPolicies do not apply to it`),
  ];
  return {
    namespaces, workloads, services, ingresses, warnings,
    storage: [...storage.values()].sort(byName),
    externals: [...externals.values()].map(e => ({ ...e, drawn: used.has(e.id) })).sort(byName),
    flows, endpoints,
    notShown: manifests.filter(m => !SHOWN.has(m.kind!)).reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.kind!]: (acc[m.kind!] ?? 0) + 1 }), {}),
  };
}

/** Every allowed connection between the endpoints, minus what `anywhere` implies, with the flows
 *  that every workload of a namespace has to the same outside endpoint drawn once. */
function computeFlows(index: PolicyIndex, workloads: readonly Workload[], endpoints: ReadonlyMap<string, Endpoint>, open: ReadonlySet<string>): Flow[] {
  const ids = [...endpoints.keys()];
  const anywhere = endpoints.get(ANYWHERE)!;
  const toAnywhere = new Map(ids.map(id => [id, id === ANYWHERE ? ALL_PORTS : index.allowedPorts(endpoints.get(id)!, anywhere)]));
  const fromAnywhere = new Map(ids.map(id => [id, id === ANYWHERE ? ALL_PORTS : index.allowedPorts(anywhere, endpoints.get(id)!)]));
  const workloadIds = new Set(workloads.map(w => w.id));
  const raw: Flow[] = [];
  for (const from of ids) for (const to of ids) {
    if (from === ANYWHERE && to === ANYWHERE) continue;
    if (open.has(from) && open.has(to)) continue; // between outside endpoints nothing here limits: not ours to say
    const allowed = from === ANYWHERE ? fromAnywhere.get(to)! : to === ANYWHERE ? toAnywhere.get(from)! : index.allowedPorts(endpoints.get(from)!, endpoints.get(to)!);
    // What `from → anywhere` and `anywhere → to` together already say (an open outside endpoint reaches anywhere).
    const implied = from === ANYWHERE || to === ANYWHERE ? [] : intersect(toAnywhere.get(from)!, fromAnywhere.get(to)!);
    const ports = subtract(allowed, implied);
    if (!isEmpty(ports)) raw.push({ from, to, ports });
  }
  // One flow per namespace where all of its (two or more) workloads have the same one to an outside endpoint.
  const out: Flow[] = [];
  const byNs = new Map<string, string[]>();
  for (const w of workloads) byNs.set(w.namespace, [...(byNs.get(w.namespace) ?? []), w.id]);
  const taken = new Set<Flow>();
  const byEnds = new Map(raw.map(f => [`${f.from}|${f.to}`, f]));
  const byEnd = new Map<string, Flow[]>();
  for (const f of raw) for (const end of [f.from, f.to]) (byEnd.get(end) ?? byEnd.set(end, []).get(end)!).push(f);
  for (const [ns, members] of byNs) {
    if (members.length < 2) continue;
    for (const dir of ['from', 'to'] as const) {
      const other = dir === 'from' ? 'to' : 'from';
      const candidates = new Set((byEnd.get(members[0]) ?? []).filter(f => f[dir] === members[0] && !workloadIds.has(f[other])).map(f => f[other]));
      for (const ext of candidates) {
        const each = members.map(m => byEnds.get(dir === 'from' ? `${m}|${ext}` : `${ext}|${m}`));
        if (each.every(f => f && sameSet(f.ports, each[0]!.ports))) {
          each.forEach(f => taken.add(f!));
          out.push(dir === 'from' ? { from: namespaceGroup(ns), to: ext, ports: each[0]!.ports } : { from: ext, to: namespaceGroup(ns), ports: each[0]!.ports });
        }
      }
    }
  }
  out.push(...raw.filter(f => !taken.has(f)));
  return out.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** The workloads a drawn flow end stands for. */
export function expandEnd(model: DiagramModel, end: string): string[] {
  const ns = groupNamespace(end);
  return ns !== undefined ? model.workloads.filter(w => w.namespace === ns).map(w => w.id) : [end];
}
