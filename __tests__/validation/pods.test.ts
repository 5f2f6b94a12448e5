/** Pod templates of every workload kind, their containers, and label selector semantics. */
import { containersOf, isEmptySelector, podTemplateOf, selectorMatches } from '../../lib/validation/pods';

const podSpec = () => ({ containers: [{ name: 'app', image: 'x:1' }] });
const template = () => ({ metadata: { labels: { app: 'web', tier: 'front' } }, spec: podSpec() });

describe('podTemplateOf', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'])('%s: spec.template.spec, long-running', kind => {
    const m = { kind, metadata: { name: 'w', labels: { object: 'label' } }, spec: { template: template() } };
    const t = podTemplateOf(m);
    expect(t).toEqual({ path: 'spec.template.spec', spec: m.spec.template.spec, labels: { app: 'web', tier: 'front' }, longRunning: true });
    expect(t?.spec).toBe(m.spec.template.spec);
  });

  test('Job: spec.template.spec, run to completion', () => {
    const m = { kind: 'Job', metadata: { name: 'j' }, spec: { template: template() } };
    expect(podTemplateOf(m)).toEqual({ path: 'spec.template.spec', spec: m.spec.template.spec, labels: { app: 'web', tier: 'front' }, longRunning: false });
  });

  test('CronJob: spec.jobTemplate.spec.template.spec, run to completion', () => {
    const m = { kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } } };
    const t = podTemplateOf(m);
    expect(t).toEqual({ path: 'spec.jobTemplate.spec.template.spec', spec: m.spec.jobTemplate.spec.template.spec, labels: { app: 'web', tier: 'front' }, longRunning: false });
    expect(t?.spec).toBe(m.spec.jobTemplate.spec.template.spec);
  });

  test('a template without metadata or labels has no labels', () => {
    for (const kind of ['Deployment', 'Job']) {
      expect(podTemplateOf({ kind, spec: { template: { spec: podSpec() } } })?.labels).toEqual({});
      expect(podTemplateOf({ kind, spec: { template: { metadata: {}, spec: podSpec() } } })?.labels).toEqual({});
    }
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: podSpec() } } } } })?.labels).toEqual({});
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { metadata: {}, spec: podSpec() } } } } })?.labels).toEqual({});
  });

  test('a workload without a pod spec has no template (and does not throw)', () => {
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']) {
      expect(podTemplateOf({ kind })).toBeUndefined();
      expect(podTemplateOf({ kind, spec: {} })).toBeUndefined();
      expect(podTemplateOf({ kind, spec: { template: {} } })).toBeUndefined();
      expect(podTemplateOf({ kind, spec: { template: { metadata: { labels: { a: 'b' } } } } })).toBeUndefined();
    }
    expect(podTemplateOf({ kind: 'CronJob' })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: {} })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: {} } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: {} } } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: {} } } } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'Pod' })).toBeUndefined();
  });

  test('a Job or CronJob does not take a Deployment-shaped template, nor the other way round', () => {
    expect(podTemplateOf({ kind: 'Job', spec: { jobTemplate: { spec: { template: template() } } } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: { template: template() } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'Pod', spec: undefined, template: template() } as any)).toBeUndefined();
  });

  test('Pod: the spec itself, with the object labels', () => {
    const m = { kind: 'Pod', metadata: { name: 'p', labels: { run: 'p' } }, spec: podSpec() };
    const t = podTemplateOf(m);
    expect(t).toEqual({ path: 'spec', spec: m.spec, labels: { run: 'p' }, longRunning: true });
    expect(t?.spec).toBe(m.spec);
    expect(podTemplateOf({ kind: 'Pod', spec: podSpec() })?.labels).toEqual({});
    expect(podTemplateOf({ kind: 'Pod', metadata: { name: 'p' }, spec: podSpec() })?.labels).toEqual({});
  });

  test.each([
    [undefined, true], ['Always', true], ['Never', false], ['OnFailure', false],
  ])('Pod with restartPolicy %s: long-running %s', (restartPolicy, longRunning) => {
    expect(podTemplateOf({ kind: 'Pod', spec: { ...podSpec(), restartPolicy } })?.longRunning).toBe(longRunning);
  });

  test('other kinds, or none, have no pod template even when shaped like one', () => {
    for (const kind of ['Service', 'PodTemplate', 'deployment', 'pod', '', undefined]) {
      expect(podTemplateOf({ kind, spec: { template: template(), jobTemplate: { spec: { template: template() } }, containers: [] } } as any)).toBeUndefined();
    }
  });
});

describe('containersOf', () => {
  test('init containers first, then app containers, each with its path', () => {
    const spec = {
      initContainers: [{ name: 'i0' }, { name: 'i1' }],
      containers: [{ name: 'c0' }, { name: 'c1' }],
    };
    const refs = containersOf({ path: 'spec.template.spec', spec, labels: {}, longRunning: true });
    expect(refs).toEqual([
      { container: spec.initContainers[0], path: 'spec.template.spec.initContainers[0]', init: true },
      { container: spec.initContainers[1], path: 'spec.template.spec.initContainers[1]', init: true },
      { container: spec.containers[0], path: 'spec.template.spec.containers[0]', init: false },
      { container: spec.containers[1], path: 'spec.template.spec.containers[1]', init: false },
    ]);
    expect(refs[0].container).toBe(spec.initContainers[0]);
    expect(refs[3].container).toBe(spec.containers[1]);
  });

  test('paths follow the template path of each kind', () => {
    const cron = podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }] } } } } } })!;
    expect(containersOf(cron).map(r => r.path)).toEqual(['spec.jobTemplate.spec.template.spec.initContainers[0]', 'spec.jobTemplate.spec.template.spec.containers[0]']);
    const pod = podTemplateOf({ kind: 'Pod', spec: { containers: [{ name: 'a' }, { name: 'b' }] } })!;
    expect(containersOf(pod).map(r => [r.path, r.init])).toEqual([['spec.containers[0]', false], ['spec.containers[1]', false]]);
  });

  test('no containers listed: none', () => {
    expect(containersOf({ path: 'spec', spec: {}, labels: {}, longRunning: true })).toEqual([]);
    expect(containersOf({ path: 'spec', spec: { initContainers: [{ name: 'i' }] }, labels: {}, longRunning: true }))
      .toEqual([{ container: { name: 'i' }, path: 'spec.initContainers[0]', init: true }]);
  });

  test('ephemeral containers are not part of a template', () => {
    const spec = { containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'debug' }] };
    expect(containersOf({ path: 'spec', spec, labels: {}, longRunning: true }).map(r => r.container.name)).toEqual(['c']);
  });
});

describe('selectorMatches', () => {
  const labels = { app: 'web', tier: 'front' };

  test('no selector matches nothing; an empty one everything', () => {
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(selectorMatches(undefined, {})).toBe(false);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: {}, matchExpressions: [] }, {})).toBe(true);
  });

  test('matchLabels: every pair must be there with that value', () => {
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'front' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { zone: 'a' } }, labels)).toBe(false);
  });

  test.each([
    ['In', ['web', 'api'], true],
    ['In', ['api'], false],
    ['In', undefined, false],
    ['NotIn', ['api'], true],
    ['NotIn', ['web', 'api'], false],
    ['NotIn', undefined, true],
    ['Exists', undefined, true],
    ['DoesNotExist', undefined, false],
    ['Gt', ['1'], false],
    ['in', ['web'], false],
  ])('key present: %s %j → %s', (operator, values, expected) => {
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator, values }] }, labels)).toBe(expected);
  });

  test.each([
    ['In', ['web'], false],
    ['In', [undefined as any], false],
    ['NotIn', ['web'], true],
    ['NotIn', [undefined as any], true],
    ['Exists', undefined, false],
    ['DoesNotExist', undefined, true],
    ['Unknown', undefined, false],
  ])('key absent: %s %j → %s', (operator, values, expected) => {
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator, values }] }, labels)).toBe(expected);
  });

  test('a key inherited from Object.prototype is not a label', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });

  test('every expression must hold, together with matchLabels', () => {
    const exprs = [{ key: 'app', operator: 'In', values: ['web'] }, { key: 'tier', operator: 'Exists' }];
    expect(selectorMatches({ matchExpressions: exprs }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [...exprs, { key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }, ...exprs] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'api' }, matchExpressions: exprs }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
  });
});

describe('isEmptySelector', () => {
  test.each([
    [undefined, true],
    [{}, true],
    [{ matchLabels: {} }, true],
    [{ matchExpressions: [] }, true],
    [{ matchLabels: {}, matchExpressions: [] }, true],
    [{ matchLabels: { app: 'web' } }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, false],
    [{ matchLabels: {}, matchExpressions: [{ key: 'app', operator: 'Exists' }] }, false],
  ])('%j → %s', (selector, expected) => {
    expect(isEmptySelector(selector)).toBe(expected);
  });
});
