import { dirname, join } from 'path';
import * as ts from 'typescript';

/**
 * CustomResourceDefinitions of the MicroK8s addons (Traefik's `traefik.io`, cert-manager's
 * `cert-manager.io` and `acme.cert-manager.io`), derived from the typings of the npm packages
 * this project already depends on. `@kubernetes-models/traefik` and
 * `@kubernetes-models/cert-manager` are generated from those CRDs' OpenAPI schemas, so their
 * TypeScript interfaces carry the same structure: every property with its type, which ones are
 * required, string enums, int-or-string fields, string maps and free-form objects. Turning them
 * back into structural schemas gives a test API server CRDs that check `--validate=strict`
 * like the originals, without shipping (or needing) the originals' YAML.
 *
 * What is lost on the way: numeric formats (int32/int64 become `number`), patterns, min/max
 * and CEL rules, which the typings do not carry. Where the originals are at hand
 * (`../shared/crds/` in this repository's CI), tests apply our objects under them too.
 */

/** An API group version whose CRDs are derived from typings. */
export interface CrdGroupVersion {
  readonly group: string;
  readonly version: string;
  readonly kinds: readonly string[];
  /** Kinds that are cluster-scoped (the rest are namespaced). */
  readonly clusterScoped?: readonly string[];
}

export interface CrdSource extends CrdGroupVersion {
  /** npm package with the typings. */
  readonly pkg: string;
}

export const TRAEFIK_CRDS: CrdSource = {
  pkg: '@kubernetes-models/traefik',
  group: 'traefik.io',
  version: 'v1alpha1',
  kinds: ['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'ServersTransport', 'TLSOption', 'TLSStore', 'TraefikService'],
};

export const CERT_MANAGER_CRDS: readonly CrdSource[] = [
  {
    pkg: '@kubernetes-models/cert-manager',
    group: 'cert-manager.io',
    version: 'v1',
    kinds: ['Certificate', 'CertificateRequest', 'ClusterIssuer', 'Issuer'],
    clusterScoped: ['ClusterIssuer'],
  },
  {
    pkg: '@kubernetes-models/cert-manager',
    group: 'acme.cert-manager.io',
    version: 'v1',
    kinds: ['Challenge', 'Order'],
  },
];

export type Schema = Record<string, unknown>;
export const FREE_FORM: Schema = { 'x-kubernetes-preserve-unknown-fields': true };
const MAX_DEPTH = 40;

/** One CRD object per kind of `source`. */
export function deriveCrds(source: CrdSource): Schema[] {
  const pkgDir = dirname(require.resolve(`${source.pkg}/package.json`));
  const files = source.kinds.map(kind => join(pkgDir, source.group, source.version, `${kind}.d.ts`));
  const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  return source.kinds.map((kind, i) => {
    const file = program.getSourceFile(files[i]);
    const iface = file?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `I${kind}`);
    if (!iface) throw new Error(`${files[i]}: no interface I${kind}`);
    const type = checker.getTypeAtLocation(iface);
    const top = objectSchema(checker, type, 0, new Set(['apiVersion', 'kind', 'metadata']));
    const properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(top.properties as Schema) };
    return crdObject(source, kind, { ...top, properties }, 'status' in properties ? { status: {} } : undefined);
  });
}

/** A CustomResourceDefinition of one kind (plural `<kind>s`) with one served, stored version. */
export function crdObject(source: CrdGroupVersion, kind: string, openAPIV3Schema: Schema, subresources?: object): Schema {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${source.group}`, labels: { 'app.kubernetes.io/managed-by': 'microk8s-phoenix-test-harness' } },
    spec: {
      group: source.group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: source.clusterScoped?.includes(kind) ? 'Cluster' : 'Namespaced',
      versions: [{ name: source.version, served: true, storage: true, schema: { openAPIV3Schema }, ...(subresources ? { subresources } : {}) }],
    },
  };
}

function schemaOf(checker: ts.TypeChecker, type: ts.Type, depth: number): Schema {
  if (depth > MAX_DEPTH) return FREE_FORM;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return FREE_FORM;
  if (type.isUnion()) {
    const parts = type.types.filter(t => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (parts.length === 1) return schemaOf(checker, parts[0], depth);
    if (parts.every(t => t.isStringLiteral())) return { type: 'string', enum: parts.map(t => (t as ts.StringLiteralType).value) };
    if (parts.every(t => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    const kinds = new Set(parts.map(t => (t.flags & ts.TypeFlags.NumberLike ? 'number' : t.flags & ts.TypeFlags.StringLike ? 'string' : 'other')));
    if (kinds.size === 2 && kinds.has('number') && kinds.has('string')) return { 'x-kubernetes-int-or-string': true };
    return FREE_FORM;
  }
  if (type.isStringLiteral()) return { type: 'string', enum: [type.value] };
  if (type.flags & ts.TypeFlags.StringLike) return { type: 'string' };
  if (type.flags & ts.TypeFlags.NumberLike) return { type: 'number' };
  if (type.flags & ts.TypeFlags.BooleanLike) return { type: 'boolean' };
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    return { type: 'array', items: schemaOf(checker, item, depth + 1) };
  }
  if (type.flags & ts.TypeFlags.Object) return objectSchema(checker, type, depth + 1);
  return FREE_FORM;
}

function objectSchema(checker: ts.TypeChecker, type: ts.Type, depth: number, skip: Set<string> = new Set()): Schema {
  return structuralObject(checker, type, depth, schemaOf, p => p.name, skip);
}

/**
 * The structural schema of an object type: its properties (named by `nameOf`, typed by
 * `schemaOf`), the non-optional ones required, a string index signature as
 * additionalProperties (or free-form keys beside known properties).
 */
export function structuralObject(checker: ts.TypeChecker, type: ts.Type, depth: number,
  schemaOf: (checker: ts.TypeChecker, type: ts.Type, depth: number) => Schema,
  nameOf: (symbol: ts.Symbol, decl: ts.Declaration) => string, skip: Set<string> = new Set()): Schema {
  const props = checker.getPropertiesOfType(type).filter(p => !skip.has(p.name));
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (props.length === 0) {
    if (index) {
      const value = schemaOf(checker, index.type, depth + 1);
      // A map of anything is free-form; a structural schema may not say additionalProperties: {}.
      return value === FREE_FORM ? { type: 'object', ...FREE_FORM } : { type: 'object', additionalProperties: value };
    }
    return { type: 'object', ...FREE_FORM };
  }
  const properties: Schema = {};
  const required: string[] = [];
  for (const p of props) {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (!decl) continue;
    const name = nameOf(p, decl);
    properties[name] = schemaOf(checker, checker.getTypeOfSymbolAtLocation(p, decl), depth + 1);
    if (!(p.flags & ts.SymbolFlags.Optional)) required.push(name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    // Known properties and arbitrary extra keys at once: keep the known ones, allow the rest.
    ...(index ? FREE_FORM : {}),
  };
}
