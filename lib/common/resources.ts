import * as k8s from '../../imports/k8s';

/**
 * Ephemeral storage of every container this library creates: the scheduler reserves the
 * request on the node's disk; past the limit (its writable layer and logs, plus, since every
 * container of a pod is limited, the pod's disk-backed emptyDirs counted against the sum of the
 * limits) the kubelet evicts the pod instead of letting it fill the disk the node, the
 * database and the registry share.
 */
export const EPHEMERAL_STORAGE_REQUEST = '64Mi';
export const EPHEMERAL_STORAGE_LIMIT = '1Gi';

/** `resources` with the ephemeral-storage request and limit added where they are not given. */
export function withEphemeralStorage(resources: k8s.ResourceRequirements): k8s.ResourceRequirements {
  return {
    ...resources,
    requests: { 'ephemeral-storage': k8s.Quantity.fromString(EPHEMERAL_STORAGE_REQUEST), ...resources.requests },
    limits: { 'ephemeral-storage': k8s.Quantity.fromString(EPHEMERAL_STORAGE_LIMIT), ...resources.limits },
  };
}

/** A disk-backed emptyDir the kubelet caps at `sizeLimit` (a quantity, at most the container limit). */
export function scratchVolume(name: string, sizeLimit: string): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}
