/**
 * Day-2 operations on the real API server: the registry garbage collection's kubectl steps run
 * with its ServiceAccount's permissions (impersonated) and nothing more, and the README's
 * restore procedure creates a Job the API server admits under the restricted Pod Security level.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ControlPlane } from '../../test/control-plane/cluster';
import { Manifest } from '../util';
import { baseEnv, describeOnControlPlane, eventually, expectClean, manifestsIn, readmeApplyLines, readmeLines, runReadme, scratchDir, synthOk } from './helpers';

const GC_SA = 'system:serviceaccount:container-registry:registry-gc';

function canI(cp: ControlPlane, verb: string, resource: string, namespace: string): boolean {
  const r = cp.kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${GC_SA}`], { allowFail: true });
  return r.stdout.trim() === 'yes';
}

/**
 * Runs a pod's containers here as the kubelet would: init containers one after the other,
 * stopping at the first that fails (the pod then fails, its main containers never start), then
 * the main containers. Their /tmp is one shared temp dir; `kubectl` is this control plane's,
 * acting as the pod's ServiceAccount. `/bin/sh` and `/bin/bash` are this machine's.
 */
function runPodLocally(cp: ControlPlane, pod: any, serviceAccount: string, rewrite: (cmd: string[]) => string[] = c => c): Array<{ name: string; status: number; output: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'pod-tmp-'));
  const bin = mkdtempSync(join(tmpdir(), 'pod-bin-'));
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${cp.binaries.kubectl} --as=${serviceAccount} "$@"\n`, { mode: 0o755 });
  const results: Array<{ name: string; status: number; output: string }> = [];
  const run = (container: any) => {
    const command = rewrite(container.command).map((a: string) => a.replace(/\/tmp\//g, `${tmp}/`));
    const r = spawnSync(command[0], command.slice(1), { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: cp.kubeconfig, HOME: tmp } });
    results.push({ name: container.name, status: r.status ?? -1, output: `${r.stdout}${r.stderr}` });
    return r.status === 0;
  };
  try {
    for (const init of pod.initContainers ?? []) if (!run(init)) return results;
    for (const main of pod.containers) run(main);
    return results;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  }
}

describeOnControlPlane('operations', (cp, version) => {
  const dir = scratchDir('operations');
  let manifests: Manifest[];

  beforeAll(() => {
    synthOk(dir, baseEnv(version));
    manifests = manifestsIn(join(dir, 'dist'));
    expectClean('apply', runReadme(cp(), readmeApplyLines(dir), dir));
  }, 120_000);

  describe('registry garbage collection', () => {
    const gcPod = () => manifests.find(m => m.kind === 'CronJob' && m.metadata.name === 'registry-gc')!.spec.jobTemplate.spec.template.spec;
    const replicas = (c: ControlPlane) => c.kubectl(['-n', 'container-registry', 'get', 'sts', 'registry', '-o', 'jsonpath={.spec.replicas}']).stdout;
    const registryPod = (c: ControlPlane) => c.kubectl(['-n', 'container-registry', 'get', 'pod', 'registry-0', '-o', 'name'], { allowFail: true }).stdout.trim();
    // Here, not in the registry image: the collection itself runs against the real binary in the registry tests.
    const withoutCollector = (cmd: string[]) => cmd.map(a => a.replace(/registry garbage-collect [^;]*;/, 'true;').replace('--timeout=10m', '--timeout=5s'));

    test('its steps, run as its ServiceAccount, stop the registry, collect, and start it again', async () => {
      const c = cp();
      await eventually('pod registry-0 created by the StatefulSet controller', () => registryPod(c) || undefined);
      const pod = gcPod();
      const kubectlSteps = [...pod.initContainers, ...pod.containers].filter((k: any) => k.image.startsWith('registry.k8s.io/kubectl:'));
      expect(kubectlSteps.map((k: any) => k.name)).toEqual(['stop-registry', 'wait-stopped', 'start-registry']);
      const run = runPodLocally(c, pod, GC_SA, withoutCollector);
      for (const r of run) expect(r.output).not.toMatch(/forbidden/i);
      expect(run.map(r => `${r.name}=${r.status}`)).toEqual(['stop-registry=0', 'wait-stopped=0', 'garbage-collect=0', 'start-registry=0', 'report=0']);
      // An unscheduled pod is deleted at once: the wait finds it gone (silently) or sees it go.
      expect(run.find(r => r.name === 'wait-stopped')!.output).not.toContain('did not stop');
      expect(replicas(c)).toBe('1');
      await eventually('pod registry-0 back', () => registryPod(c) || undefined);
    });

    test('whatever fails, the registry runs again: a pod that never stops skips the collection, fails the Job, scales back', async () => {
      const c = cp();
      await eventually('pod registry-0', () => registryPod(c) || undefined);
      // A finalizer keeps the pod terminating, as a node that never confirms the kill would.
      c.kubectl(['-n', 'container-registry', 'patch', 'pod', 'registry-0', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
      try {
        const run = runPodLocally(c, gcPod(), GC_SA, withoutCollector);
        expect(run.map(r => `${r.name}=${r.status}`)).toEqual(['stop-registry=0', 'wait-stopped=0', 'garbage-collect=0', 'start-registry=0', 'report=1']);
        expect(run.find(r => r.name === 'wait-stopped')!.output).toContain('did not stop; skipping the collection');
        expect(run.find(r => r.name === 'report')!.output).toContain('garbage collection skipped');
        expect(replicas(c)).toBe('1');
      } finally {
        c.kubectl(['-n', 'container-registry', 'patch', 'pod', 'registry-0', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { allowFail: true });
      }
    });

    test('its token cannot change the pod template: image, command and privilege patches are refused', () => {
      const c = cp();
      const as = [`--as=${GC_SA}`, '-n', 'container-registry'];
      const attempts: Array<[string, string[]]> = [
        ['image', ['patch', 'sts', 'registry', '--type=merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"registry","image":"attacker.example/registry:1"}]}}}}']],
        ['privileged', ['patch', 'sts', 'registry', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"registry","securityContext":{"privileged":true}}]}}}}']],
        ['hostPath', ['patch', 'sts', 'registry', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"volumes":[{"name":"root","hostPath":{"path":"/"}}]}}}}']],
        ['env', ['set', 'env', 'statefulset/registry', 'X=1']],
        ['image via set', ['set', 'image', 'statefulset/registry', 'registry=attacker.example/registry:1']],
        ['pod', ['patch', 'pod', 'registry-0', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']],
        ['another workload', ['scale', 'deployment/elixir', '-n', 'doit', '--replicas=0']],
      ];
      const before = c.kubectl(['-n', 'container-registry', 'get', 'sts', 'registry', '-o', 'jsonpath={.spec.template}']).stdout;
      for (const [what, args] of attempts) {
        const r = c.kubectl([...as, ...args], { allowFail: true });
        expect([what, r.status !== 0 && /forbidden/i.test(r.stderr)]).toEqual([what, true]);
      }
      expect(c.kubectl(['-n', 'container-registry', 'get', 'sts', 'registry', '-o', 'jsonpath={.spec.template}']).stdout).toBe(before);
      // while scaling, what the Job needs, is allowed
      expect(c.kubectl([...as, 'scale', 'statefulset/registry', '--replicas=1']).status).toBe(0);
    });

    test('its token cannot scale the registry beyond one replica (the admission policy); the admin still can', async () => {
      const c = cp();
      const as = [`--as=${GC_SA}`, '-n', 'container-registry'];
      // A new policy takes effect once the API server has loaded it: wait for the first refusal.
      const refusal = await eventually('the policy in force', () => {
        const r = c.kubectl([...as, 'scale', 'statefulset/registry', '--replicas=5'], { allowFail: true });
        return r.status !== 0 ? r.stderr : undefined;
      }, 30_000);
      expect(refusal).toContain('may only scale the registry to 0 or 1 replicas');
      expect(replicas(c)).toBe('1');
      expect(c.kubectl([...as, 'scale', 'statefulset/registry', '--replicas=0']).status).toBe(0);
      expect(c.kubectl([...as, 'scale', 'statefulset/registry', '--replicas=1']).status).toBe(0);
      expect(c.kubectl(['-n', 'container-registry', 'scale', 'statefulset/registry', '--replicas=2']).status).toBe(0);
      expect(c.kubectl(['-n', 'container-registry', 'scale', 'statefulset/registry', '--replicas=1']).status).toBe(0);
    });

    test('everything else it might try is denied', () => {
      const c = cp();
      const table: Array<[string, string, string, boolean]> = [
        ['get', 'statefulsets/registry', 'container-registry', true],
        ['patch', 'statefulsets/registry', 'container-registry', false],
        ['update', 'statefulsets/registry', 'container-registry', false],
        ['get', 'pods/registry-0', 'container-registry', true],
        ['delete', 'pods/registry-0', 'container-registry', false],
        ['get', 'pods/registry-0', 'doit', false],
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

  describe('secrets applied by the README commands', () => {
    const secretsWithAnnotation = (c: ControlPlane) => (JSON.parse(c.kubectl(['get', 'secrets', '--all-namespaces', '-l', 'app.kubernetes.io/part-of=doit', '-o', 'json']).stdout).items as any[])
      .filter(s => s.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).map(s => `${s.metadata.namespace}/${s.metadata.name}`);

    test('are applied server-side: no Secret carries its values in last-applied-configuration', () => {
      const c = cp();
      expect(readmeApplyLines(dir).every(l => l.includes(' apply --server-side '))).toBe(true);
      const secrets = manifests.filter(m => m.kind === 'Secret');
      expect(secrets.length).toBeGreaterThanOrEqual(4);
      for (const s of secrets) {
        const live = JSON.parse(c.kubectl(['-n', s.metadata.namespace!, 'get', 'secret', s.metadata.name, '-o', 'json']).stdout);
        expect(live.data).toEqual(s.data);
        expect(JSON.stringify(live.metadata)).not.toContain(Object.values(s.data as Record<string, string>)[0]);
      }
      expect(secretsWithAnnotation(c)).toEqual([]);
    });

    test('the README\'s one-time migration strips what an earlier client-side apply left', () => {
      const c = cp();
      const file = join(dir, 'dist', '01-secrets.k8s.yaml');
      // As an earlier README did (kubectl warns that the annotation is missing, then adds it).
      expect(c.kubectl(['apply', '-f', file]).status).toBe(0);
      expect(secretsWithAnnotation(c).length).toBeGreaterThan(0); // the leak the migration removes
      const migrate = readmeLines('**Moving to server-side apply.**', l => l.includes('last-applied-configuration-'));
      expect(migrate).toHaveLength(1);
      expectClean('README migration', runReadme(c, migrate, dir));
      expect(secretsWithAnnotation(c)).toEqual([]);
      expectClean('README apply after the migration', runReadme(c, readmeApplyLines(dir), dir));
      expect(secretsWithAnnotation(c)).toEqual([]);
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
      expectClean('README step 1', r);
      c.kubectl(['-n', 'doit', 'delete', 'pod', 'pg-ls', '--wait=false']);
    });

    test('steps 2-4: the Job from the CronJob runs restore.sh once, unowned, and is admitted', async () => {
      const c = cp();
      const lines = readmeLines(HEADING, l => l.startsWith('microk8s kubectl') && !l.includes(' run pg-ls ') && !l.includes(' logs -f '));
      const restoreAt = lines.findIndex(l => l.includes('create job restore-now'));
      expect(restoreAt).toBeGreaterThan(0);
      expectClean('README restore steps 2-3', runReadme(c, lines.slice(0, restoreAt + 1), dir));
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

      expectClean('README restore steps 3-4', runReadme(c, lines.slice(restoreAt + 1), dir));
      expect(c.kubectl(['-n', 'doit', 'get', 'job', 'restore-now'], { allowFail: true }).status).not.toBe(0);
      expect(c.kubectl(['-n', 'doit', 'get', 'deploy', 'elixir', '-o', 'jsonpath={.spec.replicas}']).stdout).toBe('3');
    }, 120_000);
  });
});
