// npm run mutate [-- [--force] [TARGET ...]]
// npm run mutate -- --gate [--force]
// Mutation testing of the library with Stryker (stryker.config.mjs) and the in-process jest
// suites (test/mutation/jest.config.js). TARGET is a folder or a .ts file under lib/ (default
// lib/, the whole library). Runs are incremental: results of mutants whose code and covering
// tests did not change are reused from the last run of the same targets (--force runs all).
// Prints the score per file.
// --gate mutates the gated folders (test/mutation/score.ts) and fails (exit 1) below their
// thresholds. It starts from the committed results of the last gated run
// (test/mutation/gate-baseline.json.gz), so only what changed since is tested again, and outside
// CI writes the new results back there: commit that file with the change.
// The HTML report is reports/mutation/index.html, the JSON one reports/mutation/mutation.json;
// incremental state is kept in $MUTATION_STATE_DIR (default reports/mutation/).
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { gunzipSync, gzipSync } from 'zlib';
import { join, relative, resolve } from 'path';
import { checkGate, GATE, GATED_FOLDERS, MutationReport, scoresByFile } from '../test/mutation/score';

const ROOT = resolve(__dirname, '..');
const REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json');
const GATE_BASELINE = join(ROOT, 'test', 'mutation', 'gate-baseline.json.gz');

function usage(message: string): never {
  console.error(`${message}\nusage: npm run mutate -- [--gate] [--force] [lib/FOLDER|lib/FILE.ts ...]`);
  process.exit(2);
}

/** Stryker `mutate` patterns for a folder or file under lib/ (index.ts only re-exports). */
export function mutatePatterns(target: string): string[] {
  const rel = relative(ROOT, resolve(ROOT, target)).replace(/\\/g, '/');
  if (rel !== 'lib' && !rel.startsWith('lib/')) usage(`${target}: not under lib/`);
  if (!existsSync(join(ROOT, rel))) usage(`${target}: no such file or folder`);
  if (statSync(join(ROOT, rel)).isDirectory()) return [`${rel}/**/*.ts`, `!${rel}/**/index.ts`];
  if (!rel.endsWith('.ts')) usage(`${target}: not a .ts file`);
  return [rel];
}

/** One incremental file per set of targets: a run of other targets would drop their results. */
function incrementalFile(targets: string[]): string {
  const dir = process.env.MUTATION_STATE_DIR ? resolve(process.env.MUTATION_STATE_DIR) : join(ROOT, 'reports', 'mutation');
  mkdirSync(dir, { recursive: true });
  const key = [...targets].sort().join(',');
  const slug = key.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60);
  return join(dir, `incremental-${slug}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}.json`);
}

/** Full test names and duration per test file (for test/mutation/jest-runner.js), from a plain jest run. */
function recordTestNames(file: string): void {
  const tmp = mkdtempSync(join(tmpdir(), 'mutate-'));
  try {
    const out = join(tmp, 'jest.json');
    const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'test/mutation/jest.config.js', '--rootDir', '.',
      '--silent', '--json', '--outputFile', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      throw new Error('the in-process test suites fail without mutants: fix them first');
    }
    const results = JSON.parse(readFileSync(out, 'utf8')).testResults as Array<{ name: string; startTime: number; endTime: number; assertionResults: Array<{ fullName: string }> }>;
    writeFileSync(file, JSON.stringify(Object.fromEntries(results.map(t =>
      [relative(ROOT, t.name).replace(/\\/g, '/'), { names: t.assertionResults.map(a => a.fullName), ms: t.endTime - t.startTime }]))));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function printScores(report: MutationReport): void {
  const rows = [...scoresByFile(report)].map(([file, s]) =>
    `${(s.score === undefined ? 'n/a' : s.score.toFixed(1)).padStart(6)}  ${String(s.detected).padStart(5)} ${String(s.undetected).padStart(5)} ${String(s.invalid).padStart(5)}  ${file}`);
  console.log(['score%  killed alive error  file', ...rows].join('\n'));
}

function main(argv: string[]): void {
  const flags = new Set(argv.filter(a => a.startsWith('--')));
  for (const f of flags) if (f !== '--gate' && f !== '--force') usage(`unknown option ${f}`);
  const gate = flags.has('--gate');
  const targets = argv.filter(a => !a.startsWith('--'));
  if (gate && targets.length > 0) usage('--gate mutates the gated folders: give no targets');
  if (targets.length === 0) targets.push(...(gate ? GATED_FOLDERS.map(f => f.replace(/\/$/, '')) : ['lib']));
  const patterns = targets.flatMap(mutatePatterns);
  const incremental = incrementalFile(targets.map(t => relative(ROOT, resolve(ROOT, t))));
  const names = `${incremental.replace(/\.json$/, '')}.test-names.json`;

  const started = Date.now();
  if (gate && existsSync(GATE_BASELINE) && !flags.has('--force')) writeFileSync(incremental, gunzipSync(readFileSync(GATE_BASELINE)));
  recordTestNames(names);
  rmSync(REPORT, { force: true });
  const stryker = spawnSync(join(ROOT, 'node_modules', '.bin', 'stryker'), ['run', 'stryker.config.mjs',
    '--mutate', patterns.join(','), '--incremental', '--incrementalFile', incremental, ...(flags.has('--force') ? ['--force'] : [])],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MUTATION_TEST_NAMES: names } });
  if (stryker.status !== 0 || !existsSync(REPORT)) {
    console.error(`mutate: stryker failed (exit ${stryker.status ?? stryker.signal})`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as MutationReport;
  printScores(report);
  console.log(`mutate: ${Math.round((Date.now() - started) / 1000)} s; reports/mutation/index.html, reports/mutation/mutation.json`);
  if (!gate) return;
  if (process.env.CI !== 'true') {
    writeFileSync(GATE_BASELINE, gzipSync(readFileSync(incremental), { level: 9 }));
    console.log(`mutate: results saved to ${relative(ROOT, GATE_BASELINE)}: commit it with the change`);
  }
  const results = checkGate(report, GATE);
  for (const r of results) {
    const bar = r.minimum < r.target ? `floor ${r.minimum}%, below the target ${r.target}% (BELOW_TARGET)` : `minimum ${r.minimum}%`;
    console.log(`gate ${r.ok ? 'ok  ' : 'FAIL'} ${r.subject}: ${r.score === undefined ? 'no mutants' : `${r.score.toFixed(1)}%`} (${bar})`);
  }
  if (results.some(r => !r.ok)) process.exit(1);
}

if (require.main === module) main(process.argv.slice(2));
