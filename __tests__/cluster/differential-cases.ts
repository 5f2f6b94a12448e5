/**
 * Generators for the differential test: valid base objects of every kind we emit, and, per
 * category of what the API server validates beyond its OpenAPI schema, arbitraries that put a
 * generated value where that validation looks. Values are biased to the edges: lengths around
 * the limits (52, 63, 253), separators at the ends, upper case, the characters just outside a
 * class.
 */
import { Construct } from 'constructs';
import fc from 'fast-check';
import { Quantity } from '../../imports/k8s';
import {
  ElixirDeployment, ElixirDeploymentProps, ElixirSecrets, IngressController, PostgresBackup, PostgresCredentials, PostgresStatefulSet, TlsIngress,
} from '../../lib';

export const NAMESPACE = 'diff';

export interface Case {
  readonly category: string;
  /** What was generated, for the report. */
  readonly input: unknown;
  readonly object: any;
}

const meta = (name = 'x', extra: Record<string, unknown> = {}) => ({ name, namespace: NAMESPACE, ...extra });
const container = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'registry.example/app:1.0.0', ...extra });
const podTemplate = (labels: Record<string, string> = { app: 'x' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels }, spec: { containers: [container()], ...spec },
});

/** A valid object of each kind (the server accepts every one as is). */
export const BASE: Record<string, () => any> = {
  ConfigMap: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: 'b' } }),
  Secret: () => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(), type: 'Opaque', data: { a: 'Yg==' } }),
  Service: () => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } }),
  ServiceAccount: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta() }),
  Deployment: () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: podTemplate() } }),
  StatefulSet: () => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec: { serviceName: 'x', replicas: 1, selector: { matchLabels: { app: 'x' } }, template: podTemplate() } }),
  CronJob: () => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: podTemplate({ app: 'x' }, { restartPolicy: 'Never' }) } } } }),
  Ingress: () => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(),
    spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 80 } } } }] } }] },
  }),
  NetworkPolicy: () => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(),
    spec: { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80 }] }] },
  }),
  PodDisruptionBudget: () => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'x' } } } }),
  Role: () => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
};
export const KINDS = Object.keys(BASE);

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
/** Strings from `alphabet`, up to `max` long, plus the given edge cases. */
const text = (alphabet: string, max: number, edges: string[] = []) => fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength: max }) },
  { weight: 1, arbitrary: fc.constantFrom('', ...edges) },
);
const LABELISH = 'abz09-._';
const repeat = (n: number) => 'a'.repeat(n);

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/);
/** Names: DNS labels and subdomains and what is just outside them. */
export const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map(l => l.join('.')) },
  text(`${LABELISH}A`, 20, ['-a', 'a-', 'a.b', 'a..b', '.a', 'a_b', 'A', '1a', 'a1', '0']),
  fc.tuple(text('az09-', 64, [repeat(52), repeat(53), repeat(63), repeat(64)]), pick('', '.b', '.b.c')).map(([a, b]) => a + b),
  pick(repeat(253), repeat(254), `${repeat(63)}.${repeat(63)}.${repeat(63)}.${repeat(61)}`, `${repeat(64)}.b`),
);

/** Label (and annotation) keys: optional DNS-subdomain prefix, then a 63-character name. */
export const labelKeyArb = fc.tuple(
  fc.oneof(pick(''), pick(''), nameArb.map(p => `${p}/`), pick('example.com/', 'kubernetes.io/', 'a/b/', '/')),
  text(`${LABELISH}A`, 70, [repeat(63), repeat(64), '-a', 'a-', '_a', 'a_', 'a.b']),
).map(([prefix, name]) => prefix + name);

export const labelValueArb = fc.oneof(fc.stringMatching(/^([A-Za-z0-9][-A-Za-z0-9_.]{0,20})?[A-Za-z0-9]$/), text(`${LABELISH}A `, 70, [repeat(63), repeat(64), '-a', 'a-', '_a', 'a_', '.a']));

/** IANA service names (port names) and what is just outside. */
export const portNameArb = fc.oneof(fc.stringMatching(/^[a-z]([a-z0-9]|-[a-z0-9]){0,6}$/), text('az09-A', 17, ['a--b', '-a', 'a-', '123', 'a1', repeat(15), repeat(16), 'http']));
export const portNumberArb = fc.oneof(fc.integer({ min: -1, max: 70000 }), pick(0, 1, 65535, 65536));
export const envNameArb = fc.oneof(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), text('AZaz09_.-=:/ ', 12, ['A', '_A', '1A', 'A=B', 'A.B', 'A-B', 'a b', ' ', 'A\tB']));

/** Quantities: numbers with suffixes, and forms that are not quantities. */
export const quantityArb = fc.oneof(
  fc.tuple(fc.oneof(fc.integer({ min: -5, max: 5000 }).map(String), pick('0.5', '1.5', '.5', '1.', '1e3', '+1', '-0.1', '1.0000001')),
    pick('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti', 'E', 'Ei', 'mi', 'KiB', 'g', 'b')).map(([n, s]) => n + s),
  pick('', 'abc', ' 1', '1 ', '1Gi2', 'Gi'),
);

/** CronJob schedules: five fields of numbers, ranges, steps, lists, names and wrong things. */
const validCronField = fc.oneof(pick('*', '*/5', '1-5', '1,2', '0', '?'), fc.integer({ min: 1, max: 6 }).map(String));
const cronField = fc.oneof(
  pick('*', '*/5', '1-5', '1,2', '0', '59', '60', '24', '31', '32', '13', '7', '8', 'MON', 'JAN', 'mon-fri', '?', 'L', '-1', '*/0', '5-1', '', 'a'),
  fc.integer({ min: 0, max: 70 }).map(String),
);
export const scheduleArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(validCronField, { minLength: 5, maxLength: 5 }).map(f => f.join(' ')) },
  { weight: 5, arbitrary: fc.array(cronField, { minLength: 4, maxLength: 6 }).map(f => f.join(' ')) },
  { weight: 1, arbitrary: pick('@daily', '@hourly', '@every 1h', '@yearly', '@reboot', 'TZ=UTC 0 3 * * *', 'CRON_TZ=UTC 0 3 * * *', '', '* * * * * *') },
);

export const hostArb = fc.oneof(fc.array(dnsLabel, { minLength: 2, maxLength: 3 }).map(l => l.join('.')), nameArb, nameArb.map(n => `*.${n}`), pick('*', '*.', 'a.*.b', '1.2.3.4', 'a:80', 'A.example.com', 'a.example.com.'));
export const pathArb = fc.oneof(fc.stringMatching(/^(\/[a-z0-9._-]{1,6}){0,3}\/?$/).map(p => p || '/'), text('/a-_.~%:?#*{} ', 12, ['/', '', 'a', '//', '/a/../b', '/a?b']));
export const cidrArb = fc.oneof(
  pick('10.0.0.0/8', '192.168.0.0/16', '10.1.0.0/16', '10.1.2.0/24', '0.0.0.0/0', 'fd00::/8', '2001:db8::/32', '10.1.2.3/32'),
  fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -1, max: 40 })).map(([a, b, p]) => `${a}.${b}.0.0/${p}`),
  pick('10.0.0.1/8', '10.0.0.0', '::/0', 'fd00::/8', '2001:db8::/129', '0.0.0.0/0', 'a/8', ''),
);
const smallInt = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: -1 }) });

/** One category: its name and the arbitrary of its cases. */
export interface Category { readonly name: string; readonly arbitrary: fc.Arbitrary<Case> }

const object = (kind: string, mutate: (o: any) => void): any => {
  const o = BASE[kind]();
  mutate(o);
  return o;
};
const workload = (mutate: (spec: any, o: any) => void) => object('Deployment', o => mutate(o.spec.template.spec, o));

export const CATEGORIES: Category[] = [
  {
    name: 'object name (per kind)',
    arbitrary: fc.tuple(fc.constantFrom(...KINDS), nameArb).map(([kind, name]) => ({ category: `name:${kind}`, input: { kind, name }, object: object(kind, o => { o.metadata.name = name; }) })),
  },
  {
    name: 'label key and value',
    arbitrary: fc.tuple(labelKeyArb, labelValueArb).map(([k, v]) => ({ category: 'label', input: { key: k, value: v }, object: object('ConfigMap', o => { o.metadata.labels = { [k]: v }; }) })),
  },
  {
    name: 'annotation key',
    arbitrary: labelKeyArb.map(k => ({ category: 'annotation', input: { key: k }, object: object('ConfigMap', o => { o.metadata.annotations = { [k]: 'v' }; }) })),
  },
  {
    name: 'selector and template labels',
    arbitrary: fc.tuple(labelKeyArb, labelValueArb, fc.boolean()).map(([k, v, same]) => ({
      category: 'selector', input: { key: k, value: v, templateMatches: same },
      object: object('Deployment', o => { o.spec.selector.matchLabels = { [k]: v }; o.spec.template.metadata.labels = same ? { [k]: v } : { [k]: `${v}x` }; }),
    })),
  },
  {
    name: 'container, port and volume names, port numbers',
    arbitrary: fc.tuple(fc.constantFrom('container', 'port-name', 'volume', 'port-number', 'service-port-name', 'service-port'), nameArb, portNameArb, portNumberArb).map(([what, name, portName, port]) => {
      const input = { what, value: what === 'container' || what === 'volume' ? name : what.endsWith('port-name') ? portName : port };
      const o = what.startsWith('service') ? object('Service', s => {
        if (what === 'service-port') s.spec.ports[0].port = port; else s.spec.ports[0].name = portName;
      }) : workload(spec => {
        if (what === 'container') spec.containers[0].name = name;
        if (what === 'port-name') spec.containers[0].ports = [{ name: portName, containerPort: 8080 }];
        if (what === 'port-number') spec.containers[0].ports = [{ name: 'http', containerPort: port }];
        if (what === 'volume') { spec.volumes = [{ name, emptyDir: {} }]; spec.containers[0].volumeMounts = [{ name, mountPath: '/v' }]; }
      });
      return { category: what, input, object: o };
    }),
  },
  {
    name: 'env var names',
    arbitrary: envNameArb.map(n => ({ category: 'env-name', input: { name: n }, object: workload(spec => { spec.containers[0].env = [{ name: n, value: 'v' }]; }) })),
  },
  {
    name: 'Ingress host, path and pathType',
    arbitrary: fc.tuple(hostArb, pathArb, pick('Prefix', 'Exact', 'ImplementationSpecific')).map(([host, path, pathType]) => ({
      category: 'ingress', input: { host, path, pathType },
      object: object('Ingress', o => { o.spec.rules[0].host = host; Object.assign(o.spec.rules[0].http.paths[0], { path, pathType }); }),
    })),
  },
  {
    name: 'NetworkPolicy CIDRs and ports',
    arbitrary: fc.tuple(cidrArb, fc.option(cidrArb, { nil: undefined, freq: 2 }), fc.oneof(portNumberArb, portNameArb), fc.option(portNumberArb, { nil: undefined, freq: 2 })).map(([cidr, except, port, endPort]) => ({
      category: 'networkpolicy', input: { cidr, except, port, endPort },
      object: object('NetworkPolicy', o => {
        o.spec.ingress[0].from[0].ipBlock = except === undefined ? { cidr } : { cidr, except: [except] };
        o.spec.ingress[0].ports[0] = endPort === undefined ? { protocol: 'TCP', port } : { protocol: 'TCP', port, endPort };
      }),
    })),
  },
  {
    name: 'resource quantities and requests within limits',
    arbitrary: fc.tuple(pick('cpu', 'memory', 'ephemeral-storage'), quantityArb, fc.option(quantityArb, { nil: undefined })).map(([resource, request, limit]) => ({
      category: 'quantity', input: { resource, request, limit },
      object: workload(spec => { spec.containers[0].resources = { requests: { [resource]: request }, ...(limit === undefined ? {} : { limits: { [resource]: limit } }) }; }),
    })),
  },
  {
    name: 'probe fields',
    arbitrary: fc.tuple(pick('livenessProbe', 'readinessProbe', 'startupProbe'), smallInt, smallInt, smallInt, smallInt, smallInt).map(([probe, initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold]) => {
      const fields = { initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold };
      return { category: 'probe', input: { probe, ...fields }, object: workload(spec => { spec.containers[0][probe] = { tcpSocket: { port: 8080 }, ...fields }; }) };
    }),
  },
  {
    name: 'CronJob schedules',
    arbitrary: scheduleArb.map(schedule => ({ category: 'schedule', input: { schedule }, object: object('CronJob', o => { o.spec.schedule = schedule; }) })),
  },
];

/**
 * The same values through construct props, where a prop reaches the field: `build` makes the
 * construct in a chart of namespace NAMESPACE; `twins` are raw objects with the value in the
 * same places, whose server verdict stands in when the construct refuses the prop.
 */
export interface PropCase {
  readonly category: string;
  readonly input: unknown;
  readonly build: (chart: Construct) => void;
  readonly twins: any[];
}
export interface PropCategory { readonly name: string; readonly arbitrary: fc.Arbitrary<PropCase> }

const secrets = () => ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) });
const elixir = (chart: Construct, props: Partial<ElixirDeploymentProps>) =>
  new ElixirDeployment(chart, 'App', { image: 'registry.example/app:1.0.0', nodeBasename: 'app', secrets: secrets(), ...props });
const database = (chart: Construct, name = 'db') =>
  new PostgresStatefulSet(chart, 'Db', { name, credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(20), superuserPassword: 's'.repeat(20) }) });

export const PROP_CATEGORIES: PropCategory[] = [
  {
    name: 'ElixirDeployment labels',
    arbitrary: fc.tuple(labelKeyArb, labelValueArb).map(([k, v]) => ({
      category: 'prop:labels', input: { key: k, value: v }, build: c => { elixir(c, { labels: { [k]: v } }); },
      twins: [object('ConfigMap', o => { o.metadata.labels = { [k]: v }; })],
    })),
  },
  {
    name: 'ElixirDeployment env names',
    arbitrary: envNameArb.map(n => ({
      category: 'prop:env', input: { name: n }, build: c => { elixir(c, { env: { [n]: 'v' } }); },
      twins: [workload(spec => { spec.containers[0].env = [{ name: n, value: 'v' }]; })],
    })),
  },
  {
    name: 'ElixirDeployment resources',
    arbitrary: fc.tuple(pick('cpu', 'memory'), quantityArb, fc.option(quantityArb, { nil: undefined, freq: 2 })).map(([r, request, limit]) => ({
      category: 'prop:resources', input: { resource: r, request, limit },
      build: c => {
        elixir(c, { resources: { requests: { [r]: Quantity.fromString(request) }, ...(limit === undefined ? {} : { limits: { [r]: Quantity.fromString(limit) } }) } });
      },
      twins: [workload(spec => { spec.containers[0].resources = { requests: { [r]: request }, ...(limit === undefined ? {} : { limits: { [r]: limit } }) }; })],
    })),
  },
  {
    name: 'PostgresStatefulSet name',
    arbitrary: nameArb.map(n => ({
      category: 'prop:postgres-name', input: { name: n }, build: c => { database(c, n); },
      // It names a StatefulSet and Services.
      twins: [object('StatefulSet', o => { o.metadata.name = n; }), object('Service', o => { o.metadata.name = n; })],
    })),
  },
  {
    name: 'PostgresBackup schedule',
    arbitrary: scheduleArb.map(s => ({
      category: 'prop:schedule', input: { schedule: s }, build: c => { new PostgresBackup(c, 'Backup', { database: database(c), schedule: s }); },
      twins: [object('CronJob', o => { o.spec.schedule = s; })],
    })),
  },
  {
    name: 'TlsIngress hosts',
    arbitrary: hostArb.map(h => ({
      category: 'prop:hosts', input: { host: h },
      build: c => { new TlsIngress(c, 'Ingress', { backend: { serviceName: 'web', servicePort: 80 }, hosts: [h], controller: IngressController.NGINX }); },
      twins: [object('Ingress', o => { o.spec.rules[0].host = h; })],
    })),
  },
];
