// Shared by the diagram tests: the default doit stack's manifests, and reading drawn flows back.
import { Testing } from 'cdk8s';
import { buildDoitStack, loadConfig } from '../../../app';
import { FAKE_SECRETS as FAKE } from '../../fixtures/secrets';
import { ANYWHERE, DiagramModel, expandEnd } from '../../../tools/diagram/model';
import { Endpoint } from '../../../tools/diagram/policy';
import { contains, parsePorts, PortSet } from '../../../tools/diagram/ports';
import { canConnect, Peer, Pod } from '../../network/evaluator';
import { LabelSelector, selectorMatches } from '../../../lib/validation/pods';
import { Manifest } from '../../util';


/** Every object of the doit stack (all charts) for a configuration, as `npm run synth` writes them. */
export function doitManifests(env: Record<string, string> = {}): Manifest[] {
  const app = Testing.app();
  buildDoitStack(app, { config: loadConfig({ env, cwd: __dirname }), secrets: FAKE });
  return app.charts.flatMap(c => c.toJson()) as Manifest[];
}

/** A drawn flow, read back: from/to as drawn (maybe `namespace:<ns>`), ports parsed from the label. */
export interface DrawnFlow { readonly from: string; readonly to: string; readonly ports: PortSet }

/** The flow edges of a Graphviz SVG (their ids are `flow|<from>|<to>|<ports>`). */
/** Text as it was before Graphviz escaped it for SVG. */
export const unescapeSvg = (s: string) => s.replace(/&#45;/g, '-').replace(/&#160;/g, '\u00a0').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&');

export function flowsInSvg(svg: string): DrawnFlow[] {
  return [...svg.matchAll(/<g id="(flow\|[^"]*)" class="edge( both)?">/g)].flatMap(m => {
    const [, from, to, ports] = unescapeSvg(m[1]).split('|');
    const flow = { from, to, ports: parsePorts(ports) };
    return m[2] ? [flow, { ...flow, from: to, to: from }] : [flow]; // two heads: both ways
  });
}

/** The evaluator's view of an outside endpoint of the drawing (pods the manifests do not run, addresses, anywhere). */
function asPeer(e: Endpoint): Peer {
  if (e.kind === 'anywhere') return { anywhere: true };
  if (e.kind === 'ip') return { ip: e.cidr, except: e.except };
  if (e.kind === 'host') return { host: true };
  return { ns: e.namespace, labels: { ...e.labels }, nsLabels: { ...e.nsLabels }, ports: e.ports };
}

/** The pods of each workload in the manifests, read here from the manifests themselves (not from
 *  the model), keyed like the model's workloads: `<namespace>/<Kind>/<name>`. */
export function workloadPeers(manifests: readonly Manifest[]): Map<string, Peer> {
  const nsLabels = new Map(manifests.filter(m => m.kind === 'Namespace').map(n => [n.metadata.name, { ...n.metadata.labels, 'kubernetes.io/metadata.name': n.metadata.name }]));
  const out = new Map<string, Peer>();
  for (const m of manifests) {
    const template = m.kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template
      : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'].includes(m.kind) ? m.spec?.template
        : m.kind === 'Pod' ? { metadata: m.metadata, spec: m.spec } : undefined;
    if (m.kind === 'Cluster' && m.apiVersion === 'postgresql.cnpg.io/v1') { // CloudNativePG starts these pods
      const ns = m.metadata.namespace ?? 'default';
      out.set(`${ns}/Cluster/${m.metadata.name}`, {
        ns, labels: { ...m.spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': m.metadata.name }, nsLabels: nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns },
        ports: [{ name: 'postgresql', containerPort: 5432, protocol: 'TCP' }, { name: 'status', containerPort: 8000, protocol: 'TCP' }, { name: 'metrics', containerPort: 9187, protocol: 'TCP' }],
      });
    }
    if (!template?.spec) continue;
    const ns = m.metadata.namespace ?? 'default';
    const ports = [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])]
      .flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })));
    out.set(`${ns}/${m.kind}/${m.metadata.name}`, template.spec.hostNetwork === true ? { host: true }
      : { ns, labels: { ...template.metadata?.labels }, nsLabels: nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns }, ports });
  }
  return out;
}

/** Whether the drawing says `from` may open `port` on `to`: a flow between them (or their
 *  namespaces), or both `from → anywhere` and `anywhere → to` (an open outside endpoint has both). */
export function drawnAllows(model: DiagramModel, drawn: readonly DrawnFlow[], from: string, to: string, protocol: string, port: number): boolean {
  const direct = (a: string, b: string) => drawn.some(f => expandEnd(model, f.from).includes(a) && expandEnd(model, f.to).includes(b) && contains(f.ports, protocol, port));
  const open = (id: string) => model.externals.some(e => e.id === id && e.open);
  if (direct(from, to)) return true;
  if (from === ANYWHERE || to === ANYWHERE) return open(from) && open(to);
  return (open(from) || direct(from, ANYWHERE)) && (open(to) || direct(ANYWHERE, to));
}

/** Ports worth asking about: every port the manifests name, its neighbours, and a few others. */
export function probePorts(manifests: readonly Manifest[]): Array<[string, number]> {
  const numbers = new Set<number>([1, 22, 53, 80, 443, 8080, 65535]);
  const walk = (v: any): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (['port', 'endPort', 'containerPort', 'targetPort', 'nodePort'].includes(k) && typeof x === 'number') [x - 1, x, x + 1].forEach(n => numbers.add(n));
        walk(x);
      }
    }
  };
  walk(manifests);
  return ['TCP', 'UDP', 'SCTP'].flatMap(p => [...numbers].filter(n => n >= 1 && n <= 65535).map(n => [p, n] as [string, number]));
}

/** Every (from, to, protocol, port) where the drawing and the evaluator disagree (none: they agree).
 *  Besides the drawn endpoints, probe pods that no workload stands for (labels no workload has, in
 *  each namespace and in one the manifests do not mention): whatever the evaluator lets them do
 *  with a workload has to be drawn, through an outside endpoint whose selectors pick them. */
export function disagreements(model: DiagramModel, drawn: readonly DrawnFlow[], manifests: readonly Manifest[]): string[] {
  const policies = manifests.filter(m => m.kind === 'NetworkPolicy');
  const peers = workloadPeers(manifests);
  expect([...peers.keys()].sort()).toEqual(model.workloads.map(w => w.id).sort());
  const workloadIds = [...peers.keys()];
  for (const e of model.externals) peers.set(e.id, asPeer(e.endpoint));
  const ids = [...peers.keys()];
  const open = new Set(model.externals.filter(e => e.open).map(e => e.id));
  const out: string[] = [];
  const ports = probePorts(manifests);
  for (const from of ids) for (const to of ids) {
    if (open.has(from) && open.has(to)) continue; // between outside endpoints: the drawing does not say
    for (const [protocol, port] of ports) {
      const truth = canConnect(policies as Manifest[], peers.get(from)!, peers.get(to)!, port, protocol);
      if (truth !== drawnAllows(model, drawn, from, to, protocol, port)) out.push(`${from} → ${to} ${port}/${protocol}: evaluator ${truth ? 'allows' : 'denies'}`);
    }
  }
  // Each outside endpoint is one of the pods it stands for.
  for (const e of model.externals) {
    if (e.endpoint.kind === 'pods' && e.selects && !podsContain(e.selects, { ns: e.endpoint.namespace, labels: e.endpoint.labels, nsLabels: e.endpoint.nsLabels })) out.push(`${e.id} is not one of the pods it stands for`);
  }
  // Probe pods.
  const nsLabels = new Map(manifests.filter(m => m.kind === 'Namespace').map(n => [n.metadata.name, { ...n.metadata.labels, 'kubernetes.io/metadata.name': n.metadata.name }]));
  const probes: Pod[] = [...new Set([...model.workloads.map(w => w.namespace), 'elsewhere'])]
    .map(ns => ({ ns, labels: { app: 'probe' }, nsLabels: nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns } }));
  const covers = (dir: 'from' | 'to', a: string, protocol: string, port: number, isProbeEnd: (end: string) => boolean) => drawn.some(f => contains(f.ports, protocol, port)
    && (dir === 'from' ? expandEnd(model, f.from).includes(a) && isProbeEnd(f.to) : isProbeEnd(f.from) && expandEnd(model, f.to).includes(a)));
  const standsFor = (probe: Pod) => (id: string) => id === ANYWHERE || model.externals.some(e => e.id === id && e.selects !== undefined && podsContain(e.selects, probe));
  for (const a of workloadIds) {
    if (!('labels' in peers.get(a)!)) continue; // hostNetwork
    for (const probe of probes) for (const [protocol, port] of ports) {
      if (canConnect(policies as Manifest[], peers.get(a)!, probe, port, protocol) && !covers('from', a, protocol, port, standsFor(probe))) out.push(`${a} → probe pod in ${probe.ns} ${port}/${protocol}: evaluator allows, not drawn`);
      if (canConnect(policies as Manifest[], probe, peers.get(a)!, port, protocol) && !covers('to', a, protocol, port, standsFor(probe))) out.push(`probe pod in ${probe.ns} → ${a} ${port}/${protocol}: evaluator allows, not drawn`);
    }
  }
  return out;
}

/** Whether a pod is among those a policy peer's selectors pick. */
function podsContain(sel: { namespace?: string; namespaceSelector?: LabelSelector; podSelector?: LabelSelector }, pod: Pod): boolean {
  const nsOk = sel.namespaceSelector ? selectorMatches(sel.namespaceSelector, pod.nsLabels ?? {}) && (sel.namespace === undefined || sel.namespace === pod.ns) : sel.namespace === pod.ns;
  return nsOk && selectorMatches(sel.podSelector ?? {}, pod.labels);
}
