// The same facts as the drawing, as text for terminals and CI logs.
import { howRead, namespaceHeading, ownerKind, policyStance, runsHow } from './describe';
import { ANYWHERE, DiagramModel, groupNamespace, StorageInfo, Workload } from './model';
import { formatPorts } from './ports';

/** A readable name for a flow end: a workload, every pod of a namespace, or an outside endpoint. */
function endName(model: DiagramModel, id: string): string {
  const ns = groupNamespace(id);
  if (ns !== undefined) return `every pod in ${ns}`;
  const w = model.workloads.find(x => x.id === id);
  if (w) return `${w.namespace}: ${w.kind} ${w.name}`;
  const e = model.externals.find(x => x.id === id);
  return e ? (id === ANYWHERE ? 'anywhere (any pod or address)' : e.label.replace(/\n/g, ' ')) : id;
}

/** `Deployment elixir, StatefulSet postgres`: the workloads a Service selects, by kind and name. */
const podsOf = (targets: readonly string[]) => targets.map(t => t.split('/').slice(1).join(' ')).join(', ');

function workloadLines(w: Workload): string[] {
  const what = [runsHow(w), w.hostNetwork ? 'on the node\'s network' : ''].filter(Boolean).join(', ');
  return [
    `    ${w.kind} ${w.name}${what ? `: ${what}` : ''}`,
    `      images: ${w.images.join(', ')}`,
    ...w.reads.map(r => `      reads ${r.kind} ${r.name}${r.systemProvided ? ' (put there by Kubernetes)' : r.inManifests ? '' : ' (not in these manifests)'}: ${howRead(r.how)}`),
    ...(w.disruptionBudget ? [`      PodDisruptionBudget ${w.disruptionBudget}`] : []),
    ...(w.hostPorts.length ? [`      hostPort ${w.hostPorts.join(', ')} (reachable on the node's address)`] : []),
  ];
}

function storageLine(model: DiagramModel, s: StorageInfo): string[] {
  const users = model.workloads.flatMap(w => w.mounts.filter(m => m.storage === s.id).map(m => `${w.kind} ${w.name} at ${m.paths.join(', ')}`));
  const facts = [s.size, s.storageClass ? `class ${s.storageClass}` : undefined, s.accessModes.join(',') || undefined,
    s.reclaimPolicy ? `reclaim ${s.reclaimPolicy} (${s.reclaimSource})` : `reclaim per ${s.reclaimSource}`,
    s.whenOwnerDeleted ? `claims ${s.whenOwnerDeleted === 'Retain' ? 'kept' : 'deleted'} when the ${ownerKind(s)} is deleted` : undefined].filter(Boolean);
  return [
    `    PVC ${s.name}${s.perReplicaOf ? ' (one per replica)' : ''}${s.inManifests ? '' : ' (not in these manifests)'}: ${facts.join(', ')}`,
    ...(users.length ? [`      mounted by ${users.join('; ')}`] : []),
  ];
}

/** The model as plain text. */
export function toText(model: DiagramModel): string {
  const out: string[] = [];
  for (const ns of model.namespaces) {
    const workloads = model.workloads.filter(w => w.namespace === ns.name);
    const storage = model.storage.filter(s => s.namespace === ns.name);
    const ingresses = model.ingresses.filter(i => i.namespace === ns.name);
    const services = model.services.filter(s => s.namespace === ns.name);
    if (workloads.length + storage.length + ingresses.length + services.length === 0) continue;
    out.push(namespaceHeading(ns).replace(/^namespace/, 'Namespace'), `  ${policyStance(ns)}`);
    if (workloads.length) out.push('  Workloads', ...workloads.flatMap(workloadLines));
    const paths = [
      ...ingresses.flatMap(i => i.routes.map(r => {
        const svc = model.services.find(s => s.id === `svc:${i.namespace}/${r.service}`);
        const to = (svc && podsOf(svc.targets)) || 'no pods in these manifests';
        return `    Ingress ${i.name}${i.className ? ` (class ${i.className})` : ''}: ${r.host === '*' ? 'any host' : r.host}${r.path} → Service ${r.service}:${r.port} → ${to} (TLS: ${[i.tls, ...i.notes].join('; ')})`;
      })),
      ...services.flatMap(s => s.ports.filter(p => p.nodePort !== undefined).map(p => `    NodePort ${p.nodePort} on every node → Service ${s.name}:${p.port} → ${podsOf(s.targets) || 'no pods'}`)),
    ];
    if (paths.length) out.push('  Request paths', ...paths);
    const svcLines = services.map(s => `    Service ${s.name} (${s.headless ? 'headless' : s.type}${s.inManifests ? '' : ', not in these manifests'}): ${s.ports.map(p => `${p.port} → ${p.targetPort}/${p.protocol}`).join(', ') || 'no ports'} → ${s.elsewhere ?? (podsOf(s.targets) || 'no pods in these manifests')}`);
    if (svcLines.length) out.push('  Services', ...svcLines);
    if (storage.length) out.push('  Storage', ...storage.flatMap(s => storageLine(model, s)));
    out.push('');
  }
  out.push('Flows NetworkPolicies allow (from → to: ports)');
  for (const f of model.flows) out.push(`  ${endName(model, f.from)} → ${endName(model, f.to)}: ${formatPorts(f.ports)}`);
  out.push('  (Anything that may reach "anywhere" also reaches whatever accepts from "anywhere"; those pairs are not listed twice.)');
  out.push('  (An ipBlock stands for addresses outside the cluster; with Calico it can also admit pods.)');
  const notShown = Object.entries(model.notShown);
  if (notShown.length) out.push('', `Not drawn: ${notShown.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (model.warnings.length) out.push('', ...model.warnings.map(w => `Note: ${w}.`));
  return out.join('\n') + '\n';
}
