// npm run bench:diagram [-- --sizes 1,10,100 --runs 3]: how long `npm run diagram` takes for N
// copies of the default doit stack (distinct namespaces), by phase, plus the whole process.
// Prints numbers, asserts nothing.
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { buildDoitStack, DoitSecretValues, loadConfig, synthAtomically } from '../app';
import { toDot } from '../tools/diagram/dot';
import { readManifests } from '../tools/diagram/manifests';
import { buildModel } from '../tools/diagram/model';
import { dotToSvg, svgToPng } from '../tools/diagram/render';
import { toText } from '../tools/diagram/text';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('sizes', '1,10,100').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const secrets: DoitSecretValues = {
  postgresPassword: 'bench'.repeat(9), postgresSuperuserPassword: 'bench-su'.repeat(6), secretKeyBase: 'bench'.repeat(18), releaseCookie: 'bench'.repeat(9), registryHttpSecret: 'bench'.repeat(13), registryPassword: 'bench-registry'.repeat(3),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time<T>(f: () => Promise<T> | T): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const v = await f();
  return [Number(process.hrtime.bigint() - t) / 1e6, v];
}

(async () => {
  console.log(`npm run bench:diagram on ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; medians of ${runs} runs (the first run in this process also loads the WebAssembly modules)`);
  console.log('| stacks | objects | workloads | flows | read ms | model ms | dot ms | svg ms | png ms | text ms | png MiB | whole process ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-diagram-'));
    try {
      const configs = Array.from({ length: size }, (_, i) => loadConfig({ env: { DOIT_NAMESPACE: `doit-${i}`, DOIT_REGISTRY_NODE_PORT: String(30000 + (i % 2768)) }, cwd: tmpdir() }));
      synthAtomically(join(dir, 'dist'), a => configs.forEach((config, i) => buildDoitStack(a, { config, secrets, prefix: size > 1 ? `s${i}` : undefined })), { validate: false });
      const samples: Record<string, number[]> = { read: [], model: [], dot: [], svg: [], png: [], text: [], process: [] };
      let facts = { objects: 0, workloads: 0, flows: 0, pngBytes: 0 };
      for (let r = 0; r < runs; r++) {
        const [read, manifests] = await time(() => readManifests([join(dir, 'dist')]).map(s => s.manifest));
        const [model, m] = await time(() => buildModel(manifests));
        const [dot, d] = await time(() => toDot(m));
        const [svg, s] = await time(() => dotToSvg(d));
        const [png, p] = await time(() => svgToPng(s, 2));
        const [text] = await time(() => toText(m));
        Object.entries({ read, model, dot, svg, png, text }).forEach(([k, v]) => samples[k].push(v));
        facts = { objects: manifests.length, workloads: m.workloads.length, flows: m.flows.length, pngBytes: p.length };
        const [whole] = await time(() => execFileSync(process.execPath, ['--require', 'sucrase/register/ts', join(__dirname, '../tools/diagram/cli.ts'), join(dir, 'dist'), '--out', join(dir, 'out')], { stdio: 'pipe' }));
        samples.process.push(whole);
      }
      const ms = (k: string) => Math.round(median(samples[k]));
      console.log(`| ${size} | ${facts.objects} | ${facts.workloads} | ${facts.flows} | ${ms('read')} | ${ms('model')} | ${ms('dot')} | ${ms('svg')} | ${ms('png')} | ${ms('text')} | ${(facts.pngBytes / 2 ** 20).toFixed(1)} | ${ms('process')} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
})();
