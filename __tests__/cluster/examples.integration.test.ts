/**
 * The example consumer projects (examples/shop, examples/two-apps), built from the packed
 * package as a user would, applied to the real API server (server-side, strict validation) into
 * namespaces that enforce the restricted Pod Security level: every object is admitted, and the
 * workload controllers create pods the admission accepts (PostgreSQL with its ensure-databases
 * container, the apps, the migration Jobs).
 */
import { execFileSync } from 'child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'fs';
import { join } from 'path';
import { describeOnControlPlane, eventually, expectClean, ROOT } from './helpers';

/** A copy of the example beside it (same depth, so its `file:../..` is still this package). */
function buildExample(name: string): string {
  const dir = join(ROOT, 'examples', `.apply-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const f of ['main.ts', 'cdk8s.yaml', 'package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, 'examples', name, f), join(dir, f));
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'pipe', timeout: 180_000 });
  execFileSync('npm', ['run', 'synth'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
  return dir;
}

const restricted = ['enforce', 'warn', 'audit'].map(m => `pod-security.kubernetes.io/${m}=restricted`);

// The examples use TlsIngress' default controller, Traefik: MicroK8s >= 1.35, whose addon
// installs its CRDs (on 1.34, NGINX, they are not what a user would apply).
describeOnControlPlane('the example projects', cp => {
  test.each([
    ['shop', ['shop'], ['statefulset/shop-db', 'deployment/shop']],
    ['two-apps', ['apps'], ['statefulset/postgres', 'deployment/shop', 'deployment/blog']],
  ])('examples/%s applies cleanly and its pods are admitted', async (name, namespaces, workloads) => {
    const project = buildExample(name);
    try {
      await applyAndAdmit(cp(), join(project, 'dist'), namespaces, workloads);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 400_000);

  async function applyAndAdmit(c: ReturnType<typeof cp>, dist: string, namespaces: string[], workloads: string[]): Promise<void> {
    const what = dist;
    for (const ns of namespaces) {
      c.kubectl(['create', 'namespace', ns]);
      c.kubectl(['label', 'namespace', ns, ...restricted]);
    }
    const files = readdirSync(dist).filter(f => f.endsWith('.k8s.yaml')).flatMap(f => ['-f', join(dist, f)]);
    expectClean(`apply ${what}`, c.kubectl(['apply', '--server-side', '--validate=strict', ...files], { allowFail: true }));
    expectClean(`re-apply ${what}`, c.kubectl(['apply', '--server-side', '--validate=strict', ...files], { allowFail: true }));
    const ns = namespaces[0];
    for (const workload of workloads) {
      const selector = c.kubectl(['-n', ns, 'get', workload, '-o', 'jsonpath={.spec.selector.matchLabels}']).stdout;
      const labels = Object.entries(JSON.parse(selector) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
      await eventually(`a pod of ${workload} admitted`, () => c.kubectl(['-n', ns, 'get', 'pods', '-l', labels, '-o', 'name']).stdout.trim() || undefined, 90_000);
    }
    const failed = c.kubectl(['-n', ns, 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}']).stdout;
    expect(failed).toBe('');
  }
}, version => Number(version.split('.')[1]) >= 35);
