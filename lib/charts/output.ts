import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { App, AppProps } from 'cdk8s';

/**
 * Synthesize an app into `outdir` all-or-nothing.
 *
 * `build` adds the charts to a fresh App whose output goes to a staging directory beside
 * `outdir`. Only when building and synthesizing succeeded is the staging directory swapped
 * in for `outdir`; on any error the staging directory is removed and the previous `outdir`
 * is left exactly as it was. The swap also removes files of charts that no longer exist,
 * which `App.synth()` alone would leave behind for `kubectl apply -f dist/` to apply.
 */
export function synthAtomically(outdir: string, build: (app: App) => void, props: Omit<AppProps, 'outdir'> = {}): App {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    const app = new App({ ...props, outdir: staging });
    build(app);
    app.synth();
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
