/**
 * Shared by the tests that run against the real control plane (test/control-plane/): which
 * versions to run, synthesizing the doit app as a user does, and the README's own commands.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { binariesOrSkip, KUBERNETES_VERSIONS, minorOf } from '../../test/control-plane/binaries';
import { ControlPlane, KubectlResult, startControlPlane } from '../../test/control-plane/cluster';
import { Manifest } from '../util';

export const ROOT = join(__dirname, '..', '..');

/** Versions whose binaries are built; under CI a missing one throws (never skips). */
export function builtVersions(): string[] {
  return KUBERNETES_VERSIONS.filter(v => binariesOrSkip(v) !== undefined);
}

/** The ingress controller MicroK8s of that version runs (Traefik from 1.35). */
export function controllerFor(version: string): 'traefik' | 'nginx' {
  return minorOf(version) >= 35 ? 'traefik' : 'nginx';
}

/** The `DOIT_*` of a cluster of that version (its minor picks the ingress controller and kubectl). */
export function baseEnv(version: string): Record<string, string> {
  return { DOIT_KUBERNETES_VERSION: version.split('.').slice(0, 2).join('.') };
}

/**
 * `describe` once per built Kubernetes version, with a control plane started before and
 * stopped after (also when a test fails). `cp()` gives the running control plane.
 */
export function describeOnControlPlane(title: string, body: (cp: () => ControlPlane, version: string) => void,
  which: (version: string) => boolean = () => true): void {
  const versions = builtVersions().filter(which);
  if (versions.length === 0) {
    describe.skip(title, () => { it('needs a built control plane', () => undefined); });
    return;
  }
  describe.each(versions)(`${title} (Kubernetes v%s)`, version => {
    let controlPlane: ControlPlane | undefined;
    beforeAll(async () => { controlPlane = await startControlPlane({ version }); }, 180_000);
    afterAll(async () => { await controlPlane?.stop(); }, 60_000);
    body(() => {
      if (!controlPlane) throw new Error('control plane did not start');
      return controlPlane;
    }, version);
  });
}

/** A scratch project directory (dist/ and the secrets file), removed after the test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface SynthResult {
  readonly status: number;
  readonly output: string;
  readonly dist: string;
}

/**
 * The doit app as `npm run synth` runs it (bin/run-app.js, the cdk8s.yaml app command), into
 * `<dir>/dist` with the secrets file `<dir>/.secrets/doit.json` and the given `DOIT_*`.
 */
export function synthDoit(dir: string, env: Record<string, string> = {}): SynthResult {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DOIT_') && k !== 'CDK8S_OUTDIR'));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run-app.js')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...clean, DOIT_OUTDIR: join(dir, 'dist'), DOIT_SECRETS_FILE: join(dir, '.secrets', 'doit.json'), ...env },
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`, dist: join(dir, 'dist') };
}

export function synthOk(dir: string, env: Record<string, string> = {}): string {
  const r = synthDoit(dir, env);
  if (r.status !== 0) throw new Error(`synth failed (${JSON.stringify(env)}):\n${r.output}`);
  return r.dist;
}

/** Every object of every YAML file under `dist` (bootstrap/ included). */
export function manifestsIn(dist: string): Manifest[] {
  const files = ['bootstrap', '.'].flatMap(sub => {
    const d = join(dist, sub);
    return existsSync(d) ? require('fs').readdirSync(d).filter((f: string) => f.endsWith('.yaml')).map((f: string) => join(d, f)) : [];
  });
  return files.flatMap(f => parseAllDocuments(readFileSync(f, 'utf8')).map(d => d.toJSON()).filter(Boolean));
}

/** The text of the first fenced sh block of the README after the line containing `heading`. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const open = readme.indexOf('```sh\n', start);
  return readme.slice(open + 6, readme.indexOf('\n```', open + 6) + 1);
}

/** The logical lines of a README block (continuations joined) that satisfy `keep`. */
export function readmeLines(heading: string, keep: (line: string) => boolean): string[] {
  return readmeBlock(heading).replace(/\\\n\s*/g, ' ').split('\n').filter(l => l.trim() && keep(l));
}

/**
 * Runs README shell lines with bash as a user would, `microk8s kubectl` being this control
 * plane's kubectl. Output of every command, and the exit status of the whole.
 */
export function runReadme(cp: ControlPlane, lines: readonly string[], cwd: string, env: Record<string, string> = {}): KubectlResult {
  // `microk8s kubectl` is this control plane's kubectl, as a program (npm scripts run it too).
  const bin = mkdtempSync(join(tmpdir(), 'readme-bin-'));
  writeFileSync(join(bin, 'microk8s'), [
    '#!/usr/bin/env bash',
    'if [ "$1" != kubectl ]; then echo "the test runs only microk8s kubectl, not: $*" >&2; exit 1; fi',
    `shift; exec ${JSON.stringify(cp.binaries.kubectl)} "$@"`,
  ].join('\n'), { mode: 0o755 });
  // `npm run <script>` runs the repository's package script with the user's working directory.
  const npmRun = (l: string) => l.replace(/\bnpm run (\w+)(?: --)?/g, (_m, name: string) => {
    const script = (require(join(ROOT, 'package.json')).scripts as Record<string, string>)[name];
    if (!script?.startsWith('node ')) throw new Error(`README runs npm script ${name}, which the test cannot run from another directory`);
    return script.replace(/ (\S+\.ts)$/, (_n, file: string) => ` ${join(ROOT, file)}`);
  });
  try {
    const r = spawnSync('bash', ['-c', ['set -euo pipefail', ...lines.map(npmRun)].join('\n')], {
      cwd, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env, KUBECONFIG: cp.kubeconfig, PATH: `${bin}:${process.env.PATH}`, NODE_PATH: join(ROOT, 'node_modules') },
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

/**
 * The README's `microk8s kubectl apply` lines of the deploy steps, comments removed, leaving out
 * files the configuration does not produce (no 01-secrets with existing secrets, no 02-registry
 * without the registry), as the README tells the user to. `dir` holds the synthesized dist/.
 */
export function readmeApplyLines(dir: string): string[] {
  return readmeLines('### Deploy doit on a fresh MicroK8s', l => l.startsWith('microk8s kubectl apply'))
    .map(l => l.replace(/\s+#.*$/, '').replace(/ -f (dist\/\S+\.yaml)/g, (m, f) => (existsSync(join(dir, f)) ? m : '')));
}

/** Fails on a non-zero exit (showing the output) and on any API `Warning:` line; returns stdout. */
export function expectClean(what: string, r: KubectlResult): string {
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${out}`);
  expect({ what, warnings: out.split('\n').filter(l => /^Warning:/.test(l)) }).toEqual({ what, warnings: [] });
  return r.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}

/** Poll `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
