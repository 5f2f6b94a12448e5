// npm run cluster -- up|down|status [--version 1.36.3]
// A throwaway Kubernetes control plane on loopback (etcd, kube-apiserver, kube-controller-manager
// built from Go modules; no kubelet, so pods stay Pending) with what the MicroK8s addons
// install. `up` builds missing binaries first (once per machine), starts it in the background
// and prints `export KUBECONFIG=…`; `down` stops it and deletes its data.
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { cacheRoot, findBinaries, KUBERNETES_VERSIONS } from '../test/control-plane/binaries';
import { startControlPlane, stopDetached } from '../test/control-plane/cluster';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(`usage: npm run cluster -- up|down|status [--version ${KUBERNETES_VERSIONS.join('|')}]`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let version = KUBERNETES_VERSIONS[0];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--version' && rest[i + 1]) version = rest[++i].replace(/^v/, '');
    else usage(`unknown argument ${rest[i]}`);
  }
  if (!KUBERNETES_VERSIONS.includes(version)) usage(`version ${version} is not pinned (test/control-plane/versions.env)`);
  const dir = join(cacheRoot(), 'cluster', `v${version}`);
  const kubeconfig = join(dir, 'kubeconfig');
  switch (command) {
    case 'up': {
      if (existsSync(join(dir, 'state.json'))) {
        console.error(`already running (npm run cluster -- down${version === KUBERNETES_VERSIONS[0] ? '' : ` --version ${version}`} first)`);
        console.log(`export KUBECONFIG=${kubeconfig}`);
        return;
      }
      if (!findBinaries(version).binaries) {
        console.error(`building the v${version} control plane from Go modules (once per machine, several minutes) ...`);
        const r = spawnSync('bash', [join(__dirname, '..', 'test', 'control-plane', 'build.sh'), version], { stdio: ['ignore', 2, 2] });
        if (r.status !== 0) process.exit(r.status ?? 1);
      }
      const cp = await startControlPlane({ version, dir, detached: true });
      console.error(`Kubernetes v${version} API server at ${cp.server} (ready in ${(cp.startMillis / 1000).toFixed(1)} s), logs in ${join(dir, 'logs')}`);
      console.error('no kubelet: pods are created and admitted, then stay Pending');
      console.log(`export KUBECONFIG=${kubeconfig}`);
      return;
    }
    case 'down':
      console.error(await stopDetached(dir) ? `stopped v${version} and removed ${dir}` : `v${version} is not running`);
      return;
    case 'status':
      if (!existsSync(join(dir, 'state.json'))) { console.log(`v${version}: not running`); process.exit(1); }
      console.log(`v${version}: ${JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).server}\nexport KUBECONFIG=${kubeconfig}`);
      return;
    default:
      usage(command ? `unknown command ${command}` : undefined);
  }
}

main(process.argv.slice(2)).catch(e => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
