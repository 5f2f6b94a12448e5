import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { ApiObject, App, AppProps, Chart, DependencyGraph, Names, Yaml } from 'cdk8s';
import { writeReceipt } from '../validation/receipt';
import { SourcedManifest, ValidationReport } from '../validation/report';
import { validateManifests } from '../validation/validate';

export interface SynthAtomicallyOptions extends Omit<AppProps, 'outdir'> {
  /**
   * Validate every object (schema, references, policy) before anything is written; errors
   * abort with the report and leave `outdir` untouched.
   * @default true
   */
  readonly validate?: boolean;
  /**
   * Also write the result here, with cdk8s' `construct-metadata.json` (the directory
   * `cdk8s synth` gives the app in CDK8S_OUTDIR, which the CLI wipes before every run, lists
   * and hands to validation plugins).
   * @default none
   */
  readonly mirrorTo?: string;
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
}

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
 * directory is removed and the previous `outdir` is left exactly as it was. The swap also
 * removes files of charts that no longer exist, which `App.synth()` alone would leave behind
 * for `kubectl apply -f dist/`.
 *
 * Unlike `App.synth()`, which re-resolves and re-validates the whole app for every chart
 * (quadratic in the number of charts), this renders each chart once; chart order is creation
 * order, so name charts in apply order (`kubectl apply -f dir/` takes files alphabetically).
 * Cross-chart `addDependency` is not used for ordering.
 */
export function synthAtomically(outdir: string, build: (app: App) => void, options: SynthAtomicallyOptions = {}): App {
  const { validate: shouldValidate = true, mirrorTo, privateFiles = /secret/i, fileFor = defaultFileFor, ...appProps } = options;
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    const app = new App({ ...appProps, outdir: staging });
    build(app);
    const charts = render(app, fileFor);
    let report: ValidationReport | undefined;
    if (shouldValidate) {
      const sources: SourcedManifest[] = charts.flatMap(c => c.manifests.map((manifest, i) => ({ manifest, constructPath: c.objects[i].node.path })));
      report = validateManifests(sources);
      if (!report.ok) throw new ValidationFailedError(report.format());
    }
    // A chart without objects (e.g. no backup volume) writes no empty file.
    const files = Object.fromEntries(charts.filter(c => c.manifests.length > 0).map(c => [c.file, Yaml.stringify(...c.manifests)]));
    const mirror = mirrorTo && resolve(mirrorTo) !== target ? mirrorTo : undefined;
    for (const dir of mirror ? [staging, mirror] : [staging]) {
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), content, { mode: privateFiles.test(file) ? 0o600 : 0o644 });
        if (privateFiles.test(file)) chmodSync(join(dir, file), 0o600);
      }
    }
    if (mirror) {
      // For the CLI only (kubectl apply -f dist/ would choke on JSON that is not an object):
      // construct paths for its report, and the receipt of the validation done above.
      const resources = Object.fromEntries(charts.flatMap(c => c.objects.map(o => [o.name, { path: o.node.path }])));
      writeFileSync(join(mirror, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
      if (report) writeReceipt(mirror, files, report);
    }
    const old = `${staging}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
    return app;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
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
