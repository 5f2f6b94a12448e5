import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import type { IValidatingAdmissionPolicySpec } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicySpec';
import type { IValidatingAdmissionPolicyBindingSpec } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBindingSpec';

/**
 * admissionregistration.k8s.io/v1 (GA in Kubernetes 1.30, newer than the 1.27 bindings of
 * cdk8s-plus-27), typed by `kubernetes-models`, which the synth-time validator checks them with.
 */
export class ValidatingAdmissionPolicy extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: IValidatingAdmissionPolicySpec }) {
    super(scope, id, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', ...props });
  }
}

export class ValidatingAdmissionPolicyBinding extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: IValidatingAdmissionPolicyBindingSpec }) {
    super(scope, id, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', ...props });
  }
}

/**
 * A policy, bound in `namespace`, that lets `serviceAccount` make only the changes `expression`
 * (CEL over `object` / `oldObject`) allows to `resource`: RBAC says which objects it may change,
 * this says to what.
 */
export function restrictServiceAccount(scope: Construct, id: string, options: {
  readonly name: string; readonly namespace: string; readonly serviceAccount: string; readonly labels: Record<string, string>;
  readonly apiGroup: string; readonly resource: string; readonly expression: string; readonly message: string;
}): ValidatingAdmissionPolicy {
  const policy = new ValidatingAdmissionPolicy(scope, id, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: [options.apiGroup], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [options.resource] }],
      },
      matchConditions: [{
        name: 'service-account',
        expression: `request.userInfo.username == 'system:serviceaccount:${options.namespace}:${options.serviceAccount}'`,
      }],
      validations: [{ expression: options.expression, message: options.message }],
    },
  });
  new ValidatingAdmissionPolicyBinding(scope, `${id}Binding`, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      policyName: policy.name,
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.namespace } } },
    },
  });
  return policy;
}
