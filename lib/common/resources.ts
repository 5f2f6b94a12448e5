import * as k8s from '../../imports/k8s';
import { parseQuantity } from '../validation/props';

/**
 * Ephemeral storage of every container this library creates: the scheduler reserves the
 * request on the node's disk; past the limit (its writable layer and logs, plus, since every
 * container of a pod is limited, the pod's disk-backed emptyDirs counted against the sum of the
 * limits) the kubelet evicts the pod instead of letting it fill the disk the node, the
 * database and the registry share.
 */
export const EPHEMERAL_STORAGE_REQUEST = '64Mi';
export const EPHEMERAL_STORAGE_LIMIT = '1Gi';

/**
 * `resources` with the ephemeral-storage request and limit added where they are not given: a
 * given request above the default limit becomes the limit too (the API server refuses a request
 * above its limit), a given limit below the default request becomes the request too.
 */
export function withEphemeralStorage(resources: k8s.ResourceRequirements): k8s.ResourceRequirements {
  const request = resources.requests?.['ephemeral-storage'];
  const limit = resources.limits?.['ephemeral-storage'];
  // The default, unless the other given value would contradict it.
  const pick = (given: k8s.Quantity | undefined, fallback: string, contradicts: (given: number, fallback: number) => boolean) =>
    (given && contradicts(parseQuantity(String(given.value)) ?? 0, parseQuantity(fallback)!) ? given : k8s.Quantity.fromString(fallback));
  return {
    ...resources,
    requests: { 'ephemeral-storage': pick(limit, EPHEMERAL_STORAGE_REQUEST, (l, d) => l < d), ...resources.requests },
    limits: { 'ephemeral-storage': pick(request, EPHEMERAL_STORAGE_LIMIT, (r, d) => r > d), ...resources.limits },
  };
}

/** A disk-backed emptyDir the kubelet caps at `sizeLimit` (a quantity, at most the container limit). */
export function scratchVolume(name: string, sizeLimit: string): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}
