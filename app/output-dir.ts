import { spawnSync } from 'child_process';
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { basename, dirname, join, relative, resolve, sep } from 'path';

/**
 * The output directory synth replaces as a whole. Only a directory this code wrote (it holds
 * the marker file) or one that does not exist yet is ever replaced, so a mistyped DOIT_OUTDIR
 * (`.`, `lib`, `README.md`, `..`) can never delete a project. The new output is staged beside
 * it and swapped in with two renames; the staging directory is git-ignored from its first
 * byte, so whatever a failure or a kill leaves behind never lands in a commit. A kill leaves
 * the old output or the complete new one, except between the two renames (microseconds; Node
 * has no atomic directory exchange), where the output directory is briefly absent, never
 * partial: the next synth first puts the old one back (`recoverInterruptedSwap`) and removes
 * stale staging. `__tests__/charts/kill.test.ts` kills a real synth at every step.
 */

/** Marker file in every output directory we write. */
export const OUTPUT_MARKER = '.synth-output';
const MARKER_TEXT = 'Written by microk8s-phoenix synth: this whole directory is replaced on every synth. Do not keep files here.\n';
/** Files of an output directory written before the marker existed (accepted as ours). */
const LEGACY_ENTRY = /^(.*\.k8s\.yaml|bootstrap|prune-allowlist\.txt|construct-metadata\.json|\.validation-declarations)$/;

/** The output directory cannot be used; nothing was touched. */
export class OutputDirError extends Error {
  constructor(target: string, reason: string) {
    super(`Refusing to write the output to ${target}: ${reason}. Nothing was touched; choose an output directory of its own (the default is dist/).`);
    this.name = 'OutputDirError';
  }
}

/**
 * Throws unless `target` may be replaced: it does not exist, or it is a directory we wrote,
 * without files git tracks, that is neither the working directory (the project root, where
 * `npm run synth` runs) nor one of its ancestors, and whose old contents can be deleted.
 */
export function checkReplaceable(target: string, cwd = process.cwd()): void {
  const abs = resolve(target);
  // The project (npm run synth runs in its root) and everything above it.
  const here = resolve(cwd);
  if (abs === here || here.startsWith(abs.endsWith(sep) ? abs : abs + sep)) {
    throw new OutputDirError(target, `it is ${abs === here ? '' : 'an ancestor of '}the working directory ${here}`);
  }
  if (!existsSync(abs)) return;
  const st = lstatSync(abs);
  if (st.isSymbolicLink()) throw new OutputDirError(target, 'it is a symbolic link');
  if (!st.isDirectory()) throw new OutputDirError(target, 'it is a file, not a directory');
  const entries = readdirSync(abs);
  if (!entries.includes(OUTPUT_MARKER) && !entries.every(e => LEGACY_ENTRY.test(e))) {
    const foreign = entries.filter(e => !LEGACY_ENTRY.test(e)).slice(0, 3);
    throw new OutputDirError(target, `it was not written by synth (no ${OUTPUT_MARKER} marker) and holds other files (${foreign.join(', ')})`);
  }
  const tracked = trackedFiles(abs);
  if (tracked.length > 0) throw new OutputDirError(target, `git tracks files in it (${tracked.slice(0, 3).join(', ')})`);
  const undeletable = firstUndeletable(abs);
  if (undeletable) throw new OutputDirError(target, `its old contents cannot be deleted (no write permission on ${undeletable})`);
}

/**
 * A synth killed between the two renames of `swapIn` leaves no `target`, its previous output
 * in the git-ignored `<staging>.old` beside it. Put that back (the newest, if several) before
 * anything else looks at `target`, so a failing synth afterwards still leaves the old output.
 * Returns the directory restored, if any.
 */
export function recoverInterruptedSwap(target: string): string | undefined {
  const abs = resolve(target);
  if (existsSync(abs)) return undefined;
  const parent = dirname(abs);
  const olds = stagingEntries(abs).filter(e => e.endsWith('.old') && existsSync(join(parent, e, OUTPUT_MARKER)))
    .map(e => join(parent, e))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (olds.length === 0) return undefined;
  renameSync(olds[0], abs);
  try { unlinkSync(join(abs, '.gitignore')); } catch { /* it stays git-ignored then */ }
  return olds[0];
}

/**
 * A new, git-ignored staging directory beside `target` (same filesystem, so the swap is a
 * rename), after removing stale ones: ours by name and marker, of a synth no longer running.
 * The name carries the pid, so a concurrent synth's staging is left alone.
 */
export function createStaging(target: string): string {
  const abs = resolve(target);
  const parent = dirname(abs);
  for (const e of stagingEntries(abs)) {
    if (existsSync(join(parent, e, OUTPUT_MARKER))) rmSync(join(parent, e), { recursive: true, force: true });
  }
  const staging = mkdtempSync(join(parent, `${stagingPrefix(abs)}${process.pid}-`));
  // Ignored before any byte of output lands in it (an empty directory never shows in git).
  markIgnored(staging);
  writeFileSync(join(staging, OUTPUT_MARKER), MARKER_TEXT);
  return staging;
}

/** Whether `path` lies in a directory synth replaces or deletes for output `target`. */
export function replacedBySynth(path: string, target: string): string | undefined {
  const abs = resolve(target);
  const p = resolve(path);
  const within = (dir: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  if (within(abs)) return abs;
  const rel = relative(dirname(abs), p);
  const first = rel.split(sep)[0];
  if (!rel.startsWith('..') && rel !== first && first.startsWith(stagingPrefix(abs))) return join(dirname(abs), first);
  return undefined;
}

function stagingPrefix(abs: string): string {
  return `.${basename(abs)}.staging-`;
}

/** Staging (and `.old`) directories beside `abs` whose synth is no longer running. */
function stagingEntries(abs: string): string[] {
  const parent = dirname(abs);
  const prefix = stagingPrefix(abs);
  if (!existsSync(parent)) return [];
  return readdirSync(parent).filter(e => {
    if (!e.startsWith(prefix)) return false;
    const pid = Number(/^(\d+)-/.exec(e.slice(prefix.length))?.[1]);
    return !(pid > 0 && pid !== process.pid && running(pid));
  });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Test hook: with DOIT_TEST_KILL_AT=<step> the process SIGKILLs itself at that step of the
 * write (staged, writing, written, moved-aside, swapped, done), which is how the tests prove
 * that a synth killed anywhere leaves the old or the new output and nothing un-ignored.
 */
export function synthStep(step: 'staged' | 'writing' | 'written' | 'moved-aside' | 'swapped' | 'done'): void {
  // Only under jest (NODE_ENV=test, inherited by the synth the kill test spawns).
  if (process.env.NODE_ENV === 'test' && process.env.DOIT_TEST_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Puts `staging` in place of `target`. Either the old output stays (the first rename failed:
 * the error is thrown) or the new one is fully in place; a leftover old directory that cannot
 * be removed is reported through `warn`, and is git-ignored.
 */
export function swapIn(staging: string, target: string, warn: (message: string) => void = m => console.warn(m)): void {
  const abs = resolve(target);
  const old = `${staging}.old`;
  let hadOld = false;
  if (existsSync(abs)) {
    try { markIgnored(abs); } catch { /* checked deletable before; ignore-file is best effort */ }
    renameSync(abs, old);
    hadOld = true;
    // Killed here: no target until the next synth puts `old` back (recoverInterruptedSwap).
    synthStep('moved-aside');
  }
  try {
    renameSync(staging, abs);
  } catch (e) {
    if (hadOld) renameSync(old, abs); // put the old output back
    throw e;
  }
  synthStep('swapped');
  try { unlinkSync(join(abs, '.gitignore')); } catch { /* the output stays git-ignored then */ }
  if (hadOld) {
    try {
      rmSync(old, { recursive: true, force: true });
    } catch (e) {
      try { markIgnored(old); } catch { /* it was written before the rename; keep going */ }
      warn(`warning: the new output is in place in ${target}, but the previous one could not be removed from ${old} (${(e as Error).message}); it is git-ignored, delete it by hand`);
    }
  }
}

function markIgnored(dir: string): void {
  writeFileSync(join(dir, '.gitignore'), '# synth staging or leftover output: never commit\n*\n');
}

function trackedFiles(dir: string): string[] {
  const r = spawnSync('git', ['ls-files', '--', '.'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/** The first directory below (and including) `dir` whose entries we may not remove. */
function firstUndeletable(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return dir;
  }
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const bad = firstUndeletable(p);
      if (bad) return relative(process.cwd(), bad) || bad;
    }
  }
  return undefined;
}
