import { imageReferenceProblem } from '../common/image-ref';
import { isSecretName } from '../common/redact';
import { containersOf, podTemplateOf } from './pods';
import { FindingSink, SourcedManifest } from './report';

/**
 * Policy rules: the secure defaults every construct of this library meets. An object may
 * waive one with a written reason (see `waive()`); the report lists every waiver.
 */
// Stryker disable StringLiteral: rule descriptions are documentation (the rule ids are keys, tested)
export const POLICY_RULES: Record<string, string> = {
  'run-as-non-root': 'pods run as a non-root user (runAsNonRoot: true, no runAsUser 0)',
  'no-privilege-escalation': 'containers set allowPrivilegeEscalation: false and are not privileged',
  'drop-all-capabilities': 'containers drop ALL capabilities',
  'seccomp-runtime-default': 'pods or containers use the RuntimeDefault (or a Localhost) seccomp profile',
  'read-only-root-filesystem': 'containers have a read-only root filesystem',
  'resources': 'containers request cpu and memory and limit memory',
  'ephemeral-storage': 'containers request and limit ephemeral-storage, and every emptyDir has a sizeLimit (a full node disk evicts everything on it)',
  'probes': 'long-running containers have readiness and liveness probes',
  'pinned-image': 'images are pinned to a tag other than latest, or to a digest',
  'service-account-token': 'pods that do not use the Kubernetes API do not mount a service-account token',
  'no-secrets-in-configmap': 'ConfigMaps hold no secret-looking keys or credentials in URLs',
  'no-secret-literal-env': 'secret-looking environment variables come from Secrets, not literal values',
};
// Stryker restore StringLiteral

const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i;

export function checkPolicy(source: SourcedManifest, sink: FindingSink): void {
  const m = source.manifest;
  if (m.kind === 'ConfigMap') {
    for (const [key, value] of Object.entries<string>(m.data ?? {})) {
      if (isSecretName(key)) {
        sink.add(source, 'no-secrets-in-configmap', `data.${key}`, `key "${key}" looks like a secret: move it to a Secret`);
      } else if (typeof value === 'string' && CREDENTIAL_URL.test(value)) {
        sink.add(source, 'no-secrets-in-configmap', `data.${key}`, 'value contains a URL with a password: move it to a Secret');
      }
    }
    return;
  }
  const t = podTemplateOf(m);
  if (!t) return;
  const pod = t.spec;
  const podSc = pod.securityContext ?? {};

  if (pod.automountServiceAccountToken !== false && !pod.serviceAccountName) {
    sink.add(source, 'service-account-token', `${t.path}.automountServiceAccountToken`, 'set automountServiceAccountToken: false (or give the pod its own serviceAccountName with the least RBAC it needs)');
  }
  // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
  (pod.volumes ?? []).forEach((v: any, i: number) => {
    if (v.emptyDir && !v.emptyDir.sizeLimit) {
      sink.add(source, 'ephemeral-storage', `${t.path}.volumes[${i}].emptyDir.sizeLimit`, `emptyDir "${v.name}" needs a sizeLimit (the kubelet evicts the pod past it instead of filling the node's disk)`);
    }
  });
  for (const { container: c, path, init } of containersOf(t)) {
    const sc = c.securityContext ?? {};
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (nonRoot !== true || uid === 0) {
      sink.add(source, 'run-as-non-root', `${path}.securityContext.runAsNonRoot`, 'set runAsNonRoot: true with a numeric non-zero runAsUser (the kubelet cannot verify a user given by name)');
    }
    if (sc.allowPrivilegeEscalation !== false || sc.privileged === true) {
      sink.add(source, 'no-privilege-escalation', `${path}.securityContext.allowPrivilegeEscalation`, 'set allowPrivilegeEscalation: false (and never privileged: true)');
    }
    // Stryker disable next-line ArrayDeclaration: a list without "ALL" fails the rule like the empty one
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) {
      sink.add(source, 'drop-all-capabilities', `${path}.securityContext.capabilities.drop`, 'drop ["ALL"] capabilities and add back only what the process needs');
    }
    const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      sink.add(source, 'seccomp-runtime-default', `${path}.securityContext.seccompProfile`, 'set seccompProfile.type: RuntimeDefault on the pod or container');
    }
    if (sc.readOnlyRootFilesystem !== true) {
      sink.add(source, 'read-only-root-filesystem', `${path}.securityContext.readOnlyRootFilesystem`, 'set readOnlyRootFilesystem: true and mount emptyDirs where the process writes');
    }
    const r = c.resources ?? {};
    if (!r.requests?.cpu || !r.requests?.memory || !r.limits?.memory) {
      sink.add(source, 'resources', `${path}.resources`, 'set requests.cpu, requests.memory and limits.memory');
    }
    if (!r.requests?.['ephemeral-storage'] || !r.limits?.['ephemeral-storage']) {
      sink.add(source, 'ephemeral-storage', `${path}.resources`, 'set requests and limits of ephemeral-storage (logs and writable layer; with every container limited, the pod\'s emptyDirs count against their sum)');
    }
    if (t.longRunning && !init && (!c.readinessProbe || !c.livenessProbe)) {
      sink.add(source, 'probes', path, `container "${c.name}" needs a readinessProbe and a livenessProbe`);
    }
    const imageProblem = imageReferenceProblem(c.image);
    if (imageProblem) {
      sink.add(source, 'pinned-image', `${path}.image`, `image "${c.image}": ${imageProblem}`);
    }
    // Stryker disable next-line ArrayDeclaration: the mutated list holds a string, which has none of the fields read below, so it adds nothing, like the empty list
    (c.env ?? []).forEach((e: any, i: number) => {
      if (typeof e.value !== 'string' || e.value.length === 0) return;
      const secretName = isSecretName(e.name);
      if (secretName || CREDENTIAL_URL.test(e.value)) {
        sink.add(source, 'no-secret-literal-env', `${path}.env[${i}].value`, `${e.name} is a literal value that looks secret: take it from a Secret (valueFrom.secretKeyRef)`);
      }
    });
  }
}
