import { POLICY_RULES } from './policy';
import { readReceipt } from './receipt';
import { declarationsFor, objectKey } from './declarations';
import { Finding, SourcedManifest, ValidationReport } from './report';

/**
 * The parts of cdk8s-cli's plugin contract used here (declared, not imported, so that the
 * plugin does not load the CLI at run time).
 */
interface PluginContext {
  readonly manifests: readonly string[];
  readonly metadata: { readonly [resourceName: string]: { readonly path: string } };
  readonly report: {
    addViolation(v: { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger: { log(message: string): void };
  parseManifest(path: string): any[];
}

/**
 * cdk8s validation plugin: declare it in `cdk8s.yaml` and `cdk8s synth` validates every
 * synthesized manifest (schema, cross-references, policy), prints the report and exits
 * non-zero on errors.
 *
 * ```yaml
 * validations:
 *   - package: ./validation-plugin
 *     version: 0.1.0
 *     class: Microk8sPhoenixValidation
 * ```
 */
export class Microk8sPhoenixValidation {
  public async validate(context: PluginContext): Promise<void> {
    const started = Date.now();
    // An app that validated in-process (synthAtomically) leaves a receipt for these exact files.
    const receipt = readReceipt(context.manifests);
    const report = receipt ?? this.validateFiles(context);
    if (receipt) context.logger.log('(validated in-process by the app; the receipt matches every manifest file)');
    for (const f of report.errors) context.report.addViolation(toViolation(f));
    context.logger.log(report.format());
    context.report.submit(report.ok ? 'success' : 'failure', {
      objects: String(report.objectCount),
      errors: String(report.errors.length),
      warnings: String(report.warnings.length),
      waivers: String(report.waivers.length),
      'time (ms)': String(Date.now() - started),
    });
  }

  private validateFiles(context: PluginContext): ValidationReport {
    const parsed = context.manifests.flatMap(file => context.parseManifest(file).filter(Boolean).map(manifest => ({ manifest, file })));
    // cdk8s-cli keys construct metadata by object name only: a name shared by several
    // objects (a Deployment and its Service) cannot be attributed, so it gets no path.
    const nameCount = new Map<string, number>();
    for (const { manifest } of parsed) nameCount.set(manifest.metadata?.name, (nameCount.get(manifest.metadata?.name) ?? 0) + 1);
    // What the objects declared to the validator, left beside the manifests by App.synth().
    const declarations = declarationsFor(context.manifests);
    const sources: SourcedManifest[] = parsed.map(({ manifest, file }) => {
      const name = manifest.metadata?.name;
      return { manifest, file, constructPath: nameCount.get(name) === 1 ? context.metadata[name]?.path : undefined, declarations: declarations[objectKey(manifest)] };
    });
    // Loaded only when needed: the rules and schemas are the expensive part of this module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { validateManifests } = require('./validate') as typeof import('./validate');
    return validateManifests(sources);
  }
}

function toViolation(f: Finding) {
  return {
    ruleName: f.rule,
    recommendation: `${f.object}: ${f.message}`,
    fix: POLICY_RULES[f.rule] ? `${POLICY_RULES[f.rule]} (or waive it with a written reason)` : 'see the message; the README lists every rule',
    violatingResources: [{ resourceName: f.object.split('/').pop() ?? f.object, locations: [f.path || '<object>'], manifestPath: f.file ?? '' }],
  };
}
