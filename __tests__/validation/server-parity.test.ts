/**
 * The server-parity rules (lib/validation/server-parity.ts) one by one: for each rule, which
 * objects it refuses, which it lets through, at which path, and with which severity. The
 * recorded verdicts of the real API server (server-verdicts.test.ts) hold the rules to the
 * server on random objects; these tests pin the boundaries.
 */
import { FindingSink } from '../../lib/validation/report';
import { checkServerParity, SERVER_PARITY_RULES, ServerParityOptions } from '../../lib/validation/server-parity';
import { baseline } from './fixture';

/** The findings of the server-parity rules on one object, as `severity rule path`. */
function check(manifest: any, options?: ServerParityOptions): string[] {
  const sink = new FindingSink();
  checkServerParity({ manifest, constructPath: 'test/Obj' }, sink, options);
  for (const f of sink.findings) expect(Object.keys(SERVER_PARITY_RULES)).toContain(f.rule);
  return sink.findings.map(f => `${f.severity} ${f.rule} ${f.path}`);
}
const only = (rule: string, findings: string[]) => findings.filter(f => f.split(' ')[1] === rule);
const err = (rule: string, path: string) => `error ${rule} ${path}`;

const meta = (name = 'x') => ({ name, namespace: 'shop' });
const T = 'spec.template.spec';
const C0 = `${T}.containers[0]`;

/** A Deployment whose pod spec is `{ containers: [web], ...pod }`. */
function deployment(pod: Record<string, unknown> = {}, extra: { selector?: any; labels?: any } = {}): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
    spec: {
      selector: extra.selector ?? { matchLabels: { app: 'web' } },
      template: { metadata: { labels: extra.labels ?? { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'i' }], ...pod } },
    },
  };
}
const withContainer = (container: Record<string, unknown>) => deployment({ containers: [{ name: 'web', image: 'i', ...container }] });
const service = (spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec });
const ingress = (rules: any[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web'), spec: { rules } });
const networkPolicy = (spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('np'), spec });
const cronJob = (name: string, schedule: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(name),
  spec: { schedule, jobTemplate: { spec: { template: { metadata: { labels: { job: 'x' } }, spec: { containers: [{ name: 'job', image: 'i' }], restartPolicy: 'Never' } } } }, ...extra },
});

test('the rule ids', () => {
  expect(Object.keys(SERVER_PARITY_RULES).sort()).toEqual([
    'annotation-syntax', 'dns-name', 'env-name', 'ingress-rule', 'label-syntax', 'networkpolicy-peer', 'pod-names', 'port-range', 'probe', 'quantity', 'schedule',
  ]);
});

test.each([undefined, 34, 35, 36])('the baseline app passes every server-parity rule (kubernetesMinor %s)', minor => {
  for (const m of baseline()) expect(check(m, minor === undefined ? undefined : { kubernetesMinor: minor })).toEqual([]);
});

describe('object names', () => {
  const long52 = 'a'.repeat(52);
  const sub253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  test.each<[string | undefined, string, number | undefined, boolean]>([
    // any other kind: a DNS-1123 subdomain
    ['ConfigMap', 'a.b', undefined, true],
    ['ConfigMap', sub253, undefined, true],
    ['ConfigMap', `${sub253}d`, undefined, false],
    ['ConfigMap', 'A', undefined, false],
    ['ConfigMap', 'a_b', undefined, false],
    ['Deployment', 'web.v2', undefined, true],
    [undefined, 'a.b', undefined, true],
    [undefined, 'A', undefined, false],
    // DNS-1123 labels
    ['Namespace', 'shop-1', undefined, true],
    ['Namespace', 'a.b', undefined, false],
    ['Namespace', 'a'.repeat(64), undefined, false],
    ['StatefulSet', 'db', undefined, true],
    ['StatefulSet', 'db.v2', undefined, false],
    ['StatefulSet', '1db', undefined, true],
    // path segments
    ...['PodDisruptionBudget', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].flatMap(kind => [
      [kind, 'system:Foo_Bar', undefined, true],
      [kind, '..', undefined, false],
      [kind, '.', undefined, false],
      [kind, 'a/b', undefined, false],
      [kind, 'a%b', undefined, false],
    ] as Array<[string, string, undefined, boolean]>),
    // Services: DNS-1035 labels, DNS-1123 labels from 1.36
    ['Service', 'web', undefined, true],
    ['Service', '1web', undefined, false],
    ['Service', '1web', 34, false],
    ['Service', '1web', 35, false],
    ['Service', '1web', 36, true],
    ['Service', '1web', 37, true],
    ['Service', 'a.b', undefined, false],
    ['Service', 'a.b', 36, false],
    ['Service', 'Web', 36, false],
    ['Service', 'a'.repeat(64), 36, false],
    // CronJobs: DNS-1123 subdomains of at most 52 characters
    ['CronJob', long52, undefined, true],
    ['CronJob', `${long52}a`, undefined, false],
    ['CronJob', 'nightly.backup', undefined, true],
    ['CronJob', 'Nightly', undefined, false],
  ])('%s %j (kubernetesMinor %s): accepted %s', (kind, name, minor, ok) => {
    const found = check({ apiVersion: 'v1', kind, metadata: { name } }, { kubernetesMinor: minor });
    expect(only('dns-name', found)).toEqual(ok ? [] : [err('dns-name', 'metadata.name')]);
  });

  test('without kubernetesMinor a Service name is a DNS-1035 label (the strictest)', () => {
    expect(check(service({ ports: [{ port: 80 }] }))).toEqual([]);
    expect(check({ ...service({ ports: [{ port: 80 }] }), metadata: meta('1web') })).toEqual([err('dns-name', 'metadata.name')]);
  });

  test.each<[string, any, string[]]>([
    ['no name', { namespace: 'shop' }, [err('dns-name', 'metadata.name')]],
    ['an empty name', { name: '' }, [err('dns-name', 'metadata.name')]],
    ['a name that is not a string', { name: 42 }, [err('dns-name', 'metadata.name')]],
    ['generateName instead', { generateName: 'cfg-' }, []],
    ['generateName and an empty name', { name: '', generateName: 'cfg-' }, []],
  ])('%s', (_, metadata, expected) => {
    expect(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata })).toEqual(expected);
  });

  test('an object without metadata only lacks a name', () => {
    expect(check({ apiVersion: 'v1', kind: 'ConfigMap' })).toEqual([err('dns-name', 'metadata.name')]);
  });
});

describe('labels and annotations', () => {
  const configMap = (metadata: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta('cfg'), ...metadata } });

  test.each<[string, unknown, string[]]>([
    ['valid keys and values', { 'example.com/Tier_1.x': 'Va_l-1.x', empty: '', [`${'k'.repeat(63)}`]: 'v'.repeat(63) }, []],
    ['a key with two slashes', { 'a/b/c': 'x' }, ['a/b/c']],
    ['a key with an upper-case prefix', { 'Example.com/x': 'x' }, ['Example.com/x']],
    ['a key name of 64 characters', { [`${'k'.repeat(64)}`]: 'x' }, ['k'.repeat(64)]],
    ['a value of 64 characters', { tier: 'v'.repeat(64) }, ['tier']],
    ['a value with a space', { tier: 'a b' }, ['tier']],
    ['a value that is not a string', { tier: 5 }, ['tier']],
    ['a bad key and a bad value: two findings', { 'bad key': '-bad' }, ['bad key', 'bad key']],
    ['labels that are a string', '!!', []],
    ['labels that are null', null, []],
  ])('metadata.labels: %s', (_, labels, keys) => {
    expect(check(configMap({ labels }))).toEqual(keys.map(k => err('label-syntax', `metadata.labels.${k}`)));
  });

  test.each<[string, Record<string, string>, string[]]>([
    ['keys are checked lower-cased', { 'Example.COM/Some_Key': 'v', 'EXAMPLE.com/x': '' }, []],
    ['a key with two slashes', { 'a/b/c': 'v' }, ['a/b/c']],
    ['a key starting with "-"', { '-x': 'v' }, ['-x']],
    ['an empty prefix', { '/x': 'v' }, ['/x']],
    ['a prefix with "_"', { 'ex_ample.com/x': 'v' }, ['ex_ample.com/x']],
  ])('metadata.annotations: %s', (_, annotations, keys) => {
    expect(check(configMap({ annotations }))).toEqual(keys.map(k => err('annotation-syntax', `metadata.annotations.${k}`)));
  });

  test('pod template labels, at their path', () => {
    expect(check(deployment({}, { labels: { app: 'web', 'bad key': 'x' } }))).toEqual([err('label-syntax', 'spec.template.metadata.labels.bad key')]);
    expect(check(cronJob('nightly', '0 3 * * *', {}), {})).toEqual([]);
    const job = cronJob('nightly', '0 3 * * *');
    job.spec.jobTemplate.spec.template.metadata.labels = { job: '-x' };
    expect(check(job)).toEqual([err('label-syntax', 'spec.jobTemplate.spec.template.metadata.labels.job')]);
  });

  test('a bare Pod\'s labels are its metadata.labels, reported once', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta('p'), labels: { 'a/b/c': 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    expect(check(pod)).toEqual([err('label-syntax', 'metadata.labels.a/b/c')]);
    pod.spec.containers[0].name = 'C';
    expect(check(pod)).toEqual([err('label-syntax', 'metadata.labels.a/b/c'), err('pod-names', 'spec.containers[0].name')]);
  });
});

describe('label selectors', () => {
  const selector = {
    matchLabels: { app: 'web', 'bad key': 'x' },
    matchExpressions: [
      { key: 'bad key', operator: 'Exists' },
      { key: 'tier', operator: 'In', values: ['ok', 'bad value!'] },
      { key: 'tier', operator: 'NotIn', values: ['-x'] },
      { key: 'tier', operator: 'Exists', values: ['bad value!'] },
      { key: 'tier', operator: 'DoesNotExist', values: ['bad value!'] },
      { key: 'tier', operator: 'In' },
      null,
    ],
  };
  const problems = (at: string) => [
    err('label-syntax', `${at}.matchLabels.bad key`),
    err('label-syntax', `${at}.matchExpressions[0].key`),
    err('label-syntax', `${at}.matchExpressions[1].values[1]`),
    err('label-syntax', `${at}.matchExpressions[2].values[0]`),
    err('label-syntax', `${at}.matchExpressions[6].key`),
  ];
  const clone = () => JSON.parse(JSON.stringify(selector));

  test('of a workload: keys of matchLabels and matchExpressions, values only for In and NotIn', () => {
    expect(check(deployment({}, { selector: clone() }))).toEqual(problems('spec.selector'));
  });

  test('of a PodDisruptionBudget', () => {
    const pdb = (spec: any) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'), spec });
    expect(check(pdb({ selector: clone(), maxUnavailable: 1 }))).toEqual(problems('spec.selector'));
    expect(check(pdb({ maxUnavailable: 1 }))).toEqual([]);
    expect(check({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web') })).toEqual([]);
  });

  test('of a NetworkPolicy: its podSelector and its peers\'', () => {
    expect(check(networkPolicy({ podSelector: clone() }))).toEqual(problems('spec.podSelector'));
    expect(check(networkPolicy({
      podSelector: {},
      ingress: [{ from: [{ podSelector: clone() }, { namespaceSelector: clone() }] }],
      egress: [null, { to: [null, { podSelector: { matchLabels: { app: 'db' } }, namespaceSelector: clone() }] }],
    }))).toEqual([
      ...problems('spec.ingress[0].from[0].podSelector'),
      ...problems('spec.ingress[0].from[1].namespaceSelector'),
      ...problems('spec.egress[1].to[1].namespaceSelector'),
    ]);
  });

  test('not of Jobs and CronJobs (the controller generates them)', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate'), spec: { selector: clone(), template: { metadata: { labels: { job: 'x' } }, spec: { containers: [{ name: 'job', image: 'i' }], restartPolicy: 'Never' } } } };
    expect(check(job)).toEqual([]);
    expect(check(cronJob('nightly', '0 3 * * *', { selector: clone() }))).toEqual([]);
  });

  test('a Service selector is a label map', () => {
    expect(check(service({ selector: { app: 'web', 'bad key': '-x' }, ports: [{ port: 80 }] }))).toEqual([
      err('label-syntax', 'spec.selector.bad key'), err('label-syntax', 'spec.selector.bad key'),
    ]);
  });
});

describe('volume, container and port names', () => {
  test('volume names: DNS-1123 labels, unique', () => {
    const volumes = [{ name: 'files' }, { name: 'files' }, { name: 'Bad' }, null, { name: 'Bad' }, { name: 'a'.repeat(64) }, { name: 'tmp' }];
    expect(check(deployment({ volumes }))).toEqual([1, 2, 3, 4, 5].map(i => err('pod-names', `${T}.volumes[${i}].name`)));
  });

  test('container names: DNS-1123 labels, unique in the pod, init containers included', () => {
    const pod = {
      initContainers: [{ name: 'web', image: 'i' }, { name: 'init', image: 'i' }],
      containers: [{ name: 'web', image: 'i' }, { name: 'side', image: 'i' }, { name: 'side', image: 'i' }, { name: 'Bad', image: 'i' }, { name: 'Bad', image: 'i' }, null, { name: 'init', image: 'i' }],
    };
    expect(check(deployment(pod))).toEqual([0, 2, 3, 4, 5, 6].map(i => err('pod-names', `${T}.containers[${i}].name`)));
  });

  test('a bad init container name', () => {
    expect(check(deployment({ initContainers: [{ name: 'in_it', image: 'i' }] }))).toEqual([err('pod-names', `${T}.initContainers[0].name`)]);
  });

  test('container port names: IANA service names, unique in the container; "" is no name', () => {
    const ports = [
      { containerPort: 8080, name: 'http' },
      { containerPort: 8081, name: 'http' },
      { containerPort: 8082, name: '' },
      { containerPort: 8083 },
      { containerPort: 8084, name: 'http_x' },
      { containerPort: 8085, name: 'http_x' },
      null,
      { containerPort: 8086, name: 'metrics-long-16c' },
      { containerPort: 8087, name: '8087' },
      { containerPort: 8088, name: '' },
      { containerPort: 8089, name: 'metrics' },
    ];
    const pod = { containers: [{ name: 'web', image: 'i', ports }, { name: 'side', image: 'i', ports: [{ containerPort: 9000, name: 'http' }] }] };
    expect(check(deployment(pod))).toEqual([
      err('pod-names', `${C0}.ports[1].name`),
      err('pod-names', `${C0}.ports[4].name`),
      err('pod-names', `${C0}.ports[5].name`),
      err('port-range', `${C0}.ports[6].containerPort`),
      err('pod-names', `${C0}.ports[7].name`),
      err('pod-names', `${C0}.ports[8].name`),
    ]);
  });
});

describe('port numbers 1-65535', () => {
  test.each<[unknown, boolean]>([
    [1, true], [80, true], [65535, true],
    [0, false], [-1, false], [65536, false], [80.5, false], ['80', false], [undefined, false], [null, false],
  ])('%j: accepted %s', (port, ok) => {
    const refused = (path: string) => (ok ? [] : [err('port-range', path)]);
    expect(check(withContainer({ ports: [{ containerPort: port }] }))).toEqual(refused(`${C0}.ports[0].containerPort`));
    expect(check(service({ ports: [{ port, targetPort: 8080 }] }))).toEqual(refused('spec.ports[0].port'));
    // a NetworkPolicy port is a number or a name
    if (typeof port === 'number') expect(check(networkPolicy({ podSelector: {}, ingress: [{ ports: [{ port }] }] }))).toEqual(refused('spec.ingress[0].ports[0].port'));
  });

  // 0 and "" the server replaces with the port (checked on Kubernetes 1.36.3).
  test.each<[unknown, boolean]>([[1, true], [65535, true], [0, true], ['', true], [0.5, false], [-1, false], [65536, false]])('Service targetPort %j: accepted %s', (targetPort, ok) => {
    expect(check(service({ ports: [{ port: 80, targetPort }] }))).toEqual(ok ? [] : [err('port-range', 'spec.ports[0].targetPort')]);
  });
});

test('environment variable names: printable ASCII but "="', () => {
  const env = [{ name: 'A=B' }, { name: '' }, { name: 'ok name.with-any_chars!' }, null, { name: 'é' }, { name: 'X' }, {}];
  expect(check(withContainer({ env }))).toEqual([0, 1, 3, 4, 6].map(i => err('env-name', `${C0}.env[${i}].name`)));
});

describe('resource quantities', () => {
  const R = `${C0}.resources`;
  test.each<[string, any, string[]]>([
    ['strings (trimmed) and numbers', { requests: { cpu: ' 100m ', memory: 1024 }, limits: { cpu: '1', memory: 2048 } }, []],
    ['zero', { requests: { cpu: 0, memory: '0' } }, []],
    ['no resources', undefined, []],
    ['empty resources', {}, []],
    ['null lists', { requests: null, limits: null }, []],
    ['an unparseable request', { requests: { cpu: 'abc' } }, ['requests.cpu']],
    ['an unparseable limit', { limits: { memory: '1 Gi' } }, ['limits.memory']],
    ['a quantity that is neither string nor number', { limits: { memory: true } }, ['limits.memory']],
    ['an empty string', { requests: { memory: '' } }, ['requests.memory']],
    ['a negative number', { requests: { cpu: -1 } }, ['requests.cpu']],
    ['a negative string', { limits: { cpu: '-100m' } }, ['limits.cpu']],
    ['a request above its limit', { requests: { memory: '1Gi', cpu: '100m' }, limits: { memory: '512Mi', cpu: '1' } }, ['requests.memory']],
    ['a number request above a string limit', { requests: { cpu: 2 }, limits: { cpu: '1500m' } }, ['requests.cpu']],
    ['a request equal to its limit, written differently', { requests: { memory: '256Mi' }, limits: { memory: '268435456' } }, []],
    ['a request without a limit and a limit without a request', { requests: { cpu: '8' }, limits: { memory: '1' } }, []],
    ['an unparseable request with a limit: reported once', { requests: { cpu: 'x' }, limits: { cpu: '1' } }, ['requests.cpu']],
    ['negative requests and limits are not compared', { requests: { cpu: '-1' }, limits: { cpu: '-2' } }, ['requests.cpu', 'limits.cpu']],
  ])('%s', (_, resources, paths) => {
    expect(check(withContainer({ resources }))).toEqual(paths.map(p => err('quantity', `${R}.${p}`)));
  });

  test('in init containers too', () => {
    expect(check(deployment({ initContainers: [{ name: 'init', image: 'i', resources: { requests: { cpu: 'lots' } } }] })))
      .toEqual([err('quantity', `${T}.initContainers[0].resources.requests.cpu`)]);
  });
});

describe('probes', () => {
  const fields = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'];
  test.each(['livenessProbe', 'readinessProbe', 'startupProbe'])('%s: no negative timings or thresholds', probe => {
    const negative = Object.fromEntries(fields.map(f => [f, -1]));
    expect(check(withContainer({ [probe]: negative }))).toEqual(fields.map(f => err('probe', `${C0}.${probe}.${f}`)));
    expect(check(withContainer({ [probe]: Object.fromEntries(fields.map(f => [f, 0])) }))).toEqual([]);
    expect(check(withContainer({ [probe]: Object.fromEntries(fields.map(f => [f, '-1'])) }))).toEqual([]);
  });

  test.each<[string, unknown, boolean]>([
    ['livenessProbe', 2, false], ['livenessProbe', 1, true], ['livenessProbe', 0, true], ['livenessProbe', '2', true],
    ['startupProbe', 2, false], ['startupProbe', 1, true],
    ['readinessProbe', 5, true],
  ])('%s successThreshold %j: accepted %s', (probe, successThreshold, ok) => {
    expect(check(withContainer({ [probe]: { successThreshold } }))).toEqual(ok ? [] : [err('probe', `${C0}.${probe}.successThreshold`)]);
  });

  // As Kubernetes 1.36.3 answers: "may not be set for init containers without restartPolicy=Always".
  test('an init container may have no probe at all, unless it is a sidecar', () => {
    const ok = { periodSeconds: 5 };
    expect(check(deployment({ initContainers: [{ name: 'init', image: 'i', livenessProbe: ok, startupProbe: ok, readinessProbe: ok }] })))
      .toEqual(['livenessProbe', 'readinessProbe', 'startupProbe'].map(p => err('probe', `${T}.initContainers[0].${p}`)));
    expect(check(deployment({ initContainers: [{ name: 'init', image: 'i', restartPolicy: 'OnFailure', readinessProbe: ok }] })))
      .toEqual([err('probe', `${T}.initContainers[0].readinessProbe`)]);
  });

  test('a sidecar\'s probes are checked like an app container\'s', () => {
    const sidecar = (probes: object) => deployment({ initContainers: [{ name: 'proxy', image: 'i', restartPolicy: 'Always', ...probes }] });
    expect(check(sidecar({ livenessProbe: { periodSeconds: 5 }, readinessProbe: { successThreshold: 3 } }))).toEqual([]);
    expect(check(sidecar({ livenessProbe: { successThreshold: 2 }, readinessProbe: { periodSeconds: -1 } })))
      .toEqual([err('probe', `${T}.initContainers[0].livenessProbe.successThreshold`), err('probe', `${T}.initContainers[0].readinessProbe.periodSeconds`)]);
  });

  test('each app container\'s probes', () => {
    const pod = { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', livenessProbe: { successThreshold: 3 } }] };
    expect(check(deployment(pod))).toEqual([err('probe', `${T}.containers[1].livenessProbe.successThreshold`)]);
  });
});

describe('Service ports', () => {
  test.each<[string, any[], string[]]>([
    ['one unnamed port', [{ port: 80 }], []],
    ['one port named ""', [{ port: 80, name: '' }], []],
    ['one port with a bad name', [{ port: 80, name: 'Http' }], ['ports[0].name']],
    ['a long name is fine (a DNS-1123 label, not an IANA name)', [{ port: 80, name: 'a-very-long-port-name' }, { port: 81, name: '8081' }], []],
    ['several ports: each needs a name', [{ port: 80, name: 'http' }, { port: 81 }, { port: 82, name: '' }], ['ports[1].name', 'ports[2].name']],
    ['duplicate names', [{ port: 80, name: 'http' }, { port: 81, name: 'http' }, { port: 82, name: 'a.b' }, { port: 83, name: 'a.b' }], ['ports[1].name', 'ports[2].name', 'ports[3].name']],
    ['a bad targetPort name', [{ port: 80, targetPort: 'Bad_Name' }], ['ports[0].targetPort']],
    ['targetPort names: IANA service names', [{ name: 'a', port: 80, targetPort: 'http' }, { name: 'b', port: 81, targetPort: 'http-metrics-16c' }], ['ports[1].targetPort']],
    ['a targetPort that is neither number nor string', [{ port: 80, targetPort: { name: 'x' } }], []],
  ])('%s', (_, ports, paths) => {
    expect(check(service({ ports }))).toEqual(paths.map(p => err('pod-names', `spec.${p}`)));
  });

  test('null entries', () => {
    expect(check(service({ ports: [null] }))).toEqual([err('port-range', 'spec.ports[0].port')]);
    expect(check(service({ ports: [null, { name: 'a', port: 1 }] }))).toEqual([err('port-range', 'spec.ports[0].port'), err('pod-names', 'spec.ports[0].name')]);
  });

  test('a Service without spec', () => {
    expect(check({ apiVersion: 'v1', kind: 'Service', metadata: meta('web') })).toEqual([]);
  });
});

describe('Ingress rules', () => {
  const wildcard = (n: number) => `*.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(n - 2 - 192)}`;
  test.each<[unknown, boolean]>([
    ['shop.example.com', true],
    ['*.example.com', true],
    ['', true],
    [undefined, true],
    ['a1.2.3.4', true],
    ['1.2.3.4a', true],
    ['1.2.3', true],
    ['1.2.3.4.5', true],
    ['1234.1.1.1', true],
    // An IPv4 address as the server's lenient parser reads it (checked on Kubernetes 1.36.3).
    ['999.1.1.1', true],
    ['256.1.1.1', true],
    ['1.2.3', true],
    ['0001.1.1.1', false],
    ['01.02.03.004', false],
    ['255.255.255.255', false],
    [wildcard(253), true],
    [wildcard(254), false],
    [wildcard(254).slice(2), true], // 252 characters
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false], // 254 characters
    ['*', false],
    ['*.', false],
    ['a.*.b', false],
    ['*example.com', false],
    ['**.example.com', false],
    ['1.2.3.4', false],
    ['100.200.30.4', false],
    ['::1', false],
    ['fe80::1', false],
    ['a:80', false],
    ['A.example.com', false],
    ['a.example.com.', false],
    [5, false],
  ])('host %j: accepted %s', (host, ok) => {
    expect(check(ingress([{ host: 'ok.example.com' }, { host }]))).toEqual(ok ? [] : [err('ingress-rule', 'spec.rules[1].host')]);
  });

  test.each<[string | undefined, unknown, boolean]>([
    ['Prefix', '/', true],
    ['Exact', '/a/b', true],
    ['Prefix', '/.well-known/x', true],
    ['Prefix', '/a..', true],
    ['Exact', '/a.', true],
    ['Prefix', 'a', false],
    ['Exact', 'a/b', false],
    ['Prefix', undefined, false],
    ['Prefix', '', false],
    ['Exact', 5, false],
    ['Prefix', '/a//b', false],
    ['Prefix', '/a/./b', false],
    ['Exact', '/a/../b', false],
    ['Prefix', '/a%2fb', false],
    ['Prefix', '/a%2Fb', false],
    ['Exact', '/a/..', false],
    ['Prefix', '/a/.', false],
    ['ImplementationSpecific', 'a', false],
    ['ImplementationSpecific', '', true],
    ['ImplementationSpecific', undefined, true],
    ['ImplementationSpecific', '/a//b/..', true],
    ['ImplementationSpecific', 5, true],
    [undefined, 'a', false],
    [undefined, '/a/%2f', true],
  ])('pathType %s, path %j: accepted %s', (pathType, path, ok) => {
    const paths = [{ path: '/', pathType: 'Prefix' }, { path, pathType }];
    expect(check(ingress([{ host: 'shop.example.com', http: { paths } }]))).toEqual(ok ? [] : [err('ingress-rule', 'spec.rules[0].http.paths[1].path')]);
  });

  test('rules without host or http, null rules and paths, no spec', () => {
    expect(check(ingress([null, {}, { http: {} }, { http: { paths: [null] } }]))).toEqual([]);
    expect(check({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web') })).toEqual([]);
  });
});

describe('NetworkPolicy peers and ports', () => {
  const withBlock = (ipBlock: any, direction: 'ingress' | 'egress' = 'ingress') => networkPolicy({
    podSelector: {},
    [direction]: [{}, { [direction === 'ingress' ? 'from' : 'to']: [{ podSelector: {} }, { ipBlock }] }],
  });
  const at = (direction: 'ingress' | 'egress' = 'ingress') => `spec.${direction}[1].${direction === 'ingress' ? 'from' : 'to'}[1].ipBlock`;

  test.each<[string, number | undefined, 'ok' | 'error' | 'warning']>([
    ['10.0.0.0/8', undefined, 'ok'],
    ['0.0.0.0/0', undefined, 'ok'],
    ['fd00::/8', undefined, 'ok'],
    ['10.0.0.0/33', 34, 'error'],
    ['10.0.0.0', undefined, 'error'],
    ['a/8', 34, 'error'],
    // not in standard form: a warning before 1.35, refused from then on and when no version is given
    ['10.1.0.0/8', 34, 'warning'],
    ['10.1.0.0/8', undefined, 'error'],
    ['10.1.0.0/8', 35, 'error'],
    ['10.1.0.0/8', 36, 'error'],
    ['010.0.0.0/8', 34, 'warning'],
    ['10.0.0.0/08', 35, 'error'],
  ])('cidr %s (kubernetesMinor %s): %s', (cidr, minor, verdict) => {
    for (const direction of ['ingress', 'egress'] as const) {
      const found = check(withBlock({ cidr }, direction), { kubernetesMinor: minor });
      expect(found).toEqual(verdict === 'ok' ? [] : [`${verdict} networkpolicy-peer ${at(direction)}.cidr`]);
    }
  });

  test.each<[string, string[], number | undefined, string[]]>([
    ['10.0.0.0/8', ['10.1.0.0/16', '10.2.3.0/24'], undefined, []],
    ['10.0.0.0/8', ['10.1.0.0/16', '11.0.0.0/16'], undefined, ['error except[1]']],
    ['10.0.0.0/8', ['10.0.0.0/8'], undefined, ['error except[0]']],
    ['10.0.0.0/8', ['10.0.0.0/40'], undefined, ['error except[0]']],
    ['10.0.0.0/8', ['10.1.1.0/16'], 34, ['warning except[0]']],
    ['10.0.0.0/8', ['10.1.1.0/16'], 35, ['error except[0]']],
    ['10.0.0.0/8', ['11.1.0.0/8'], 34, ['warning except[0]', 'error except[0]']],
    ['10.0.0.0/40', ['10.1.0.0/16'], undefined, ['error cidr']],
    ['10.1.0.0/8', ['10.2.0.0/16'], 34, ['warning cidr']],
    ['10.1.0.0/8', ['10.2.0.0/16'], 35, ['error cidr']],
    ['10.1.0.0/8', ['11.0.0.0/16'], 34, ['warning cidr', 'error except[0]']],
  ])('cidr %s, except %j (kubernetesMinor %s)', (cidr, except, minor, expected) => {
    expect(check(withBlock({ cidr, except }, 'egress'), { kubernetesMinor: minor }))
      .toEqual(expected.map(e => e.split(' ')).map(([severity, field]) => `${severity} networkpolicy-peer ${at('egress')}.${field}`));
  });

  test('peers without ipBlock, null peers and rules, no spec', () => {
    expect(check(networkPolicy({ podSelector: {}, ingress: [null, { from: [null, {}] }, { ports: [null, {}] }], egress: [{ to: [{ ipBlock: null }] }] }))).toEqual([]);
    expect(check(networkPolicy(undefined))).toEqual([]);
  });

  test.each<[any, string[]]>([
    [{ port: 80 }, []],
    [{ port: 'http' }, []],
    [{ protocol: 'UDP' }, []],
    [{ port: 0 }, ['port-range port']],
    [{ port: 65536 }, ['port-range port']],
    [{ port: 'Bad_Name' }, ['networkpolicy-peer port']],
    [{ port: 'http-metrics-16c' }, ['networkpolicy-peer port']],
    [{ port: 80, endPort: 80 }, []],
    [{ port: 80, endPort: 65535 }, []],
    [{ port: 80, endPort: 79 }, ['networkpolicy-peer endPort']],
    [{ port: 80, endPort: 65536 }, ['networkpolicy-peer endPort']],
    [{ port: 80, endPort: '90' }, ['networkpolicy-peer endPort']],
    [{ port: 'http', endPort: 90 }, ['networkpolicy-peer endPort']],
    [{ endPort: 90 }, ['networkpolicy-peer endPort']],
    [{ port: 0, endPort: 90 }, ['port-range port']],
  ])('ports %j', (port, expected) => {
    for (const direction of ['ingress', 'egress'] as const) {
      expect(check(networkPolicy({ podSelector: {}, [direction]: [{}, { ports: [{ port: 443 }, port] }] })))
        .toEqual(expected.map(e => e.split(' ')).map(([rule, field]) => err(rule, `spec.${direction}[1].ports[1].${field}`)));
    }
  });
});

describe('CronJob schedules', () => {
  test.each<[unknown, boolean]>([
    ['0 3 * * *', true],
    ['*/5 * * * *', true],
    ['@daily', true],
    ['0 25 * * *', false],
    ['0 3 * *', false],
    ['', false],
    [undefined, false],
  ])('%j: accepted %s', (schedule, ok) => {
    expect(check(cronJob('nightly', schedule))).toEqual(ok ? [] : [err('schedule', 'spec.schedule')]);
  });

  test('the pod template of a CronJob is checked at its path', () => {
    const job = cronJob('nightly', '0 3 * * *');
    job.spec.jobTemplate.spec.template.spec.containers[0].name = 'Job';
    expect(check(job)).toEqual([err('pod-names', 'spec.jobTemplate.spec.template.spec.containers[0].name')]);
  });
});

test('findings carry the object and its construct path', () => {
  const sink = new FindingSink();
  checkServerParity({ manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'A', namespace: 'shop' } }, constructPath: 'test/Cfg', file: 'cfg.yaml' }, sink, {});
  expect(sink.findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'dns-name', path: 'metadata.name', object: 'ConfigMap/shop/A', constructPath: 'test/Cfg', file: 'cfg.yaml' })]);
});
