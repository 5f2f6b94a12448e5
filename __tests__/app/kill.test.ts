/**
 * A synth killed (SIGKILL, no cleanup) at every step of writing the output: the real app
 * (bin/run-app.js) in a child process, which kills itself at the step DOIT_TEST_KILL_AT names.
 * Afterwards the output directory is the old or the new complete output (or, between the two
 * renames of the swap only, absent with the old one kept aside), nothing the kill left is
 * visible to git, and the next synth puts things right.
 */
import { execFileSync, spawn } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..', '..');
let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'kill-')); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cwd: string, outdir: string, env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'run-app.js')], {
      cwd: root, env: { ...process.env, DOIT_SECRETS_FILE: join(tmp, 'secrets', 'doit.json'), DOIT_OUTDIR: join(cwd, outdir), ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', d => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

/** Every file below `dir` with its content; the `.gitignore` a kill may leave in the output is not output. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries((readdirSync(dir, { recursive: true }) as string[]).sort()
    .filter(f => f !== '.gitignore' && statSync(join(dir, f)).isFile())
    .map(f => [f, readFileSync(join(dir, f), 'utf8')]));
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const STEPS = ['staged', 'writing', 'written', 'moved-aside', 'swapped', 'done'] as const;

test('killed at every step: the old or the new complete output, nothing un-ignored, the next synth cleans up', async () => {
  // The old output (2 replicas) and the new one (3), with the same secrets file.
  const oldRun = await run(tmp, 'old-dist', { DOIT_REPLICAS: '2' });
  expect(oldRun.code).toBe(0);
  const newRun = await run(tmp, 'new-dist', { DOIT_REPLICAS: '3' });
  expect(newRun.code).toBe(0);
  const OLD = snapshot(join(tmp, 'old-dist'));
  const NEW = snapshot(join(tmp, 'new-dist'));
  expect(OLD['01-secrets.k8s.yaml']).toContain('kind: Secret');
  expect(OLD).not.toEqual(NEW);

  // One project per step, as the repo is: dist/ git-ignored, the old output in it.
  const projects = STEPS.map(step => {
    const project = join(tmp, `project-${step}`);
    mkdirSync(project);
    git(project, 'init', '-q');
    writeFileSync(join(project, '.gitignore'), 'dist/\n');
    cpSync(join(tmp, 'old-dist'), join(project, 'dist'), { recursive: true });
    return project;
  });
  const killed = await Promise.all(STEPS.map((step, i) => run(projects[i], 'dist', { DOIT_REPLICAS: '3', DOIT_TEST_KILL_AT: step })));

  for (const [i, step] of STEPS.entries()) {
    const project = projects[i];
    expect([step, killed[i].signal]).toEqual([step, 'SIGKILL']);
    const dist = join(project, 'dist');
    const leftovers = readdirSync(project).filter(e => e.startsWith('.dist.staging-'));
    if (step === 'moved-aside') {
      // Between the two renames: no dist/ (never a partial one); the old output kept aside.
      expect(existsSync(dist)).toBe(false);
      const aside = leftovers.find(e => e.endsWith('.old'));
      expect(aside && snapshot(join(project, aside))).toEqual(OLD);
    } else {
      expect([step, snapshot(dist)]).toEqual([step, ['swapped', 'done'].includes(step) ? NEW : OLD]);
    }
    // Whatever the kill left (staging with the secrets manifest, the old output) is invisible to git.
    expect([step, git(project, 'status', '--porcelain', '--untracked-files=all')]).toEqual([step, '?? .gitignore\n']);
    for (const e of leftovers) expect(readdirSync(join(project, e)).length === 0 || existsSync(join(project, e, '.gitignore'))).toBe(true);
  }

  // After the kill between the renames, even a synth that fails leaves the old output.
  const failing = await run(projects[STEPS.indexOf('moved-aside')], 'dist', { DOIT_POSTGRES_VERSION: '13.9' });
  expect(failing.code).toBe(1);
  expect(failing.stderr).toMatch(/warning: a previous synth was killed while swapping in .*dist; its earlier output was put back/);
  expect(snapshot(join(projects[STEPS.indexOf('moved-aside')], 'dist'))).toEqual(OLD);

  // The next synth: the new output, and no staging left beside it.
  const next = await Promise.all(projects.map(p => run(p, 'dist', { DOIT_REPLICAS: '3' })));
  for (const [i, step] of STEPS.entries()) {
    expect([step, next[i].code, next[i].stderr]).toEqual([step, 0, '']);
    expect(snapshot(join(projects[i], 'dist'))).toEqual(NEW);
    expect([step, readdirSync(projects[i]).sort()]).toEqual([step, ['.git', '.gitignore', 'dist']]);
  }
}, 180_000);
