import { readFileSync } from 'fs';
import bcrypt from 'bcryptjs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  expectValid, LocalRegistry, LocalRegistryProps, PropError, RegistryAuth, RegistryHttpSecret, renderRegistryCompose,
} from '../../lib';
import { kubectlImageFor } from '../../lib/registry/local-registry';
import { find, secretValues, selects, synth } from '../util';

const SECRET = 'f'.repeat(64);
const PASSWORD = 'registry-password-for-tests';
function build(props: Partial<LocalRegistryProps> = {}) {
  const chart = new Chart(Testing.app(), 'registry');
  const registry = new LocalRegistry(chart, 'Registry', {
    httpSecret: RegistryHttpSecret.fromValue(SECRET), auth: RegistryAuth.htpasswd({ username: 'ci', password: PASSWORD }), ...props,
  });
  const manifests = synth(chart);
  const sts = find(manifests, 'StatefulSet', 'registry');
  return { chart, registry, manifests, sts, pod: sts.spec.template.spec, container: sts.spec.template.spec.containers[0] };
}

describe('LocalRegistry', () => {
  test('snapshot', () => expect(build().manifests).toMatchSnapshot());

  test('passes synth-time validation (owned and existing secret, GC on and off)', () => {
    expect(expectValid(build().chart).ok).toBe(true);
    expect(expectValid(build({ httpSecret: RegistryHttpSecret.fromExistingSecret('reg-secret'), garbageCollection: { schedule: null } }).chart).ok).toBe(true);
  });

  test('own namespace (like the addon), pinned registry:2.8.x, non-root 1000, read-only root, probes, resources', () => {
    const { manifests, container, pod } = build();
    expect(find(manifests, 'Namespace', 'container-registry').metadata.namespace).toBeUndefined();
    const clusterScoped = ['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
    expect(manifests.filter(m => !clusterScoped.includes(m.kind) && m.metadata.name !== 'local-registry-hosting').every(m => m.metadata.namespace === 'container-registry')).toBe(true);
    for (const m of manifests.filter(m => clusterScoped.includes(m.kind))) expect(m.metadata.namespace).toBeUndefined();
    expect(container.image).toMatch(/^registry:2\.8\.\d+$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(container[p].httpGet).toEqual({ path: '/', port: 'registry' });
    expect(container.resources.limits.memory).toBeDefined();
  });

  test('data on a retained PVC template', () => {
    const { sts, registry } = build({ storageSize: '50Gi' });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'microk8s-hostpath', resources: { requests: { storage: '50Gi' } } });
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(registry.volumeClaimName).toBe('data-registry-0');
  });

  test('NodePort 32000 by default; the Service selects the pod', () => {
    const { manifests, sts, registry } = build();
    const svc = find(manifests, 'Service', 'registry');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports[0]).toMatchObject({ nodePort: 32000, port: 5000, targetPort: 'registry' });
    expect(selects(svc.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(registry.host).toBe('localhost:32000');
  });

  test('http.secret from an existing Secret: its name and key, default key http-secret, nothing generated', () => {
    const custom = build({ httpSecret: RegistryHttpSecret.fromExistingSecret('reg-secrets', 'shared-http') });
    expect(custom.container.env).toEqual([{ name: 'REGISTRY_HTTP_SECRET', valueFrom: { secretKeyRef: { name: 'reg-secrets', key: 'shared-http' } } }]);
    expect(custom.manifests.filter(m => m.kind === 'Secret' && m.metadata.name === 'registry-http-secret')).toEqual([]);
    const byDefault = build({ httpSecret: RegistryHttpSecret.fromExistingSecret('reg-secrets') });
    expect(byDefault.container.env[0].valueFrom.secretKeyRef).toEqual({ name: 'reg-secrets', key: 'http-secret' });
    expect(() => build({ httpSecret: RegistryHttpSecret.fromExistingSecret('reg-secrets', 'a/b') })).toThrow(/invalid prop "httpSecret.key" = "a\/b"/);
    expect(() => build({ httpSecret: RegistryHttpSecret.fromExistingSecret('Reg_Secrets') })).toThrow(/invalid prop "httpSecret.secretName"/);
    expect(() => build({ httpSecret: RegistryHttpSecret.fromValue('short') })).toThrow(/invalid prop "httpSecret".*at least 32 characters/);
    expect(() => build({ httpSecret: RegistryHttpSecret.fromValue(`${'x'.repeat(32)} y`) })).toThrow(/invalid prop "httpSecret"/);
  });

  test('http.secret only from a Secret via REGISTRY_HTTP_SECRET, never in the ConfigMap', () => {
    const { manifests, container } = build();
    expect(container.env).toEqual([
      { name: 'REGISTRY_HTTP_SECRET', valueFrom: { secretKeyRef: { name: 'registry-http-secret', key: 'http-secret' } } },
    ]);
    expect(secretValues(find(manifests, 'Secret', 'registry-http-secret'))).toEqual({ 'http-secret': SECRET });
    const cm = find(manifests, 'ConfigMap', 'registry-config');
    expect(cm.data['config.yml']).not.toContain(SECRET);
    expect(parse(cm.data['config.yml']).http.secret).toBeUndefined();
  });

  test('config: delete enabled, not read-only, health check, served from the ConfigMap', () => {
    const { manifests, container, pod } = build();
    const config = parse(find(manifests, 'ConfigMap', 'registry-config').data['config.yml']);
    expect(config.storage.delete.enabled).toBe(true);
    expect(config.storage.maintenance.readonly.enabled).toBe(false);
    expect(config.storage.filesystem.rootdirectory).toBe('/var/lib/registry');
    expect(config.health.storagedriver.enabled).toBe(true);
    expect(config.http.headers['X-Content-Type-Options']).toEqual(['nosniff']);
    expect(container.args).toEqual(['/etc/docker/registry/config.yml']);
    const mount = container.volumeMounts.find((m: any) => m.mountPath === '/etc/docker/registry');
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name).toBe('registry-config');
  });

  describe('authentication', () => {
    test('htpasswd from a password: a bcrypt Secret (the same on every synth), mounted, and the config points at it', () => {
      const { manifests, container, pod, chart } = build();
      const config = parse(find(manifests, 'ConfigMap', 'registry-config').data['config.yml']);
      expect(config.auth).toEqual({ htpasswd: { realm: 'registry', path: '/etc/docker/registry-auth/htpasswd' } });
      expect(container.volumeMounts).toContainEqual({ name: 'auth', mountPath: '/etc/docker/registry-auth', readOnly: true });
      expect(pod.volumes.find((v: any) => v.name === 'auth').secret).toEqual({ secretName: 'registry-htpasswd', items: [{ key: 'htpasswd', path: 'htpasswd' }], defaultMode: 0o440 });
      const line = secretValues(find(manifests, 'Secret', 'registry-htpasswd')).htpasswd;
      const [user, hash] = line.trim().split(':');
      expect(user).toBe('ci');
      expect(hash).toMatch(/^\$2b\$10\$/);
      expect(bcrypt.compareSync(PASSWORD, hash)).toBe(true);
      expect(bcrypt.compareSync('another-password-entirely', hash)).toBe(false);
      expect(secretValues(find(build().manifests, 'Secret', 'registry-htpasswd')).htpasswd).toBe(line); // stable
      expect(JSON.stringify(manifests.filter(m => m.kind !== 'Secret'))).not.toContain(PASSWORD);
      expect(expectValid(chart).ok).toBe(true);
    });

    test('an image pull Secret for another namespace, for the registry host', () => {
      const { registry, chart } = build();
      const app = new Chart(chart, 'app', { namespace: 'doit' });
      expect(registry.createPullSecret(app, 'Pull')).toBe('registry-pull');
      const secret = find(synth(app), 'Secret', 'registry-pull');
      expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
      expect(secret.metadata.namespace).toBe('doit');
      const auths = JSON.parse(secretValues(secret)['.dockerconfigjson']).auths;
      expect(auths).toEqual({ 'localhost:32000': { username: 'ci', password: PASSWORD, auth: Buffer.from(`ci:${PASSWORD}`).toString('base64') } });
    });

    test('htpasswd from an existing Secret: mounted, declared external, no pull Secret from us', () => {
      const { pod, chart, registry, manifests } = build({ auth: RegistryAuth.fromExistingSecret('registry-users', { realm: 'ours' }) });
      expect(pod.volumes.find((v: any) => v.name === 'auth').secret.secretName).toBe('registry-users');
      expect(parse(find(manifests, 'ConfigMap', 'registry-config').data['config.yml']).auth.htpasswd.realm).toBe('ours');
      expect(manifests.some(m => m.kind === 'Secret' && m.metadata.name === 'registry-htpasswd')).toBe(false);
      expect(expectValid(chart).ok).toBe(true);
      expect(() => registry.createPullSecret(new Chart(chart, 'a', { namespace: 'doit' }), 'Pull')).toThrow(/createPullSecret needs RegistryAuth.htpasswd/);
    });

    test('anonymous only when asked for by name; no auth at all is refused', () => {
      expect(parse(find(build({ auth: RegistryAuth.anonymous() }).manifests, 'ConfigMap', 'registry-config').data['config.yml']).auth).toBeUndefined();
      expect(() => build({ auth: undefined })).toThrow(/prop "auth".*expected RegistryAuth.htpasswd.*RegistryAuth.anonymous\(\)/);
      expect(() => build({ auth: RegistryAuth.htpasswd({ username: 'ci', password: 'short' }) })).toThrow(/prop "auth.password" = "<redacted>": expected 16 to 72 characters/);
    });
  });

  test('local-registry-hosting ConfigMap in kube-public (KEP-1755)', () => {
    const cm = find(build().manifests, 'ConfigMap', 'local-registry-hosting');
    expect(cm.metadata.namespace).toBe('kube-public');
    expect(parse(cm.data['localRegistryHosting.v1']).host).toBe('localhost:32000');
  });

  test('another port gets the containerd hosts.toml to install', () => {
    const { registry } = build({ nodePort: 32500 });
    expect(registry.hostsTomlPath).toBe('/var/snap/microk8s/current/args/certs.d/localhost:32500/hosts.toml');
    expect(registry.hostsToml).toBe('server = "http://localhost:32500"\n\n[host."http://localhost:32500"]\n  capabilities = ["pull", "resolve"]\n');
  });

  test('imageRef gives the pull reference; tag required, never latest', () => {
    const { registry } = build();
    expect(registry.imageRef('doit', '1.2.3')).toBe('localhost:32000/doit:1.2.3');
    expect(registry.imageRef('team/doit', 'v1_2')).toBe('localhost:32000/team/doit:v1_2');
    expect(() => registry.imageRef('doit', 'latest')).toThrow(/imageRef.tag.*not "latest"/);
    expect(() => registry.imageRef('doit', '')).toThrow(PropError);
    expect(() => registry.imageRef('Doit', '1')).toThrow(/imageRef.name/);
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    expect(registry.imageRef('doit', '1.2.3', digest)).toBe(`localhost:32000/doit:1.2.3@${digest}`);
    expect(() => registry.imageRef('doit', '1.2.3', 'sha256:xyz')).toThrow(/imageRef.digest.*expected sha256:<64 lower-case hex digits>/);
  });

  describe('garbage collection', () => {
    const gc = () => {
      const { manifests } = build({ garbageCollection: { deleteUntagged: true } });
      const cron = find(manifests, 'CronJob', 'registry-gc');
      return { manifests, cron, pod: cron.spec.jobTemplate.spec.template.spec };
    };

    test('weekly by default, Forbid concurrency, history limits; null disables it', () => {
      const { cron } = gc();
      expect(cron.spec).toMatchObject({ schedule: '30 3 * * 0', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
      expect(build({ garbageCollection: { schedule: null } }).manifests.some(m => m.kind === 'CronJob' || m.kind === 'Role')).toBe(false);
    });

    test('stop the registry, collect on the same volume, then start it again', () => {
      const { pod } = gc();
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['stop-registry', 'wait-stopped', 'garbage-collect']);
      expect(pod.initContainers[0].command).toEqual(['kubectl', '--namespace', 'container-registry', 'scale', 'statefulset/registry', '--replicas=0']);
      // The wait never fails the pod (start-registry must run); a failed wait skips the collection.
      expect(pod.initContainers[1].command).toEqual(['/bin/bash', '-c',
        'if ! kubectl --namespace container-registry wait --for=delete pod/registry-0 --timeout=10m; then echo "wait-stopped: pod registry-0 did not stop; skipping the collection" >&2; echo 1 > /tmp/wait-failed; fi; exit 0']);
      expect(pod.initContainers[2].command[2]).toBe('if [ -e /tmp/wait-failed ]; then echo 1 > /tmp/gc-exit-code; exit 0; fi; registry garbage-collect --delete-untagged /etc/docker/registry/config.yml; echo $? > /tmp/gc-exit-code; exit 0');
      expect(pod.containers[0].command).toEqual(['kubectl', '--namespace', 'container-registry', 'scale', 'statefulset/registry', '--replicas=1']);
      expect(pod.containers[1].command[2]).toContain('exit "$code"');
      expect(pod.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('data-registry-0');
      expect(pod.enableServiceLinks).toBe(false);
    });

    test('the API token only in the containers that run kubectl: projected, expiring, not automounted', () => {
      const { pod } = gc();
      expect(pod.automountServiceAccountToken).toBe(false);
      const tokenVolume = pod.volumes.find((v: any) => v.projected);
      expect(tokenVolume.projected.sources[0]).toEqual({ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } });
      const mountsToken = (c: any) => (c.volumeMounts ?? []).some((m: any) => m.name === tokenVolume.name && m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount');
      const all = [...pod.initContainers, ...pod.containers];
      expect(all.filter(mountsToken).map((c: any) => c.name)).toEqual(['stop-registry', 'wait-stopped', 'start-registry']);
      for (const c of all) expect(mountsToken(c)).toBe(c.image.startsWith('registry.k8s.io/kubectl:'));
    });

    test('the registry declares no read-only switch: nothing for a failed collection to leave behind', () => {
      const { manifests } = gc();
      const registry = find(manifests, 'StatefulSet', 'registry').spec.template.spec.containers[0];
      expect(registry.env.map((e: any) => e.name)).toEqual(['REGISTRY_HTTP_SECRET']);
      expect(find(manifests, 'StatefulSet', 'registry').spec.replicas).toBe(1); // re-applying restarts a registry a failed Job left stopped
    });

    test('kubectl matches the cluster minor the stack targets', () => {
      expect(gc().pod.containers[0].image).toBe('registry.k8s.io/kubectl:v1.36.3');
      expect(kubectlImageFor('1.34')).toBe('registry.k8s.io/kubectl:v1.34.4');
      expect(kubectlImageFor('1.35')).toBe('registry.k8s.io/kubectl:v1.35.4');
      expect(() => kubectlImageFor('1.20')).toThrow(/no kubectl image for Kubernetes 1.20; known: 1.34, 1.35, 1.36/);
    });

    test('least RBAC: read the StatefulSet and its pod, change only the replica count, bound to the job\'s own ServiceAccount', () => {
      const { manifests, pod } = gc();
      expect(find(manifests, 'Role', 'registry-gc').rules).toEqual([
        { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['registry'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: ['registry'], verbs: ['get', 'patch', 'update'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: ['registry-0'], verbs: ['get', 'list', 'watch'] },
      ]);
      // ... and an admission policy holds the replica count to 0 or 1, for that ServiceAccount only
      const policy = find(manifests, 'ValidatingAdmissionPolicy', 'container-registry-registry-gc-scale');
      expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['apps'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['statefulsets/scale'] }]);
      expect(policy.spec.matchConditions[0].expression).toBe("request.userInfo.username == 'system:serviceaccount:container-registry:registry-gc'");
      expect(policy.spec.validations[0].expression).toBe('!has(object.spec.replicas) || object.spec.replicas <= 1'); // 0 is omitted from the Scale object
      expect(find(manifests, 'ValidatingAdmissionPolicyBinding', 'container-registry-registry-gc-scale').spec).toEqual({
        policyName: 'container-registry-registry-gc-scale', validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'container-registry' } } },
      });
      expect(find(manifests, 'RoleBinding', 'registry-gc').subjects).toEqual([{ kind: 'ServiceAccount', name: 'registry-gc', namespace: 'container-registry' }]);
      expect(pod.serviceAccountName).toBe('registry-gc');
      // the GC pod is not selected by the registry's Services or StatefulSet
      const gcLabels = gc().cron.spec.jobTemplate.spec.template.metadata.labels;
      for (const svc of manifests.filter(m => m.kind === 'Service')) expect(selects(svc.spec.selector, gcLabels)).toBe(false);
      expect(selects(find(manifests, 'StatefulSet', 'registry').spec.selector.matchLabels, gcLabels)).toBe(false);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
    });
  });

  test('the committed registry/ files are what the model renders', () => {
    for (const [file, content] of Object.entries(renderRegistryCompose())) {
      expect(readFileSync(join(__dirname, '..', '..', 'registry', file), 'utf8')).toBe(content);
    }
  });

  test('compose twin: same config model, pinned image, loopback port, non-root, secret from the environment', () => {
    const files = renderRegistryCompose();
    const compose = parse(files['docker-compose.yaml']);
    // The compose twin listens on loopback only and has no users: compare with the anonymous construct.
    const { manifests } = build({ auth: RegistryAuth.anonymous() });
    const inCluster = parse(find(manifests, 'ConfigMap', 'registry-config').data['config.yml']);
    expect(parse(files['config.yml'])).toEqual(inCluster);
    expect(compose.services.registry).toMatchObject({ image: 'registry:2.8.3', user: '1000:1000', read_only: true, ports: ['127.0.0.1:5000:5000'] });
    expect(compose.services.registry.environment.REGISTRY_HTTP_SECRET).toMatch(/^\$\{REGISTRY_HTTP_SECRET:\?/);
  });

  describe('bad props', () => {
    const cases: Array<[string, Partial<LocalRegistryProps>, RegExp]> = [
      ['short http secret', { httpSecret: RegistryHttpSecret.fromValue('short') }, /"httpSecret" = "<redacted>": expected at least 32/],
      ['nodePort outside the range', { nodePort: 5000 }, /"nodePort" = 5000: expected an integer from 30000 to 32767/],
      ['latest image', { image: 'registry:latest' }, /"image"/],
      ['bad size', { storageSize: 'big' }, /storageSize/],
      ['bad schedule', { garbageCollection: { schedule: 'weekly' } }, /garbageCollection.schedule.*cron/],
    ];
    test.each(cases)('%s', (_t, props, message) => {
      expect(() => build(props)).toThrow(PropError);
      expect(() => build(props)).toThrow(message);
    });
    test('refuses a namespaced chart', () => {
      expect(() => new LocalRegistry(new Chart(Testing.app(), 'c', { namespace: 'x' }), 'R', { httpSecret: RegistryHttpSecret.fromValue(SECRET), auth: RegistryAuth.anonymous() }))
        .toThrow(/chart without a namespace/);
    });
  });
});
