// npm run bench [-- --runs 5 --sizes 1,10,100,1000 --write-readme]
// Prints numbers, asserts nothing. Measures:
//  1. whole-process wall time of synth through the real cdk8s CLI (default stack), against the
//     floor `node -e "require('cdk8s-plus-27')"` and a bare `cdk8s init`-style app (one
//     Deployment, `npx ts-node main.ts`) synthesized by the same CLI; median after a warm-up;
//  2. in-process synth of 1..1000 copies of the full stack, validation off and on, each in a
//     fresh process (time per stack shows linear vs worse; peak RSS shows memory growth).
import { execFileSync, spawnSync } from 'child_process';
import { cpus, tmpdir, totalmem } from 'os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('runs', '5'));
const sizes = arg('sizes', '1,10,100,1000').split(',').map(Number);
const tmp = mkdtempSync(join(tmpdir(), 'bench-'));
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');

function wall(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, stdio: 'pipe' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timed(label: string, f: () => number): number {
  f(); // warm-up (disk cache, npx resolution)
  const xs = Array.from({ length: runs }, f);
  const m = median(xs);
  console.log(`${label.padEnd(46)} median ${m.toFixed(0).padStart(6)} ms   (runs: ${xs.map(x => x.toFixed(0)).join(', ')})`);
  return m;
}

const synthEnv = { DOIT_OUTDIR: join(tmp, 'dist'), DOIT_SECRETS_FILE: join(tmp, 'secrets.json') };
let n = 0;
console.log(`# machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
console.log('## whole process, through the cdk8s CLI');
const floor = timed('floor: node -e "require(\'cdk8s-plus-27\')"', () => wall(process.execPath, ['-e', "require('cdk8s-plus-27')"]));
const bare = timed('bare app: cdk8s synth (npx ts-node main.ts)', () => wall(cdk8s, ['synth', '--no-check-upgrade', '-o', join(tmp, `bare-${n++}`)], { cwd: join(root, 'bench', 'bare-app') }));
const ours = timed('doit stack: cdk8s synth', () => wall(cdk8s, ['synth', '--no-check-upgrade', '-o', join(tmp, `cli-${n++}`)], { env: synthEnv }));
const bareNpm = timed('bare app: npm run synth', () => wall('npm', ['run', 'synth', '--silent', '--', '-o', join(tmp, `bare-npm-${n++}`)], { cwd: join(root, 'bench', 'bare-app') }));
const viaNpm = timed('doit stack: npm run synth', () => wall('npm', ['run', 'synth', '--silent', '--', '-o', join(tmp, `npm-${n++}`)], { env: synthEnv }));
console.log(`ratio doit/bare: cdk8s synth ${(ours / bare).toFixed(2)}, npm run synth ${(viaNpm / bareNpm).toFixed(2)}   doit/floor: ${(ours / floor).toFixed(2)}\n`);

console.log('## in process: N copies of the full stack in one App');
const rows: string[] = [];
const inProcess = (size: number, v: string, repeat = 1) => JSON.parse(execFileSync(process.execPath,
  ['--require', 'sucrase/register/ts', join(__dirname, 'bench-inprocess.ts'), String(size), v, String(repeat)], { cwd: root, encoding: 'utf8' }));
const row = (label: string, off: any, on: any) => `| ${label} | ${off.objects} | ${off.ms.toFixed(0)} | ${off.msPerStack.toFixed(1)} | ${on.ms.toFixed(0)} | ${on.msPerStack.toFixed(1)} | ${((on.ms / off.ms - 1) * 100).toFixed(0)}% | ${off.maxRssMiB.toFixed(0)} / ${on.maxRssMiB.toFixed(0)} |`;
for (const size of sizes) {
  const measure = (v: string) => {
    const results = Array.from({ length: size >= 1000 ? 1 : 3 }, () => inProcess(size, v));
    return results.sort((a, b) => a.ms - b.ms)[Math.floor(results.length / 2)];
  };
  rows.push(row(String(size), measure('off'), measure('on')));
  console.log(rows[rows.length - 1]);
}
// Steady state (modules loaded): comparing two processes' medians is too noisy at ~10 ms, so
// validation is also measured alone, in the same process as the synth it is compared with.
const warmOff = inProcess(1, 'off', 101);
const warmOn = inProcess(1, 'on', 101);
const validationShare = `warm, validation alone takes ${warmOn.validationOnlyMs.toFixed(2)} ms of the ${warmOff.ms.toFixed(1)} ms synth of one stack (${(warmOn.validationOnlyMs / warmOff.ms * 100).toFixed(0)}%)`;
console.log(validationShare);
rmSync(tmp, { recursive: true, force: true });

const table = [
  `Measured by \`npm run bench\` on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version} (${new Date().toISOString().slice(0, 10)}); medians, ${runs} runs after a warm-up.`,
  '',
  '| whole process | median ms |',
  '|---|---|',
  `| floor: \`node -e "require('cdk8s-plus-27')"\` | ${floor.toFixed(0)} |`,
  `| bare \`cdk8s init\`-style app, one Deployment, \`npx ts-node main.ts\`, via \`cdk8s synth\` | ${bare.toFixed(0)} |`,
  `| doit stack via \`cdk8s synth\` (compiled app when current, in-process validation, plugin receipt) | ${ours.toFixed(0)} (ratio to bare ${(ours / bare).toFixed(2)}) |`,
  `| bare app via \`npm run synth\` | ${bareNpm.toFixed(0)} |`,
  `| doit stack via \`npm run synth\` | ${viaNpm.toFixed(0)} (ratio to bare via npm ${(viaNpm / bareNpm).toFixed(2)}) |`,
  '',
  '| stacks | objects | synth ms, validation off | ms / stack | synth ms, validation on | ms / stack | validation adds | peak RSS MiB (off / on) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Measured directly, ${validationShare}; the difference between the two columns above also holds the one-time loading of about 20 compiled schema modules (~45 ms) and run-to-run noise.`,
].join('\n');
if (process.argv.includes('--write-readme')) {
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const updated = text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`);
  writeFileSync(readme, updated);
  console.log('\nREADME.md updated');
}
