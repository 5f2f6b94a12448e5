import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PropError } from '../validation/props';
import { claimObjectName } from './object-names';

/**
 * Create the Secret a construct owns, in `namespace`, below `secretScope` when given (e.g. a
 * chart of its own so that all Secrets land in one output file). The scope's chart must have
 * no namespace or the same one: pods reference Secrets by name within their namespace.
 */
export function createOwnedSecret(owner: Construct, secretScope: Construct | undefined, props: {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly labels: Record<string, string>;
  /** Key → value; written base64-encoded under `data`. */
  readonly values: Record<string, string>;
  /** @default "Opaque" */
  readonly type?: string;
  /** Construct id, when the owner has more than one Secret. @default "Secret" */
  readonly id?: string;
  /** The owner's prop the name derives from, for the error when another construct has the name. @default "name" */
  readonly nameProp?: string;
}): k8s.KubeSecret {
  const scope = secretScope ?? owner;
  const scopeNamespace = Chart.of(scope).namespace;
  if (scopeNamespace !== undefined && scopeNamespace !== props.namespace) {
    throw new PropError(owner, 'secretScope', scope.node.path, `expected a scope in a chart with namespace "${props.namespace}" or without a namespace`);
  }
  claimObjectName(owner, props.nameProp ?? 'name', 'Secret', props.namespace, props.name);
  const base = props.id ?? 'Secret';
  const id = secretScope ? `${owner.node.id}${base}` : base;
  return new k8s.KubeSecret(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    type: props.type ?? 'Opaque',
    // `data`, not `stringData`: the server stores only `data`, so with `stringData` every
    // client-side `kubectl apply` sends the values again (and logs them with -v=8).
    data: Object.fromEntries(Object.entries(props.values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  });
}
