/**
 * The entry points of validation (lib/validation/validate.ts: validate, expectValid, waivers),
 * the declarations constructs make (declarations.ts) and the catalog of what is stricter than
 * the API server on purpose (catalog.ts).
 */
import { declarationsOf } from '../../lib/validation/declarations';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  declareExternalPods, ElixirDeployment, ElixirSecrets, EXTERNAL_PODS_ANNOTATION, expectValid, IngressController, PostgresCredentials,
  PostgresStatefulSet, PropError, STRICTER_PROPS, STRICTER_THAN_SERVER, TlsIngress, validate, validateManifests, WAIVER_ANNOTATION_PREFIX,
} from '../../lib';
import { baseline, byName, web, webContainer, wrap } from './fixture';

const chart = () => new Chart(Testing.app(), 'test', { namespace: 'shop' });
const configMap = (scope: Construct, id: string, data: unknown) =>
  new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id.toLowerCase() }, data } as any);

describe('validate(scope)', () => {
  test('checks every ApiObject below the scope, each reported with its construct path', () => {
    const c = chart();
    configMap(c, 'Good', { a: 'b' });
    const group = new Construct(c, 'Group');
    const bad = configMap(group, 'Bad', { a: 1 });
    const report = validate(c);
    expect(report.objectCount).toBe(2);
    expect(report.findings.map(f => [f.rule, f.object, f.constructPath, f.path])).toEqual([['schema', 'ConfigMap/shop/bad', bad.node.path, 'data.a']]);
    expect(validate(group).objectCount).toBe(1);
  });

  test('expectValid returns the report of a valid scope and throws for an invalid one', () => {
    const c = chart();
    configMap(c, 'Good', { a: 'b' });
    expect(expectValid(c)).toMatchObject({ ok: true, objectCount: 1 });
    const bad = configMap(c, 'Bad', { a: 1 });
    expect(() => expectValid(c)).toThrow(bad.node.path); // the report names the construct path
  });
});

describe('waivers', () => {
  const key = `${WAIVER_ANNOTATION_PREFIX}probes`;
  /** The baseline app without a liveness probe on the web Deployment, which waives `probes` with `reason`. */
  function waiving(reason: unknown) {
    const ms = baseline();
    delete webContainer(ms).livenessProbe;
    web(ms).metadata.annotations = { [key]: reason };
    return validateManifests(wrap(ms));
  }
  const rules = (r: ReturnType<typeof waiving>) => r.findings.map(f => [f.rule, f.path]);

  test.each([
    ['exactly 10 characters', '0123456789', '0123456789'],
    ['blanks around it', '  no health endpoint yet \n', 'no health endpoint yet'],
  ])('a reason of at least 10 characters waives the finding (%s) and is listed trimmed', (_what, reason, listed) => {
    const report = waiving(reason);
    expect(report.findings).toEqual([]);
    expect(report.waivers).toEqual([{ rule: 'probes', object: 'Deployment/shop/web', constructPath: 'test/Obj0', reason: listed }]);
  });

  test.each([
    ['9 characters', '012345678'],
    ['10 characters only with the blanks', '   short  '],
    ['blank', '          '],
    ['not a string', 1234567890],
    ['an object', { why: 'because it is fine' }],
  ])('a reason that is %s is an error at the annotation, and the finding stays', (_what, reason) => {
    const report = waiving(reason);
    // (an annotation value that is not a string is a schema error as well)
    expect(rules(report).filter(([rule]) => rule !== 'schema')).toEqual([['probes', 'spec.template.spec.containers[0]'], ['waiver', `metadata.annotations.${key}`]]);
    expect(report.waivers).toEqual([]);
  });

  test('only policy rules can be waived', () => {
    const ms = baseline();
    const schemaKey = `${WAIVER_ANNOTATION_PREFIX}schema`;
    byName(ms, 'ConfigMap', 'cfg').metadata.annotations = { [schemaKey]: 'the schema is wrong here, trust me', other: 'x' };
    const report = validateManifests(wrap(ms));
    expect(report.findings.map(f => [f.rule, f.object, f.path])).toEqual([['waiver', 'ConfigMap/shop/cfg', `metadata.annotations.${schemaKey}`]]);
    expect(report.waivers).toEqual([]);
  });

  test('a waiver applies to its own object only', () => {
    const ms = baseline();
    delete webContainer(ms).livenessProbe;
    delete byName(ms, 'StatefulSet', 'db').spec.template.spec.containers[0].livenessProbe;
    web(ms).metadata.annotations = { [key]: 'the image has no health endpoint yet' };
    const report = validateManifests(wrap(ms));
    expect(report.findings.map(f => [f.rule, f.object])).toEqual([['probes', 'StatefulSet/shop/db']]);
    expect(report.waivers.map(w => w.object)).toEqual(['Deployment/shop/web']);
  });

  test('objects without metadata or annotations are fine', () => {
    const report = validateManifests([{ manifest: { apiVersion: 'v1', kind: 'Namespace' } }, { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } }]);
    expect(report.findings.map(f => f.rule)).not.toContain('waiver');
    expect(report.waivers).toEqual([]);
  });
});

describe('declareExternalPods', () => {
  const declared = (reason: string) => {
    const obj = configMap(chart(), 'Obj', {});
    declareExternalPods(obj, reason);
    expect(obj.toJson().metadata.annotations?.[EXTERNAL_PODS_ANNOTATION]).toBeUndefined(); // never in the manifest
    return declarationsOf(obj)?.externalPodsReason;
  };

  test.each([
    ['0123456789', '0123456789'],
    ['  cert-manager starts the solver pods \n', 'cert-manager starts the solver pods'],
  ])('records a reason of at least 10 characters, trimmed (%j)', (reason, recorded) => {
    expect(declared(reason)).toBe(recorded);
  });

  test.each(['012345678', '   short  ', ''])('refuses a reason shorter than 10 characters without its blanks (%j)', reason => {
    expect(() => declared(reason)).toThrow('test/Obj'); // the construct path
  });
});

describe('STRICTER_PROPS', () => {
  const secrets = () => ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) });
  const longHost = `${'a'.repeat(64)}.example.com`;
  /** Per stricter prop: a value the API server accepts in the field it fills (the twin shows our other rules accept it too), which the prop refuses. */
  const cases: Record<string, { build: (c: Chart) => void; prop: string; twin: (ms: any[]) => void }> = {
    'ElixirDeployment.env': {
      build: c => { new ElixirDeployment(c, 'App', { image: 'registry.example/app:1.0.0', nodeBasename: 'app', secrets: secrets(), env: { 'log-level': 'info' } }); },
      prop: 'env.log-level',
      twin: ms => { webContainer(ms).env.push({ name: 'log-level', value: 'info' }); },
    },
    'PostgresStatefulSet.name': {
      build: c => { new PostgresStatefulSet(c, 'Db', { name: 'd'.repeat(53), credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(20), superuserPassword: 's'.repeat(20) }) }); },
      prop: 'name',
      twin: ms => { byName(ms, 'StatefulSet', 'db').metadata.name = 'd'.repeat(53); },
    },
    'TlsIngress.hosts': {
      build: c => { new TlsIngress(c, 'Ingress', { backend: { serviceName: 'web', servicePort: 80 }, hosts: [longHost], controller: IngressController.NGINX }); },
      prop: 'hosts[0]',
      twin: ms => { byName(ms, 'Ingress', 'web').spec.rules[0].host = longHost; },
    },
  };

  test('lists exactly the props below, each with why', () => {
    expect(Object.keys(STRICTER_PROPS).sort()).toEqual(Object.keys(cases).sort());
    for (const why of Object.values(STRICTER_PROPS)) expect(why.length).toBeGreaterThan(20);
  });

  test.each(Object.entries(cases))('%s refuses what the server accepts', (_id, { build, prop, twin }) => {
    const ms = baseline();
    twin(ms);
    expect(validateManifests(wrap(ms)).errors.filter(f => !(f.rule in STRICTER_THAN_SERVER))).toEqual([]);
    let thrown: unknown;
    try { build(new Chart(Testing.app(), 'test', { namespace: 'shop' })); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(PropError);
    expect((thrown as PropError).prop).toBe(prop);
  });
});
