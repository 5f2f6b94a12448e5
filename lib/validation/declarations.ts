import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { ApiObject } from 'cdk8s';
import type { App } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * What an object declares to the validator and to nobody else: Secrets it references but
 * deliberately leaves to the user (created with kubectl, an operator, …), or that the pods it
 * selects are started by something else (cert-manager's solver). Kept in the construct tree,
 * not in the manifests, so the bookkeeping never reaches the cluster.
 */
export interface Declarations {
  /** Secrets in the object's namespace that are created outside this app. */
  readonly externalSecrets: readonly string[];
  /** Why the pods the object selects are not in the output. */
  readonly externalPodsReason?: string;
}

/**
 * Annotations with the same meaning, for manifests that come from elsewhere (hand-written YAML
 * validated with the CLI plugin). The library's constructs never write them.
 */
export const EXTERNAL_SECRETS_ANNOTATION = 'validation.microk8s-phoenix.io/external-secrets';
export const EXTERNAL_PODS_ANNOTATION = 'validation.microk8s-phoenix.io/external-pods';

/**
 * Where `App.synth()` leaves the declarations for the cdk8s CLI's validation plugin, beside the
 * manifests: no `.yaml`/`.json` extension, so `kubectl apply -f dist/` skips it.
 */
export const DECLARATIONS_FILE = '.validation-declarations';

interface Entry { readonly secrets: Set<string>; podsReason?: string }
const store = new WeakMap<IConstruct, Entry>();
const appsWithWriter = new WeakSet<IConstruct>();

function entryOf(obj: ApiObject): Entry {
  let entry = store.get(obj);
  if (!entry) store.set(obj, entry = { secrets: new Set() });
  writeWhenSynthesized(obj);
  return entry;
}

/** Declare on `obj` that Secret `secretName` (same namespace) is created outside this app. */
export function declareExternalSecret(obj: ApiObject, secretName: string): void {
  entryOf(obj).secrets.add(secretName);
}

/** Declare on `obj` that its selector targets pods created by something else (why: `reason`). */
export function declareExternalPods(obj: ApiObject, reason: string): void {
  if (reason.trim().length < 10) throw new Error(`${obj.node.path}: declaring external pods needs a reason`);
  entryOf(obj).podsReason = reason.trim();
}

/** What `obj` declared, if anything. */
export function declarationsOf(obj: IConstruct): Declarations | undefined {
  const entry = store.get(obj);
  return entry && { externalSecrets: [...entry.secrets].sort(), externalPodsReason: entry.podsReason };
}

/** `Kind/namespace/name`: how the declarations file names an object. */
export function objectKey(manifest: { kind?: string; metadata?: { namespace?: string; name?: string } }): string {
  return `${manifest.kind}/${manifest.metadata?.namespace ?? ''}/${manifest.metadata?.name}`;
}

/**
 * When the cdk8s CLI runs the app (it sets `CDK8S_OUTDIR`, the directory it owns and wipes
 * before each run), `App.synth()` validates the whole tree before it writes the manifests:
 * then the App's declarations go to `DECLARATIONS_FILE` there, for the CLI's plugin. Nothing
 * is written anywhere else (tests, `synthYaml`, an App with another outdir).
 */
function writeWhenSynthesized(obj: ApiObject): void {
  const root = obj.node.root;
  if (appsWithWriter.has(root) || typeof (root as Partial<App>).outdir !== 'string') return;
  appsWithWriter.add(root);
  root.node.addValidation({
    validate: () => {
      const app = root as App;
      const cliOutdir = process.env.CDK8S_OUTDIR;
      if (!cliOutdir || resolve(cliOutdir) !== resolve(app.outdir)) return [];
      const objects: Record<string, Declarations> = {};
      for (const c of app.node.findAll()) {
        const d = declarationsOf(c);
        // The key from the object's own fields: rendering it here would resolve it a second time.
        if (d && ApiObject.isApiObject(c)) objects[objectKey({ kind: c.kind, metadata: { namespace: c.metadata.namespace, name: c.name } })] = d;
      }
      mkdirSync(app.outdir, { recursive: true });
      writeFileSync(join(app.outdir, DECLARATIONS_FILE), JSON.stringify({ version: 1, objects }));
      return [];
    },
  });
}

/**
 * The declarations `App.synth()` left beside these manifests (in their directories or the one
 * above, for output with a folder per chart), by object key.
 */
export function declarationsFor(manifestPaths: readonly string[]): Record<string, Declarations> {
  const dirs = new Set(manifestPaths.flatMap(p => [dirname(p), dirname(dirname(p))]));
  return Object.assign({}, ...[...dirs].sort((a, b) => a.length - b.length).map(readDeclarations));
}

/** The declarations `App.synth()` left in `dir`, by object key. */
export function readDeclarations(dir: string): Record<string, Declarations> {
  const file = join(dir, DECLARATIONS_FILE);
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return parsed?.version === 1 && typeof parsed.objects === 'object' && parsed.objects !== null ? parsed.objects : {};
  } catch {
    return {};
  }
}
