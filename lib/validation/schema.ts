import { FindingSink, SourcedManifest } from './report';

/**
 * Schema rules: each object against the Kubernetes 1.27 OpenAPI schema (the API level of
 * cdk8s-plus-27) as compiled by `kubernetes-models` 4.x, and cert-manager resources against
 * `@kubernetes-models/cert-manager`. Those validators check types, enums and required
 * fields but, like Kubernetes' OpenAPI, let unknown fields through; `kubectl apply
 * --validate=strict` rejects them. The strict check is done on top: the object is wrapped
 * so that every property the compiled validator looks up is recorded, and any property of
 * a schema-described object that the validator never looked at is unknown to the schema.
 */

type ValidateFn = (data: unknown) => AjvError[] | undefined;
interface AjvError { instancePath: string; keyword: string; message?: string; params?: Record<string, unknown> }

/**
 * apiVersions Kubernetes (or cert-manager, Traefik) has removed: the release that removed them
 * (`1.25`; `1.16/1.22` when kinds went in different releases; `cert-manager 1.6`) and what to
 * use instead, which names apiVersions this validator checks. An object with such an apiVersion
 * gets rule `removed-api` at path `apiVersion`, and no other schema finding.
 */
export const REMOVED_APIS: Readonly<Record<string, { readonly removedIn: string; readonly use: string }>> = {
  'extensions/v1beta1': { removedIn: '1.16/1.22', use: 'apps/v1 (workloads) or networking.k8s.io/v1 (Ingress)' },
  'apps/v1beta1': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta2': { removedIn: '1.16', use: 'apps/v1' },
  'networking.k8s.io/v1beta1': { removedIn: '1.22', use: 'networking.k8s.io/v1' },
  'batch/v1beta1': { removedIn: '1.25', use: 'batch/v1' },
  'policy/v1beta1': { removedIn: '1.25', use: 'policy/v1 (PodDisruptionBudget); PodSecurityPolicy is gone: use Pod Security Admission' },
  'autoscaling/v2beta1': { removedIn: '1.25', use: 'autoscaling/v2' },
  'autoscaling/v2beta2': { removedIn: '1.26', use: 'autoscaling/v2' },
  'discovery.k8s.io/v1beta1': { removedIn: '1.25', use: 'discovery.k8s.io/v1' },
  'events.k8s.io/v1beta1': { removedIn: '1.25', use: 'events.k8s.io/v1' },
  'node.k8s.io/v1beta1': { removedIn: '1.25', use: 'node.k8s.io/v1' },
  'rbac.authorization.k8s.io/v1beta1': { removedIn: '1.22', use: 'rbac.authorization.k8s.io/v1' },
  'storage.k8s.io/v1beta1': { removedIn: '1.22/1.25', use: 'storage.k8s.io/v1' },
  'scheduling.k8s.io/v1beta1': { removedIn: '1.22', use: 'scheduling.k8s.io/v1' },
  'admissionregistration.k8s.io/v1beta1': { removedIn: '1.22', use: 'admissionregistration.k8s.io/v1' },
  'apiextensions.k8s.io/v1beta1': { removedIn: '1.22', use: 'apiextensions.k8s.io/v1' },
  'certificates.k8s.io/v1beta1': { removedIn: '1.22', use: 'certificates.k8s.io/v1' },
  'coordination.k8s.io/v1beta1': { removedIn: '1.22', use: 'coordination.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta1': { removedIn: '1.26', use: 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta2': { removedIn: '1.29', use: 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta3': { removedIn: '1.32', use: 'flowcontrol.apiserver.k8s.io/v1' },
  'cert-manager.io/v1alpha2': { removedIn: 'cert-manager 1.6', use: 'cert-manager.io/v1' },
  'cert-manager.io/v1alpha3': { removedIn: 'cert-manager 1.6', use: 'cert-manager.io/v1' },
  'cert-manager.io/v1beta1': { removedIn: 'cert-manager 1.6', use: 'cert-manager.io/v1' },
  'traefik.containo.us/v1alpha1': { removedIn: 'Traefik 3', use: 'traefik.io/v1alpha1' },
};

/** Groups whose kinds `kubernetes-models` carries (the built-in API of Kubernetes 1.27). */
const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'events.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io', 'internal.apiserver.k8s.io']);
const CERT_MANAGER_GROUPS = new Set(['cert-manager.io', 'acme.cert-manager.io']);
const TRAEFIK_GROUPS = new Set(['traefik.io']);

/** Compiled validators, loaded lazily once per apiVersion/kind (null: no schema available). */
const validators = new Map<string, ValidateFn | null>();

function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function loadValidator(apiVersion: string, kind: string): ValidateFn | null {
  const key = `${apiVersion}/${kind}`;
  let fn = validators.get(key);
  if (fn !== undefined) return fn;
  const group = groupOf(apiVersion);
  const modulePath = BUILTIN_GROUPS.has(group) ? `kubernetes-models/${apiVersion}/${kind}`
    : CERT_MANAGER_GROUPS.has(group) ? `@kubernetes-models/cert-manager/${apiVersion}/${kind}`
      : TRAEFIK_GROUPS.has(group) ? `@kubernetes-models/traefik/${apiVersion}/${kind}`
        : undefined;
  fn = null;
  // Only a package and name segments (no empty, "." or ".." segment): what a manifest says can
  // neither reach outside the model packages nor make Node's resolver throw
  // ERR_INVALID_MODULE_SPECIFIER (kind "../index") instead of "not found".
  if (modulePath && /^@?[A-Za-z0-9-]+(\/[A-Za-z0-9][A-Za-z0-9.-]*)+$/.test(modulePath)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const model = require(modulePath)[kind];
      if (model?.prototype?.validate) {
        fn = (data: unknown) => {
          try {
            model.prototype.validate.call(data);
            return undefined;
          } catch (e) {
            const errors = (e as { errors?: AjvError[] }).errors;
            if (!errors) throw e;
            return errors;
          }
        };
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' && (e as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
    }
  }
  validators.set(key, fn);
  return fn;
}

interface Tracked { readonly path: string; readonly keys: string[]; readonly seen: Set<string>; enumerated: boolean }

/**
 * What error-free validations of a kind have shown about its schema, by field path with array
 * indices dropped (`spec.template.spec.containers[].image`): fields the validator read, and
 * objects that accept any key (maps such as labels, which the validator enumerates, and
 * free-form objects, of which it reads nothing). An object all of whose fields are already
 * known needs no tracking: the plain compiled validator is enough. The schema of a kind never
 * changes, so what was learned stays true.
 */
interface KindShape { readonly known: Set<string>; readonly open: Set<string> }
const shapes = new Map<string, KindShape>();

// The mutants below that only make allKnown answer false more often are equivalent: that is the
// slow path, which gives the same findings. Those that make it answer true wrongly are tested.
// Stryker disable next-line BlockStatement: performance only (the slow path gives the same findings)
function allKnown(value: unknown, path: string, shape: KindShape): boolean {
  // Stryker disable next-line ArrowFunction: performance only (the slow path gives the same findings)
  if (Array.isArray(value)) return value.every(v => allKnown(v, `${path}[]`, shape));
  // Stryker disable next-line BooleanLiteral: performance only (the slow path gives the same findings)
  if (value === null || typeof value !== 'object' || shape.open.has(path)) return true;
  for (const [k, v] of Object.entries(value)) {
    // Stryker disable next-line StringLiteral: performance only, unless a root field named "" was learned, which no valid object has
    const p = path ? `${path}.${k}` : k;
    if (!shape.known.has(p) || !allKnown(v, p, shape)) return false;
  }
  // Stryker disable next-line BooleanLiteral: performance only (the slow path gives the same findings)
  return true;
}

// Learning less (or nothing) only means the slow path more often.
// Stryker disable next-line BlockStatement: performance only (the slow path gives the same findings)
// Stryker disable StringLiteral: learning "" for a field is performance only, unless an object has a field named "", which no valid object has
function learn(shape: KindShape, registry: Tracked[]): void {
  // Stryker disable next-line BlockStatement: performance only (the slow path gives the same findings)
  for (const t of registry) {
    // Stryker disable next-line Regex,StringLiteral: a path left with its indices is never looked up (allKnown asks with "[]"): performance only
    const p = t.path.replace(/\[\d+\]/g, '[]');
    // Stryker disable next-line LogicalOperator: performance only (the slow path gives the same findings)
    if (t.seen.size === 0 || t.enumerated) shape.open.add(p);
    else for (const k of t.keys) if (t.seen.has(k)) shape.known.add(p ? `${p}.${k}` : k);
  }
}

// Stryker restore StringLiteral
/** A copy of `value` in which every object records the property names looked up on it. */
function track(value: unknown, path: string, registry: Tracked[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => track(v, `${path}[${i}]`, registry));
  if (value === null || typeof value !== 'object') return value;
  const target: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const k of keys) target[k] = track((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, registry);
  const entry: Tracked = { path, keys, seen: new Set(), enumerated: false };
  registry.push(entry);
  return new Proxy(target, {
    get(t, k) { if (typeof k === 'string') entry.seen.add(k); return t[k as string]; },
    has(t, k) { if (typeof k === 'string') entry.seen.add(k); return k in t; },
    // Stryker disable next-line BooleanLiteral: validators read every key they enumerate, so learning such an object as its keys instead of open is performance only
    ownKeys(t) { entry.enumerated = true; return Reflect.ownKeys(t); },
  });
}

function jsonPath(instancePath: string): string {
  const segments = instancePath.split('/').filter(Boolean).map(s => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`));
  // Stryker disable next-line Regex: the first segment is a property of the object, so the first "." is the leading one
  return segments.join('').replace(/^\./, '');
}

/** A schema error in words, naming the missing property or the allowed values. */
// Stryker disable all: message text only
function schemaMessage(e: AjvError): string {
  const missing = e.keyword === 'required' ? ` "${String(e.params?.missingProperty)}"` : '';
  const allowed = e.keyword === 'enum' ? ` (${(e.params?.allowedValues as unknown[] ?? []).map(v => JSON.stringify(v)).join(', ')})` : '';
  return `${e.message ?? e.keyword}${missing}${allowed} (Kubernetes 1.27 schema)`;
}
// Stryker restore all

/** Schema, unknown-field, removed-API and unchecked-kind rules for one object. */
export function checkSchema(source: SourcedManifest, sink: FindingSink): void {
  const m = source.manifest;
  if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
    sink.add(source, 'schema', '', 'every object needs a string apiVersion and kind');
    return;
  }
  const removed = REMOVED_APIS[m.apiVersion];
  if (removed) {
    sink.add(source, 'removed-api', 'apiVersion', `${m.apiVersion} was removed in ${removed.removedIn}; use ${removed.use}`);
    return;
  }
  const validate = loadValidator(m.apiVersion, m.kind);
  if (!validate && BUILTIN_GROUPS.has(groupOf(m.apiVersion))) {
    sink.add(source, 'schema', 'kind', `Kubernetes 1.27 has no kind ${m.kind} in ${m.apiVersion}: check the spelling of kind and apiVersion`);
    return;
  }
  if (!validate) {
    sink.add(source, 'unchecked-kind', 'apiVersion',
      `no schema is available for ${m.apiVersion} ${m.kind} (custom resource without a maintained npm model): not validated; check it with kubectl apply --dry-run=server on a cluster with the CRD`,
      'warning');
    return;
  }
  const kindKey = `${m.apiVersion}/${m.kind}`;
  let shape = shapes.get(kindKey);
  if (!shape) shapes.set(kindKey, shape = { known: new Set(), open: new Set() });
  // Stryker disable next-line StringLiteral: performance only (the slow path gives the same findings; no known path starts with that)
  const fast = allKnown(m, '', shape);
  const registry: Tracked[] = [];
  const errors = (fast ? validate(m) : validate(track(m, '', registry))) ?? [];
  // Stryker disable next-line BooleanLiteral: learning in the fast path learns nothing (its registry is empty), so this is performance only
  if (!fast && errors.length === 0) learn(shape, registry);
  // Quantities are the server-parity rule's: the models' "quantity" format is stricter than
  // the API server's parser (which takes " 1Gi", "1." and even "Gi").
  const quantityPaths = new Set(errors.filter(e => e.keyword === 'format' && e.params?.format === 'quantity').map(e => e.instancePath));
  for (const e of errors) {
    // anyOf/oneOf report their branches too; the branch errors carry the information.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    if (quantityPaths.has(e.instancePath)) continue;
    sink.add(source, 'schema', jsonPath(e.instancePath), schemaMessage(e));
  }
  for (const t of registry) {
    // An object none of whose properties the validator looked at is free-form in the
    // schema (e.g. x-kubernetes-preserve-unknown-fields) or under an error already reported.
    if (t.seen.size === 0) continue;
    for (const k of t.keys) {
      if (!t.seen.has(k)) {
        sink.add(source, 'unknown-field', t.path ? `${t.path}.${k}` : k,
          `field "${k}" is not in the schema (kubectl apply --validate=strict rejects it): remove it or fix its spelling`);
      }
    }
  }
}
