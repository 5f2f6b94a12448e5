import { App, Chart, Testing } from 'cdk8s';

/** A Kubernetes manifest as synthesized (plain JSON). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** A fresh chart in a fresh app, optionally namespaced. */
export function testChart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', namespace ? { namespace } : {});
}

export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart) as Manifest[];
}

/** The one object of `kind` named `name`; fails the test when there is not exactly one. */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const hits = manifests.filter(m => m.kind === kind && m.metadata.name === name);
  if (hits.length !== 1) {
    throw new Error(`expected one ${kind}/${name}, found ${hits.length} among ${manifests.map(m => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  }
  return hits[0];
}

export function kinds(manifests: Manifest[]): string[] {
  return manifests.map(m => `${m.kind}/${m.metadata.name}`).sort();
}

/** Whether every label of `selector` is present with the same value in `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export { App };

/** A Secret's values, decoded from `data` (owned Secrets are written base64-encoded). */
export function secretValues(secret: Manifest): Record<string, string> {
  expect(secret.stringData).toBeUndefined();
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v as string, 'base64').toString('utf8')]));
}

/**
 * What the object `kind`/`name` below `scope` declared to the validator (external Secrets,
 * comma-joined, and the external-pods reason): kept in the construct tree, never in the manifest.
 */
export function declared(scope: import('constructs').IConstruct, kind: string, name: string): { secrets: string; podsReason?: string; annotations?: Record<string, string> } {
  const { ApiObject } = require('cdk8s') as typeof import('cdk8s');
  const { declarationsOf } = require('../lib/validation/declarations') as typeof import('../lib/validation/declarations');
  const hits = scope.node.findAll().filter(c => ApiObject.isApiObject(c) && c.kind === kind && c.name === name) as import('cdk8s').ApiObject[];
  if (hits.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${hits.length}`);
  const d = declarationsOf(hits[0]);
  return { secrets: (d?.externalSecrets ?? []).join(','), podsReason: d?.externalPodsReason, annotations: hits[0].toJson().metadata.annotations };
}
