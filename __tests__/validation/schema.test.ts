/**
 * The schema rules (lib/validation/schema.ts): removed apiVersions, which groups are validated,
 * the paths of schema errors, unknown fields, what the validator learns about a kind between
 * objects, and how the models are loaded.
 */
import { Finding, FindingSink, SourcedManifest } from '../../lib/validation/report';
import { checkSchema, REMOVED_APIS } from '../../lib/validation/schema';

type SchemaModule = typeof import('../../lib/validation/schema');

/** The schema findings of one object (by default with the module shared by this file). */
function check(manifest: any, mod: Pick<SchemaModule, 'checkSchema'> = { checkSchema }): Finding[] {
  const sink = new FindingSink();
  mod.checkSchema({ manifest, constructPath: 'test/Obj' } as SourcedManifest, sink);
  return sink.findings;
}
const brief = (findings: Finding[]) => findings.map(f => ({ rule: f.rule, path: f.path, severity: f.severity }));
const error = (rule: string, path: string) => ({ rule, path, severity: 'error' });

/** A fresh copy of the schema module: nothing loaded, nothing learned yet. */
function fresh(): SchemaModule {
  let mod: SchemaModule | undefined;
  jest.isolateModules(() => { mod = require('../../lib/validation/schema'); });
  return mod!;
}

const meta = { name: 'x', namespace: 'shop' };
const deployment = () => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...meta },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1', args: ['a'] }, { name: 'side', image: 'side:1' }] },
    },
  },
}) as any;

/** The apiVersions a removed one's `use` suggestion names. */
const suggested = (use: string) => use.match(/\b[a-z0-9.-]+\/v\d+(?:(?:alpha|beta)\d+)?\b/g) ?? [];

describe('removed apiVersions', () => {
  test.each(Object.keys(REMOVED_APIS))('%s: removed-api at apiVersion, naming the replacement, and nothing else', apiVersion => {
    const findings = check({ apiVersion, kind: 'Deployment', metadata: meta, spec: { bogus: 1 } });
    expect(brief(findings)).toEqual([error('removed-api', 'apiVersion')]);
    for (const replacement of suggested(REMOVED_APIS[apiVersion].use)) expect(findings[0].message).toContain(replacement);
  });

  test.each(Object.entries(REMOVED_APIS))('%s: says when it went and names replacements that are checked', (_apiVersion, { removedIn, use }) => {
    expect(removedIn).toMatch(/^(1\.\d+(\/1\.\d+)?|cert-manager \d+\.\d+|Traefik \d+)$/);
    const replacements = suggested(use);
    expect(replacements.length).toBeGreaterThan(0);
    for (const replacement of replacements) {
      expect(REMOVED_APIS).not.toHaveProperty([replacement]);
      // validated: a kind missing from the replacement is an error, or (custom resources) a real kind is checked
      const custom: Record<string, string> = { 'cert-manager.io/v1': 'Certificate', 'traefik.io/v1alpha1': 'Middleware' };
      if (custom[replacement]) {
        expect(brief(check({ apiVersion: replacement, kind: custom[replacement], metadata: meta, spec: {}, bogus: 1 }))).toContainEqual(error('unknown-field', 'bogus'));
      } else {
        expect(brief(check({ apiVersion: replacement, kind: 'NoSuchKind', metadata: meta }))).toEqual([error('schema', 'kind')]);
      }
    }
  });

  test('an apiVersion that is not removed is checked against its schema', () => {
    expect(brief(check({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { bogus: 1 } }))).toEqual([error('unknown-field', 'spec.bogus')]);
  });
});

describe('which groups are validated', () => {
  /** The built-in API groups of Kubernetes 1.27 ('' is the core group, apiVersion v1). */
  const BUILTIN = ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io',
    'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'events.k8s.io',
    'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io',
    'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io', 'internal.apiserver.k8s.io'];

  test.each(BUILTIN)('built-in group "%s": a kind it does not have is a schema error at kind', group => {
    const apiVersion = group ? `${group}/v1` : 'v1';
    expect(brief(check({ apiVersion, kind: 'Deploymnt', metadata: meta }))).toEqual([error('schema', 'kind')]);
  });

  test.each(['example.com/v1', 'monitoring.coreos.com/v1', 'certmanager.k8s.io/v1alpha1', 'traefik.containo.us.example/v1'])(
    'a custom resource group without a model (%s) is not validated: an unchecked-kind warning at apiVersion', apiVersion => {
      expect(brief(check({ apiVersion, kind: 'Widget', metadata: meta, spec: { anything: 1 } }))).toEqual([{ rule: 'unchecked-kind', path: 'apiVersion', severity: 'warning' }]);
    });

  test.each([
    ['cert-manager.io/v1', 'ClusterIssuer', { ca: { secretName: 'ca' }, bogus: 1 }],
    ['acme.cert-manager.io/v1', 'Order', { request: 'cmVx', issuerRef: { name: 'i' }, bogus: 1 }],
    ['acme.cert-manager.io/v1', 'Challenge', { bogus: 1 }],
    ['traefik.io/v1alpha1', 'Middleware', { stripPrefix: { prefixes: ['/a'] }, bogus: 1 }],
  ])('%s %s is checked against its model', (apiVersion, kind, spec) => {
    const findings = brief(check({ apiVersion, kind, metadata: meta, spec }));
    expect(findings).toContainEqual(error('unknown-field', 'spec.bogus'));
    expect(findings.map(f => f.rule)).not.toContain('unchecked-kind');
  });

  test.each([
    [{ kind: 'ConfigMap', metadata: meta }],
    [{ apiVersion: 'v1', metadata: meta }],
    [{ apiVersion: 1, kind: 'ConfigMap', metadata: meta }],
    [{ apiVersion: 'v1', kind: ['ConfigMap'], metadata: meta }],
  ])('an object without a string apiVersion and kind: one schema finding at the root (%j)', manifest => {
    expect(brief(check(manifest))).toEqual([error('schema', '')]);
  });
});

describe('schema errors', () => {
  test('paths name array elements by index, also past 9', () => {
    const args = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 10];
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'a', image: 'a:1', args }] } };
    expect(brief(check(pod))).toEqual([error('schema', 'spec.containers[0].args[10]')]);
  });

  test('paths keep keys with "/", "~" and digits as they are', () => {
    const labels = { 'app.kubernetes.io/name': 1, 'a~b': 2, 'a~1b': 3, app1: 4, '1x': 5, ok: 'fine' };
    const findings = check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, labels } });
    expect(brief(findings).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      ['1x', 'a~1b', 'a~b', 'app.kubernetes.io/name', 'app1'].map(k => error('schema', `metadata.labels.${k}`)).sort((a, b) => a.path.localeCompare(b.path)),
    );
  });

  test('a missing required property is reported at the object that lacks it, naming it', () => {
    const findings = check({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ image: 'a:1' }] } });
    expect(brief(findings)).toEqual([error('schema', 'spec.containers[0]')]);
    expect(findings[0].message).toContain('"name"');
  });

  test('a value outside an enum is reported at the value, naming the allowed ones', () => {
    const findings = check({ apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { type: 'Balancer', ports: [{ port: 80 }] } });
    expect(brief(findings)).toEqual([error('schema', 'spec.type')]);
    expect(findings[0].message).toContain('"LoadBalancer"');
  });

  test('oneOf (int-or-string): the branch errors, not one more for the oneOf', () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { maxUnavailable: true } };
    expect(brief(check(pdb))).toEqual([error('schema', 'spec.maxUnavailable'), error('schema', 'spec.maxUnavailable')]);
  });

  test('anyOf (Traefik int-or-string): the branch errors, not one more for the anyOf', () => {
    const mw = { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta, spec: { rateLimit: { period: true } } };
    expect(brief(check(mw))).toEqual([error('schema', 'spec.rateLimit.period'), error('schema', 'spec.rateLimit.period')]);
  });

  test('format errors other than quantity are schema errors', () => {
    expect(brief(check({ apiVersion: 'v1', kind: 'Secret', metadata: meta, data: { key: 'not base64!' } }))).toEqual([error('schema', 'data.key')]);
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { maxUnavailable: 2 ** 40 } };
    expect(brief(check(pdb))).toEqual([error('schema', 'spec.maxUnavailable'), error('schema', 'spec.maxUnavailable')]);
  });

  test.each(['1.', ' 1Gi', 'Gi', '1Gi '])('quantities are left to server parity: no schema finding for %j', storage => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } };
    expect(check(pvc)).toEqual([]);
  });

  test('null values are absent values, not a crash', () => {
    const d = deployment();
    d.metadata.labels = null;
    d.spec.replicas = null;
    expect(check(d)).toEqual([]);
  });
});

describe('unknown fields', () => {
  test('a field the schema does not have is reported where it is', () => {
    const d = deployment();
    d.spec.template.spec.containers[1].imagePullPolice = 'Always';
    d.spec.strategy = { type: 'Recreate', recreate: true };
    expect(brief(check(d))).toEqual([error('unknown-field', 'spec.template.spec.containers[1].imagePullPolice'), error('unknown-field', 'spec.strategy.recreate')]);
  });

  test('the fields of a free-form object are not unknown', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, revision: 1, data: { anything: { goes: [1] } } };
    expect(check(revision)).toEqual([]);
  });

  test('an object where the schema wants something else gets the type error only, not unknown fields', () => {
    const d = deployment();
    d.spec.replicas = { count: 2 };
    expect(brief(check(d))).toEqual([error('schema', 'spec.replicas')]);
  });
});

describe('what the validator learns about a kind', () => {
  test('an unknown field is reported every time, also once the kind is known', () => {
    const mod = fresh();
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolice = 'Always';
    for (let i = 0; i < 3; i++) {
      expect(check(deployment(), mod)).toEqual([]);
      expect(brief(check(d, mod))).toEqual([error('unknown-field', 'spec.template.spec.containers[0].imagePullPolice')]);
    }
  });

  test('once the kind is known, objects get the findings they get from a fresh validator', () => {
    // (a change may return a new object: key order decides what the check walks first)
    const variants: Array<[string, (d: any) => any, unknown[]]> = [
      ['unknown field in the second container', d => { d.spec.template.spec.containers[1].bogus = 1; }, [error('unknown-field', 'spec.template.spec.containers[1].bogus')]],
      ['unknown field in the first container', d => { d.spec.template.spec.containers[0].bogus = 1; }, [error('unknown-field', 'spec.template.spec.containers[0].bogus')]],
      ['unknown label-like field next to labels', d => { d.spec.template.metadata.labelz = { a: 'b' }; }, [error('unknown-field', 'spec.template.metadata.labelz')]],
      ['a new label (labels take any key)', d => { d.spec.template.metadata.labels.tier = 'web'; d.spec.selector.matchLabels.tier = 'web'; }, []],
      ['null where a number was', d => { d.spec.replicas = null; }, []],
      ['null where a string was', d => { d.metadata.namespace = null; }, []],
      ['null first', d => ({ spec: { ...d.spec, replicas: null }, metadata: { namespace: null, name: 'x' }, apiVersion: d.apiVersion, kind: d.kind }), []],
      ['a string where an object was', d => { d.spec.template.spec.containers[1] = 'side'; }, [error('schema', 'spec.template.spec.containers[1]')]],
      ['an empty containers list', d => { d.spec.template.spec.containers = []; }, []],
    ];
    const warm = fresh();
    check(deployment(), warm);
    check(deployment(), warm);
    for (const [what, change, expected] of variants) {
      const d0 = deployment();
      const d = change(d0) ?? d0;
      expect([what, brief(check(d, warm))]).toEqual([what, expected]);
      expect([what, brief(check(d, fresh()))]).toEqual([what, expected]);
    }
  });

  test('what is known for one kind is not taken for another', () => {
    const mod = fresh();
    expect(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, binaryData: { k: 'aGk=' } }, mod)).toEqual([]);
    expect(brief(check({ apiVersion: 'v1', kind: 'Secret', metadata: meta, binaryData: { k: 'aGk=' } }, mod))).toEqual([error('unknown-field', 'binaryData')]);
  });

  test('the fields of array elements are known at their own path, not at the root', () => {
    const mod = fresh();
    const sts = (claimSpec: any, containers = [{ name: 'a', image: 'a:1' }]) => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta,
      spec: {
        replicas: 1, serviceName: 's', selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: claimSpec }],
      },
    });
    expect(check(sts({ accessModes: ['ReadWriteOnce'] }), mod)).toEqual([]);
    // `replicas` is a field of the StatefulSet spec, not of a claim's
    const unknown = error('unknown-field', 'spec.volumeClaimTemplates[0].spec.replicas');
    expect(brief(check(sts({ replicas: 1 }), mod))).toEqual([unknown]);
    // also when no other array is in the way
    expect(brief(check(sts({ replicas: 1 }, []), mod))).toEqual([unknown]);
  });
});

describe('loading the models', () => {
  let n = 0;
  /** A module only jest knows (virtual), at the path the model of `kind` in `apiVersion` would have. */
  function mockModel(apiVersion: string, kind: string, factory: () => unknown): jest.Mock {
    const mock = jest.fn(factory);
    jest.doMock(`kubernetes-models/${apiVersion}/${kind}`, mock, { virtual: true });
    return mock;
  }
  const uniqueKind = (base: string) => `${base}${++n}`;
  /** A model whose validation only looks at what `look` reads, failing with `errors` if any. */
  const model = (look: (data: any) => unknown[] | void) => class {
    validate(this: any) {
      const errors = look(this);
      if (errors && errors.length > 0) throw Object.assign(new Error('invalid'), { errors });
    }
  };

  test.each(['../evil/Kind', 'Evil Kind', './Evil', 'Evil/..', '/Evil', 'Evil/'])('a kind that is not a name loads no module (%j)', kind => {
    const loaded = mockModel('apps/v1', kind, () => ({ [kind]: model(() => undefined) }));
    expect(brief(check({ apiVersion: 'apps/v1', kind, metadata: meta }))).toEqual([error('schema', 'kind')]);
    expect(loaded).not.toHaveBeenCalled();
  });

  test.each(['apps/.', 'apps/..', '.', ''])('an apiVersion that is not a group version loads no module (%j)', apiVersion => {
    const kind = uniqueKind('Widget');
    const loaded = mockModel(apiVersion, kind, () => ({ [kind]: model(() => undefined) }));
    expect(brief(check({ apiVersion, kind, metadata: meta }))).toEqual([error('schema', 'kind')]);
    expect(loaded).not.toHaveBeenCalled();
  });

  test('a module that does not export the kind, or exports something that is not a model: no such kind', () => {
    expect(brief(check({ apiVersion: 'apps/v1', kind: 'index', metadata: meta }))).toEqual([error('schema', 'kind')]);
    const kind = uniqueKind('Plain');
    mockModel('v1', kind, () => ({ [kind]: {} }));
    expect(brief(check({ apiVersion: 'v1', kind, metadata: meta }))).toEqual([error('schema', 'kind')]);
  });

  test('"not exported" is "not found" (Node\'s answer for a group the package lacks), and is looked up once', () => {
    const kind = uniqueKind('Missing');
    const loaded = mockModel('v1', kind, () => { throw Object.assign(new Error('not exported'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }); });
    expect(brief(check({ apiVersion: 'v1', kind, metadata: meta }))).toEqual([error('schema', 'kind')]);
    expect(brief(check({ apiVersion: 'v1', kind, metadata: { name: 'y' } }))).toEqual([error('schema', 'kind')]);
    expect(loaded).toHaveBeenCalledTimes(1);
  });

  test('any other failure to load a model is not hidden', () => {
    const kind = uniqueKind('Broken');
    mockModel('v1', kind, () => { throw Object.assign(new Error('disk on fire'), { code: 'EIO' }); });
    expect(() => check({ apiVersion: 'v1', kind, metadata: meta })).toThrow('disk on fire');
  });

  test('a validator that fails other than with validation errors is not taken for a pass', () => {
    const kind = uniqueKind('Buggy');
    mockModel('v1', kind, () => ({ [kind]: model(() => { throw new TypeError('bug in the model'); }) }));
    expect(() => check({ apiVersion: 'v1', kind, metadata: meta })).toThrow('bug in the model');
  });

  test('errors without params are reported at their path', () => {
    const kind = uniqueKind('Sparse');
    mockModel('v1', kind, () => ({ [kind]: model(d => { void [d.apiVersion, d.kind, d.a, d.b, d.c]; return [{ instancePath: '/a', keyword: 'format' }, { instancePath: '/b', keyword: 'required' }, { instancePath: '/c', keyword: 'enum' }]; }) }));
    expect(brief(check({ apiVersion: 'v1', kind, a: 1, b: {}, c: 'x' }))).toEqual([error('schema', 'a'), error('schema', 'b'), error('schema', 'c')]);
  });

  test('a field the validator tests with `in` counts as looked at; symbol lookups do not', () => {
    const kind = uniqueKind('Probing');
    mockModel('v1', kind, () => ({
      [kind]: model(d => {
        void ['apiVersion' in d, 'kind' in d, 'known' in d];
        // generic probes (is it a plain object? iterable?) read no field
        void [Object.prototype.toString.call(d.free), Symbol.iterator in d.open];
      }),
    }));
    const findings = check({ apiVersion: 'v1', kind, known: 1, unknown: 2, free: { a: 1 }, open: { b: 2 } });
    expect(brief(findings)).toEqual([error('unknown-field', 'unknown')]);
  });

  test('a validation with errors teaches nothing: the next object of the kind is checked in full', () => {
    const kind = uniqueKind('StopsEarly');
    // like a validator that stops at the first error: it read `b` but not inside it
    mockModel('v1', kind, () => ({
      [kind]: model(d => {
        const { apiVersion, kind: k, a, b } = d;
        void [apiVersion, k];
        if (typeof a !== 'string') return [{ instancePath: '/a', keyword: 'type', params: { type: 'string' } }];
        void b.x;
        return undefined;
      }),
    }));
    const mod = fresh();
    expect(brief(check({ apiVersion: 'v1', kind, a: 1, b: { x: 1 } }, mod))).toEqual([error('schema', 'a')]);
    expect(brief(check({ apiVersion: 'v1', kind, a: 'ok', b: { x: 1, bogus: 2 } }, mod))).toEqual([error('unknown-field', 'b.bogus')]);
  });
});
