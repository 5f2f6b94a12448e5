import { Manifest } from './report';

/** A pod template inside a workload (or a bare Pod), with where it sits in the object. */
export interface PodTemplate {
  /** JSON path of the pod spec, e.g. `spec.template.spec`. */
  readonly path: string;
  readonly spec: any;
  readonly labels: Record<string, string>;
  /** Whether its containers are meant to run forever (not a Job's, not a run-to-completion Pod). */
  readonly longRunning: boolean;
}

/** The pod template of a workload kind, or undefined for other kinds. */
export function podTemplateOf(m: Manifest): PodTemplate | undefined {
  const spec = m.spec;
  switch (m.kind) {
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'ReplicationController':
      return spec?.template?.spec ? { path: 'spec.template.spec', spec: spec.template.spec, labels: spec.template.metadata?.labels ?? {}, longRunning: true } : undefined;
    case 'Job':
      return spec?.template?.spec ? { path: 'spec.template.spec', spec: spec.template.spec, labels: spec.template.metadata?.labels ?? {}, longRunning: false } : undefined;
    case 'CronJob': {
      const t = spec?.jobTemplate?.spec?.template;
      return t?.spec ? { path: 'spec.jobTemplate.spec.template.spec', spec: t.spec, labels: t.metadata?.labels ?? {}, longRunning: false } : undefined;
    }
    case 'Pod':
      return spec ? { path: 'spec', spec, labels: m.metadata?.labels ?? {}, longRunning: !['Never', 'OnFailure'].includes(spec.restartPolicy) } : undefined;
    // Stryker disable next-line ConditionalExpression: falling out of the switch returns undefined just the same
    default:
      return undefined;
  }
}

/**
 * The pods an operator starts for a custom resource in the output, as the selectors of
 * Services and NetworkPolicies see them: a CloudNativePG `Cluster`'s instances (and its init
 * Jobs) carry `cnpg.io/cluster: <name>` and the labels of `spec.inheritedMetadata`, and listen on
 * 5432 (`postgresql`), 8000 (`status`) and 9187 (`metrics`). Undefined for other objects.
 */
export function operatorPodsOf(m: Manifest): PodTemplate | undefined {
  if (m.kind !== 'Cluster' || m.apiVersion !== 'postgresql.cnpg.io/v1') return undefined;
  const ports = [['postgresql', 5432], ['status', 8000], ['metrics', 9187]].map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' }));
  return {
    path: 'spec',
    spec: { containers: [{ name: 'postgres', ports }] },
    labels: { ...(m as any).spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': m.metadata?.name ?? '' },
    longRunning: true,
  };
}

export interface ContainerRef {
  readonly container: any;
  /** JSON path of the container. */
  readonly path: string;
  readonly init: boolean;
}

/** Init and app containers of a pod spec. */
export function containersOf(t: PodTemplate): ContainerRef[] {
  const list: ContainerRef[] = [];
  (t.spec.initContainers ?? []).forEach((c: any, i: number) => list.push({ container: c, path: `${t.path}.initContainers[${i}]`, init: true }));
  (t.spec.containers ?? []).forEach((c: any, i: number) => list.push({ container: c, path: `${t.path}.containers[${i}]`, init: false }));
  return list;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Kubernetes label selector semantics (an empty selector matches everything). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    // Stryker disable ArrayDeclaration: ["Stryker was here"] for [] differs only for that label value, which no label can have (a space)
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key])
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    // Stryker restore ArrayDeclaration
    if (!ok) return false;
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}
