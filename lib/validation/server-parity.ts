import { cronProblem } from '../common/cron';
import {
  checkCidr, cidrStrictlyWithin, dns1035LabelProblem, dns1123LabelProblem, dns1123SubdomainProblem, envVarNameProblem,
  ianaServiceNameProblem, ingressHostProblem, labelValueProblem, pathSegmentNameProblem, qualifiedNameProblem,
} from '../common/k8s-names';
import { containersOf, podTemplateOf } from './pods';
import { parseQuantity } from './props';
import { FindingSink, SourcedManifest } from './report';

/**
 * Server-parity rules: what the Kubernetes API server's validation code refuses beyond the
 * OpenAPI schema (names per kind, label and annotation syntax, selectors, container, port and
 * volume names, env names, Ingress rules, NetworkPolicy peers, quantities, probes, schedules),
 * checked here so that synth fails with the construct path instead of `kubectl apply` half-way.
 * The differential test compares every one of them with the real API server.
 */
// Stryker disable StringLiteral: rule descriptions are documentation (the rule ids are keys, tested)
export const SERVER_PARITY_RULES: Record<string, string> = {
  'dns-name': 'object names as the server requires them per kind',
  'label-syntax': 'label keys and values, also in selectors and pod templates',
  'annotation-syntax': 'annotation keys',
  'pod-names': 'container, port and volume names, unique where the server requires it',
  'port-range': 'port numbers 1-65535',
  'env-name': 'environment variable names',
  'ingress-rule': 'Ingress hosts and paths',
  'networkpolicy-peer': 'NetworkPolicy CIDRs and ports',
  'quantity': 'resource quantities: parseable, not negative, requests within limits',
  'probe': 'probe timings and thresholds',
  'schedule': 'CronJob schedules as the controller parses them',
};
// Stryker restore StringLiteral

export interface ServerParityOptions {
  /**
   * Kubernetes minor of the target cluster: Service names may start with a digit from 1.36,
   * non-standard CIDRs are a warning before 1.35 and refused from then on.
   * @default none: the strictest rule of every supported version
   */
  readonly kubernetesMinor?: number;
}

/** Kinds whose names are DNS-1123 labels, and those whose names are mere path segments. */
const LABEL_NAMES = new Set(['Namespace', 'StatefulSet']);
const PATH_SEGMENT_NAMES = new Set(['PodDisruptionBudget', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

export function checkServerParity(source: SourcedManifest, sink: FindingSink, options: ServerParityOptions = {}): void {
  const m = source.manifest;
  const add = (rule: string, path: string, message: string) => sink.add(source, rule, path, message);
  checkName(m, options.kubernetesMinor, add);
  checkLabels(m.metadata?.labels, 'metadata.labels', add);
  for (const key of Object.keys(m.metadata?.annotations ?? {})) {
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) add('annotation-syntax', `metadata.annotations.${key}`, `annotation key "${key}": ${problem}`);
  }
  const t = podTemplateOf(m);
  if (t) {
    const templatePath = t.path.replace(/\.spec$/, '');
    // A bare Pod's labels are its own metadata.labels, checked above.
    if (m.kind !== 'Pod') checkLabels(t.labels, `${templatePath}.metadata.labels`, add);
    // Stryker disable next-line OptionalChaining: a pod template lies inside spec, so spec is there
    if (m.spec?.selector && m.kind !== 'CronJob' && m.kind !== 'Job') checkSelector(m.spec.selector, 'spec.selector', add);
    checkPod(t.spec, t.path, add, containersOf(t));
  }
  switch (m.kind) {
    case 'Service': checkService(m, add); break;
    case 'Ingress': checkIngress(m, add); break;
    case 'NetworkPolicy': checkNetworkPolicy(m, add, options.kubernetesMinor, (path, message) => sink.add(source, 'networkpolicy-peer', path, message, 'warning')); break;
    case 'PodDisruptionBudget': if (m.spec?.selector) checkSelector(m.spec.selector, 'spec.selector', add); break;
    case 'CronJob': {
      const problem = cronProblem(m.spec?.schedule);
      if (problem) add('schedule', 'spec.schedule', `schedule ${JSON.stringify(m.spec?.schedule)}: ${problem}`);
      break;
    }
    default:
  }
}

type Add = (rule: string, path: string, message: string) => void;

// Stryker disable StringLiteral,ObjectLiteral: how each name rule reads in a message (message text only)
const NAME_RULE = {
  pathSegment: 'a path segment',
  label: 'a DNS-1123 label',
  serviceLabel: 'a DNS-1035 label (starting with a letter)',
  cronJob: 'a DNS-1123 subdomain of at most 52 characters',
  subdomain: 'a DNS-1123 subdomain',
};
// Stryker restore StringLiteral,ObjectLiteral

function checkName(m: any, minor: number | undefined, add: Add): void {
  const name = m.metadata?.name;
  if (typeof name !== 'string' || name.length === 0) {
    if (!m.metadata?.generateName) add('dns-name', 'metadata.name', 'every object needs a name');
    return;
  }
  // Stryker disable next-line StringLiteral: any kind outside the tables gets the subdomain rule; '' only shows in the message
  const kind = m.kind ?? '';
  const [what, problem] =
    PATH_SEGMENT_NAMES.has(kind) ? [NAME_RULE.pathSegment, pathSegmentNameProblem(name)]
    : LABEL_NAMES.has(kind) ? [NAME_RULE.label, dns1123LabelProblem(name)]
    // Service names: DNS-1035 labels; Kubernetes 1.36 also accepts a leading digit (RelaxedServiceNameValidation).
    : kind === 'Service' ? ((minor ?? 0) >= 36 ? [NAME_RULE.label, dns1123LabelProblem(name)] : [NAME_RULE.serviceLabel, dns1035LabelProblem(name)])
    // Jobs it creates are named <name>-<minutes since epoch>: at most 52 characters.
    : kind === 'CronJob' ? [NAME_RULE.cronJob, dns1123SubdomainProblem(name, 52)]
    : [NAME_RULE.subdomain, dns1123SubdomainProblem(name)];
  if (problem) add('dns-name', 'metadata.name', `"${name}" is not ${what}, required for a ${kind} name: ${problem}`);
}

function checkLabels(labels: unknown, path: string, add: Add): void {
  if (!labels || typeof labels !== 'object') return;
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) add('label-syntax', `${path}.${key}`, `label key "${key}": ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) add('label-syntax', `${path}.${key}`, `label value ${JSON.stringify(value)}: ${valueProblem}`);
  }
}

function checkSelector(selector: any, path: string, add: Add): void {
  checkLabels(selector.matchLabels, `${path}.matchLabels`, add);
  (selector.matchExpressions ?? []).forEach((e: any, i: number) => {
    const keyProblem = qualifiedNameProblem(e?.key);
    if (keyProblem) add('label-syntax', `${path}.matchExpressions[${i}].key`, `selector key ${JSON.stringify(e?.key)}: ${keyProblem}`);
    if (e?.operator === 'In' || e?.operator === 'NotIn') {
      (e.values ?? []).forEach((v: unknown, j: number) => {
        const p = labelValueProblem(v);
        if (p) add('label-syntax', `${path}.matchExpressions[${i}].values[${j}]`, `selector value ${JSON.stringify(v)}: ${p}`);
      });
    }
  });
}

/** The field a path ends in, for messages: `spec.ports[0].targetPort` is a "targetPort". */
// Stryker disable all: message text only
function fieldOf(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
}
// Stryker restore all

function checkPort(value: unknown, path: string, add: Add): void {
  const what = fieldOf(path);
  // Number.isInteger is false for anything but a whole number.
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
    add('port-range', path, `${what} ${JSON.stringify(value)} must be 1-65535`);
  }
}

function checkPod(pod: any, path: string, add: Add, containers: ReadonlyArray<{ container: any; path: string; init: boolean }>): void {
  const volumes = new Set<string>();
  (pod.volumes ?? []).forEach((v: any, i: number) => {
    const problem = dns1123LabelProblem(v?.name);
    if (problem) add('pod-names', `${path}.volumes[${i}].name`, `volume name ${JSON.stringify(v?.name)}: ${problem}`);
    else if (volumes.has(v.name)) add('pod-names', `${path}.volumes[${i}].name`, `volume name "${v.name}" is used twice`);
    volumes.add(v?.name);
  });
  const names = new Set<string>();
  for (const { container: c, path: cpath, init } of containers) {
    const problem = dns1123LabelProblem(c?.name);
    if (problem) add('pod-names', `${cpath}.name`, `container name ${JSON.stringify(c?.name)}: ${problem}`);
    else if (names.has(c.name)) add('pod-names', `${cpath}.name`, `container name "${c.name}" is used twice in the pod (init containers included)`);
    names.add(c?.name);
    const portNames = new Set<string>();
    (c?.ports ?? []).forEach((p: any, i: number) => {
      checkPort(p?.containerPort, `${cpath}.ports[${i}].containerPort`, add);
      if (p?.name !== undefined && p.name !== '') { // "" is no name
        const np = ianaServiceNameProblem(p.name);
        if (np) add('pod-names', `${cpath}.ports[${i}].name`, `port name ${JSON.stringify(p.name)} (an IANA service name): ${np}`);
        else if (portNames.has(p.name)) add('pod-names', `${cpath}.ports[${i}].name`, `port name "${p.name}" is used twice in the container`);
        portNames.add(p.name);
      }
    });
    (c?.env ?? []).forEach((e: any, i: number) => {
      const problem = envVarNameProblem(e?.name);
      if (problem) add('env-name', `${cpath}.env[${i}].name`, `environment variable name ${JSON.stringify(e?.name)}: ${problem}`);
    });
    checkResources(c?.resources, `${cpath}.resources`, add);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (!c?.[probe]) continue;
      // An init container may have probes only as a sidecar (restartPolicy: Always), checked like an app container's.
      if (init && c.restartPolicy !== 'Always') add('probe', `${cpath}.${probe}`, `${probe} may not be set on an init container unless it is a sidecar (restartPolicy: Always)`);
      else checkProbe(c[probe], probe, `${cpath}.${probe}`, add);
    }
  }
}

function checkResources(resources: any, path: string, add: Add): void {
  if (!resources) return;
  const parsed: Record<string, Record<string, number>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, raw] of Object.entries<unknown>(resources[kind] ?? {})) {
      // parseQuantity trims, as the server does.
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseQuantity(raw) : undefined;
      if (value === undefined) add('quantity', `${path}.${kind}.${name}`, `${JSON.stringify(raw)} is not a Kubernetes quantity (e.g. "500m", "1Gi")`);
      else if (value < 0) add('quantity', `${path}.${kind}.${name}`, `${JSON.stringify(raw)} must not be negative`);
      else parsed[kind][name] = value;
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    if (request > (parsed.limits[name] ?? Infinity)) add('quantity', `${path}.requests.${name}`, `request ${resources.requests[name]} exceeds the limit ${resources.limits[name]}`);
  }
}

function checkProbe(probe: any, which: string, path: string, add: Add): void {
  for (const field of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[field];
    if (typeof v === 'number' && v < 0) add('probe', `${path}.${field}`, `${field} ${v} must not be negative`);
  }
  // 0 means the default (1); liveness and startup probes accept nothing else.
  const success = probe.successThreshold;
  if (which !== 'readinessProbe' && typeof success === 'number' && success > 1) {
    add('probe', `${path}.successThreshold`, `a ${which}'s successThreshold must be 1 (got ${success})`);
  }
}

function checkService(m: any, add: Add): void {
  const ports: any[] = m.spec?.ports ?? [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    checkPort(p?.port, `spec.ports[${i}].port`, add);
    // One port may go unnamed; with several, each needs a name.
    if ((p?.name !== undefined && p.name !== '') || ports.length > 1) {
      const problem = dns1123LabelProblem(p?.name);
      if (problem) add('pod-names', `spec.ports[${i}].name`, `Service port name ${JSON.stringify(p?.name)}${ports.length > 1 ? ' (required with several ports)' : ''}: ${problem}`);
      else if (names.has(p.name)) add('pod-names', `spec.ports[${i}].name`, `Service port name "${p.name}" is used twice`);
      names.add(p?.name);
    }
    // The server fills in a targetPort of 0 or "" with the port itself.
    const target = p?.targetPort;
    if (target === 0 || target === '') return;
    if (typeof target === 'number') checkPort(target, `spec.ports[${i}].targetPort`, add);
    else if (typeof target === 'string') {
      const problem = ianaServiceNameProblem(target);
      if (problem) add('pod-names', `spec.ports[${i}].targetPort`, `targetPort name "${target}": ${problem}`);
    }
  });
  checkLabels(m.spec?.selector, 'spec.selector', add);
}

function checkIngress(m: any, add: Add): void {
  // Stryker disable next-line ArrayDeclaration: a stand-in element that is not an object has no fields, like no element
  (m.spec?.rules ?? []).forEach((rule: any, i: number) => {
    const host = rule?.host;
    if (host !== undefined && host !== '') {
      const problem = ingressHostProblem(host);
      if (problem) add('ingress-rule', `spec.rules[${i}].host`, `host ${JSON.stringify(host)}: ${problem} (a wildcard only as a leading "*.")`);
    }
    // Stryker disable next-line ArrayDeclaration: a stand-in element that is not an object has no fields, like no element
    (rule?.http?.paths ?? []).forEach((p: any, j: number) => {
      const path = p?.path;
      const at = `spec.rules[${i}].http.paths[${j}].path`;
      if (p?.pathType === 'Exact' || p?.pathType === 'Prefix') {
        if (typeof path !== 'string' || !path.startsWith('/')) add('ingress-rule', at, `path ${JSON.stringify(path)} must be an absolute path (start with "/")`);
        else if (['//', '/./', '/../', '%2f', '%2F'].some(s => path.includes(s)) || path.endsWith('/..') || path.endsWith('/.')) {
          add('ingress-rule', at, `path "${path}" must not contain "//", "/./", "/../" or "%2f", nor end in "/." or "/.."`);
        }
      } else if (typeof path === 'string' && path.length > 0 && !path.startsWith('/')) {
        add('ingress-rule', at, `path "${path}" must be an absolute path (start with "/")`);
      }
    });
  });
}

function checkNetworkPolicy(m: any, add: Add, minor: number | undefined, warn: (path: string, message: string) => void): void {
  // Leading zeros and bits beyond the prefix: refused from 1.35 on (StrictIPCIDRValidation), a warning before.
  const strict = minor === undefined || minor >= 35;
  const cidr = (value: unknown, path: string): boolean => {
    const what = fieldOf(path);
    const { problem, nonStandard } = checkCidr(value);
    const refused = problem ?? (strict ? nonStandard : undefined);
    if (refused) { add('networkpolicy-peer', path, `${what} ${JSON.stringify(value)}: ${refused}`); return false; }
    if (nonStandard) warn(path, `${what} ${JSON.stringify(value)}: ${nonStandard}; Kubernetes 1.35 and later refuse it`);
    return true;
  };
  checkSelector(m.spec?.podSelector ?? {}, 'spec.podSelector', add);
  for (const direction of ['ingress', 'egress'] as const) {
    // Stryker disable next-line ArrayDeclaration: a stand-in element that is not an object has no fields, like no element
    (m.spec?.[direction] ?? []).forEach((r: any, i: number) => {
      // Stryker disable next-line ArrayDeclaration: a stand-in element that is not an object has no fields, like no element
      (r?.[direction === 'ingress' ? 'from' : 'to'] ?? []).forEach((peer: any, j: number) => {
        const at = `spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        if (peer?.podSelector) checkSelector(peer.podSelector, `${at}.podSelector`, add);
        if (peer?.namespaceSelector) checkSelector(peer.namespaceSelector, `${at}.namespaceSelector`, add);
        const block = peer?.ipBlock;
        if (!block) return;
        const cidrOk = cidr(block.cidr, `${at}.ipBlock.cidr`);
        (block.except ?? []).forEach((e: unknown, k: number) => {
          if (cidr(e, `${at}.ipBlock.except[${k}]`) && cidrOk && !cidrStrictlyWithin(e as string, block.cidr)) {
            add('networkpolicy-peer', `${at}.ipBlock.except[${k}]`, `except "${e}" must lie strictly inside cidr "${block.cidr}"`);
          }
        });
      });
      // Stryker disable next-line ArrayDeclaration: a stand-in element that is not an object has no fields, like no element
      (r?.ports ?? []).forEach((p: any, j: number) => {
        const at = `spec.${direction}[${i}].ports[${j}]`;
        if (typeof p?.port === 'number') checkPort(p.port, `${at}.port`, add);
        else if (typeof p?.port === 'string') {
          const problem = ianaServiceNameProblem(p.port);
          if (problem) add('networkpolicy-peer', `${at}.port`, `port name "${p.port}": ${problem}`);
        }
        if (p?.endPort !== undefined) {
          if (typeof p.port !== 'number') add('networkpolicy-peer', `${at}.endPort`, 'endPort needs a numeric port');
          else if (typeof p.endPort !== 'number' || p.endPort < p.port || p.endPort > 65535) add('networkpolicy-peer', `${at}.endPort`, `endPort ${JSON.stringify(p.endPort)} must be ${p.port}-65535`);
        }
      });
    });
  }
}
