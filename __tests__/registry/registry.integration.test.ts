/**
 * LocalRegistry's config against the real Docker Distribution binary (Debian's
 * `docker-registry`, 2.8) and real clients (`skopeo`): push, pull, delete, and garbage-collect on
 * the stopped registry, as the GC CronJob does. Skips on a laptop without the binaries; fails under CI (CI=true).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { LocalRegistry, RegistryAuth, RegistryHttpSecret } from '../../lib';
import { freePort } from '../net';
import { find, synth } from '../util';
import { OciImage, writeOciImage } from './oci';

const REGISTRY = 'docker-registry';
const PASSWORD = 'integration-registry-password';
const missing = [REGISTRY, 'skopeo'].filter(bin => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
if (missing.length > 0 && process.env.CI === 'true') {
  throw new Error(`integration test needs ${missing.join(', ')} (installed by .ci/run from .ci/apt-packages.txt)`);
}
const describeIf = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) console.warn(`skipping registry integration test: ${missing.join(', ')} not installed`);

const children = new Set<ChildProcess>();
function stopAll(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}
afterAll(stopAll);


describeIf('LocalRegistry config on the real registry', () => {
  let dir: string;
  let port: number;
  let configFile: string;
  let storage: string;
  let registry: ChildProcess | undefined;
  let a: OciImage;
  let b: OciImage;

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const blobPath = (digest: string) => join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', digest.slice(0, 2), digest, 'data');
  const skopeo = (...args: string[]) => execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: 'pipe', timeout: 60_000 });
  // The user the construct's htpasswd Secret defines (the doit stack's default is auth on).
  const CREDS = `ci:${PASSWORD}`;
  const authHeader = { Authorization: `Basic ${Buffer.from(CREDS).toString('base64')}` };
  const push = (img: OciImage, ref: string, creds: string | null = CREDS) =>
    skopeo('copy', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : ['--dest-no-creds']), `oci:${img.dir}:${img.tag}`, `docker://127.0.0.1:${port}/${ref}`);
  const pull = (ref: string, into: string, creds: string | null = CREDS) =>
    skopeo('copy', '--src-tls-verify=false', ...(creds ? ['--src-creds', creds] : ['--src-no-creds']), `docker://127.0.0.1:${port}/${ref}`, `oci:${into}:pulled`);

  async function start(env: Record<string, string> = {}): Promise<void> {
    const child = spawn(REGISTRY, ['serve', configFile], { env: { ...process.env, REGISTRY_HTTP_SECRET: 'a'.repeat(64), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    registry = child;
    let stderr = '';
    child.stderr!.on('data', d => { stderr += d; });
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`registry exited: ${stderr}`);
      try {
        const res = await fetch(url('/'));
        if (res.status === 200) return;
      } catch { /* not up yet */ }
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`registry did not start: ${stderr}`);
  }

  async function stop(): Promise<void> {
    if (!registry) return;
    const child = registry;
    registry = undefined;
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    children.delete(child);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-it-'));
    port = await freePort();
    storage = join(dir, 'storage');
    // The exact config LocalRegistry renders into its ConfigMap; only where it listens and stores differs.
    const chart = new Chart(Testing.app(), 'r');
    const construct = new LocalRegistry(chart, 'Registry', {
      httpSecret: RegistryHttpSecret.fromValue('s'.repeat(32)), auth: RegistryAuth.htpasswd({ username: 'ci', password: PASSWORD }),
    });
    const config = parse(construct.configYaml);
    config.http.addr = `127.0.0.1:${port}`;
    config.storage.filesystem.rootdirectory = storage;
    // The htpasswd file exactly as the construct's Secret holds it (bcrypt).
    const htpasswd = Buffer.from(find(synth(chart), 'Secret', 'registry-htpasswd').data.htpasswd, 'base64').toString('utf8');
    writeFileSync(join(dir, 'htpasswd'), htpasswd);
    config.auth.htpasswd.path = join(dir, 'htpasswd');
    configFile = join(dir, 'config.yml');
    writeFileSync(configFile, stringify(config));
    // two images sharing a base layer
    a = writeOciImage(join(dir, 'a'), 'a', { 'base.txt': 'shared base layer', 'a.txt': 'only in image a' });
    b = writeOciImage(join(dir, 'b'), 'b', { 'base.txt': 'shared base layer', 'b.txt': 'only in image b' });
    await start();
  }, 30_000);

  afterAll(async () => {
    await stop();
    stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the probe path answers 200 without credentials; the API does not', async () => {
    expect((await fetch(url('/'))).status).toBe(200);
    expect((await fetch(url('/v2/'))).status).toBe(401);
    expect((await fetch(url('/v2/'), { headers: { Authorization: `Basic ${Buffer.from('ci:wrong-password').toString('base64')}` } })).status).toBe(401);
    expect((await fetch(url('/v2/'), { headers: authHeader })).status).toBe(200);
  });

  test('anonymous push is refused and stores nothing', () => {
    let error = '';
    try { push(a, 'test:anonymous', null); } catch (e) { error = String((e as { stderr?: Buffer }).stderr ?? e); }
    expect(error).toMatch(/401|unauthorized|authentication required/i);
    expect(existsSync(blobPath(a.manifest))).toBe(false);
  }, 60_000);

  test('authenticated pushes land in storage', async () => {
    push(a, 'test:a');
    push(b, 'test:b');
    for (const d of [...a.layers, ...b.layers, a.config, b.config]) expect(existsSync(blobPath(d))).toBe(true);
  }, 60_000);

  test('a pulled image is byte-identical', () => {
    const out = join(dir, 'pull-a');
    pull('test:a', out);
    for (const d of [...a.layers, a.config, a.manifest]) {
      expect(readFileSync(join(out, 'blobs', 'sha256', d))).toEqual(readFileSync(join(a.dir, 'blobs', 'sha256', d)));
    }
  }, 60_000);

  test('delete a tag through the API, garbage-collect with our config: its blobs are gone, the other image still pulls identical', async () => {
    const head = await fetch(url('/v2/test/manifests/b'), { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json', ...authHeader } });
    const digest = head.headers.get('docker-content-digest');
    expect(digest).toBe(`sha256:${b.manifest}`);
    expect((await fetch(url(`/v2/test/manifests/${digest}`), { method: 'DELETE' })).status).toBe(401); // anonymous delete refused
    expect(() => pull('test:b', join(dir, 'pull-b-anonymous'), null)).toThrow(); // and anonymous pull
    const del = await fetch(url(`/v2/test/manifests/${digest}`), { method: 'DELETE', headers: authHeader });
    expect(del.status).toBe(202);

    await stop(); // as the GC CronJob: garbage-collect on the stopped registry
    const gc = spawnSync(REGISTRY, ['garbage-collect', configFile], { encoding: 'utf8', timeout: 60_000 });
    expect(gc.status).toBe(0);
    expect(gc.stdout + gc.stderr).toMatch(/blob eligible for deletion|Deleting blob/);

    const onlyB = b.layers.filter(l => !a.layers.includes(l));
    const shared = b.layers.filter(l => a.layers.includes(l));
    expect(onlyB).toHaveLength(1);
    expect(shared).toHaveLength(1);
    for (const d of [...onlyB, b.config]) expect(existsSync(blobPath(d))).toBe(false);
    for (const d of [...a.layers, a.config]) expect(existsSync(blobPath(d))).toBe(true);

    await start();
    const out = join(dir, 'pull-a-after-gc');
    pull('test:a', out);
    for (const d of [...a.layers, a.config, a.manifest]) {
      expect(readFileSync(join(out, 'blobs', 'sha256', d))).toEqual(readFileSync(join(a.dir, 'blobs', 'sha256', d)));
    }
    expect(() => pull('test:b', join(dir, 'pull-b'))).toThrow();
  }, 120_000);
});
