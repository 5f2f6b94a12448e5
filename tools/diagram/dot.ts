// The model as a Graphviz graph: namespaces as clusters, requests left to right, flows in green.
// Every drawn element carries an id (`flow|<from>|<to>|<ports>`, `route|…`, `mount|…`), so a
// rendered SVG can be read back and checked against the model.
import { ANYWHERE, DiagramModel, ExternalInfo, Flow, IngressInfo, namespaceGroup, ServiceInfo, StorageInfo, Workload } from './model';
import { formatPorts } from './ports';

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
  const what = w.kind === 'CronJob' ? `schedule ${w.schedule}${w.timeZone ? ` (${w.timeZone})` : ' (controller time zone)'}${w.suspended ? ', suspended' : ''}`
    : w.replicas !== undefined ? `${w.replicas} replica${w.replicas === 1 ? '' : 's'}` : w.kind === 'Job' ? 'runs to completion' : '';
  const rows = [
    `<tr><td align="left" bgcolor="${isJob(w) ? COLORS.job : COLORS.workload}"><b>${h(`${w.kind} ${w.name}`)}</b><br align="left"/>${what ? `${h(what)}<br align="left"/>` : ''}</td></tr>`,
    ...w.images.map(i => `<tr><td align="left"><font point-size="9" color="#555555">${h(i)}</font></td></tr>`),
    ...w.reads.map(r => {
      const env = r.how.filter(x => x.startsWith('env ')).map(x => x.slice(4));
      const other = r.how.filter(x => !x.startsWith('env '));
      const how = [...(env.length ? [`env ${env.join(', ')}`] : []), ...other].join('; ');
      return `<tr><td align="left"><font point-size="10">${h(`${r.kind} ${r.name}`)}${r.inManifests ? '' : ' <i>(not in manifests)</i>'}: ${h(how)}</font></td></tr>`;
    }),
    ...(w.disruptionBudget ? [`<tr><td align="left"><font point-size="10">${h(`PodDisruptionBudget ${w.disruptionBudget}`)}</font></td></tr>`] : []),
    ...(w.hostPorts.length ? [`<tr><td align="left"><font point-size="10" color="${COLORS.open}">${h(`hostPort ${w.hostPorts.join(', ')}`)}</font></td></tr>`] : []),
  ];
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="3">${rows.join('')}</table>>`;
}

function serviceLabel(s: ServiceInfo): string {
  if (!s.inManifests) return `Service ${s.name}\n(not in these manifests)`;
  const ports = s.ports.map(p => `${p.port}${p.targetPort !== String(p.port) ? ` → ${p.targetPort}` : ''}${p.protocol !== 'TCP' ? `/${p.protocol}` : ''}${p.nodePort !== undefined ? `  NodePort ${p.nodePort}` : ''}`);
  return `Service ${s.name}\n${s.headless ? 'headless (pod DNS)' : s.type}\n${ports.join('\n')}`;
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
    ...(s.whenOwnerDeleted ? [`StatefulSet deleted: claims ${s.whenOwnerDeleted === 'Retain' ? 'kept' : 'DELETED'}`] : []),
  ];
  return lines.join('\n');
}

function storageStyle(s: StorageInfo): Record<string, string | number> {
  if (s.reclaimPolicy === 'Retain') return { fillcolor: COLORS.retain, color: COLORS.retainBorder, penwidth: 2.5 };
  if (s.reclaimPolicy) return { fillcolor: COLORS.deletes, color: COLORS.deletesBorder, penwidth: 2 };
  return { fillcolor: COLORS.unknown, color: '#9e9d24', penwidth: 1 };
}

function namespaceLabel(model: DiagramModel, ns: string): string {
  const info = model.namespaces.find(n => n.name === ns)!;
  const deny = [info.denyIngress ? 'ingress' : '', info.denyEgress ? 'egress' : ''].filter(Boolean);
  const policy = deny.length > 0
    ? `NetworkPolicy: ${deny.join(' and ')} denied by default; green arrows are all that is allowed`
    : info.policies > 0 ? `NetworkPolicy: ${info.policies} ${info.policies === 1 ? 'policy' : 'policies'}, no default deny`
      : 'no NetworkPolicy: every pod accepts and opens any connection';
  return `namespace ${ns}${info.podSecurity ? `  ·  Pod Security: ${info.podSecurity}` : info.inManifests ? '' : '  ·  (Namespace not in these manifests)'}\n${policy}`;
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
  const anchor = new Map<string, string>(); // namespace → a node inside its cluster, for namespace-wide flows
  namespacesDrawn.forEach((ns, i) => {
    line(`  subgraph cluster_${i} {`);
    line(`    graph ${attrs({ id: `namespace|${ns.name}`, style: 'rounded,filled', fillcolor: COLORS.cluster, color: '#90a4ae', fontsize: 12 })};`);
    line(`    label=${qLeft(namespaceLabel(model, ns.name))};`);
    for (const x of model.ingresses.filter(x => x.namespace === ns.name)) line(`    ${q(x.id)} ${attrs({ id: x.id, label: ingressLabel(x), fillcolor: COLORS.ingress })};`);
    for (const x of model.services.filter(x => x.namespace === ns.name)) {
      const nodePort = x.ports.some(p => p.nodePort !== undefined);
      line(`    ${q(x.id)} ${attrs({ id: x.id, label: serviceLabel(x), fillcolor: !x.inManifests ? COLORS.missing : nodePort ? COLORS.nodePort : COLORS.service, style: x.headless ? 'rounded,dashed,filled' : 'rounded,filled', penwidth: nodePort ? 2 : 1 })};`);
    }
    for (const w of model.workloads.filter(x => x.namespace === ns.name)) {
      line(`    ${q(w.id)} ${attrs({ id: w.id, label: workloadLabel(w), shape: 'plain', style: '', margin: 0 })};`);
      anchor.set(ns.name, anchor.get(ns.name) ?? w.id);
    }
    for (const s of model.storage.filter(x => x.namespace === ns.name)) line(`    ${q(s.id)} ${attrs({ id: s.id, label: storageLabel(s), shape: 'cylinder', style: 'filled', ...storageStyle(s) })};`);
    line('  }');
  });
  // Workload nodes are HTML tables; give them a visible frame.
  for (const w of model.workloads) line(`  ${q(w.id)} ${attrs({ shape: 'box', style: 'rounded,filled', fillcolor: 'white', margin: 0.05, color: isJob(w) ? '#6a1b9a' : '#0d47a1' })};`);

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
  for (const i of model.ingresses) for (const svc of [...new Set(i.routes.map(r => `svc:${i.namespace}/${r.service}`))]) {
    line(`  ${q(i.id)} -> ${q(svc)} ${attrs({ id: `route|${i.id}|${svc}`, color: COLORS.route, penwidth: 1.5 })};`);
  }
  for (const s of nodePorts) {
    line(`  "node-ports" -> ${q(s.id)} ${attrs({ id: `route|node-ports|${s.id}`, color: COLORS.route, penwidth: 1.5, label: s.ports.filter(p => p.nodePort !== undefined).map(p => `:${p.nodePort}`).join(', '), fontcolor: COLORS.route })};`);
  }
  for (const s of model.services) for (const t of s.targets) line(`  ${q(s.id)} -> ${q(t)} ${attrs({ id: `route|${s.id}|${t}`, color: COLORS.route, style: s.headless ? 'dashed' : 'solid' })};`);

  // Where data lives.
  for (const w of model.workloads) for (const m of w.mounts) {
    line(`  ${q(w.id)} -> ${q(m.storage)} ${attrs({ id: `mount|${w.id}|${m.storage}`, color: COLORS.mount, arrowhead: 'none', label: m.paths.join('\n'), fontcolor: COLORS.mount, fontsize: 9 })};`);
  }

  // Allowed flows.
  for (const f of model.flows) {
    const from = f.from.startsWith('namespace:') ? anchor.get(f.from.slice(10))! : f.from;
    const to = f.to.startsWith('namespace:') ? anchor.get(f.to.slice(10))! : f.to;
    const anyPort = formatPorts(f.ports).startsWith('any');
    const cluster = (end: string) => `cluster_${namespacesDrawn.findIndex(n => namespaceGroup(n.name) === end)}`;
    line(`  ${q(from)} -> ${q(to)} ${attrs({
      id: flowId(f), label: formatPorts(f.ports), color: anyPort ? COLORS.open : COLORS.flow, fontcolor: anyPort ? COLORS.open : COLORS.flow,
      penwidth: 2, style: anyPort ? 'dashed' : 'solid',
      ltail: f.from.startsWith('namespace:') ? cluster(f.from) : undefined, lhead: f.to.startsWith('namespace:') ? cluster(f.to) : undefined,
    })};`);
  }

  const notShown = Object.entries(model.notShown).map(([k, n]) => `${k} ${n}`).join(', ');
  const legend = ['Blue: request path (Ingress → Service → pods; dashed: headless Service for pod DNS).',
    'Green: connections NetworkPolicies allow, with ports; orange dashed: any port.',
    '"anywhere" is any pod or address; outside endpoints are not limited by these manifests.',
    'Cylinders: persistent volumes; green and bold: data survives deletion (Retain).',
    ...(notShown ? [`Not drawn: ${notShown}.`] : [])];
  line(`  legend ${attrs({
    id: 'legend', shape: 'note', fillcolor: '#ffffff', fontsize: 10,
    label: `<<table border="0" cellspacing="0" cellpadding="1">${legend.map(l => `<tr><td align="left">${h(l)}</td></tr>`).join('')}</table>>`,
  })};`);
  line('}');
  return out.join('\n') + '\n';
}
