/**
 * The CloudNativePG CRDs the test control plane derives from the bindings in imports/
 * (test/control-plane/cnpg-crds.ts), without a cluster: structural, with the JSON names, types,
 * required fields and enums of the operator's CRDs. Where the originals are at hand
 * (`../shared/crds/cloudnative-pg-v1.29.2`, in this repository's CI), every property path,
 * required list and enum is compared with theirs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { addonObjects, cnpgCrds, derivedCrds } from '../../test/control-plane/addons';
import { KUBERNETES_VERSIONS } from '../../test/control-plane/binaries';
import { CNPG_CRDS, deriveCdkImportCrds } from '../../test/control-plane/cnpg-crds';

const ROOT = join(__dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared');
const ORIGINAL_DIR = join(SHARED, 'crds', 'cloudnative-pg-v1.29.2');
const ORIGINAL_FILES = { Cluster: 'postgresql.cnpg.io_clusters.yaml', Database: 'postgresql.cnpg.io_databases.yaml' };
const originals = Object.values(ORIGINAL_FILES).every(f => existsSync(join(ORIGINAL_DIR, f)));
if (process.env.CI === 'true' && existsSync(SHARED) && !originals) {
  throw new Error(`../shared is here but ${ORIGINAL_DIR} lacks the Cluster and Database CRDs: the derived CRDs cannot be cross-checked`);
}

type Schema = any;
let derived: Record<string, any>;
beforeAll(() => {
  derived = Object.fromEntries(deriveCdkImportCrds(CNPG_CRDS).map((c: any) => [c.spec.names.kind, c]));
}, 60_000);

const schemaOf = (crd: any): Schema => crd.spec.versions[0].schema.openAPIV3Schema;
/** The schema at a path of property names (`[]` steps into array items, `{}` into map values). */
function at(schema: Schema, path: string): Schema {
  return path.split('.').reduce((s, step) => (step === '[]' ? s.items : step === '{}' ? s.additionalProperties : s?.properties?.[step]), schema);
}

describe('CRDs derived from imports/postgresql.cnpg.io.ts', () => {
  test('Cluster and Database: postgresql.cnpg.io/v1, namespaced, with a status subresource (and Cluster a scale one)', () => {
    for (const [kind, plural] of [['Cluster', 'clusters'], ['Database', 'databases']]) {
      const crd = derived[kind];
      expect(crd.metadata.name).toBe(`${plural}.postgresql.cnpg.io`);
      expect(crd.spec).toMatchObject({ group: 'postgresql.cnpg.io', scope: 'Namespaced', names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` } });
      const subresources = kind === 'Cluster'
        ? { status: {}, scale: { specReplicasPath: '.spec.instances', statusReplicasPath: '.status.instances', labelSelectorPath: '.status.selector' } }
        : { status: {} };
      expect(crd.spec.versions.map((v: any) => [v.name, v.served, v.storage, v.subresources])).toEqual([['v1', true, true, subresources]]);
      const top = schemaOf(crd);
      expect(top.required).toEqual(['metadata', 'spec']);
      expect(top.properties.status).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    }
  });

  test('types, JSON names, required fields, enums, maps and int-or-string as the bindings say', () => {
    const cluster = schemaOf(derived.Cluster);
    expect(at(cluster, 'spec.instances').type).toBe('number');
    expect(at(cluster, 'spec.storage.size')).toEqual({ type: 'string' });
    expect(at(cluster, 'spec.affinity.podAntiAffinityType')).toEqual({ type: 'string' });
    expect(at(cluster, 'spec.affinity.enablePodAntiAffinity')).toEqual({ type: 'boolean' });
    // JSON names from the @schema tags, not the camelCase of the bindings.
    expect(at(cluster, 'spec.enablePDB')).toEqual({ type: 'boolean' });
    expect(at(cluster, 'spec.enablePdb')).toBeUndefined();
    expect(at(cluster, 'spec.resources.limits.{}')).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(at(cluster, 'spec.postgresql.parameters')).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(at(cluster, 'spec.managed.roles').type).toBe('array');
    expect(at(cluster, 'spec.managed.roles.[]').required).toEqual(['name']);
    expect(at(cluster, 'spec.managed.roles.[].ensure')).toEqual({ type: 'string', enum: ['present', 'absent'] });
    expect(at(cluster, 'spec.managed.roles.[].validUntil')).toEqual({ type: 'string', format: 'date-time' });
    expect(at(cluster, 'spec.bootstrap.initdb.secret').required).toEqual(['name']);
    // `type: object` without properties is `any` in the bindings: free-form here.
    expect(at(cluster, 'spec.ephemeralVolumeSource.volumeClaimTemplate.metadata')).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });

    const database = schemaOf(derived.Database);
    expect([...at(database, 'spec').required].sort()).toEqual(['cluster', 'name', 'owner']);
    // A LocalObjectReference: `name` is not required (it defaults to ""), the reference is.
    expect(at(database, 'spec.cluster')).toEqual({ type: 'object', properties: { name: { type: 'string' } } });
    expect(at(database, 'spec.ensure').enum).toEqual(['present', 'absent']);
  });

  test('structural: every node typed (or int-or-string / free-form), no empty additionalProperties, required names declared', () => {
    const problems: string[] = [];
    const check = (s: Schema, path: string) => {
      if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) problems.push(`${path}: no type`);
      if (s.properties && s.additionalProperties) problems.push(`${path}: properties and additionalProperties`);
      if (s.additionalProperties !== undefined && (typeof s.additionalProperties !== 'object' || Object.keys(s.additionalProperties).length === 0)) problems.push(`${path}: empty additionalProperties`);
      for (const r of s.required ?? []) if (!s.properties?.[r]) problems.push(`${path}: required ${r} not a property`);
      if (s.type === 'array' && !s.items) problems.push(`${path}: array without items`);
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) check(v, `${path}.${k}`);
      if (s.items) check(s.items, `${path}[]`);
      if (s.additionalProperties) check(s.additionalProperties, `${path}{}`);
    };
    for (const kind of ['Cluster', 'Database']) check(schemaOf(derived[kind]), kind);
    expect(problems).toEqual([]);
  });

  test('the addons install them on every pinned version, with the namespace cnpg-system; derived once, then from the cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'cnpg-crd-cache-'));
    const before = process.env.MICROK8S_PHOENIX_CACHE;
    process.env.MICROK8S_PHOENIX_CACHE = cache;
    try {
      const first = cnpgCrds();
      expect(first).toEqual(Object.values(derived));
      expect(readdirSync(join(cache, 'crds')).filter(f => f.startsWith('postgresql.cnpg.io-'))).toHaveLength(1);
      expect(cnpgCrds()).toEqual(first);
    } finally {
      if (before === undefined) delete process.env.MICROK8S_PHOENIX_CACHE;
      else process.env.MICROK8S_PHOENIX_CACHE = before;
      rmSync(cache, { recursive: true, force: true });
    }
    for (const version of KUBERNETES_VERSIONS) {
      expect(addonObjects(version)).toContainEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cnpg-system' } });
      const names = derivedCrds(version).map((c: any) => c.metadata.name);
      expect(names).toEqual(expect.arrayContaining(['clusters.postgresql.cnpg.io', 'databases.postgresql.cnpg.io', 'certificates.cert-manager.io']));
    }
  }, 120_000);
});

/** What json2jsii keeps of an enum: values equal ignoring case appear once (the first). */
function json2jsiiEnum(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter(v => {
    const key = String(v).toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Comparison {
  onlyOriginal: string[];
  onlyDerived: string[];
  /** Nodes free-form on one side only (the walk stops there). */
  freeForm: string[];
  types: string[];
  required: string[];
  enums: string[];
  /** Enum values json2jsii dropped as case variants of another value. */
  caseVariants: string[];
}

/** Walks the original and the derived schema together, down to where either side is free-form. */
function compare(original: Schema, derivedSchema: Schema): Comparison {
  const c: Comparison = { onlyOriginal: [], onlyDerived: [], freeForm: [], types: [], required: [], enums: [], caseVariants: [] };
  const isFreeForm = (s: Schema) => s['x-kubernetes-preserve-unknown-fields'] === true || (s.type === 'object' && !s.properties && !s.additionalProperties);
  // integer and number are both `number` in TypeScript; int-or-string is an anyOf in the original.
  const kindOf = (s: Schema) => (s['x-kubernetes-int-or-string'] ? 'int-or-string' : s.type === 'integer' ? 'number' : s.type);
  const walk = (o: Schema, d: Schema, path: string) => {
    if (isFreeForm(o) || isFreeForm(d)) {
      if (isFreeForm(o) !== isFreeForm(d)) c.freeForm.push(`${path} (${isFreeForm(o) ? 'original' : 'derived'})`);
      return;
    }
    if (kindOf(o) !== kindOf(d)) c.types.push(`${path}: ${kindOf(o)} / ${kindOf(d)}`);
    if (o.type === 'string' && (o.format === 'date-time') !== (d.format === 'date-time')) c.types.push(`${path}: format ${o.format} / ${d.format}`);
    const req = (s: Schema) => JSON.stringify([...(s.required ?? [])].sort());
    if (req(o) !== req(d)) c.required.push(`${path}: ${req(o)} / ${req(d)}`);
    if (o.enum || d.enum) {
      const kept = o.enum ? json2jsiiEnum(o.enum) : undefined;
      if (JSON.stringify(kept) !== JSON.stringify(d.enum)) c.enums.push(`${path}: ${JSON.stringify(o.enum)} / ${JSON.stringify(d.enum)}`);
      if (kept && kept.length !== o.enum.length) c.caseVariants.push(path);
    }
    const op = o.properties ?? {};
    const dp = d.properties ?? {};
    for (const k of Object.keys(op)) if (!(k in dp)) c.onlyOriginal.push(`${path}.${k}`);
    for (const k of Object.keys(dp)) if (!(k in op)) c.onlyDerived.push(`${path}.${k}`);
    for (const k of Object.keys(op)) if (k in dp) walk(op[k], dp[k], `${path}.${k}`);
    if (o.items || d.items) {
      if (o.items && d.items) walk(o.items, d.items, `${path}[]`);
      else (o.items ? c.onlyOriginal : c.onlyDerived).push(`${path}[]`);
    }
    if (o.additionalProperties || d.additionalProperties) {
      if (o.additionalProperties && d.additionalProperties) walk(o.additionalProperties, d.additionalProperties, `${path}{}`);
      else (o.additionalProperties ? c.onlyOriginal : c.onlyDerived).push(`${path}{}`);
    }
  };
  walk(original, derivedSchema, '');
  return c;
}

// The CRDs are reference data of this repository's CI, not something users have.
(originals ? describe : describe.skip)('derived vs the original CloudNativePG 1.29.2 CRDs', () => {
  test.each(Object.entries(ORIGINAL_FILES))('%s: same property paths, types, required lists and enums', (kind, file) => {
    const original = parse(readFileSync(join(ORIGINAL_DIR, file), 'utf8'));
    expect(original.spec.versions.map((v: any) => v.name)).toEqual(['v1']);
    expect(original.spec.scope).toBe(derived[kind].spec.scope);
    expect(derived[kind].spec.versions[0].subresources).toEqual(original.spec.versions[0].subresources);
    const c = compare(schemaOf(original), schemaOf(derived[kind]));
    expect({ ...c, caseVariants: undefined }).toEqual({
      onlyOriginal: [], onlyDerived: [], types: [], required: [], enums: [], caseVariants: undefined,
      // cdk8s import leaves status out of the bindings; the derived CRD keeps any status.
      freeForm: ['.status (derived)'],
    });
    // json2jsii keeps one of `replace`/`Replace` (and so the bindings and the derived CRD accept
    // only the lower-case Prometheus relabeling actions, which are the documented spelling).
    expect(c.caseVariants).toEqual(kind === 'Cluster'
      ? ['.spec.monitoring.podMonitorMetricRelabelings[].action', '.spec.monitoring.podMonitorRelabelings[].action']
      : []);
  });
});
