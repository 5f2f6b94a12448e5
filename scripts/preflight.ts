// npm run preflight [-- DIR]   (default dist/)
// Checks synthesized manifests against the cluster of the current kubeconfig (a real MicroK8s:
// KUBECTL="microk8s kubectl" npm run preflight; or the throwaway one of `npm run cluster`):
// every file in apply order (bootstrap/ first) goes through a server-side dry run with strict
// field validation, and what a dry run reports badly is explained: a kind whose CRD is not
// installed, an IngressClass or StorageClass the cluster lacks, a change to an immutable field
// of a live object. Changes nothing. Exits 1 on any problem, 0 when all is clear.
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { replacementProcedure } from '../app/immutable';

export interface PreflightResult {
  readonly problems: string[];
  readonly notes: string[];
  readonly checkedObjects: number;
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };
type Run = (args: string[], input?: string) => { status: number; stdout: string; stderr: string };

/** kubectl command: $KUBECTL (may have words, e.g. "microk8s kubectl"), else kubectl. */
export function kubectlRunner(command = process.env.KUBECTL ?? 'kubectl'): Run {
  const [bin, ...pre] = command.split(/\s+/).filter(Boolean);
  return (args, input) => {
    const r = spawnSync(bin, [...pre, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  };
}

/** The files `kubectl apply -f DIR/bootstrap/` then `-f DIR/` take, in that order. */
export function applyOrder(dir: string): string[] {
  const yamlIn = (d: string) => (existsSync(d) ? readdirSync(d).filter(f => /\.(ya?ml|json)$/.test(f) && statSync(join(d, f)).isFile()).sort().map(f => join(d, f)) : []);
  return [...yamlIn(join(dir, 'bootstrap')), ...yamlIn(dir)];
}

const CRD_HINTS: Record<string, string> = {
  'traefik.io': 'Traefik\'s CRDs come with the MicroK8s ingress addon from 1.35 on; MicroK8s <= 1.34 runs NGINX: synthesize with DOIT_KUBERNETES_VERSION=1.34 (NGINX, or DOIT_INGRESS_CONTROLLER=nginx), or upgrade MicroK8s',
  'cert-manager.io': 'enable the cert-manager addon first: microk8s enable cert-manager',
  'acme.cert-manager.io': 'enable the cert-manager addon first: microk8s enable cert-manager',
};

export function preflight(dir: string, run: Run): PreflightResult {
  const problems: string[] = [];
  const notes: string[] = [];
  const files = applyOrder(dir);
  if (files.length === 0) return { problems: [`no manifests in ${dir} (run npm run synth first)`], notes, checkedObjects: 0 };

  const version = run(['version', '-o', 'json']);
  if (version.status !== 0) return { problems: [`cannot reach the cluster: ${version.stderr.trim()}`], notes, checkedObjects: 0 };
  const server = JSON.parse(version.stdout).serverVersion?.gitVersion ?? 'unknown';
  notes.push(`cluster: Kubernetes ${server}`);

  const perFile = files.map(f => ({ file: f, objects: parseAllDocuments(readFileSync(f, 'utf8')).map(d => d.toJSON()).filter(Boolean) as Manifest[] }));
  const all = perFile.flatMap(f => f.objects);
  const names = (args: string[]) => new Set(run(args).stdout.split('\n').filter(Boolean).map(l => l.replace(/^[^/]+\//, '')));

  // Kinds the cluster serves (a missing CRD makes `kubectl apply` fail after applying the rest).
  const { served: resources, namespaced: namespacedKinds } = apiResources(run);
  const unserved = new Set<string>();
  for (const m of all) {
    const key = `${m.apiVersion}/${m.kind}`;
    if (resources.has(key) || unserved.has(key)) continue;
    if (m.kind === 'CustomResourceDefinition') continue;
    unserved.add(key);
    const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
    const definedHere = all.some(c => c.kind === 'CustomResourceDefinition' && c.spec?.group === group && c.spec?.names?.kind === m.kind);
    if (!definedHere) problems.push(`${m.kind} (${m.apiVersion}) is not served by this cluster, so ${m.kind}/${m.metadata.name} cannot be applied: ${CRD_HINTS[group] ?? 'install the CRD (or addon) that defines it first'}`);
  }

  // The cluster-wide CA of earlier versions: no output deletes it, and it signs for anyone.
  if (resources.has('cert-manager.io/v1/ClusterIssuer')) {
    const legacy = run(['get', 'clusterissuer', 'local-ca', '-o', 'jsonpath={.spec.ca.secretName}'], undefined);
    if (legacy.status === 0 && legacy.stdout.trim() === 'local-ca') {
      problems.push('ClusterIssuer local-ca (the cluster-wide self-signed CA of earlier versions) still exists: anyone who may create an Ingress in any namespace can get certificates from it. Delete it, local-ca-bootstrap and the CA in namespace cert-manager, and remove it from your browsers (README: "Upgrading from the cluster-wide CA")');
    }
  }

  // IngressClasses and StorageClasses: a dry run accepts references to ones that do not exist.
  const ingressClasses = new Set([...names(['get', 'ingressclass', '-o', 'name']), ...all.filter(m => m.kind === 'IngressClass').map(m => m.metadata.name)]);
  for (const m of all.filter(m => m.kind === 'Ingress' && m.spec?.ingressClassName)) {
    if (!ingressClasses.has(m.spec.ingressClassName)) {
      problems.push(`Ingress ${m.metadata.namespace}/${m.metadata.name}: IngressClass "${m.spec.ingressClassName}" does not exist in this cluster (it has: ${[...ingressClasses].join(', ') || 'none'}): enable the ingress addon (microk8s enable ingress) or set ingress.className`);
    }
  }
  const storageClasses = new Set([...names(['get', 'storageclass', '-o', 'name']), ...all.filter(m => m.kind === 'StorageClass').map(m => m.metadata.name)]);
  for (const { m, claim, className } of storageClassRefs(all)) {
    if (!storageClasses.has(className)) {
      problems.push(`${m.kind} ${m.metadata.namespace}/${m.metadata.name}: volume claim "${claim}" uses StorageClass "${className}", which does not exist in this cluster (it has: ${[...storageClasses].join(', ') || 'none'}): enable hostpath-storage (microk8s enable hostpath-storage) or apply dist/bootstrap/ first`);
    }
  }

  // Server-side dry run, file by file in apply order. Objects in a namespace that only an
  // earlier file creates cannot be dry-run before that file is applied.
  const namespaces = names(['get', 'namespace', '-o', 'name']);
  const tmp = mkdtempSync(join(tmpdir(), 'preflight-'));
  let checked = 0;
  const pending = new Map<string, string>();
  try {
    for (const { file, objects } of perFile) {
      const rel = shown(file);
      const ready: Manifest[] = [];
      for (const m of objects) {
        const key = `${m.apiVersion}/${m.kind}`;
        if (unserved.has(key)) continue;
        const ns = namespacedKinds.has(key) ? (m.metadata.namespace ?? 'default') : undefined;
        if (ns && !namespaces.has(ns)) {
          const creator = perFile.find(f => f.objects.some(o => o.kind === 'Namespace' && o.metadata.name === ns));
          if (creator) pending.set(ns, shown(creator.file));
          else problems.push(`${rel}: ${m.kind} ${ns}/${m.metadata.name}: namespace "${ns}" does not exist and no file creates it`);
          continue;
        }
        ready.push(m);
      }
      if (ready.length === 0) continue;
      const part = join(tmp, 'part.yaml');
      writeFileSync(part, ready.map(m => stringify(m)).join('---\n'), { mode: 0o600 });
      const r = run(['apply', '--server-side', '--force-conflicts', '--field-manager=preflight', '--dry-run=server', '--validate=strict', '-f', part]);
      checked += ready.length;
      for (const line of `${r.stderr}\n${r.stdout}`.split('\n')) {
        if (/^Warning: /.test(line)) problems.push(`${rel}: ${line}`);
      }
      if (r.status !== 0) problems.push(...explainFailure(rel, ready, r.stderr));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const [ns, creator] of pending) {
    notes.push(`objects in namespace "${ns}" were not dry-run: it does not exist yet (${creator} creates it). Apply dist/bootstrap/ and run preflight again.`);
  }
  return { problems, notes, checkedObjects: checked };
}

function explainFailure(file: string, objects: Manifest[], stderr: string): string[] {
  const out: string[] = [];
  for (const raw of stderr.split('\n').filter(l => l.trim() && !/^Warning: /.test(l))) {
    const line = raw.replace(/^error: /, '').replace(/^Error from server \(\w+\): /, '');
    const target = objects.find(m => line.includes(`"${m.metadata.name}"`) && (line.toLowerCase().includes(m.kind.toLowerCase()) || line.includes(m.kind)));
    const immutable = /is immutable|Forbidden: updates to statefulset spec|field is immutable|spec\.resources\.requests\.storage: Forbidden/.test(line);
    const procedure = target && immutable ? replacementProcedure(target) : undefined;
    if (target && procedure) {
      out.push(`${file}: ${target.kind} ${target.metadata.namespace ?? ''}/${target.metadata.name}: kubectl apply cannot make this change to the live object (${line.trim()})\n    ${procedure}`);
    } else {
      out.push(`${file}: ${line.trim()}`);
    }
  }
  return out.length > 0 ? out : [`${file}: kubectl apply --dry-run=server failed`];
}

/** A path as the user typed it: relative inside the working directory, else absolute. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** `apiVersion/Kind` of every resource the cluster serves, and of those that are namespaced. */
function apiResources(run: Run): { served: Set<string>; namespaced: Set<string> } {
  // Columns: NAME [SHORTNAMES] APIVERSION NAMESPACED KIND
  const rows = run(['api-resources', '--no-headers']).stdout.split('\n').filter(Boolean).map(l => l.trim().split(/\s+/));
  const key = (cols: string[]) => `${cols[cols.length - 3]}/${cols[cols.length - 1]}`;
  return { served: new Set(rows.map(key)), namespaced: new Set(rows.filter(cols => cols[cols.length - 2] === 'true').map(key)) };
}

function storageClassRefs(all: Manifest[]): { m: Manifest; claim: string; className: string }[] {
  const refs: { m: Manifest; claim: string; className: string }[] = [];
  for (const m of all) {
    if (m.kind === 'PersistentVolumeClaim' && m.spec?.storageClassName) refs.push({ m, claim: m.metadata.name, className: m.spec.storageClassName });
    for (const t of m.kind === 'StatefulSet' ? m.spec?.volumeClaimTemplates ?? [] : []) {
      if (t.spec?.storageClassName) refs.push({ m, claim: t.metadata?.name, className: t.spec.storageClassName });
    }
  }
  return refs;
}

if (require.main === module) {
  const dir = process.argv[2] ?? 'dist';
  const result = preflight(dir, kubectlRunner());
  for (const n of result.notes) console.log(`note: ${n}`);
  for (const p of result.problems) console.log(`PROBLEM: ${p}`);
  console.log(`preflight: ${result.checkedObjects} objects dry-run, ${result.problems.length} problem(s)`);
  process.exit(result.problems.length > 0 ? 1 : 0);
}
