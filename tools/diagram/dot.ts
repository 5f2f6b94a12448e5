// The model as a Graphviz graph: namespaces as clusters, requests left to right, flows in green.
// Every drawn element carries an id (`flow|<from>|<to>|<ports>`, `route|…`, `mount|…`), so a
// rendered SVG can be read back and checked against the model.
import { howRead, namespaceHeading, ownerKind, policyStance, runsHow } from './describe';
import { ANYWHERE, DiagramModel, ExternalInfo, Flow, groupNamespace, IngressInfo, namespaceGroup, NamespaceInfo, ServiceInfo, StorageInfo, Workload } from './model';
import { formatPorts, sameSet } from './ports';

export const FONT = 'DejaVu Sans';

const COLORS = {
  flow: '#2e7d32', open: '#e65100', route: '#1565c0', mount: '#616161',
  workload: '#e3f2fd', job: '#f3e5f5', service: '#ffffff', ingress: '#bbdefb', nodePort: '#ffe0b2',
  retain: '#c8e6c9', retainBorder: '#1b5e20', deletes: '#ffcdd2', deletesBorder: '#b71c1c', unknown: '#fff9c4',
  external: '#fafafa', cluster: '#f5f7fa', missing: '#ffebee',
};

/** A quoted DOT string (lines centred). */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
/** A quoted DOT string with left-aligned lines. */
const qLeft = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\l')}\\l"`;
/** Text inside an HTML-like label. */
const h = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attrs = (a: Record<string, string | number | undefined>) => `[${Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${typeof v === 'number' ? v : k === 'label' && String(v).startsWith('<') ? v : q(String(v))}`).join(', ')}]`;

/** How each drawn flow is named in the SVG (read back by tests and tools). */
export const flowId = (f: Flow) => `flow|${f.from}|${f.to}|${formatPorts(f.ports)}`;

const isJob = (w: Workload) => w.kind === 'Job' || w.kind === 'CronJob';

function workloadLabel(w: Workload): string {
  const what = [runsHow(w), w.hostNetwork ? 'on the node\'s network' : ''].filter(Boolean).join(', ');
  const rows = [
    `<tr><td align="left" bgcolor="${isJob(w) ? COLORS.job : COLORS.workload}"><b>${h(`${w.kind} ${w.name}`)}</b><br align="left"/>${what ? `${h(what)}<br align="left"/>` : ''}</td></tr>`,
    ...w.images.map(i => `<tr><td align="left"><font point-size="9" color="#555555">${h(i)}</font></td></tr>`),
    // What Kubernetes mounts into every pod (kube-root-ca.crt) is left to the text form.
    ...w.reads.filter(r => !r.systemProvided).map(r => `<tr><td align="left"><font point-size="10">${h(`${r.kind} ${r.name}`)}${r.inManifests ? '' : ' <i>(not in manifests)</i>'}: ${h(howRead(r.how))}</font></td></tr>`),
    ...(w.disruptionBudget ? [`<tr><td align="left"><font point-size="10">${h(`PodDisruptionBudget ${w.disruptionBudget}`)}</font></td></tr>`] : []),
    ...(w.hostPorts.length ? [`<tr><td align="left"><font point-size="10" color="${COLORS.open}">${h(`hostPort ${w.hostPorts.join(', ')}`)}</font></td></tr>`] : []),
  ];
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="3">${rows.join('')}</table>>`;
}

const servicePorts = (s: ServiceInfo) => s.ports.map(p => `${p.port}${p.targetPort !== String(p.port) ? ` → ${p.targetPort}` : ''}${p.protocol !== 'TCP' ? `/${p.protocol}` : ''}${p.nodePort !== undefined ? `  NodePort ${p.nodePort}` : ''}`);

/** A Service, with the headless Services for the same pods folded in (one node instead of two). */
function serviceLabel(s: ServiceInfo, folded: readonly ServiceInfo[]): string {
  if (!s.inManifests) return `Service ${s.name}\n(not in these manifests)`;
  return [`Service ${s.name}`, s.headless ? 'headless (pod DNS)' : s.type, ...servicePorts(s), ...(s.elsewhere ? [`→ ${s.elsewhere}`] : []),
    ...folded.flatMap(f => [`+ headless ${f.name} (pod DNS)`, ...servicePorts(f)])].join('\n');
}

/** Headless Services that select exactly the pods of another Service of theirs: drawn inside it. */
function foldedHeadless(model: DiagramModel): Map<string, ServiceInfo[]> {
  const into = new Map<string, ServiceInfo[]>();
  for (const s of model.services.filter(x => x.headless && x.targets.length > 0)) {
    const twin = model.services.find(t => !t.headless && t.inManifests && t.namespace === s.namespace && t.targets.join() === s.targets.join());
    if (twin) into.set(twin.id, [...(into.get(twin.id) ?? []), s]);
  }
  return into;
}

function ingressLabel(i: IngressInfo): string {
  const routes = i.routes.map(r => `${r.host === '*' ? 'any host ' : r.host}${r.path} → ${r.service}:${r.port}`);
  return [`Ingress ${i.name}${i.className ? ` (class ${i.className})` : ''}`, ...routes, `TLS: ${i.tls}`, ...i.notes].join('\n');
}

function storageLabel(s: StorageInfo): string {
  const lines = [
    `PVC ${s.name}${s.perReplicaOf ? ' (one per replica)' : ''}`,
    [s.size, s.storageClass ? `class ${s.storageClass}` : undefined, s.accessModes.join(',') || undefined].filter(Boolean).join(' · ') || 'size and class not in these manifests',
    s.reclaimPolicy ? `reclaim: ${s.reclaimPolicy.toUpperCase()} (${s.reclaimSource})` : `reclaim: per ${s.reclaimSource}`,
    ...(s.whenOwnerDeleted ? [`${ownerKind(s)} deleted: claims ${s.whenOwnerDeleted === 'Retain' ? 'kept' : 'DELETED'}`] : []),
  ];
  return lines.join('\n');
}

function storageStyle(s: StorageInfo): Record<string, string | number> {
  if (s.reclaimPolicy === 'Retain') return { fillcolor: COLORS.retain, color: COLORS.retainBorder, penwidth: 2.5 };
  if (s.reclaimPolicy) return { fillcolor: COLORS.deletes, color: COLORS.deletesBorder, penwidth: 2 };
  return { fillcolor: COLORS.unknown, color: '#9e9d24', penwidth: 1 };
}

function namespaceLabel(ns: NamespaceInfo): string {
  return `${namespaceHeading(ns)}\n${policyStance(ns)}`;
}

const externalShape = (e: ExternalInfo) => (e.id === ANYWHERE ? 'doubleoctagon' : e.endpoint.kind === 'ip' ? 'octagon' : 'ellipse');

/** Graphviz DOT source for the model. */
export function toDot(model: DiagramModel, title = 'Synthesized manifests'): string {
  const out: string[] = [];
  const line = (s: string) => out.push(s);
  line('digraph stack {');
  line(`  graph ${attrs({ rankdir: 'LR', compound: 'true', newrank: 'true', fontname: FONT, fontsize: 13, nodesep: 0.35, ranksep: 0.9, pad: 0.3, labelloc: 't', labeljust: 'l', label: title })};`);
  line(`  node ${attrs({ fontname: FONT, fontsize: 11, shape: 'box', style: 'rounded,filled', fillcolor: COLORS.service, margin: '0.12,0.06' })};`);
  line(`  edge ${attrs({ fontname: FONT, fontsize: 10 })};`);

  const namespacesDrawn = model.namespaces.filter(n => [...model.workloads, ...model.services, ...model.ingresses, ...model.storage].some(x => x.namespace === n.name));
  const folded = foldedHeadless(model);
  const foldedIds = new Set([...folded.values()].flat().map(s => s.id));
  const grouped = new Set(model.flows.flatMap(f => [f.from, f.to]).filter(e => groupNamespace(e) !== undefined));
  namespacesDrawn.forEach((ns, i) => {
    line(`  subgraph cluster_${i} {`);
    line(`    graph ${attrs({ id: `namespace|${ns.name}`, style: 'rounded,filled', fillcolor: COLORS.cluster, color: '#90a4ae', fontsize: 12 })};`);
    line(`    label=${qLeft(namespaceLabel(ns))};`);
    // Flows every pod of the namespace has start or end at this node.
    if (grouped.has(namespaceGroup(ns.name))) line(`    ${q(namespaceGroup(ns.name))} ${attrs({ id: namespaceGroup(ns.name), label: 'every pod', shape: 'box', style: 'rounded,dotted,filled', fillcolor: COLORS.cluster, fontsize: 10 })};`);
    for (const x of model.ingresses.filter(x => x.namespace === ns.name)) line(`    ${q(x.id)} ${attrs({ id: x.id, label: ingressLabel(x), fillcolor: COLORS.ingress })};`);
    for (const x of model.services.filter(x => x.namespace === ns.name && !foldedIds.has(x.id))) {
      const nodePort = x.ports.some(p => p.nodePort !== undefined);
      line(`    ${q(x.id)} ${attrs({ id: x.id, label: serviceLabel(x, folded.get(x.id) ?? []), fillcolor: !x.inManifests ? COLORS.missing : nodePort ? COLORS.nodePort : COLORS.service, style: x.headless ? 'rounded,dashed,filled' : 'rounded,filled', penwidth: nodePort ? 2 : 1 })};`);
    }
    for (const w of model.workloads.filter(x => x.namespace === ns.name)) line(`    ${q(w.id)} ${attrs({ id: w.id, label: workloadLabel(w), shape: 'box', style: 'rounded,filled', fillcolor: 'white', margin: 0.05, color: isJob(w) ? '#6a1b9a' : '#0d47a1' })};`);
    for (const s of model.storage.filter(x => x.namespace === ns.name)) line(`    ${q(s.id)} ${attrs({ id: s.id, label: storageLabel(s), shape: 'cylinder', style: 'filled', ...storageStyle(s) })};`);
    line('  }');
  });

  const nodePorts = model.services.filter(s => s.ports.some(p => p.nodePort !== undefined));
  if (nodePorts.length > 0) line(`  "node-ports" ${attrs({ id: 'node-ports', label: 'every node\'s address\n(NodePort)', shape: 'component', fillcolor: COLORS.nodePort })};`);
  for (const e of model.externals.filter(x => x.drawn)) line(`  ${q(e.id)} ${attrs({ id: e.id, label: e.label, shape: externalShape(e), style: 'filled,dashed', fillcolor: COLORS.external })};`);
  // Where traffic comes from on the left, where it goes to on the right.
  const sources = model.externals.filter(e => e.drawn && !model.flows.some(f => f.to === e.id)).map(e => q(e.id));
  const sinks = model.externals.filter(e => e.drawn && !model.flows.some(f => f.from === e.id)).map(e => q(e.id));
  if (nodePorts.length > 0) sources.push('"node-ports"');
  if (sources.length) line(`  { rank=min; ${sources.join('; ')}; }`);
  if (sinks.length) line(`  { rank=max; ${sinks.join('; ')}; }`);

  // Request paths: Ingress → Service → workload, node port → Service.
  const drawnService = (id: string) => [...folded].find(([, fs]) => fs.some(f => f.id === id))?.[0] ?? id;
  for (const i of model.ingresses) for (const svc of [...new Set(i.routes.map(r => drawnService(`svc:${i.namespace}/${r.service}`)))]) {
    line(`  ${q(i.id)} -> ${q(svc)} ${attrs({ id: `route|${i.id}|${svc}`, color: COLORS.route, penwidth: 1.5 })};`);
  }
  for (const s of nodePorts) {
    line(`  "node-ports" -> ${q(s.id)} ${attrs({ id: `route|node-ports|${s.id}`, color: COLORS.route, penwidth: 1.5, label: s.ports.filter(p => p.nodePort !== undefined).map(p => `:${p.nodePort}`).join(', '), fontcolor: COLORS.route })};`);
  }
  for (const s of model.services.filter(x => !foldedIds.has(x.id))) for (const t of s.targets) line(`  ${q(s.id)} -> ${q(t)} ${attrs({ id: `route|${s.id}|${t}`, color: COLORS.route, style: s.headless ? 'dashed' : 'solid' })};`);

  // Where data lives.
  for (const w of model.workloads) for (const m of w.mounts) {
    line(`  ${q(w.id)} -> ${q(m.storage)} ${attrs({ id: `mount|${w.id}|${m.storage}`, color: COLORS.mount, arrowhead: 'none', label: m.paths.join('\n'), fontcolor: COLORS.mount, fontsize: 9 })};`);
  }

  // Allowed flows; the same ports both ways between two ends is one arrow with two heads.
  const pairedWith = (f: Flow) => model.flows.find(g => g.from === f.to && g.to === f.from && g !== f && sameSet(g.ports, f.ports));
  for (const f of model.flows) {
    const twin = pairedWith(f);
    if (twin && flowId(twin) < flowId(f)) continue; // drawn with its twin
    const ports = formatPorts(f.ports);
    const anyPort = ports.startsWith('any');
    line(`  ${q(f.from)} -> ${q(f.to)} ${attrs({
      id: flowId(f), class: twin ? 'both' : undefined, dir: twin ? 'both' : undefined,
      label: f.from === f.to ? `between its pods: ${ports}` : ports, color: anyPort ? COLORS.open : COLORS.flow, fontcolor: anyPort ? COLORS.open : COLORS.flow,
      penwidth: 2, style: anyPort ? 'dashed' : 'solid',
    })};`);
  }

  const notShown = Object.entries(model.notShown).map(([k, n]) => `${k} ${n}`).join(', ');
  const legend = ['Blue: request path (Ingress → Service → pods; dashed: headless Service for pod DNS).',
    'Green: connections NetworkPolicies allow, with ports; orange dashed: any port; two heads: both ways.',
    '"anywhere" is any pod or address; outside endpoints are not limited by these manifests.',
    'An ipBlock is drawn as addresses outside the cluster (with Calico it can also admit pods).',
    'Cylinders: persistent volumes; green and bold: data survives deletion (Retain).',
    ...(notShown ? [`Not drawn: ${notShown}.`] : []),
    ...model.warnings.map(w => `Note: ${w}.`)];
  line(`  legend ${attrs({
    id: 'legend', shape: 'note', fillcolor: '#ffffff', fontsize: 10,
    label: `<<table border="0" cellspacing="0" cellpadding="1">${legend.map(l => `<tr><td align="left">${h(l)}</td></tr>`).join('')}</table>>`,
  })};`);
  line('}');
  return out.join('\n') + '\n';
}
