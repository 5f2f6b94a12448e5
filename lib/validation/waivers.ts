import { ApiObject } from 'cdk8s';

/**
 * Annotation prefix by which an object waives one synth-time policy rule:
 * `waivers.microk8s-phoenix.io/<rule-id>: "<written reason>"`. The validator reports every
 * waiver with its reason instead of the finding; a waiver without a reason is an error.
 */
export const WAIVER_ANNOTATION_PREFIX = 'waivers.microk8s-phoenix.io/';

/** Waive policy rule `ruleId` on `obj`, with the reason that will appear in the report. */
export function waive(obj: ApiObject, ruleId: string, reason: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(ruleId) || ruleId.length > 63) {
    throw new Error(`${obj.node.path}: waiver rule id "${ruleId}" must be a lower-case rule id such as "probes"`);
  }
  if (reason.trim().length < 10) {
    throw new Error(`${obj.node.path}: waiving "${ruleId}" needs a written reason (at least 10 characters)`);
  }
  obj.metadata.addAnnotation(`${WAIVER_ANNOTATION_PREFIX}${ruleId}`, reason.trim());
}
