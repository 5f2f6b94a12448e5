import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph, Names, Yaml } from 'cdk8s';
import { ImmutableChange, immutableChanges, readPreviousOutput } from './immutable';
import { checkReplaceable, createStaging, recoverInterruptedSwap, swapIn, synthStep } from './output-dir';
import { writeReceipt } from '../lib/validation/receipt';
import { DECLARATIONS_FILE, declarationsOf, objectKey } from '../lib/validation/declarations';
import { SourcedManifest, ValidationReport } from '../lib/validation/report';
import { validateManifests } from '../lib/validation/validate';

export interface SynthAtomicallyOptions extends Omit<AppProps, 'outdir'> {
  /**
   * Validate every object (schema, references, policy) before anything is written; errors
   * abort with the report and leave `outdir` untouched.
   * @default true
   */
  readonly validate?: boolean;
  /**
   * Kubernetes minor of the target cluster, for the server-parity rules that changed over time.
   * @default none: the strictest of the supported versions
   */
  readonly kubernetesMinor?: number;
  /**
   * Also write the result here, with cdk8s' `construct-metadata.json` (the directory
   * `cdk8s synth` gives the app in CDK8S_OUTDIR, which the CLI wipes before every run, lists
   * and hands to validation plugins).
   * @default none
   */
  readonly mirrorTo?: string;
  /**
   * Also write Secret objects into `mirrorTo`. Off by default: `cdk8s synth --stdout` prints
   * whatever the mirror holds, and the CLI's scratch directory is one more copy of every
   * password. `outdir` always gets them. (main.ts: `DOIT_MIRROR_SECRETS=1`.)
   * @default false
   */
  readonly mirrorSecrets?: boolean;
  /**
   * Output files whose name matches are made readable by their owner only (0600).
   * @default /secret/i
   */
  readonly privateFiles?: RegExp;
  /**
   * Path of a chart's file, relative to `outdir` (subdirectories allowed).
   * @default "<chart id>.k8s.yaml"
   */
  readonly fileFor?: (chart: Chart) => string;
  /**
   * Objects (`Kind/namespace/name`, or `all`) whose immutable fields may change from the
   * previous output in `outdir`. Any other such change (a StatefulSet's claim templates, a
   * claim's size or class, a selector) aborts before anything is written: `kubectl apply`
   * would fail on that object after applying the others. The error gives the procedure.
   * @default none
   */
  readonly acceptReplacement?: readonly string[];
  /**
   * Also write this file into `outdir`: the `--prune-allowlist=<group/version/Kind>` flags for
   * `npm run prune` (scripts/prune.ts) and `kubectl apply --prune` (one per line), for every kind of the top-level files and every
   * kind the previous list named, so a kind that left the output is still pruned. Namespaces,
   * claims, volumes, StorageClasses and CRDs are never listed (pruning them deletes data).
   * @default none
   */
  readonly pruneAllowlist?: string;
}

/** A change Kubernetes cannot apply in place; `changes` say what and how to do it instead. */
export class ImmutableChangeError extends Error {
  constructor(public readonly changes: readonly ImmutableChange[], acceptHint: string) {
    super(`Not written: ${changes.length === 1 ? 'a change' : `${changes.length} changes`} that kubectl apply cannot make to the running objects ` +
      `(it would apply the rest and fail on ${changes.length === 1 ? 'this one' : 'these'}):\n` +
      changes.map(c => `  - ${c.object} (${c.file}): ${c.fields.join('; ')}\n    ${c.procedure}`).join('\n') +
      `\n${acceptHint}`);
    this.name = 'ImmutableChangeError';
  }
}

/** Kinds pruning must never delete: they hold or define data. */
/** Kinds `kubectl apply --prune` must never delete: they hold data, or everything in them. A
 *  CloudNativePG `Cluster` owns its instances' claims: deleting it deletes them. */
const NEVER_PRUNED = new Set(['Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'Cluster']);

/** Synthesis stopped because validation found errors; `message` is the formatted report. */
export class ValidationFailedError extends Error {
  constructor(report: string) {
    super(`${report}\n\nNothing was written: fix the errors above.`);
    this.name = 'ValidationFailedError';
  }
}

/** One chart's objects, in dependency order, rendered once. */
interface RenderedChart {
  readonly file: string;
  readonly objects: ApiObject[];
  readonly manifests: any[];
}

/**
 * Synthesize an app into `outdir` all-or-nothing, one `<chart id>.k8s.yaml` per chart.
 *
 * `build` adds the charts to a fresh App. Every object is rendered once, validated from that
 * rendering, and written to a staging directory beside `outdir`; only when all of that
 * succeeded is the staging directory swapped in for `outdir`. On any error the staging
 * directory is removed and the previous `outdir` is left exactly as it was. Only a directory
 * that synth wrote (marker file `.synth-output`) or a new one is replaced: never the working
 * directory, the project root, an ancestor of them, a file or a folder with tracked files
 * (`output-dir.ts`). The swap also
 * removes files of charts that no longer exist, which `App.synth()` alone would leave behind
 * for `kubectl apply -f dist/`.
 *
 * Unlike `App.synth()`, which re-resolves and re-validates the whole app for every chart
 * (quadratic in the number of charts), this renders each chart once; chart order is creation
 * order, so name charts in apply order (`kubectl apply -f dir/` takes files alphabetically).
 * Cross-chart `addDependency` is not used for ordering.
 */
export function synthAtomically(outdir: string, build: (app: App) => void, options: SynthAtomicallyOptions = {}): App {
  const { validate: shouldValidate = true, kubernetesMinor, mirrorTo, mirrorSecrets = false, privateFiles = /secret/i, fileFor = defaultFileFor, acceptReplacement = [], pruneAllowlist, ...appProps } = options;
  const target = resolve(outdir);
  const restored = recoverInterruptedSwap(target);
  if (restored) console.warn(`warning: a previous synth was killed while swapping in ${outdir}; its earlier output was put back from ${restored}`);
  checkReplaceable(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = createStaging(target);
  synthStep('staged');
  try {
    const app = new App({ ...appProps, outdir: staging });
    build(app);
    const charts = render(app, fileFor);
    let report: ValidationReport | undefined;
    if (shouldValidate) {
      const sources: SourcedManifest[] = charts.flatMap(c => c.manifests.map((manifest, i) => ({ manifest, constructPath: c.objects[i].node.path, declarations: declarationsOf(c.objects[i]) })));
      report = validateManifests(sources, { kubernetesMinor });
      if (!report.ok) throw new ValidationFailedError(report.format());
    }
    const previous = readPreviousOutput(target);
    const blocked = immutableChanges(previous, charts.flatMap(c => c.manifests))
      .filter(c => !acceptReplacement.includes('all') && !acceptReplacement.includes(c.object));
    if (blocked.length > 0) {
      throw new ImmutableChangeError(blocked, 'Nothing was written. To go ahead, synthesize again accepting the change ' +
        `(DOIT_ACCEPT_REPLACEMENT=${blocked.map(c => c.object).join(',')} npm run synth; in code, synthAtomically's acceptReplacement), ` +
        'do what each change says before applying, then apply.');
    }
    // A chart without objects (e.g. no backup volume) writes no empty file.
    const files: Record<string, string> = Object.fromEntries(charts.filter(c => c.manifests.length > 0).map(c => [c.file, Yaml.stringify(...c.manifests)]));
    if (pruneAllowlist) {
      files[pruneAllowlist] = pruneFlags(charts.filter(c => !c.file.includes('/')).flatMap(c => c.manifests), join(target, pruneAllowlist));
    }
    const mirror = mirrorTo && resolve(mirrorTo) !== target ? mirrorTo : undefined;
    // The CLI prints the mirror with --stdout: Secrets stay out of it unless asked for.
    const mirrorFiles: Record<string, string> = { ...files };
    for (const c of mirrorSecrets ? [] : charts.filter(ch => ch.manifests.some(isSecret))) {
      const kept = c.manifests.filter(m => !isSecret(m));
      if (kept.length > 0) mirrorFiles[c.file] = Yaml.stringify(...kept);
      else delete mirrorFiles[c.file];
    }
    for (const [dir, content] of mirror ? [[staging, files], [mirror, mirrorFiles]] as const : [[staging, files]] as const) {
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(content)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text, { mode: privateFiles.test(file) ? 0o600 : 0o644 });
        if (privateFiles.test(file)) chmodSync(join(dir, file), 0o600);
        if (dir === staging) synthStep('writing');
      }
    }
    synthStep('written');
    if (mirror) {
      // For the CLI only (kubectl apply -f dist/ would choke on JSON that is not an object):
      // construct paths for its report, and the receipt of the validation done above.
      const resources = Object.fromEntries(charts.flatMap(c => c.objects.map(o => [o.name, { path: o.node.path }])));
      writeFileSync(join(mirror, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
      // What the objects declared to the validator, for the plugin when it validates itself.
      const declared = Object.fromEntries(charts.flatMap(c => c.objects.flatMap((o, i) => {
        const d = declarationsOf(o);
        return d ? [[objectKey(c.manifests[i]), d]] : [];
      })));
      writeFileSync(join(mirror, DECLARATIONS_FILE), JSON.stringify({ version: 1, objects: declared }));
      // The receipt lists exactly the manifests the CLI finds (*.yaml), or the plugin ignores it.
      if (report) writeReceipt(mirror, Object.fromEntries(Object.entries(mirrorFiles).filter(([f]) => f.endsWith('.yaml'))), report);
    }
    swapIn(staging, target);
    synthStep('done');
    return app;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

function isSecret(manifest: any): boolean {
  return manifest?.kind === 'Secret' && manifest?.apiVersion === 'v1';
}

function pruneFlags(manifests: any[], previousFile: string): string {
  const flag = (m: any) => {
    const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['core', m.apiVersion];
    return `--prune-allowlist=${group}/${version}/${m.kind}`;
  };
  const flags = new Set(manifests.filter(m => !NEVER_PRUNED.has(m.kind)).map(flag));
  if (existsSync(previousFile)) {
    for (const line of readFileSync(previousFile, 'utf8').split('\n')) {
      const kind = line.split('/').pop() ?? '';
      if (/^--prune-allowlist=[\w.-]+\/\w+\/\w+$/.test(line) && !NEVER_PRUNED.has(kind)) flags.add(line);
    }
  }
  return `${[...flags].sort().join('\n')}\n`;
}

/** Construct validations once for the whole app, then each chart's objects once. */
function defaultFileFor(chart: Chart): string {
  return `${Names.toDnsLabel(chart)}.k8s.yaml`;
}

function render(app: App, fileFor: (chart: Chart) => string): RenderedChart[] {
  const all = app.node.findAll();
  const errors = all.flatMap(c => c.node.validate().map(e => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return all.filter((c): c is Chart => Chart.isChart(c)).map(chart => {
    const objects = new DependencyGraph(chart.node).topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
    return { file: fileFor(chart), objects, manifests: objects.map(o => o.toJson()) };
  });
}
