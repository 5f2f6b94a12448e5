import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * Changes Kubernetes cannot apply to a live object: `kubectl apply -f dist/` would apply every
 * other object and fail on this one, leaving a half-applied state. Found by comparing the new
 * output with what the previous synth wrote, before anything is replaced.
 */

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

export interface ImmutableChange {
  /** `Kind/namespace/name` (the key `acceptReplacement` takes). */
  readonly object: string;
  /** The file of the previous output that holds it, relative to the output directory. */
  readonly file: string;
  /** The immutable fields that differ, with old → new where short. */
  readonly fields: readonly string[];
  /** What to do instead of a plain apply. */
  readonly procedure: string;
}

interface Rule {
  /** Immutable paths below the object. */
  readonly paths: readonly string[];
  readonly procedure: (m: Manifest) => string;
}

const RULES: Record<string, Rule> = {
  StatefulSet: {
    paths: ['spec.selector', 'spec.serviceName', 'spec.podManagementPolicy', 'spec.volumeClaimTemplates'],
    procedure: m => `before applying, delete the StatefulSet but not its pods and volume claims: ` +
      `kubectl -n ${m.metadata.namespace} delete statefulset ${m.metadata.name} --cascade=orphan; the apply re-creates it and it adopts them. ` +
      'A claim template shapes only claims created later: existing claims keep their size and class (README, "Changing storage", moves the data).',
  },
  PersistentVolumeClaim: {
    paths: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeMode', 'spec.resources.requests.storage'],
    procedure: m => 'a bound claim keeps its class and cannot grow on a class without allowVolumeExpansion (MicroK8s hostpath has none): ' +
      `before applying, copy its data off and kubectl -n ${m.metadata.namespace} delete pvc ${m.metadata.name} (on a Retain class the old volume stays, Released); ` +
      'after applying dist/bootstrap/, copy the data back (README, "Changing storage").',
  },
  Deployment: {
    paths: ['spec.selector'],
    procedure: m => `before applying, kubectl -n ${m.metadata.namespace} delete deployment ${m.metadata.name} (the app is down until the apply re-creates it).`,
  },
  Job: {
    paths: ['spec.selector', 'spec.template'],
    procedure: m => `before applying, kubectl -n ${m.metadata.namespace} delete job ${m.metadata.name} (the apply runs it again).`,
  },
  Service: {
    paths: ['spec.clusterIP'],
    procedure: m => `before applying, kubectl -n ${m.metadata.namespace} delete service ${m.metadata.name}.`,
  },
};

/** What to do instead of a plain apply when an immutable field of `m` changes (undefined: no such fields). */
export function replacementProcedure(m: Manifest): string | undefined {
  return RULES[m.kind]?.procedure(m);
}

export function objectKey(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** The immutable fields of objects in both `previous` and `next` that differ. */
export function immutableChanges(previous: ReadonlyMap<string, { manifest: Manifest; file: string }>, next: readonly Manifest[]): ImmutableChange[] {
  const changes: ImmutableChange[] = [];
  for (const m of next) {
    const rule = RULES[m.kind];
    const before = previous.get(objectKey(m));
    if (!rule || !before) continue;
    const fields = rule.paths
      .filter(p => JSON.stringify(at(before.manifest, p)) !== JSON.stringify(at(m, p)))
      .map(p => describeChange(p, at(before.manifest, p), at(m, p)));
    if (fields.length > 0) changes.push({ object: objectKey(m), file: before.file, fields, procedure: rule.procedure(m) });
  }
  return changes;
}

/** Every object of the YAML files below `dir`, with its file, by `objectKey`. */
export function readPreviousOutput(dir: string): Map<string, { manifest: Manifest; file: string }> {
  const found = new Map<string, { manifest: Manifest; file: string }>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return found;
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap(e =>
    (e.isDirectory() ? walk(join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [join(d, e.name)] : []));
  for (const file of walk(dir)) {
    try {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const m = doc.toJSON() as Manifest | null;
        if (m?.kind && m.metadata?.name) found.set(objectKey(m), { manifest: m, file: relative(dir, file) });
      }
    } catch {
      // Not ours to judge: an unreadable file simply has no previous objects.
    }
  }
  return found;
}

/** A storage change reads `spec.volumeClaimTemplates[data]: storage 5Gi → 10Gi`. */
function describeChange(path: string, before: unknown, after: unknown): string {
  if (path === 'spec.volumeClaimTemplates' && Array.isArray(before) && Array.isArray(after)) {
    const parts = after.map((t: any) => {
      const old = before.find((b: any) => b?.metadata?.name === t?.metadata?.name);
      if (!old) return `claim template "${t?.metadata?.name}" added`;
      const diffs = [
        ['storage', old.spec?.resources?.requests?.storage, t.spec?.resources?.requests?.storage],
        ['storageClassName', old.spec?.storageClassName, t.spec?.storageClassName],
        ['accessModes', (old.spec?.accessModes ?? []).join(','), (t.spec?.accessModes ?? []).join(',')],
      ].filter(([, a, b]) => a !== b).map(([k, a, b]) => `${k} ${a ?? '-'} → ${b ?? '-'}`);
      return diffs.length > 0 ? `${path}[${t.metadata.name}]: ${diffs.join(', ')}` : undefined;
    }).filter(Boolean);
    if (parts.length > 0) return parts.join('; ');
    return `${path} (labels or other template fields)`;
  }
  const short = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));
  const a = short(before);
  const b = short(after);
  return a.length + b.length < 80 ? `${path}: ${a} → ${b}` : path;
}

function at(m: Manifest, path: string): unknown {
  return path.split('.').reduce<any>((node, key) => (node === undefined || node === null ? undefined : node[key]), m);
}
