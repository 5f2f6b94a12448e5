/**
 * Day-2 operations on the real API server: the registry garbage collection's kubectl steps run
 * with its ServiceAccount's permissions (impersonated) and nothing more, and the README's
 * restore procedure creates a Job the API server admits under the restricted Pod Security level.
 */
import { join } from 'path';
import { ControlPlane } from '../../test/control-plane/cluster';
import { Manifest } from '../util';
import { controllerFor, describeOnControlPlane, eventually, manifestsIn, readmeLines, runReadme, scratchDir, synthOk } from './helpers';

const GC_SA = 'system:serviceaccount:container-registry:registry-gc';

function clean(what: string, r: { status: number; stdout: string; stderr: string }): string {
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${out}`);
  expect({ what, warnings: out.split('\n').filter(l => /^Warning:/.test(l)) }).toEqual({ what, warnings: [] });
  return r.stdout;
}

function canI(cp: ControlPlane, verb: string, resource: string, namespace: string): boolean {
  const r = cp.kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${GC_SA}`], { allowFail: true });
  return r.stdout.trim() === 'yes';
}

describeOnControlPlane('operations', (cp, version) => {
  const dir = scratchDir('operations');
  let manifests: Manifest[];

  beforeAll(() => {
    synthOk(dir, controllerFor(version) === 'nginx' ? { DOIT_INGRESS_CONTROLLER: 'nginx' } : {});
    manifests = manifestsIn(join(dir, 'dist'));
    clean('apply', runReadme(cp(), readmeLines('### Deploy doit on a fresh MicroK8s', l => l.startsWith('microk8s kubectl apply')).map(l => l.replace(/\s+#.*$/, '')), dir));
  }, 120_000);

  describe('registry garbage collection RBAC', () => {
    const gcSteps = () => {
      const cj = manifests.find(m => m.kind === 'CronJob' && m.metadata.name === 'registry-gc')!;
      const pod = cj.spec.jobTemplate.spec.template.spec;
      return [...pod.initContainers, ...pod.containers].filter((c: any) => c.command[0] === 'kubectl')
        .map((c: any) => ({ name: c.name as string, args: (c.command as string[]).slice(1) }));
    };
    const readonlyValue = (c: ControlPlane) => c.kubectl(['-n', 'container-registry', 'get', 'sts', 'registry', '-o',
      'jsonpath={.spec.template.spec.containers[0].env[?(@.name=="REGISTRY_STORAGE_MAINTENANCE_READONLY")].value}']).stdout;

    test('its kubectl steps, run as its ServiceAccount, are allowed and do what they say', () => {
      const c = cp();
      const steps = gcSteps();
      expect(steps.map(s => s.name)).toEqual(['enter-read-only', 'wait-read-only', 'leave-read-only']);
      for (const step of steps) {
        // Without a kubelet no rollout completes: a short timeout, and only a timeout is expected.
        const args = step.args.map(a => (a.startsWith('--timeout=') ? '--timeout=2s' : a));
        const r = c.kubectl([...args, `--as=${GC_SA}`], { allowFail: true });
        expect(`${r.stdout}${r.stderr}`).not.toMatch(/forbidden/i);
        if (step.name === 'wait-read-only') {
          expect(`${r.stdout}${r.stderr}`).toMatch(/timed out waiting|Waiting for/);
        } else {
          expect(r.status).toBe(0);
          expect(readonlyValue(c)).toBe(step.name === 'enter-read-only' ? '{"enabled": true}' : '{"enabled": false}');
        }
      }
    });

    test('everything else it might try is denied', () => {
      const c = cp();
      const table: Array<[string, string, string, boolean]> = [
        ['get', 'statefulsets/registry', 'container-registry', true],
        ['patch', 'statefulsets/registry', 'container-registry', true],
        ['watch', 'statefulsets/registry', 'container-registry', true],
        ['delete', 'statefulsets/registry', 'container-registry', false],
        ['patch', 'statefulsets/other', 'container-registry', false],
        ['create', 'statefulsets', 'container-registry', false],
        ['get', 'secrets/registry-http-secret', 'container-registry', false],
        ['list', 'secrets', 'container-registry', false],
        ['create', 'pods', 'container-registry', false],
        ['create', 'pods/exec', 'container-registry', false],
        ['patch', 'configmaps/registry-config', 'container-registry', false],
        ['create', 'rolebindings', 'container-registry', false],
        ['escalate', 'roles', 'container-registry', false],
        ['patch', 'statefulsets/postgres', 'doit', false],
        ['get', 'secrets/postgres-credentials', 'doit', false],
        ['list', 'namespaces', 'default', false],
        ['patch', 'deployments/elixir', 'doit', false],
      ];
      const actual = table.map(([verb, resource, ns]) => [verb, resource, ns, canI(c, verb, resource, ns)]);
      console.log(`kubectl auth can-i --as=${GC_SA} (Kubernetes v${version}):\n${actual.map(([v, r, n, ok]) => `  ${ok ? 'yes' : 'no '}  ${v} ${r} -n ${n}`).join('\n')}`);
      expect(actual).toEqual(table);
    });
  });

  describe('README restore procedure', () => {
    const HEADING = '**Restore**, step by step';

    test('step 1 (listing the dumps) is admitted in the restricted namespace', async () => {
      const c = cp();
      await eventually('default ServiceAccount', () => (c.kubectl(['-n', 'doit', 'get', 'sa', 'default'], { allowFail: true }).status === 0 ? true : undefined));
      // Without a kubelet nothing attaches: the same pod without --rm -it, then removed.
      const [list] = readmeLines(HEADING, l => l.includes(' run pg-ls '));
      const r = runReadme(c, [list.replace(' --rm -it', '')], dir);
      clean('README step 1', r);
      c.kubectl(['-n', 'doit', 'delete', 'pod', 'pg-ls', '--wait=false']);
    });

    test('steps 2-4: the Job from the CronJob runs restore.sh once, unowned, and is admitted', async () => {
      const c = cp();
      const lines = readmeLines(HEADING, l => l.startsWith('microk8s kubectl') && !l.includes(' run pg-ls ') && !l.includes(' logs -f '));
      const restoreAt = lines.findIndex(l => l.includes('create job restore-now'));
      expect(restoreAt).toBeGreaterThan(0);
      clean('README restore steps 2-3', runReadme(c, lines.slice(0, restoreAt + 1), dir));
      expect(c.kubectl(['-n', 'doit', 'get', 'deploy', 'elixir', '-o', 'jsonpath={.spec.replicas}']).stdout).toBe('0');

      const job = JSON.parse(c.kubectl(['-n', 'doit', 'get', 'job', 'restore-now', '-o', 'json']).stdout);
      expect(job.spec.backoffLimit).toBe(0);
      expect(job.metadata.ownerReferences).toBeUndefined();
      const container = job.spec.template.spec.containers[0];
      expect(container.command.join(' ')).toContain('/scripts/restore.sh');
      expect(container.command.join(' ')).not.toContain('/scripts/backup.sh');
      expect(container.env).toContainEqual({ name: 'RESTORE_FILE', value: 'doit_prod-20261124T021500.123456789Z.dump' });
      await eventually('the restore pod', () => (c.kubectl(['-n', 'doit', 'get', 'pods', '-l', 'job-name=restore-now', '-o', 'name']).stdout.trim() || undefined), 60_000);
      expect(c.kubectl(['-n', 'doit', 'get', 'events', '--field-selector=reason=FailedCreate', '-o', 'name']).stdout.trim()).toBe('');

      clean('README restore steps 3-4', runReadme(c, lines.slice(restoreAt + 1), dir));
      expect(c.kubectl(['-n', 'doit', 'get', 'job', 'restore-now'], { allowFail: true }).status).not.toBe(0);
      expect(c.kubectl(['-n', 'doit', 'get', 'deploy', 'elixir', '-o', 'jsonpath={.spec.replicas}']).stdout).toBe('3');
    }, 120_000);
  });
});
