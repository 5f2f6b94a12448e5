// npm run prune [-- DIR] [--yes]   (default dist/)
// Deletes what a change removed from the output, for server-side apply (`kubectl apply --prune`
// selects by the client-side last-applied annotation, which server-side apply does not write,
// and the ApplySet alternative is alpha and cannot span the app's and the registry's namespaces).
// Candidates are the live objects labelled app.kubernetes.io/part-of=doit, of the kinds in
// DIR/prune-allowlist.txt (never Namespaces, claims, volumes or StorageClasses), in the
// namespaces DIR's objects use; those not in DIR/*.yaml are listed, and deleted with --yes.
// Never deleted: objects a controller owns (ownerReferences, e.g. the Certificate cert-manager
// creates for an Ingress, with the Ingress' labels), objects kubectl never applied (no
// managedFields entry of kubectl), and Secrets DIR still references as external (after a switch
// to existing secrets, the Secrets generated before are what the workloads now use).
// kubectl is $KUBECTL ("microk8s kubectl" on a node), else kubectl.
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { PART_OF } from '../app/stack';
import { applyOrder, kubectlRunner } from './preflight';

type Run = ReturnType<typeof kubectlRunner>;
interface Ref { readonly kind: string; readonly namespace?: string; readonly name: string; readonly resource?: string }

/**
 * Names of the Secrets an object references: env `secretKeyRef`, `envFrom` `secretRef`, `secret`
 * and projected volumes, `imagePullSecrets`, an Ingress' TLS `secretName`.
 */
export function referencedSecrets(manifest: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown, parentKey?: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (parentKey === 'imagePullSecrets' && typeof (item as { name?: unknown })?.name === 'string') names.add((item as { name: string }).name);
        walk(item, parentKey);
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'secretName' && typeof v === 'string') names.add(v);
      const name = (v as { name?: unknown } | null)?.name;
      if (['secretKeyRef', 'secretRef', 'secret'].includes(k) && typeof name === 'string') names.add(name);
      walk(v, k);
    }
  };
  walk(manifest);
  return names;
}

/** Field managers of `kubectl apply`, server-side and client-side. */
const APPLIERS = ['kubectl', 'kubectl-client-side-apply'];

const key = (r: Ref) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** `kubectl get` resource for `group/version/Kind` ("Kind.version.group", or "Kind" for core). */
function resourceArg(flag: string): { kind: string; resource: string } {
  const [group, version, kind] = flag.replace(/^--prune-allowlist=/, '').split('/');
  return { kind, resource: group === 'core' ? kind : `${kind}.${version}.${group}` };
}

export interface PrunePlan { readonly remove: Ref[]; readonly kinds: number; readonly namespaces: string[] }

/** What `prune` would delete: live labelled objects of the allowed kinds that `dir` no longer has. */
export function prunePlan(dir: string, run: Run): PrunePlan {
  const allowlist = readFileSync(join(dir, 'prune-allowlist.txt'), 'utf8').split('\n').filter(l => l.startsWith('--prune-allowlist='));
  const manifests = applyOrder(dir).filter(f => !f.includes(`${join(dir, 'bootstrap')}`))
    .flatMap(f => parseAllDocuments(readFileSync(f, 'utf8')).map(d => d.toJSON()).filter(Boolean)) as any[];
  const wanted = manifests.map((m): Ref => ({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name }));
  const keep = new Set(wanted.map(key));
  // Every Secret the output still references is kept, whoever created it.
  for (const m of manifests) {
    for (const name of referencedSecrets(m)) keep.add(key({ kind: 'Secret', namespace: m.metadata.namespace, name }));
  }
  const namespaces = [...new Set(wanted.map(r => r.namespace).filter((n): n is string => !!n))].sort();
  const selector = Object.entries(PART_OF).map(([k, v]) => `${k}=${v}`).join(',');
  const remove: Ref[] = [];
  for (const flag of allowlist) {
    const { kind, resource } = resourceArg(flag);
    const r = run(['get', resource, '--all-namespaces', '-l', selector, '--show-managed-fields', '-o', 'json']);
    if (r.status !== 0) {
      if (/the server doesn't have a resource type/.test(r.stderr)) continue; // its CRD is gone, and with it every object
      throw new Error(`kubectl get ${resource} failed: ${r.stderr.trim()}`);
    }
    for (const item of JSON.parse(r.stdout).items as any[]) {
      const ref: Ref = { kind, resource, namespace: item.metadata.namespace, name: item.metadata.name };
      if (ref.namespace && !namespaces.includes(ref.namespace)) continue; // another stack's namespace
      if (item.metadata.ownerReferences?.length) continue; // its owner's controller manages it
      if (!(item.metadata.managedFields ?? []).some((f: any) => APPLIERS.includes(f.manager))) continue; // not applied by kubectl
      if (!keep.has(key(ref))) remove.push(ref);
    }
  }
  return { remove, kinds: allowlist.length, namespaces };
}

function main(argv: string[]): void {
  const yes = argv.includes('--yes');
  const dir = argv.find(a => !a.startsWith('--')) ?? 'dist';
  const run = kubectlRunner();
  const plan = prunePlan(dir, run);
  console.log(`prune: ${plan.kinds} kinds, namespaces ${plan.namespaces.join(', ')}: ${plan.remove.length} object(s) no longer in ${dir}/`);
  for (const ref of plan.remove) {
    const what = `${ref.kind}/${ref.name}${ref.namespace ? ` in ${ref.namespace}` : ''}`;
    if (!yes) { console.log(`  would delete ${what}`); continue; }
    const r = run(['delete', ref.resource!, ref.name, ...(ref.namespace ? ['-n', ref.namespace] : []), '--ignore-not-found', '--wait=false']);
    if (r.status !== 0) throw new Error(`deleting ${what} failed: ${r.stderr.trim()}`);
    console.log(`  deleted ${what}`);
  }
  if (!yes && plan.remove.length > 0) console.log('run again with --yes to delete them');
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`prune: ${(e as Error).message}`);
    process.exit(1);
  }
}
