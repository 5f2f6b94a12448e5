// Phrases the drawing and the text form share, so both say the same thing the same way.
import { NamespaceInfo, StorageInfo, Workload } from './model';

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `3 replicas`, `schedule 15 2 * * * (controller time zone)`, `runs to completion`, or nothing. */
export function runsHow(w: Workload): string {
  if (w.kind === 'CronJob') return `schedule ${w.schedule} (${w.timeZone ?? 'controller time zone'})${w.suspended ? ', suspended' : ''}`;
  if (w.replicas !== undefined) return plural(w.replicas, w.kind === 'Cluster' ? 'instance' : 'replica');
  return w.kind === 'Job' ? 'runs to completion' : '';
}

/** What a namespace's NetworkPolicies do by default, said once per namespace. */
export function policyStance(ns: NamespaceInfo): string {
  const deny = [ns.denyIngress ? 'ingress' : '', ns.denyEgress ? 'egress' : ''].filter(Boolean);
  if (deny.length > 0) return `NetworkPolicy: ${deny.join(' and ')} denied by default; only the flows shown are allowed`;
  return ns.policies > 0 ? `NetworkPolicy: ${plural(ns.policies, 'policy', 'policies')}, no default deny` : 'no NetworkPolicy: every pod accepts and opens any connection';
}

/** The namespace heading: its name, and its Pod Security level or that the Namespace is not in the manifests. */
export function namespaceHeading(ns: NamespaceInfo): string {
  return `namespace ${ns.name}${ns.podSecurity ? `  ·  Pod Security: ${ns.podSecurity}` : ns.inManifests ? '' : '  ·  (Namespace not in these manifests)'}`;
}

/** `env A, B; volume /etc/x; image pull`: how a workload gets a Secret or ConfigMap. */
export function howRead(how: readonly string[]): string {
  const env = how.filter(x => x.startsWith('env ')).map(x => x.slice(4));
  return [...(env.length ? [`env ${env.join(', ')}`] : []), ...how.filter(x => !x.startsWith('env '))].join('; ');
}

/** The kind of the workload a claim template belongs to (`StatefulSet`, a CloudNativePG `Cluster`). */
export function ownerKind(s: StorageInfo): string {
  return s.perReplicaOf?.split('/')[1] ?? 'owner';
}
