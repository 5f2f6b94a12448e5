import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { App, AppProps } from 'cdk8s';
import { validate } from '../validation/validate';

export interface SynthAtomicallyOptions extends Omit<AppProps, 'outdir'> {
  /**
   * Validate every object (schema, references, policy) before anything is written; errors
   * abort with the report and leave `outdir` untouched.
   * @default true
   */
  readonly validate?: boolean;
  /**
   * Also copy the result here (the directory `cdk8s synth` gives the app in CDK8S_OUTDIR,
   * which the CLI wipes before every run, lists and hands to validation plugins).
   * @default none
   */
  readonly mirrorTo?: string;
  /**
   * Output files whose name matches are made readable by their owner only (0600).
   * @default /secret/i
   */
  readonly privateFiles?: RegExp;
}

/** Synthesis stopped because validation found errors; `message` is the formatted report. */
export class ValidationFailedError extends Error {
  constructor(report: string) {
    super(`${report}\n\nNothing was written: fix the errors above.`);
    this.name = 'ValidationFailedError';
  }
}

/**
 * Synthesize an app into `outdir` all-or-nothing.
 *
 * `build` adds the charts to a fresh App whose output goes to a staging directory beside
 * `outdir`. Only when building, validating and synthesizing succeeded is the staging
 * directory swapped in for `outdir`; on any error the staging directory is removed and the
 * previous `outdir` is left exactly as it was. The swap also removes files of charts that no
 * longer exist, which `App.synth()` alone would leave behind for `kubectl apply -f dist/`.
 */
export function synthAtomically(outdir: string, build: (app: App) => void, options: SynthAtomicallyOptions = {}): App {
  const { validate: shouldValidate = true, mirrorTo, privateFiles = /secret/i, ...appProps } = options;
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    const app = new App({ ...appProps, outdir: staging });
    build(app);
    if (shouldValidate) {
      const report = validate(app);
      if (!report.ok) throw new ValidationFailedError(report.format());
    }
    app.synth();
    for (const f of readdirSync(staging)) if (privateFiles.test(f)) chmodSync(join(staging, f), 0o600);
    if (mirrorTo && resolve(mirrorTo) !== target) {
      mkdirSync(mirrorTo, { recursive: true });
      for (const f of readdirSync(staging)) copyFileSync(join(staging, f), join(mirrorTo, f));
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
