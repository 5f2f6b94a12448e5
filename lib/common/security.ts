import * as k8s from '../../imports/k8s';

/**
 * The security context every container of this library runs with: no privilege escalation,
 * no capabilities, read-only root filesystem (writable paths are emptyDirs), non-root.
 */
export function restrictedContainerSecurity(): k8s.SecurityContext {
  return { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
}

/**
 * The pod security context: a numeric non-root uid/gid (the kubelet cannot verify a user given
 * by name), volumes group-owned by it (ownership changed only when it differs), seccomp RuntimeDefault.
 */
export function restrictedPodSecurity(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * What every pod of this library starts from: no service-account token (none uses the API;
 * the registry's garbage collection opts back in per container), no Service environment
 * variables, the restricted pod security context.
 */
export function restrictedPodSpec(uid: number): Pick<k8s.PodSpec, 'automountServiceAccountToken' | 'enableServiceLinks' | 'securityContext'> {
  return { automountServiceAccountToken: false, enableServiceLinks: false, securityContext: restrictedPodSecurity(uid) };
}
