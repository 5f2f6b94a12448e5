import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkPolicy, POLICY_RULES } from './policy';
import { checkDuplicates, checkReferences, ManifestIndex } from './references';
import { Finding, FindingSink, objectId, SourcedManifest, ValidationReport, Waiver } from './report';
import { checkSchema } from './schema';
import { checkServerParity, ServerParityOptions } from './server-parity';
import { WAIVER_ANNOTATION_PREFIX } from './waivers';
import { declarationsOf } from './declarations';

/**
 * Validate a set of manifests: schema (strict), server parity (what the API server's own
 * validation refuses, for `options.kubernetesMinor`), cross-references and policy. Policy
 * findings that the object waives (annotation `waivers.microk8s-phoenix.io/<rule>`) are
 * listed as waivers with their reason instead.
 */
export function validateManifests(sources: readonly SourcedManifest[], options: ServerParityOptions = {}): ValidationReport {
  const sink = new FindingSink();
  const index = new ManifestIndex(sources);
  for (const source of sources) {
    checkSchema(source, sink);
    checkServerParity(source, sink, options);
    checkReferences(source, index, sink);
    checkPolicy(source, sink);
  }
  checkDuplicates(sources, sink);
  return applyWaivers(sources, sink.findings);
}

/**
 * Validate everything below `scope` (an App, a Chart or any construct): each ApiObject is
 * rendered as it will be synthesized and reported with its construct path.
 */
export function validate(scope: IConstruct, options: ServerParityOptions = {}): ValidationReport {
  const sources = scope.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map(o => ({ manifest: o.toJson(), constructPath: o.node.path, declarations: declarationsOf(o) }));
  return validateManifests(sources, options);
}

/** For tests: throws an Error carrying the formatted report when `scope` has errors. */
export function expectValid(scope: IConstruct): ValidationReport {
  const report = validate(scope);
  if (!report.ok) throw new Error(report.format());
  return report;
}

function applyWaivers(sources: readonly SourcedManifest[], findings: Finding[]): ValidationReport {
  const waivers: Waiver[] = [];
  const waived = new Set<string>();
  const extra = new FindingSink();
  for (const s of sources) {
    const annotations = s.manifest.metadata?.annotations ?? {};
    for (const [key, reason] of Object.entries(annotations)) {
      if (!key.startsWith(WAIVER_ANNOTATION_PREFIX)) continue;
      const rule = key.slice(WAIVER_ANNOTATION_PREFIX.length);
      const path = `metadata.annotations.${key}`;
      if (!(rule in POLICY_RULES)) {
        extra.add(s, 'waiver', path, `"${rule}" is not a policy rule; only these can be waived: ${Object.keys(POLICY_RULES).join(', ')}`);
      } else if (typeof reason !== 'string' || reason.trim().length < 10) {
        extra.add(s, 'waiver', path, `waiving "${rule}" needs a written reason of at least 10 characters`);
      } else {
        waived.add(`${objectId(s.manifest)}|${rule}`);
        waivers.push({ rule, object: objectId(s.manifest), constructPath: s.constructPath, reason: reason.trim() });
      }
    }
  }
  const kept = findings.filter(f => !waived.has(`${f.object}|${f.rule}`));
  return new ValidationReport([...kept, ...extra.findings], waivers, sources.length);
}
