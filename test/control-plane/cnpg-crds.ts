import { join } from 'path';
import * as ts from 'typescript';
import { CrdGroupVersion, crdObject, FREE_FORM, Schema, structuralObject } from './addon-crds';

/**
 * CustomResourceDefinitions of CloudNativePG's Cluster and Database (`postgresql.cnpg.io/v1`),
 * derived from the bindings `cdk8s import` generated from the operator's CRDs
 * (imports/postgresql.cnpg.io.ts, `npm run import:cnpg`), so that a test API server checks
 * these kinds with `--validate=strict` without the original YAML (which users do not have).
 *
 * `cdk8s import` (json2jsii) keeps, in TypeScript, most of what a structural schema says:
 * - every property, renamed to camelCase, with its JSON name in the JSDoc tag
 *   `@schema OwnerType#jsonName`;
 * - `required` as non-optional properties;
 * - string enums as TS enums; int-or-string (`anyOf: [integer, string]`) as a class with
 *   static `fromNumber` and `fromString`; `format: date-time` as `Date`;
 * - `additionalProperties` as `{ [key: string]: T }`, arrays as `T[]`;
 * - objects without properties (and schemas it cannot express) as `any`: free-form here.
 *
 * What is lost: integer vs number (both `number`), other formats, patterns, min/max, defaults,
 * list/map types and CEL rules; and `status`, which `cdk8s import` leaves out (free-form here).
 */

/** Kinds, each with an interface `<Kind>Props` (`metadata` and `spec`) in `module`. */
export interface CdkImportCrdSource extends CrdGroupVersion {
  /** The module `cdk8s import` wrote, relative to the repository root. */
  readonly module: string;
  /** Subresources besides `status` (which every kind gets), by kind: the bindings do not carry them. */
  readonly subresources?: Readonly<Record<string, object>>;
}

/** What `microk8s enable community; microk8s enable cloudnative-pg` installs that our constructs emit. */
export const CNPG_CRDS: CdkImportCrdSource = {
  module: 'imports/postgresql.cnpg.io.ts',
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kinds: ['Cluster', 'Database'],
  // As the operator's CRD: `kubectl scale cluster` sets the number of instances.
  subresources: { Cluster: { scale: { specReplicasPath: '.spec.instances', statusReplicasPath: '.status.instances', labelSelectorPath: '.status.selector' } } },
};

export const REPO_ROOT = join(__dirname, '..', '..');

const MAX_DEPTH = 60;

/** One CRD object per kind of `source`, each with a (free-form) `status` subresource. */
export function deriveCdkImportCrds(source: CdkImportCrdSource): Schema[] {
  const file = join(REPO_ROOT, source.module);
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [], strict: true });
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);
  if (!sourceFile) throw new Error(`${file}: not found`);
  return source.kinds.map(kind => {
    const iface = sourceFile.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `${kind}Props`);
    if (!iface) throw new Error(`${file}: no interface ${kind}Props`);
    // metadata is ApiObjectMetadata of cdk8s, not part of the CRD: the API server owns its schema.
    const top = objectSchema(checker, checker.getTypeAtLocation(iface), 0, new Set(['metadata']));
    const properties: Schema = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...(top.properties as Schema),
      status: { type: 'object', ...FREE_FORM },
    };
    const required = [...new Set(['metadata', ...((top.required as string[] | undefined) ?? [])])];
    return crdObject(source, kind, { type: 'object', properties, required }, { ...source.subresources?.[kind], status: {} });
  });
}

/** The JSON name of a property: the `@schema Type#name` tag json2jsii writes, else its own name. */
function jsonName(symbol: ts.Symbol, decl: ts.Declaration): string {
  for (const tag of ts.getJSDocTags(decl)) {
    if (tag.tagName.text !== 'schema') continue;
    const text = (typeof tag.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? '').trim();
    const hash = text.lastIndexOf('#');
    if (hash >= 0) return text.slice(hash + 1);
  }
  return symbol.name;
}

function literalValue(t: ts.Type): string | number | undefined {
  return t.isStringLiteral() || t.isNumberLiteral() ? t.value : undefined;
}

function schemaOf(checker: ts.TypeChecker, type: ts.Type, depth: number): Schema {
  if (depth > MAX_DEPTH) return FREE_FORM;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return FREE_FORM;
  const parts = type.isUnion() ? type.types.filter(t => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) : [type];
  if (parts.length === 0) return FREE_FORM;
  if (parts.length > 1 && parts.every(t => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
  // Enums (a union of their members, or a single member) and literal types.
  const literals = parts.map(literalValue);
  if (literals.every(v => v !== undefined)) {
    const values = literals as (string | number)[];
    if (values.every(v => typeof v === 'string')) return { type: 'string', enum: values };
    if (values.every(v => typeof v === 'number')) return { type: values.every(Number.isInteger) ? 'integer' : 'number', enum: values };
    return FREE_FORM;
  }
  if (parts.length > 1) return FREE_FORM;
  const t = parts[0];
  if (t.flags & ts.TypeFlags.StringLike) return { type: 'string' };
  if (t.flags & ts.TypeFlags.NumberLike) return { type: 'number' };
  if (t.flags & ts.TypeFlags.BooleanLike) return { type: 'boolean' };
  if (checker.isArrayType(t)) {
    const [item] = checker.getTypeArguments(t as ts.TypeReference);
    return { type: 'array', items: schemaOf(checker, item, depth + 1) };
  }
  const symbol = t.getSymbol();
  if (symbol?.name === 'Date' && symbol.declarations?.some(d => d.getSourceFile().hasNoDefaultLib)) return { type: 'string', format: 'date-time' };
  if (symbol && symbol.flags & ts.SymbolFlags.Class) return unionClassSchema(symbol);
  if (t.flags & ts.TypeFlags.Object) return objectSchema(checker, t, depth + 1);
  return FREE_FORM;
}

/**
 * json2jsii writes a schema `anyOf` simple types as a class with one static `from<Type>` per
 * alternative: `fromNumber` and `fromString` together are Kubernetes' int-or-string.
 */
function unionClassSchema(symbol: ts.Symbol): Schema {
  const types = new Set<string>();
  symbol.exports?.forEach((_s, name) => {
    const m = /^from([A-Z]\w*)$/.exec(String(name));
    if (m) types.add(m[1].toLowerCase());
  });
  if (types.size === 2 && types.has('number') && types.has('string')) return { 'x-kubernetes-int-or-string': true };
  if (types.size === 1) {
    const [only] = types;
    if (['string', 'number', 'boolean'].includes(only)) return { type: only };
  }
  return FREE_FORM;
}

function objectSchema(checker: ts.TypeChecker, type: ts.Type, depth: number, skip: Set<string> = new Set()): Schema {
  return structuralObject(checker, type, depth, schemaOf, jsonName, skip);
}
