/**
 * The throwaway control plane itself (test/control-plane/): the pinned versions, RBAC and
 * admission on, what the MicroK8s addons would have installed, CRDs that check strictly, and
 * clean-up even when the process that started it is killed. Where `../shared/crds/` holds the
 * addons' original CRDs (it does in this repository's CI), our objects are applied under those
 * too, so the CRDs derived from the npm typings cannot hide a difference.
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { addonObjects, derivedCrds, installAddons } from '../../test/control-plane/addons';
import { findBinaries, minorOf } from '../../test/control-plane/binaries';
import { ControlPlane, startControlPlane } from '../../test/control-plane/cluster';
import { baseEnv, builtVersions, controllerFor, describeOnControlPlane, eventually, manifestsIn, ROOT, scratchDir, synthOk } from './helpers';

const SHARED_CRDS = join(ROOT, '..', 'shared', 'crds');

describeOnControlPlane('control plane', (cp, version) => {
  test('serves the pinned version; kubectl is the same version', () => {
    const v = JSON.parse(cp().kubectl(['version', '-o', 'json']).stdout);
    expect(v.serverVersion.gitVersion).toBe(`v${version}`);
    expect(v.clientVersion.gitVersion).toBe(`v${version}`);
    expect(cp().startMillis).toBeLessThan(120_000);
  });

  test('authenticates and authorizes: a bad token is refused, a user without roles is forbidden', () => {
    const bad = cp().kubectl(['--token=not-a-token', 'get', 'ns'], { allowFail: true });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Unauthorized|provide credentials/);
    const nobody = cp().kubectl(['--as=someone', 'get', 'secrets', '-n', 'kube-system'], { allowFail: true });
    expect(nobody.stderr).toMatch(/forbidden/);
  });

  test('NamespaceLifecycle: no object in a namespace that does not exist', () => {
    const r = cp().kubectl(['-n', 'no-such-namespace', 'create', 'configmap', 'x'], { allowFail: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/namespaces "no-such-namespace" not found/);
  });

  test('has what the MicroK8s addons of this version install', () => {
    const classes = cp().kubectl(['get', 'ingressclass', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.controller} {end}']).stdout.trim().split(' ').sort();
    const controller = minorOf(version) >= 35 ? 'traefik.io/ingress-controller' : 'k8s.io/ingress-nginx';
    expect(classes).toEqual([`nginx=${controller}`, `public=${controller}`, ...(minorOf(version) >= 35 ? [`traefik=${controller}`] : [])]);
    expect(cp().kubectl(['get', 'storageclass', 'microk8s-hostpath', '-o', 'jsonpath={.provisioner} {.reclaimPolicy} {.volumeBindingMode}']).stdout).toBe('microk8s.io/hostpath Delete WaitForFirstConsumer');
    const crds = cp().kubectl(['get', 'crd', '-o', 'name']).stdout;
    expect(crds).toContain('certificates.cert-manager.io');
    expect(crds).toContain('clusterissuers.cert-manager.io');
    expect(crds.includes('middlewares.traefik.io')).toBe(minorOf(version) >= 35);
  });

  test('the derived CRDs check strictly: unknown fields and wrong types are refused', () => {
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'probe' }, spec: { selfSigned: {} } };
    const apply = (obj: object) => cp().kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], { input: stringify(obj), allowFail: true });
    expect(apply(issuer).status).toBe(0);
    const unknown = apply({ ...issuer, spec: { selfSigned: {}, sefSigned: {} } });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown field "spec.sefSigned"|\.spec\.sefSigned: field not declared in schema/);
    const wrongType = apply({ ...issuer, spec: { ca: { secretName: 42 } } });
    expect(wrongType.stderr).toMatch(/\.spec\.ca\.secretName: expected string/);
    const middleware = { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'm', namespace: 'default' }, spec: { redirectScheme: { scheme: 'https', permanent: 'always' } } };
    const r = apply(middleware);
    if (minorOf(version) >= 35) expect(r.stderr).toMatch(/\.spec\.redirectScheme\.permanent: expected boolean/);
    else expect(r.stderr).toMatch(/no matches for kind "Middleware" in version "traefik.io\/v1alpha1"/);
  });
});

describe('control plane clean-up', () => {
  const [version] = builtVersions();
  (version ? test : test.skip)('a test run killed with SIGKILL leaves no process and no temp dir behind', async () => {
    // A separate node process starts a control plane, reports its dir and pids, then is killed.
    const script = `require('sucrase/register/ts');
      require(${JSON.stringify(join(ROOT, 'test', 'control-plane', 'cluster.ts'))}).startControlPlane({ version: ${JSON.stringify(version)}, addons: false })
        .then(cp => { console.log(JSON.stringify({ dir: cp.dir, pids: JSON.parse(require('fs').readFileSync(cp.dir + '/state.json', 'utf8')).pids })); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const started = await new Promise<{ dir: string; pids: number[] }>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', d => { out += d; if (out.includes('\n')) resolve(JSON.parse(out)); });
        child.on('exit', code => reject(new Error(`starter exited ${code}`)));
      });
      const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      // The supervised programs (etcd, kube-apiserver, kube-controller-manager) run as children of the supervisors.
      const programs = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', started.pids.join(',')], { encoding: 'utf8' }).stdout.split('\n')
        .map(l => l.trim().split(/\s+/)).filter(([, comm]) => /^(etcd|kube-apiserver|kube-controller)/.test(comm ?? '')).map(([pid]) => Number(pid));
      expect(programs.length).toBe(3);
      expect(existsSync(started.dir)).toBe(true);
      child.kill('SIGKILL');
      await eventually('every process gone and the dir removed', () =>
        ([...started.pids, ...programs].some(alive) || existsSync(started.dir) ? undefined : true), 30_000);
    } finally {
      child.kill('SIGKILL'); // also when an assertion failed before the kill above
    }
  }, 120_000);
});

describe('npm run cluster', () => {
  const [version] = builtVersions();
  (version ? test : test.skip)('up prints the KUBECONFIG of a running control plane; down stops it and removes its data', () => {
    const npm = (...args: string[]) => spawnSync('npm', ['run', '-s', 'cluster', '--', ...args, '--version', version], { cwd: ROOT, encoding: 'utf8' });
    const up = npm('up');
    expect(up.status).toBe(0);
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
    expect(kubeconfig).toBeDefined();
    try {
      const kubectl = spawnSync(findBinaries(version).binaries!.kubectl, ['get', 'ingressclass', 'public', '-o', 'name'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig } });
      expect(kubectl.stdout.trim()).toBe('ingressclass.networking.k8s.io/public');
      expect(npm('status').stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    } finally {
      expect(npm('down').status).toBe(0);
    }
    expect(existsSync(kubeconfig!)).toBe(false);
    expect(npm('status').status).toBe(1);
  }, 120_000);
});

/** Where the originals of this version's addon CRDs are, if this checkout has ../shared/crds/. */
function originalCrdDirs(version: string): string[] | undefined {
  if (!existsSync(SHARED_CRDS)) return undefined;
  // CloudNativePG as the derived CRDs (imports/ is generated from 1.29.2); cnpg.integration.test.ts also tries 1.23.3.
  return ['cert-manager-v1.20.2', 'cloudnative-pg-v1.29.2', ...(minorOf(version) >= 36 ? ['traefik-chart-39.0.8'] : minorOf(version) === 35 ? ['traefik-chart-37.4.0'] : [])]
    .map(d => join(SHARED_CRDS, d));
}

const withOriginals = existsSync(SHARED_CRDS) ? builtVersions() : [];
if (process.env.CI === 'true' && existsSync(join(ROOT, '..', 'shared')) && withOriginals.length === 0) {
  throw new Error('../shared is here but ../shared/crds is not: the cross-check against the original CRDs cannot run');
}
(withOriginals.length > 0 ? describe.each(withOriginals) : describe.skip.each(['none']))('our objects under the original addon CRDs (Kubernetes v%s)', version => {
  const scratch = scratchDir(`crds-${version}`);
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ version, addons: false });
    installAddons(version, cp.kubectl, { crdDirs: originalCrdDirs(version) });
  }, 180_000);
  afterAll(async () => { await cp?.stop(); }, 60_000);

  test.each([
    ['controller default', {}, controllerFor(version) === 'traefik' ? ['Middleware'] : []],
    ['cert-manager', { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' }, controllerFor(version) === 'traefik' ? ['Middleware'] : []],
    ['self-signed', { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' }, ['Certificate', 'Issuer', ...(controllerFor(version) === 'traefik' ? ['Middleware'] : [])]],
  ])('%s: server-side apply --validate=strict, no error, no warning', (_name, env, customKinds) => {
    const dir = join(scratch, _name.replace(/\W+/g, '-'));
    const dist = synthOk(dir, { ...baseEnv(version), ...env });
    for (const sub of ['bootstrap', '.']) {
      const r = cp.kubectl(['apply', '--server-side', '--validate=strict', '-f', join(dist, sub)], { allowFail: true });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    }
    // The custom resources that met the original CRDs.
    const custom = new Set(manifestsIn(dist).filter(m => /traefik\.io|cert-manager\.io/.test(m.apiVersion)).map(m => m.kind));
    expect([...custom].sort()).toEqual([...customKinds].sort());
  }, 120_000);

  test('the derived CRDs name the same kinds, scopes and versions as the originals', () => {
    const originals = cp.kubectl(['get', 'crd', '-o', 'json']);
    const key = (c: any) => `${c.spec.group}/${c.spec.names.kind} ${c.spec.scope} ${c.spec.versions.filter((v: any) => v.served).map((v: any) => v.name).join(',')}`;
    const live = new Set(JSON.parse(originals.stdout).items.map(key));
    const derived = derivedCrds(version).map(key);
    expect(derived.filter(k => !live.has(k))).toEqual([]);
    // And the addon objects themselves (IngressClasses, StorageClass) are plain Kubernetes.
    expect(addonObjects(version).length).toBeGreaterThan(3);
  });
});
