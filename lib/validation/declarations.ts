import { ApiObject } from 'cdk8s';

/**
 * Annotation by which an object declares Secrets it references but deliberately leaves to
 * the user (created with kubectl, an operator, …): a comma-separated list of names in the
 * object's namespace. The validator does not report such references as missing and does
 * not check their keys.
 */
export const EXTERNAL_SECRETS_ANNOTATION = 'validation.microk8s-phoenix.io/external-secrets';

/** Declare on `obj` that Secret `secretName` (same namespace) is created outside this app. */
export function declareExternalSecret(obj: ApiObject, secretName: string): void {
  const current: string | undefined = obj.metadata.toJson().annotations?.[EXTERNAL_SECRETS_ANNOTATION];
  const names = new Set((current ?? '').split(',').filter(Boolean));
  names.add(secretName);
  obj.metadata.addAnnotation(EXTERNAL_SECRETS_ANNOTATION, [...names].sort().join(','));
}

/**
 * Annotation by which a NetworkPolicy, PodDisruptionBudget or Service declares that the pods it
 * selects are created outside this output (by an operator such as cert-manager), with the reason.
 */
export const EXTERNAL_PODS_ANNOTATION = 'validation.microk8s-phoenix.io/external-pods';

/** Declare on `obj` that its selector targets pods created by something else (why: `reason`). */
export function declareExternalPods(obj: ApiObject, reason: string): void {
  if (reason.trim().length < 10) throw new Error(`${obj.node.path}: declaring external pods needs a reason`);
  obj.metadata.addAnnotation(EXTERNAL_PODS_ANNOTATION, reason.trim());
}
