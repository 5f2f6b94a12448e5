// Kubernetes NetworkPolicy semantics, to prove which connections a set of policies allows.
import { selectorMatches } from '../../lib/validation/pods';
import { Manifest } from '../util';

export interface Pod { readonly ns: string; readonly labels: Record<string, string> }
export const pod = (ns: string, labels: Record<string, string>): Pod => ({ ns, labels });

const nsLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: any, policyNs: string, other: Pod): boolean {
  if (peer.ipBlock) return false; // the pods here are cluster pods
  if (peer.namespaceSelector) {
    return selectorMatches(peer.namespaceSelector, nsLabels(other.ns)) && (!peer.podSelector || selectorMatches(peer.podSelector, other.labels));
  }
  return other.ns === policyNs && selectorMatches(peer.podSelector, other.labels);
}

/** One direction of one connection: allowed when no policy isolates `subject`, or one allows it. */
function allowedBy(policies: Manifest[], subject: Pod, other: Pod, port: number, proto: string, dir: 'Ingress' | 'Egress'): boolean {
  const selecting = policies.filter(p => p.kind === 'NetworkPolicy' && p.metadata.namespace === subject.ns
    && (p.spec.policyTypes ?? ['Ingress']).includes(dir) && selectorMatches(p.spec.podSelector, subject.labels));
  if (selecting.length === 0) return true; // not isolated
  return selecting.some(p => (p.spec[dir === 'Ingress' ? 'ingress' : 'egress'] ?? []).some((rule: any) => {
    const peers = rule[dir === 'Ingress' ? 'from' : 'to'];
    const peerOk = !peers || peers.some((peer: any) => peerMatches(peer, subject.ns, other));
    const portOk = !rule.ports || rule.ports.some((pp: any) => pp.port === port && (pp.protocol ?? 'TCP') === proto);
    return peerOk && portOk;
  }));
}

/** Whether `from` may open a connection to `to` on `port`: egress of one and ingress of the other. */
export function canConnect(policies: Manifest[], from: Pod, to: Pod, port: number, proto = 'TCP'): boolean {
  return allowedBy(policies, from, to, port, proto, 'Egress') && allowedBy(policies, to, from, port, proto, 'Ingress');
}

/** The labels of the pods a workload manifest starts. */
export function podLabels(m: Manifest): Record<string, string> {
  const spec = m.kind === 'CronJob' ? m.spec.jobTemplate.spec : m.spec;
  return spec.template.metadata.labels;
}
