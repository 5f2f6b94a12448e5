/**
 * Mutation scores from Stryker's JSON report (mutation-testing-report-schema) and the gate CI
 * holds them to. The score is Stryker's: detected (killed or timed out) over valid mutants
 * (detected, survived, no coverage); compile and runtime errors and ignored mutants do not count.
 */
export type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

export interface MutationReport {
  readonly files: Record<string, { readonly mutants: ReadonlyArray<{ readonly status: MutantStatus }> }>;
}

export interface Score {
  readonly detected: number;
  readonly undetected: number;
  readonly invalid: number;
  readonly ignored: number;
  /** Percent, or undefined when nothing valid was tested. */
  readonly score: number | undefined;
}

/** A threshold: `files` scored together (`aggregate`) or each on its own. */
export interface GateRule {
  readonly name: string;
  readonly files: (file: string) => boolean;
  readonly minimum: number;
  readonly aggregate: boolean;
}

/**
 * Subjects of the gate (a file, or an aggregate rule's name) that are below their target today:
 * each is held at a floor (its measured score, rounded down) so it cannot get worse, until tests
 * raise it to the target and the entry is removed. Every entry says why it is there.
 */
export const BELOW_TARGET: Readonly<Record<string, { readonly floor: number; readonly why: string }>> = {};

/** The project's gate: lib/validation/ as a whole ≥ 90%, every file of a construct folder ≥ 85%. */
export const CONSTRUCT_FOLDERS = ['lib/elixir/', 'lib/postgres/', 'lib/ingress/', 'lib/registry/', 'lib/network/'];
export const GATE: readonly GateRule[] = [
  { name: 'lib/validation/', files: f => f.startsWith('lib/validation/'), minimum: 90, aggregate: true },
  { name: 'construct files', files: f => CONSTRUCT_FOLDERS.some(d => f.startsWith(d)), minimum: 85, aggregate: false },
];
/** What CI mutates for the gate. */
export const GATED_FOLDERS = ['lib/validation/', ...CONSTRUCT_FOLDERS];

export function score(statuses: readonly MutantStatus[]): Score {
  const count = (...s: MutantStatus[]) => statuses.filter(x => s.includes(x)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  const valid = detected + undetected;
  return {
    detected, undetected, invalid: count('CompileError', 'RuntimeError'), ignored: count('Ignored'),
    score: valid === 0 ? undefined : (100 * detected) / valid,
  };
}

/** The statuses per file, paths relative to the project with '/', sorted by path. */
function statusesByFile(report: MutationReport): Map<string, MutantStatus[]> {
  return new Map(Object.keys(report.files).map(file => [file.replace(/\\/g, '/'), report.files[file].mutants.map(m => m.status)] as const)
    .sort(([a], [b]) => a.localeCompare(b)));
}

/** Scores per file (paths relative to the project, with '/'), sorted by path. */
export function scoresByFile(report: MutationReport): Map<string, Score> {
  return new Map([...statusesByFile(report)].map(([file, statuses]) => [file, score(statuses)]));
}

export interface GateResult {
  readonly rule: string;
  readonly subject: string;
  readonly score: number | undefined;
  /** What the subject must reach now: the rule's target, or its floor while BELOW_TARGET. */
  readonly minimum: number;
  readonly target: number;
  readonly ok: boolean;
}

/**
 * Each rule against the report. A rule whose files the report does not hold fails: a gate that
 * checked nothing must not pass.
 */
export function checkGate(report: MutationReport, rules: readonly GateRule[] = GATE,
  belowTarget: Readonly<Record<string, { readonly floor: number }>> = BELOW_TARGET): GateResult[] {
  const statuses = statusesByFile(report);
  const results: GateResult[] = [];
  for (const rule of rules) {
    const files = [...statuses.keys()].filter(rule.files);
    if (files.length === 0) {
      results.push({ rule: rule.name, subject: rule.name, score: undefined, minimum: rule.minimum, target: rule.minimum, ok: false });
      continue;
    }
    const groups = rule.aggregate ? [[rule.name, files] as const] : files.map(f => [f, [f]] as const);
    for (const [subject, members] of groups) {
      const s = score(members.flatMap(f => statuses.get(f)!));
      const minimum = Math.min(rule.minimum, belowTarget[subject]?.floor ?? rule.minimum);
      results.push({ rule: rule.name, subject, score: s.score, minimum, target: rule.minimum, ok: s.score === undefined ? rule.aggregate === false : s.score >= minimum });
    }
  }
  return results;
}
