import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PropError } from '../validation/props';

/** A five-field cron expression (the CronJob controller validates the fields themselves). */
export const CRON_SCHEDULE = /^(\S+\s+){4}\S+$/;

export function checkSchedule(scope: IConstruct, prop: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !CRON_SCHEDULE.test(value.trim())) {
    throw new PropError(scope, prop, value, `expected a five-field cron expression such as "${example}"`);
  }
  return value;
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
