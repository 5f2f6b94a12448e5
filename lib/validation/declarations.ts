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
