// `npm run diagram` as users run it: a real process reading manifest files, Graphviz and resvg
// (WebAssembly) drawing them.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { stringify } from 'yaml';
import { buildModel } from '../../../tools/diagram/model';
import { formatPorts } from '../../../tools/diagram/ports';
import { Manifest } from '../../util';
import { disagreements, doitManifests, flowsInSvg, unescapeSvg } from './helpers';

const ROOT = resolve(__dirname, '../../..');
// Everything this file writes (manifests with Secrets among them) goes again afterwards.
const scratch = mkdtempSync(join(tmpdir(), 'diagram-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function diagram(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--require', 'sucrase/register/ts', join(ROOT, 'tools/diagram/cli.ts'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A directory of manifests as `npm run synth` writes them: several files, several documents each. */
function manifestDir(manifests: Manifest[]): string {
  const dir = mkdtempSync(join(scratch, 'diagram-in-'));
  const byFile = new Map<string, Manifest[]>();
  for (const m of manifests) {
    const file = m.kind === 'Namespace' || m.kind === 'StorageClass' ? 'bootstrap/00-namespaces.yaml' : m.kind === 'Secret' ? '01-secrets.yaml' : '02-stack.yaml';
    byFile.set(file, [...(byFile.get(file) ?? []), m]);
  }
  for (const [file, docs] of byFile) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), docs.map(d => stringify(d)).join('---\n'));
  }
  return dir;
}

const outDir = () => join(mkdtempSync(join(scratch, 'diagram-out-')), 'out');

describe('npm run diagram on the default doit stack', () => {
  const manifests = doitManifests();
  const input = manifestDir(manifests);
  const out = outDir();
  const run = diagram([input, '--out', out, '--title', 'test']);

  test('writes stack.svg and stack.png, and nothing else', () => {
    expect(run.stderr).toContain(`wrote ${join(out, 'stack.svg')}`);
    expect(run.status).toBe(0);
    expect(require('fs').readdirSync(out).sort()).toEqual(['stack.png', 'stack.svg']);
  });

  test('the PNG is a PNG at twice the SVG\'s size (points at 96 dpi), so 11 pt labels are 29 px high', () => {
    const png = readFileSync(join(out, 'stack.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
    const [, w, h] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(readFileSync(join(out, 'stack.svg'), 'utf8'))!;
    expect(Math.abs(width - 2 * Number(w) * 96 / 72)).toBeLessThanOrEqual(2);
    expect(Math.abs(height - 2 * Number(h) * 96 / 72)).toBeLessThanOrEqual(2);
  });

  test('the flows drawn in the SVG are the evaluator\'s, port by port', () => {
    const svg = readFileSync(join(out, 'stack.svg'), 'utf8');
    const drawn = flowsInSvg(svg);
    const model = buildModel(manifests);
    expect(drawn.map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`).sort()).toEqual(model.flows.map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`).sort());
    expect(drawn.length).toBeGreaterThan(5);
    expect(disagreements(model, drawn, manifests)).toEqual([]);
  });

  test('the SVG draws each namespace once, as a group, with its default deny stated once', () => {
    const svg = readFileSync(join(out, 'stack.svg'), 'utf8');
    expect([...svg.matchAll(/<g id="namespace\|([^"]+)" class="cluster">/g)].map(m => unescapeSvg(m[1])).sort()).toEqual(['container-registry', 'doit']);
    expect(svg.match(/ingress and egress denied by default/g)).toHaveLength(1);
    expect(svg.match(/no NetworkPolicy: every pod accepts and opens any connection/g)).toHaveLength(1);
  });

  test('a policy removed: the drawing loses exactly its flows', () => {
    const without = manifests.filter(m => !(m.kind === 'NetworkPolicy' && m.metadata.name === 'postgres-ingress'));
    const out2 = outDir();
    expect(diagram([manifestDir(without), '--out', out2, '--format', 'svg']).status).toBe(0);
    const ids = (file: string) => new Set(flowsInSvg(readFileSync(file, 'utf8')).map(f => `${f.from} → ${f.to}: ${formatPorts(f.ports)}`));
    const before = ids(join(out, 'stack.svg')), after = ids(join(out2, 'stack.svg'));
    expect([...before].filter(f => !after.has(f)).sort()).toEqual([
      'doit/CronJob/postgres-backup → doit/StatefulSet/postgres: 5432/TCP',
      'doit/Deployment/elixir → doit/StatefulSet/postgres: 5432/TCP',
    ]);
    expect([...after].filter(f => !before.has(f))).toEqual([]);
  });

  test('--format text prints the same facts and writes nothing', () => {
    const out3 = outDir();
    const r = diagram([input, '--format', 'text', '--out', out3]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('doit: Deployment elixir → doit: StatefulSet postgres: 5432/TCP');
    expect(r.stdout).toContain('every pod in doit → namespace kube-system pods k8s-app=kube-dns: 53/TCP; 53/UDP');
    expect(existsSync(out3)).toBe(false);
  });
});

describe('bad input: a clear error, exit status 1, nothing written', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a directory without manifests', () => [mkdtempSync(join(scratch, 'empty-'))], /^diagram: no manifests \(\*\.yaml, \*\.yml, \*\.json\) in .*empty-.*Run `npm run synth` first/],
    ['a path that does not exist', () => [join(scratch, 'nowhere')], /^diagram: .*nowhere: no such file or directory/],
    ['invalid YAML', () => {
      const dir = mkdtempSync(join(scratch, 'bad-'));
      writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\nkind: [unclosed\n');
      return [dir];
    }, /^diagram: \/.*a\.yaml:7:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n$/],
    ['a document in a file of manifests that is not a Kubernetes object', () => {
      const dir = mkdtempSync(join(scratch, 'notk8s-'));
      writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nreplicas: 3\n');
      return [dir];
    }, /^diagram: .*app\.yaml: document 2 is not a Kubernetes object \(it needs apiVersion, kind and metadata\.name\)\./],
    ['only files without Kubernetes objects (cdk8s metadata, values)', () => {
      const dir = mkdtempSync(join(scratch, 'nok8s-'));
      writeFileSync(join(dir, 'construct-metadata.json'), '{"version": "1.0.0", "resources": {}}');
      writeFileSync(join(dir, 'values.yaml'), 'replicas: 3\n');
      return [dir];
    }, /^note: skipped .*construct-metadata\.json: no Kubernetes object in it\nnote: skipped .*values\.yaml: no Kubernetes object in it\ndiagram: no Kubernetes objects in .*construct-metadata\.json, .*values\.yaml\.\n$/],
  ];
  test.each(cases)('%s', (_, input, message) => {
    const out = outDir();
    const r = diagram([...input(), '--out', out]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  test('SVG or PNG without the packages that draw them: which to install, or --format text', async () => {
    const { importModule, MissingRendererError } = await import('../../../tools/diagram/render');
    const error = await importModule('@microk8s-phoenix/no-such-renderer', 'SVG').catch(e => e);
    expect(error).toBeInstanceOf(MissingRendererError);
    expect(error.message).toBe('drawing SVG needs @hpcc-js/wasm-graphviz@1.29.2, @resvg/resvg-wasm@2.6.2, dejavu-fonts-ttf@2.37.3: '
      + '`npm install --save-dev @hpcc-js/wasm-graphviz@1.29.2 @resvg/resvg-wasm@2.6.2 dejavu-fonts-ttf@2.37.3`, or use --format text');
  });

  test('an unknown format is a usage error (status 2) naming the accepted ones', () => {
    const r = diagram(['--format', 'svg,jpeg']);
    expect(r.stderr).toContain('diagram: --format jpeg: accepted formats are svg, png, text, dot');
    expect(r.status).toBe(2);
  });
});
