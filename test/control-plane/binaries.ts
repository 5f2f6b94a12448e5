import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/**
 * Where `test/control-plane/build.sh` caches the control plane it builds from Go modules, and
 * which versions are pinned (`versions.env`, the one place they are written down).
 */

const VERSIONS_FILE = join(__dirname, 'versions.env');

function pinned(name: string): string {
  const m = readFileSync(VERSIONS_FILE, 'utf8').match(new RegExp(`^${name}="([^"]+)"`, 'm'));
  if (!m) throw new Error(`${VERSIONS_FILE} does not set ${name}`);
  return m[1];
}

/** Kubernetes versions the tests run against, newest first (e.g. ["1.36.3", "1.34.4"]). */
export const KUBERNETES_VERSIONS: readonly string[] = pinned('KUBERNETES_VERSIONS').split(/\s+/).filter(Boolean);
export const ETCD_VERSION = pinned('ETCD_VERSION');

/** `1.36.3` → 36. */
export function minorOf(version: string): number {
  return Number(version.split('.')[1]);
}

export function cacheRoot(): string {
  return process.env.MICROK8S_PHOENIX_CACHE ?? join(homedir(), '.cache', 'microk8s-phoenix');
}

export interface ControlPlaneBinaries {
  readonly version: string;
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
}

/** The cached binaries of one Kubernetes version, or the list of what is missing. */
export function findBinaries(version: string): { binaries?: ControlPlaneBinaries; missing: string[] } {
  const base = join(cacheRoot(), 'control-plane');
  const kube = join(base, `kubernetes-v${version}`);
  const binaries: ControlPlaneBinaries = {
    version,
    etcd: join(base, `etcd-v${ETCD_VERSION}`, 'etcd'),
    kubeApiserver: join(kube, 'kube-apiserver'),
    kubeControllerManager: join(kube, 'kube-controller-manager'),
    kubectl: join(kube, 'kubectl'),
  };
  const missing = Object.entries(binaries).filter(([k, p]) => k !== 'version' && !existsSync(p)).map(([, p]) => p);
  return missing.length === 0 ? { binaries, missing } : { missing };
}

/**
 * For integration tests: the binaries of `version`, or undefined when they are not built (the
 * test then skips). Under CI (`CI=true`) a missing binary throws: CI must never skip.
 */
export function binariesOrSkip(version: string): ControlPlaneBinaries | undefined {
  const { binaries, missing } = findBinaries(version);
  if (binaries) return binaries;
  const message = `control plane v${version} is not built (missing ${missing.join(', ')}): run bash test/control-plane/build.sh`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`skipping: ${message}`);
  return undefined;
}
