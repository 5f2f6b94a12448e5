import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';

/**
 * A headless Service (`clusterIP: None`): DNS returns the pods' own addresses. With
 * `publishNotReadyAddresses` pods are in DNS before they are ready, which StatefulSet pod
 * names and BEAM node discovery need while starting.
 */
export function createHeadlessService(scope: Construct, id: string, props: {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly ports: k8s.ServicePort[];
  readonly publishNotReadyAddresses: boolean;
}): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      clusterIp: 'None',
      publishNotReadyAddresses: props.publishNotReadyAddresses || undefined,
      selector: props.selector,
      ports: props.ports,
    },
  });
}
