import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PropError } from '../validation/props';

/**
 * Five-field cron expressions as the CronJob controller accepts them (robfig/cron's standard
 * parser): minute, hour, day of month, month, day of week; each field `*`, a value, a range
 * `a-b`, a step (`*` or a range, then `/n`), or a comma list of those; month and weekday names (`jan`,
 * `mon`); `?` as `*`; or a macro (`@daily`, …, `@every <duration>`).
 */
const FIELDS: ReadonlyArray<{ readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** What is wrong with a cron expression, or undefined when the CronJob controller accepts it. */
export function cronProblem(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return 'expected a string';
  const expr = expression.trim();
  if (expr.startsWith('@every ')) {
    // robfig/cron: a Go duration ("1h", "90m", "1h30m", "1.5h"), run at that interval.
    return GO_DURATION.test(expr.slice(7)) ? undefined : `"${expr.slice(7)}" is not a duration such as "1h" or "90m"`;
  }
  if (expr.startsWith('@')) return MACROS.includes(expr) ? undefined : `unknown macro ${expr} (known: ${MACROS.join(', ')}, @every <duration>)`;
  if (/^(TZ|CRON_TZ)=/.test(expr)) return 'time zones go in the CronJob\'s timeZone, not in the schedule';
  const parts = expr.split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) return `${FIELDS[i].name} "${parts[i]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: typeof FIELDS[number]): string | undefined {
  const value = (v: string): number | undefined => {
    const byName = spec.names?.indexOf(v.toLowerCase()) ?? -1;
    if (byName >= 0) return byName + (spec.name === 'month' ? 1 : 0);
    return /^\d+$/.test(v) ? Number(v) : undefined;
  };
  for (const item of field.split(',')) {
    const [range, step, ...extra] = item.split('/');
    if (extra.length > 0 || range === '') return `"${item}" is not a value, range or step`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) return `step "${step}" must be a positive number`;
    if (range === '*' || range === '?') continue; // robfig/cron takes '?' for '*' in any field
    const [from, to, ...more] = range.split('-');
    const a = value(from);
    const b = to === undefined ? a : value(to);
    if (more.length > 0 || a === undefined || b === undefined) return `"${range}" is not a number${spec.names ? ' or name' : ''}`;
    if (a < spec.min || b > spec.max) return `out of range ${spec.min}-${spec.max}`;
    if (a > b) return `range "${range}" is backwards`;
  }
  return undefined;
}

export function checkSchedule(scope: IConstruct, prop: string, value: unknown, example: string): string {
  const problem = cronProblem(value);
  if (problem) throw new PropError(scope, prop, value, `expected a five-field cron expression such as "${example}" (${problem})`);
  return value as string;
}

/**
 * Spec of a maintenance CronJob that must never overlap itself (backups, garbage collection):
 * `Forbid` concurrency, a start deadline so a missed run is skipped rather than stacked, and
 * short histories that still show the last failures.
 */
export function maintenanceCronJobSpec(schedule: string, job: k8s.JobSpec): k8s.CronJobSpec {
  return {
    schedule,
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    jobTemplate: { spec: job },
  };
}
