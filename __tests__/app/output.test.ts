import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { synthAtomically, ValidationFailedError } from '../../app/output';
import { readReceipt } from '../../lib/validation/receipt';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'out-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cm = (chart: Chart, name: string) => new ApiObject(chart, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

describe('synthAtomically', () => {
  test('charts in creation order, objects in dependency order, same YAML as cdk8s', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => {
      const chart = new Chart(app, '00-first');
      const b = cm(chart, 'b');
      const a = cm(chart, 'a');
      b.addDependency(a);
      cm(new Chart(app, '01-second'), 'c');
    }, { validate: false });
    expect(readdirSync(out)).toEqual(['.synth-output', '00-first.k8s.yaml', '01-second.k8s.yaml']);
    expect(readFileSync(join(out, '00-first.k8s.yaml'), 'utf8')).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
  });

  test('a chart without objects writes no file', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => { new Chart(app, 'empty'); cm(new Chart(app, 'one'), 'a'); }, { validate: false });
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
  });

  test('writes the charts and removes files of charts that are gone', () => {
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'stale.k8s.yaml'), 'kind: ConfigMap\n');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']); // no staging left behind
  });

  test('a failing build leaves the previous output byte-identical and no staging dir', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    const before = readFileSync(join(out, 'one.k8s.yaml'), 'utf8');
    expect(() => synthAtomically(out, app => {
      cm(new Chart(app, 'two'), 'b');
      throw new Error('bad prop');
    })).toThrow('bad prop');
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
    expect(readFileSync(join(out, 'one.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('validation errors stop the write: the report is the error, the previous output stays', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    const before = readFileSync(join(out, 'one.k8s.yaml'), 'utf8');
    let error: unknown;
    try {
      synthAtomically(out, app => new ApiObject(new Chart(app, 'one'), 'svc', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'x' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
      }));
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as Error).message).toMatch(/ERROR \[service-selector\] Service\/x\/web[\s\S]*Nothing was written/);
    expect(readFileSync(join(out, 'one.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('mirrors into the CLI directory and makes secret files private', () => {
    const out = join(dir, 'dist');
    const mirror = join(dir, 'cli');
    synthAtomically(out, app => cm(new Chart(app, 'my-secrets'), 'a'), { mirrorTo: mirror, validate: false });
    expect(readdirSync(mirror).sort()).toEqual(['.validation-declarations', 'construct-metadata.json', 'my-secrets.k8s.yaml']);
    expect(JSON.parse(readFileSync(join(mirror, 'construct-metadata.json'), 'utf8')).resources.a.path).toBe('my-secrets/a');
    // dist/ holds only manifests: kubectl apply -f dist/ would fail on the metadata JSON
    expect(readdirSync(out)).toEqual(['.synth-output', 'my-secrets.k8s.yaml']);
    expect(statSync(join(out, 'my-secrets.k8s.yaml')).mode & 0o777).toBe(0o600);
  });

  test('Secrets stay out of the CLI mirror (cdk8s synth --stdout prints it) unless mirrorSecrets; the receipt still matches', () => {
    const out = join(dir, 'dist');
    const mirror = join(dir, 'cli');
    const build = (app: App) => {
      const chart = new Chart(app, '01-secrets');
      new ApiObject(chart, 's', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' }, stringData: { password: 'hunter2-hunter2-hunter2' } });
      cm(chart, 'also-here');
      new ApiObject(new Chart(app, '02-only-secrets'), 't', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't', namespace: 'x' }, stringData: { token: 'tok-tok-tok-tok' } });
      cm(new Chart(app, '03-app'), 'a');
    };
    synthAtomically(out, build, { mirrorTo: mirror, pruneAllowlist: 'prune-allowlist.txt' });
    expect(readdirSync(mirror).sort()).toEqual(['.validation-declarations', '01-secrets.k8s.yaml', '03-app.k8s.yaml', 'construct-metadata.json', 'prune-allowlist.txt', 'validation-receipt.json']);
    const mirrored = readdirSync(mirror).map(f => readFileSync(join(mirror, f), 'utf8')).join('\n');
    expect(mirrored).not.toMatch(/hunter2|tok-tok|kind: Secret/);
    expect(readFileSync(join(mirror, '01-secrets.k8s.yaml'), 'utf8')).toContain('name: also-here');
    // dist/ has everything; the CLI's validation plugin accepts the receipt for the mirrored manifests
    expect(readFileSync(join(out, '01-secrets.k8s.yaml'), 'utf8')).toContain('hunter2');
    expect(readFileSync(join(out, '02-only-secrets.k8s.yaml'), 'utf8')).toContain('tok-tok');
    expect(readReceipt(['01-secrets.k8s.yaml', '03-app.k8s.yaml'].map(f => join(mirror, f)))?.objectCount).toBe(4);

    rmSync(mirror, { recursive: true });
    synthAtomically(out, build, { mirrorTo: mirror, mirrorSecrets: true });
    expect(readFileSync(join(mirror, '01-secrets.k8s.yaml'), 'utf8')).toContain('hunter2');
    expect(readFileSync(join(mirror, '02-only-secrets.k8s.yaml'), 'utf8')).toContain('tok-tok');
  });

  test('a failure inside synth (construct validation) also leaves nothing', () => {
    const out = join(dir, 'dist');
    expect(() => synthAtomically(out, app => {
      const chart = new Chart(app, 'one');
      chart.node.addValidation({ validate: () => ['broken'] });
    })).toThrow(/broken/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('synthAtomically: changes kubectl apply cannot make', () => {
  const sts = (chart: Chart, storage: string, className = 'fast') => new ApiObject(chart, 'sts', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ns' },
    spec: {
      serviceName: 'db', selector: { matchLabels: { app: 'db' } }, replicas: 1,
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:17.6' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: className, resources: { requests: { storage } } } }],
    },
  });
  const pvc = (chart: Chart, storage: string) => new ApiObject(chart, 'pvc', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'backups', namespace: 'ns' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  const write = (out: string, storage: string, extra: object = {}, replicas = 1) => synthAtomically(out, app => {
    sts(new Chart(app, 'db'), storage).addJsonPatch(JsonPatch.replace('/spec/replicas', replicas));
  }, { validate: false, ...extra });

  test('a StatefulSet claim template change is refused with the procedure; the previous output stays byte-identical', () => {
    const out = join(dir, 'dist');
    write(out, '5Gi');
    const before = readFileSync(join(out, 'db.k8s.yaml'), 'utf8');
    let error: Error | undefined;
    try { write(out, '10Gi'); } catch (e) { error = e as Error; }
    expect(error?.name).toBe('ImmutableChangeError');
    expect(error?.message).toContain('StatefulSet/ns/db (db.k8s.yaml): spec.volumeClaimTemplates[data]: storage 5Gi → 10Gi');
    expect(error?.message).toContain('kubectl -n ns delete statefulset db --cascade=orphan');
    expect(error?.message).toContain('DOIT_ACCEPT_REPLACEMENT=StatefulSet/ns/db');
    expect(readFileSync(join(out, 'db.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('mutable changes (replicas) pass; an accepted replacement is written; a first synth has nothing to compare', () => {
    const out = join(dir, 'dist');
    write(out, '5Gi');
    write(out, '5Gi', {}, 3);
    write(out, '10Gi', { acceptReplacement: ['StatefulSet/ns/db'] });
    expect(readFileSync(join(out, 'db.k8s.yaml'), 'utf8')).toContain('storage: 10Gi');
    write(out, '20Gi', { acceptReplacement: ['all'] });
    expect(readFileSync(join(out, 'db.k8s.yaml'), 'utf8')).toContain('storage: 20Gi');
  });

  test('claim size, class and selector changes are each detected', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => { const c = new Chart(app, 'c'); pvc(c, '10Gi'); sts(c, '5Gi', 'fast'); }, { validate: false });
    expect(() => synthAtomically(out, app => { const c = new Chart(app, 'c'); pvc(c, '20Gi'); sts(c, '5Gi', 'fast'); }, { validate: false }))
      .toThrow(/PersistentVolumeClaim\/ns\/backups \(c.k8s.yaml\): spec.resources.requests.storage: 10Gi → 20Gi/);
    expect(() => synthAtomically(out, app => { const c = new Chart(app, 'c'); pvc(c, '10Gi'); sts(c, '5Gi', 'slow'); }, { validate: false }))
      .toThrow(/storageClassName fast → slow/);
    expect(() => synthAtomically(out, app => {
      const c = new Chart(app, 'c'); pvc(c, '10Gi');
      sts(c, '5Gi', 'fast').addJsonPatch(JsonPatch.replace('/spec/selector/matchLabels/app', 'other'));
    }, { validate: false })).toThrow(/spec.selector/);
  });
});

describe('synthAtomically: prune allowlist', () => {
  test('lists the kinds of the top-level files, keeps kinds of the previous list, never data-holding kinds', () => {
    const out = join(dir, 'dist');
    const opts = { validate: false, pruneAllowlist: 'prune-allowlist.txt', fileFor: (c: Chart) => (c.node.id === 'boot' ? `bootstrap/${c.node.id}.k8s.yaml` : `${c.node.id}.k8s.yaml`) };
    synthAtomically(out, app => {
      const boot = new Chart(app, 'boot');
      new ApiObject(boot, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
      new ApiObject(boot, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } });
      const c = new Chart(app, 'app');
      cm(c, 'a');
      new ApiObject(c, 'cj', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'b' } });
      new ApiObject(c, 'claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' } });
    }, opts);
    expect(readFileSync(join(out, 'prune-allowlist.txt'), 'utf8')).toBe('--prune-allowlist=batch/v1/CronJob\n--prune-allowlist=core/v1/ConfigMap\n');
    // The CronJob leaves the output: its kind stays listed, so prune can still delete the old one.
    synthAtomically(out, app => cm(new Chart(app, 'app'), 'a'), opts);
    expect(readFileSync(join(out, 'prune-allowlist.txt'), 'utf8')).toBe('--prune-allowlist=batch/v1/CronJob\n--prune-allowlist=core/v1/ConfigMap\n');
    writeFileSync(join(out, 'prune-allowlist.txt'), '--prune-allowlist=core/v1/Namespace\n--prune-allowlist=core/v1/PersistentVolumeClaim\nrm -rf /\n');
    synthAtomically(out, app => cm(new Chart(app, 'app'), 'a'), opts);
    expect(readFileSync(join(out, 'prune-allowlist.txt'), 'utf8')).toBe('--prune-allowlist=core/v1/ConfigMap\n');
  });
});

describe('synthAtomically: only ever replaces its own output directory', () => {
  const one = (app: App) => cm(new Chart(app, 'one'), 'a');
  const snapshot = (d: string): string[] => readdirSync(d, { recursive: true }).map(String).sort();
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });

  test.each([
    ['the working directory', (p: string) => p, /it is the working directory/],
    ['an ancestor of the working directory', (p: string) => join(p, '..'), /it is an ancestor of the working directory/],
    ['a source folder of the project', (p: string) => join(p, 'lib'), /not written by synth \(no .synth-output marker\) and holds other files \(index.ts\)/],
    ['a file', (p: string) => join(p, 'README.md'), /it is a file, not a directory/],
  ])('refuses %s, touching nothing', (_what, pick, message) => {
    const project = join(dir, 'outer', 'project');
    mkdirSync(join(project, 'lib'), { recursive: true });
    writeFileSync(join(project, 'README.md'), '# mine\n');
    writeFileSync(join(project, 'lib', 'index.ts'), 'export {};\n');
    const before = snapshot(join(dir, 'outer'));
    const cwd = process.cwd();
    process.chdir(project);
    try {
      expect(() => synthAtomically(pick(project), one, { validate: false })).toThrow(message);
    } finally {
      process.chdir(cwd);
    }
    expect(snapshot(join(dir, 'outer'))).toEqual(before);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# mine\n');
  });

  test('refuses a directory with tracked files', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'manifests'), { recursive: true });
    writeFileSync(join(repo, 'manifests', 'app.k8s.yaml'), 'kind: ConfigMap\n');
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'x');
    expect(() => synthAtomically(join(repo, 'manifests'), one, { validate: false })).toThrow(/git tracks files in it \(app.k8s.yaml\)/);
    expect(readFileSync(join(repo, 'manifests', 'app.k8s.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('replaces its own output (marker) and an output written before the marker existed', () => {
    const out = join(dir, 'dist');
    mkdirSync(join(out, 'bootstrap'), { recursive: true });
    writeFileSync(join(out, '01-old.k8s.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(out, 'bootstrap', '00-namespaces.k8s.yaml'), 'kind: Namespace\n');
    synthAtomically(out, one, { validate: false });
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
    synthAtomically(out, one, { validate: false });
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
  });

  test('removes staging directories a killed synth left (ours only), which git ignores', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, one, { validate: false });
    mkdirSync(join(dir, '.dist.staging-killed'));
    writeFileSync(join(dir, '.dist.staging-killed', '.synth-output'), '');
    mkdirSync(join(dir, '.dist.staging-not-ours'));
    synthAtomically(out, one, { validate: false });
    expect(readdirSync(dir).sort()).toEqual(['.dist.staging-not-ours', 'dist']);
  });

  test('leaves the staging of a synth still running (its pid is in the name)', () => {
    const out = join(dir, 'dist');
    const running = join(dir, '.dist.staging-1-abcdef'); // pid 1 always runs
    mkdirSync(running);
    writeFileSync(join(running, '.synth-output'), '');
    synthAtomically(out, one, { validate: false });
    expect(readdirSync(dir).sort()).toEqual(['.dist.staging-1-abcdef', 'dist']);
  });

  test('a synth killed between the renames of the swap: the next one puts the old output back first, even when it fails', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, one, { validate: false });
    const aside = join(dir, '.dist.staging-999999999-xyz.old');
    renameSync(out, aside); // the state a kill after the first rename leaves
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(() => synthAtomically(out, () => { throw new Error('bad prop'); })).toThrow('bad prop');
      expect(warn.mock.calls[0][0]).toMatch(/a previous synth was killed while swapping in .*dist; its earlier output was put back from .*\.dist\.staging-999999999-xyz\.old/);
    } finally {
      warn.mockRestore();
    }
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']);
  });
});

// chattr +i makes a file or directory undeletable even for root (ext4 and most local filesystems).
const chattrWorks = (() => {
  const probe = join(tmpdir(), `chattr-probe-${process.pid}`);
  writeFileSync(probe, '');
  const ok = spawnSync('chattr', ['+i', probe]).status === 0;
  spawnSync('chattr', ['-i', probe]);
  rmSync(probe, { force: true });
  return ok;
})();
(chattrWorks ? describe : describe.skip)('synthAtomically: the swap is all-or-nothing', () => {
  const one = (app: App) => cm(new Chart(app, 'one'), 'a');
  const two = (app: App) => cm(new Chart(app, 'two'), 'b');
  afterEach(() => { spawnSync('chattr', ['-R', '-i', dir]); });

  test('old output that cannot be moved aside: it stays exactly as it was, the error says why, no staging left', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, one, { validate: false });
    execFileSync('chattr', ['+i', out]);
    expect(() => synthAtomically(out, two, { validate: false })).toThrow(/its old contents cannot be deleted \(no write permission on .*dist\)/);
    expect(readdirSync(out)).toEqual(['.synth-output', 'one.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('old output that cannot be deleted after the swap: the new one is in place, a warning names the git-ignored leftover', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => { cm(new Chart(app, 'one'), 'a'); cm(new Chart(app, 'db-secrets'), 's'); }, { validate: false });
    execFileSync('chattr', ['+i', join(out, 'db-secrets.k8s.yaml')]);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      synthAtomically(out, two, { validate: false });
      expect(readdirSync(out)).toEqual(['.synth-output', 'two.k8s.yaml']);
      const leftover = readdirSync(dir).find(e => e.endsWith('.old'))!;
      expect(warn.mock.calls[0][0]).toMatch(new RegExp(`new output is in place.*could not be removed from .*${leftover}.*git-ignored`));
      // The leftover holds the old secrets file, and git would not pick it up.
      expect(readdirSync(join(dir, leftover))).toContain('db-secrets.k8s.yaml');
      execFileSync('git', ['init', '-q'], { cwd: dir });
      expect(spawnSync('git', ['check-ignore', '-q', join(leftover, 'db-secrets.k8s.yaml')], { cwd: dir }).status).toBe(0);
      expect(spawnSync('git', ['check-ignore', '-q', join('dist', 'two.k8s.yaml')], { cwd: dir }).status).toBe(1);
    } finally {
      warn.mockRestore();
    }
  });
});
