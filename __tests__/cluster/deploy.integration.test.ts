/**
 * The README's deploy path on a real API server (etcd + kube-apiserver + kube-controller-manager
 * of each pinned Kubernetes version, test/control-plane/): the doit app synthesized as a user
 * does, in every variant, applied with the README's own commands (client-side, as written),
 * then again with `--server-side --validate=strict`. No error and no `Warning:` line is allowed.
 * Then what the controllers do with it: every Deployment, StatefulSet and a Job of every
 * CronJob gets its Pods created and admitted under the restricted Pod Security level.
 */
import { join } from 'path';
import { ControlPlane, startControlPlane } from '../../test/control-plane/cluster';
import { baseEnv, builtVersions, controllerFor, eventually, expectClean, manifestsIn, readmeApplyLines, readmeLines, runReadme, scratchDir, sleep, synthOk } from './helpers';

const HOST = 'doit.example.com';

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
}

function variants(version: string): Variant[] {
  const base: Record<string, string> = baseEnv(version);
  const all: Variant[] = [
    { name: 'default', env: base },
    ...(controllerFor(version) === 'traefik' ? [{ name: 'nginx', env: { DOIT_INGRESS_CONTROLLER: 'nginx' } }] : []),
    { name: 'tls secret', env: { ...base, DOIT_HOST: HOST, DOIT_TLS_MODE: 'secret', DOIT_TLS_SECRET_NAME: 'doit-tls' } },
    { name: 'tls cert-manager', env: { ...base, DOIT_HOST: HOST, DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' } },
    { name: 'tls self-signed', env: { ...base, DOIT_HOST: HOST, DOIT_TLS_MODE: 'self-signed' } },
    { name: 'existing secrets', env: { ...base, DOIT_SECRETS_MODE: 'existing' } },
    { name: 'registry off', env: { ...base, DOIT_REGISTRY_ENABLED: 'false' } },
    { name: 'backups off', env: { ...base, DOIT_BACKUP_ENABLED: 'false' } },
    // The CloudNativePG cluster instead of the StatefulSet (the addons' derived CRDs are installed).
    { name: 'cloudnative-pg', env: { ...base, DOIT_POSTGRES_ENGINE: 'cloudnative-pg', DOIT_POSTGRES_STORAGE_CLASS: 'mayastor' } },
    {
      name: 'pinned by digest without HSTS',
      env: {
        ...base, DOIT_INGRESS_HSTS: 'false', DOIT_IMAGE_DIGEST: `sha256:${'a'.repeat(64)}`, DOIT_POSTGRES_IMAGE_DIGEST: `sha256:${'b'.repeat(64)}`,
        DOIT_REGISTRY_IMAGE_DIGEST: `sha256:${'c'.repeat(64)}`, DOIT_REGISTRY_KUBECTL_IMAGE_DIGEST: `sha256:${'d'.repeat(64)}`,
      },
    },
  ];
  const only = process.env.DEPLOY_VARIANTS?.split(',');
  return only ? all.filter(v => only.includes(v.name)) : all;
}

/** Waits until the namespace's default ServiceAccount exists (created by the controller manager). */
async function serviceAccountsReady(cp: ControlPlane, namespaces: string[]): Promise<void> {
  for (const ns of namespaces) {
    await eventually(`serviceaccount ${ns}/default`, () => (cp.kubectl(['-n', ns, 'get', 'sa', 'default'], { allowFail: true }).status === 0 ? true : undefined));
  }
}

const versions = builtVersions();
const describeVersions = versions.length > 0 ? describe.each(versions) : describe.skip.each(['none']);

describeVersions('README deploy path on Kubernetes v%s', version => {
  describe.each(variants(version))('$name', ({ name, env }) => {
    const dir = scratchDir(`deploy-${name.replace(/\W+/g, '-')}`);
    let cp: ControlPlane;
    beforeAll(async () => {
      synthOk(dir, env);
      cp = await startControlPlane({ version });
    }, 180_000);
    afterAll(async () => { await cp?.stop(); }, 60_000);

    test('the README commands (server-side apply) twice, the second changing nothing, then with --validate=strict: no error, no warning', async () => {
      const lines = readmeApplyLines(dir);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      if (env.DOIT_SECRETS_MODE === 'existing') {
        // The README's commands that create the Secrets (after dist/bootstrap/, which they include).
        expectClean('README existing-secrets commands', runReadme(cp, readmeLines('- **`existing` (production):**', () => true), dir));
      }
      for (const line of lines) expectClean(line, runReadme(cp, [line], dir));

      // Idempotent: applying the same output again changes no field of ours (an apply that
      // changed one would move the time of kubectl's managedFields entry; the controllers'
      // status updates, which move resourceVersion, do not count).
      const applied = () => cp.kubectl(['get', 'deploy,sts,cronjob,svc,cm,secret,ingress,networkpolicy,pdb,sa,role,rolebinding', '-A', '-o',
        'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}={.metadata.managedFields[?(@.manager=="kubectl")].time}{"\\n"}{end}']).stdout;
      const before = applied();
      expect(before.split('\n').filter(l => /=\d{4}-\d\d-\d\dT/.test(l)).length).toBeGreaterThan(20);
      await sleep(1100); // managedFields times have whole seconds
      expectClean('re-apply', runReadme(cp, lines, dir));
      expect(applied()).toBe(before);

      expectClean('server-side bootstrap', runReadme(cp, ['microk8s kubectl apply --server-side --validate=strict -f dist/bootstrap/'], dir));
      expectClean('server-side dist', runReadme(cp, ['microk8s kubectl apply --server-side --validate=strict -f dist/'], dir));
    }, 180_000);

    test('every object of the output exists in the cluster', () => {
      const live = new Set(cp.kubectl(['get', 'all,cm,secret,ingress,networkpolicy,pdb,pvc,sa,role,rolebinding,storageclass,ns,validatingadmissionpolicy,validatingadmissionpolicybinding', '-A', '-o',
        'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']).stdout.split('\n'));
      // One kind at a time: a kind the cluster does not serve (Traefik's on 1.34) fails alone.
      for (const kind of ['middleware.traefik.io', 'certificate.cert-manager.io', 'issuer.cert-manager.io', 'clusterissuer.cert-manager.io', 'cluster.postgresql.cnpg.io', 'database.postgresql.cnpg.io']) {
        cp.kubectl(['get', kind, '-A', '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'], { allowFail: true })
          .stdout.split('\n').forEach(e => live.add(e));
      }
      const missing = manifestsIn(join(dir, 'dist')).map(m => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`).filter(k => !live.has(k));
      expect(missing).toEqual([]);
    });

    if (name === 'default') {
      test('the namespaces it creates enforce the restricted Pod Security level', () => {
        for (const ns of ['doit', 'container-registry']) {
          const labels = JSON.parse(cp.kubectl(['get', 'ns', ns, '-o', 'jsonpath={.metadata.labels}']).stdout);
          expect(labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' });
        }
        // The label is live: a root, privileged pod is refused in it.
        const refused = cp.kubectl(['-n', 'doit', 'run', 'root-probe', '--image=busybox:1.36', '--restart=Never', '--overrides',
          JSON.stringify({ spec: { containers: [{ name: 'root-probe', image: 'busybox:1.36', securityContext: { privileged: true } }] } })], { allowFail: true });
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toMatch(/violates PodSecurity "restricted/);
      });

      test('the controllers create every Pod (Deployments, StatefulSets, a Job from each CronJob) and none is refused', async () => {
        await serviceAccountsReady(cp, ['doit', 'container-registry']);
        const manifests = manifestsIn(join(dir, 'dist'));
        const cronJobs = manifests.filter(m => m.kind === 'CronJob');
        expect(cronJobs.map(c => c.metadata.name).sort()).toEqual(['postgres-backup', 'registry-gc']);
        for (const cj of cronJobs) {
          cp.kubectl(['-n', cj.metadata.namespace!, 'create', 'job', `${cj.metadata.name}-now`, `--from=cronjob/${cj.metadata.name}`]);
        }
        const expected = [
          ...manifests.filter(m => m.kind === 'Deployment' || m.kind === 'StatefulSet').map(m => ({ ns: m.metadata.namespace!, owner: m.metadata.name, count: m.spec.replicas ?? 1 })),
          ...cronJobs.map(cj => ({ ns: cj.metadata.namespace!, owner: `${cj.metadata.name}-now`, count: 1 })),
        ];
        for (const { ns, owner, count } of expected) {
          await eventually(`${count} pod(s) of ${ns}/${owner}`, () => {
            const pods = cp.kubectl(['-n', ns, 'get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']).stdout.split('\n')
              .filter(p => p === `${owner}-0` || p.startsWith(`${owner}-`));
            return pods.length >= count ? pods : undefined;
          }, 90_000);
        }
        const failed = cp.kubectl(['get', 'events', '-A', '--field-selector=reason=FailedCreate', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}']).stdout.trim();
        expect(failed).toBe('');
      }, 240_000);
    }
  });
});
