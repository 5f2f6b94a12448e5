import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PropError } from '../validation/props';

/**
 * Create the Secret a construct owns, in `secretScope` when given (e.g. a chart of its own so
 * that Secrets land in their own output file), which must share the construct's namespace
 * because pods reference Secrets by name.
 */
export function createOwnedSecret(owner: Construct, secretScope: Construct | undefined, props: {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly stringData: Record<string, string>;
}): k8s.KubeSecret {
  const scope = secretScope ?? owner;
  const namespace = Chart.of(owner).namespace;
  if (Chart.of(scope).namespace !== namespace) {
    throw new PropError(owner, 'secretScope', scope.node.path, `expected a scope in namespace "${namespace}"`);
  }
  const id = secretScope ? `${owner.node.id}Secret` : 'Secret';
  return new k8s.KubeSecret(scope, id, {
    metadata: { name: props.name, labels: props.labels },
    type: 'Opaque',
    stringData: props.stringData,
  });
}
