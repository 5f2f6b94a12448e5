/** waive(): the annotation by which an object waives one policy rule, and what the validator makes of it. */
import { ApiObject, App, Chart } from 'cdk8s';
import { POLICY_RULES, validate, waive, WAIVER_ANNOTATION_PREFIX } from '../../lib';

const REASON = 'the image runs as root by design';

function configMap(data: Record<string, string> = { LOG_LEVEL: 'info' }) {
  const chart = new Chart(new App(), 'chart', { namespace: 'shop' });
  const obj = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data });
  return { chart, obj };
}
const annotations = (obj: ApiObject): Record<string, string> => obj.toJson().metadata.annotations ?? {};

test('the prefix is the documented annotation domain', () => {
  expect(WAIVER_ANNOTATION_PREFIX).toBe('waivers.microk8s-phoenix.io/');
});

test('waive adds one annotation: prefix + rule id, the trimmed reason', () => {
  const { obj } = configMap();
  waive(obj, 'probes', `  ${REASON}\n`);
  expect(annotations(obj)).toEqual({ [`${WAIVER_ANNOTATION_PREFIX}probes`]: REASON });
  waive(obj, 'run-as-non-root', REASON);
  expect(Object.keys(annotations(obj)).sort()).toEqual([`${WAIVER_ANNOTATION_PREFIX}probes`, `${WAIVER_ANNOTATION_PREFIX}run-as-non-root`]);
});

test.each([
  'a', '7', 'probes', 'run-as-non-root', 'rule.v2', 'a-b', 'a.b', 'x'.repeat(63), `a${'-'.repeat(61)}b`,
])('rule id %s is accepted', ruleId => {
  const { obj } = configMap();
  waive(obj, ruleId, REASON);
  expect(annotations(obj)[`${WAIVER_ANNOTATION_PREFIX}${ruleId}`]).toBe(REASON);
});

test.each([
  '', 'Probes', 'PROBES', '-probes', '.probes', 'probes-', 'probes.', 'pro_bes', 'pro bes', 'probes/x', 'x'.repeat(64), `a${'-'.repeat(62)}b`, 'xprobes!',
])('rule id %j is refused, naming the object, and nothing is added', ruleId => {
  const { obj } = configMap();
  expect(() => waive(obj, ruleId, REASON)).toThrow(obj.node.path);
  expect(annotations(obj)).toEqual({});
});

test.each([
  ['exactly 10 characters', '0123456789', true],
  ['10 characters after trimming', '   0123456789   ', true],
  ['9 characters', '012345678', false],
  ['9 characters padded to 15', '   012345678   ', false],
  ['empty', '', false],
  ['only blanks', ' '.repeat(20), false],
])('reason %s: accepted %s', (_what, reason, accepted) => {
  const { obj } = configMap();
  if (accepted) {
    waive(obj, 'probes', reason);
    expect(annotations(obj)).toEqual({ [`${WAIVER_ANNOTATION_PREFIX}probes`]: reason.trim() });
  } else {
    expect(() => waive(obj, 'probes', reason)).toThrow(obj.node.path);
    expect(annotations(obj)).toEqual({});
  }
});

describe('the validator', () => {
  const SECRET = { DB_PASSWORD: 'hunter2-hunter2' };

  test('a waived policy finding is listed as a waiver, with its reason and construct path', () => {
    const before = configMap(SECRET);
    expect(validate(before.chart).errors.map(f => f.rule)).toEqual(['no-secrets-in-configmap']);

    const { chart, obj } = configMap(SECRET);
    waive(obj, 'no-secrets-in-configmap', `  ${REASON}  `);
    const report = validate(chart);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.waivers).toEqual([{ rule: 'no-secrets-in-configmap', object: 'ConfigMap/shop/settings', constructPath: obj.node.path, reason: REASON }]);
  });

  test('a waiver of another rule leaves the finding in place', () => {
    const { chart, obj } = configMap(SECRET);
    waive(obj, 'probes', REASON);
    const report = validate(chart);
    expect(report.errors.map(f => f.rule)).toEqual(['no-secrets-in-configmap']);
    expect(report.waivers.map(w => w.rule)).toEqual(['probes']);
  });

  test('only policy rules can be waived', () => {
    expect(Object.keys(POLICY_RULES)).toContain('no-secrets-in-configmap');
    const { chart, obj } = configMap();
    waive(obj, 'schema', REASON);
    const report = validate(chart);
    expect(report.errors.map(f => [f.rule, f.path, f.constructPath])).toEqual([['waiver', `metadata.annotations.${WAIVER_ANNOTATION_PREFIX}schema`, obj.node.path]]);
    expect(report.waivers).toEqual([]);
  });
});
