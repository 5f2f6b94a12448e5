/**
 * `npm run preflight` (scripts/preflight.ts) against the real API server, run as a user runs
 * it: KUBECONFIG of the cluster, KUBECTL naming the kubectl to use.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { ControlPlane } from '../../test/control-plane/cluster';
import { baseEnv, controllerFor, describeOnControlPlane, expectClean, readmeLines, ROOT, runReadme, scratchDir, synthOk } from './helpers';

function preflight(cp: ControlPlane, dist: string): { status: number; output: string } {
  const r = spawnSync('npm', ['run', '-s', 'preflight', '--', dist], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, KUBECONFIG: cp.kubeconfig, KUBECTL: cp.binaries.kubectl },
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describeOnControlPlane('npm run preflight', (cp, version) => {
  const dir = scratchDir('preflight');
  const base: Record<string, string> = baseEnv(version);

  test('a fresh cluster: what can be dry-run is, the rest waits for dist/bootstrap/; then everything passes', () => {
    const dist = synthOk(join(dir, 'ok'), base);
    const first = preflight(cp(), dist);
    expect(first.status).toBe(0);
    expect(first.output).toMatch(/objects in namespace "doit" were not dry-run: it does not exist yet \(.*bootstrap\/00-namespaces.k8s.yaml creates it\)/);
    cp().kubectl(['apply', '-f', join(dist, 'bootstrap')]);
    const second = preflight(cp(), dist);
    expect(second.status).toBe(0);
    expect(second.output).not.toMatch(/not dry-run/);
    expect(second.output).toMatch(/preflight: \d+ objects dry-run, 0 problem\(s\)/);
  }, 120_000);

  test('a missing IngressClass and StorageClass are problems a dry run would not report', () => {
    const dist = synthOk(join(dir, 'classes'), { ...base, DOIT_INGRESS_CLASS: 'no-such-class', DOIT_POSTGRES_STORAGE_CLASS: 'no-such-storage' });
    const r = preflight(cp(), dist);
    expect(r.status).toBe(1);
    expect(r.output).toContain('IngressClass "no-such-class" does not exist in this cluster');
    expect(r.output).toContain('uses StorageClass "no-such-storage", which does not exist in this cluster');
  }, 120_000);

  test('the cluster-wide CA of earlier versions is a problem until the README\'s commands delete it', () => {
    const dist = synthOk(join(dir, 'legacy-ca'), base);
    const c = cp();
    c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'List', items: [
          { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'local-ca-bootstrap' }, spec: { selfSigned: {} } },
          { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'local-ca' }, spec: { ca: { secretName: 'local-ca' } } },
          { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'local-ca', namespace: 'cert-manager' }, spec: { isCA: true, commonName: 'old', secretName: 'local-ca', duration: '87600h', issuerRef: { name: 'local-ca-bootstrap', kind: 'ClusterIssuer' } } },
        ],
      }),
    });
    const r = preflight(c, dist);
    expect(r.status).toBe(1);
    expect(r.output).toContain('ClusterIssuer local-ca (the cluster-wide self-signed CA of earlier versions) still exists');
    expectClean('README CA migration', runReadme(c, readmeLines('**Upgrading from the cluster-wide CA.**', l => l.startsWith('microk8s kubectl')), dir));
    expect(c.kubectl(['get', 'clusterissuer', '-o', 'name']).stdout.trim()).toBe('');
    expect(c.kubectl(['-n', 'cert-manager', 'get', 'certificate', '-o', 'name']).stdout.trim()).toBe('');
    expect(preflight(c, dist).output).not.toContain('ClusterIssuer local-ca');
  }, 120_000);

  test('a change of an immutable field of a live object is explained with its procedure', () => {
    const live = synthOk(join(dir, 'live'), base);
    cp().kubectl(['apply', '-f', join(live, 'bootstrap')]);
    cp().kubectl(['apply', '-f', live]);
    const bigger = synthOk(join(dir, 'live'), { ...base, DOIT_POSTGRES_STORAGE_SIZE: '8Gi', DOIT_ACCEPT_REPLACEMENT: 'StatefulSet/doit/postgres' });
    const r = preflight(cp(), bigger);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/StatefulSet doit\/postgres: kubectl apply cannot make this change to the live object/);
    expect(r.output).toContain('kubectl -n doit delete statefulset postgres --cascade=orphan');
  }, 120_000);

  if (controllerFor(version) === 'nginx') {
    test('Traefik output on an NGINX-era cluster: the missing CRD is named, with what to do', () => {
      const dist = synthOk(join(dir, 'traefik'), { DOIT_KUBERNETES_VERSION: '1.36' });
      cp().kubectl(['apply', '-f', join(dist, 'bootstrap')]);
      const r = preflight(cp(), dist);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/Middleware \(traefik.io\/v1alpha1\) is not served by this cluster.*DOIT_KUBERNETES_VERSION=1.34/);
    }, 120_000);
  }

  test('no cluster: a clear error, exit 1', () => {
    const r = spawnSync('npm', ['run', '-s', 'preflight', '--', join(dir, 'ok', 'dist')], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'missing-kubeconfig'), KUBECTL: cp().binaries.kubectl },
    });
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/cannot reach the cluster/);
  });
});
