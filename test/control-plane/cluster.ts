import { ChildProcess, spawn, spawnSync } from 'child_process';
import { generateKeyPairSync, randomBytes } from 'crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { request } from 'https';
import { AddressInfo, createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { installAddons } from './addons';
import { ControlPlaneBinaries, findBinaries } from './binaries';

/**
 * A throwaway Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager, on
 * loopback only, built from Go modules by `build.sh`. No kubelet and no scheduler: Pods are
 * created by the controllers and admitted (or refused) by the API server, then stay Pending.
 *
 * - Random free ports, one directory for everything (a temp dir by default).
 * - RBAC on; NamespaceLifecycle and PodSecurity admission on (with the default plugins).
 * - Service-account signing keys generated per run; the admin authenticates with a random
 *   token (`system:masters`); the serving certificate is self-signed by the API server.
 * - Each process runs under `supervise.sh`, which ends it when the owning process is gone
 *   (a test run killed with SIGKILL included) and then removes the temp dir.
 * - Before returning, what the MicroK8s addons install (see `addons.ts`).
 */

export interface ControlPlaneOptions {
  /** Kubernetes version, one of `KUBERNETES_VERSIONS`. */
  readonly version: string;
  /** Directory for data, keys, logs and the kubeconfig. @default a new temp dir, removed by stop() */
  readonly dir?: string;
  /** Keep running when this process exits (`npm run cluster -- up`). @default false */
  readonly detached?: boolean;
  /** Install the MicroK8s addon objects (IngressClasses, StorageClass, CRDs). @default true */
  readonly addons?: boolean;
}

export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Standard input. */
  readonly input?: string;
  /** Do not throw on a non-zero exit. @default false */
  readonly allowFail?: boolean;
  /** Working directory. */
  readonly cwd?: string;
}

export interface ControlPlane {
  readonly version: string;
  readonly dir: string;
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly binaries: ControlPlaneBinaries;
  /** Milliseconds from the first process start to a ready API server (addons not included). */
  readonly startMillis: number;
  /** Run this version's kubectl against the control plane. Throws on failure unless allowFail. */
  kubectl(args: readonly string[], options?: KubectlOptions): KubectlResult;
  /** Stop every process and remove the directory (unless it was given). */
  stop(): Promise<void>;
}

interface State {
  readonly version: string;
  readonly server: string;
  readonly pids: number[];
  readonly startMillis: number;
}

const SUPERVISE = join(__dirname, 'supervise.sh');
const SERVICE_CIDR = '10.152.183.0/24'; // MicroK8s' service range

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as AddressInfo; srv.close(() => resolve(port)); });
  });
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { binaries, missing } = findBinaries(options.version);
  if (!binaries) throw new Error(`control plane v${options.version} is not built (missing ${missing.join(', ')}): run bash test/control-plane/build.sh ${options.version}`);
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `k8s-v${options.version}-`));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const owner = options.detached ? '-' : String(process.pid);
  const children: ChildProcess[] = [];
  const launch = (name: string, cmd: string, args: string[]): ChildProcess => {
    const log = openSync(join(dir, 'logs', `${name}.log`), 'a');
    const child = spawn(SUPERVISE, [owner, cmd, ...args], {
      stdio: ['ignore', log, log],
      detached: !!options.detached,
      env: { ...process.env, ...(ownDir && !options.detached ? { SUPERVISE_REMOVE_ON_ORPHAN: dir } : {}) },
    });
    closeSync(log);
    if (options.detached) child.unref();
    children.push(child);
    return child;
  };
  const stopChildren = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGTERM'); };
  const onExit = () => { stopChildren(); if (ownDir) rmSync(dir, { recursive: true, force: true }); };
  if (!options.detached) process.once('exit', onExit);

  try {
    const started = Date.now();
    const [etcdClient, etcdPeer, apiPort, kcmPort] = await distinctPorts(4);
    const token = randomBytes(32).toString('hex');
    writeCredentials(dir, token);

    const etcd = launch('etcd', binaries.etcd, [
      '--name=default', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync', '--log-level=warn',
    ]);
    await waitFor('etcd', dir, etcd, async () => (await httpGet(`http://127.0.0.1:${etcdClient}/health`)) === 200, 60_000);

    const apiserver = launch('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity,DefaultStorageClass,DefaultIngressClass',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true', // as MicroK8s: Pod Security labels, not this flag, restrict pods
      '--profiling=false', '--v=1',
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = join(dir, 'pki', 'apiserver.crt');
    await waitFor('kube-apiserver', dir, apiserver, async () => existsSync(caFile) && (await httpsGet(`${server}/readyz`, token, caFile)) === 200, 120_000);
    const startMillis = Date.now() - started;

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: `test-v${options.version}`, cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: `test-v${options.version}`, context: { cluster: `test-v${options.version}`, user: 'admin' } }],
      'current-context': `test-v${options.version}`,
    }), { mode: 0o600 });

    launch('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--v=1',
    ]);

    const kubectl = (args: readonly string[], opts: KubectlOptions = {}): KubectlResult => runKubectl(binaries.kubectl, kubeconfig, args, opts);
    // The controller manager is working once it has created the default ServiceAccount.
    await waitFor('kube-controller-manager', dir, undefined, async () =>
      kubectl(['-n', 'default', 'get', 'serviceaccount', 'default'], { allowFail: true }).status === 0, 60_000);
    if (options.addons !== false) installAddons(options.version, kubectl);

    const state: State = { version: options.version, server, pids: children.map(c => c.pid!), startMillis };
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    return {
      version: options.version,
      dir,
      kubeconfig,
      server,
      binaries,
      startMillis,
      kubectl,
      async stop() {
        stopChildren();
        await Promise.all(children.map(c => (c.exitCode !== null ? Promise.resolve() : new Promise<void>(r => c.once('exit', () => r())))));
        process.removeListener('exit', onExit);
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    const logs = tailLogs(dir);
    onExit();
    process.removeListener('exit', onExit);
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
}

/** Stop a detached control plane started in `dir` (`npm run cluster -- down`). */
export async function stopDetached(dir: string): Promise<boolean> {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, 'utf8')) as State;
  for (const pid of [...state.pids].reverse()) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  for (let i = 0; i < 100 && state.pids.some(alive); i++) await sleep(100);
  rmSync(dir, { recursive: true, force: true });
  return true;
}

export function runKubectl(kubectl: string, kubeconfig: string, args: readonly string[], opts: KubectlOptions = {}): KubectlResult {
  const r = spawnSync(kubectl, args, {
    input: opts.input, cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000,
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  const result = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  if (result.status !== 0 && !opts.allowFail) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  }
  return result;
}

function writeCredentials(dir: string, token: string): void {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function waitFor(what: string, dir: string, child: ChildProcess | undefined, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} (logs in ${join(dir, 'logs')})`);
    try {
      if (await ready()) return;
    } catch { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
}

function httpGet(url: string): Promise<number> {
  return fetch(url).then(r => r.status);
}

function httpsGet(url: string, token: string, caFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, ca: readFileSync(caFile), timeout: 5000 }, res => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function tailLogs(dir: string): string {
  const logs = join(dir, 'logs');
  if (!existsSync(logs)) return '';
  return ['etcd', 'kube-apiserver', 'kube-controller-manager'].map(name => {
    const f = join(logs, `${name}.log`);
    return existsSync(f) ? `--- ${name}.log (last lines)\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}` : '';
  }).join('\n');
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}
