/**
 * The README's restore procedure, step 3, exactly as written there (with `microk8s kubectl`
 * → `kubectl`), applied offline (`--local`) to the Job that `kubectl create job
 * --from=cronjob/postgres-backup` makes from the synthesized CronJob.
 */
import { execSync, spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { PostgresBackup, PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { find, synth } from '../util';

const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;
if (!hasKubectl && process.env.CI === 'true') throw new Error('the restore-command test needs kubectl (client only)');
const testIf = hasKubectl ? test : test.skip;

/** The pipeline stages after `kubectl create job ... --dry-run=client -o yaml` in the README. */
function readmePipeline(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('create job restore-now --from=cronjob/postgres-backup'));
  const command = block.slice(0, block.indexOf('microk8s kubectl apply --server-side -f -')).replace(/\\\n/g, ' ');
  return command.split('|').slice(1).map(s => s.trim().replace(/^microk8s kubectl/, 'kubectl')).filter(Boolean);
}

testIf('the README restore pipeline turns the backup Job into a one-shot restore of the named dump', () => {
  const chart = new Chart(Testing.app(), 'db', { namespace: 'doit' });
  const pg = new PostgresStatefulSet(chart, 'Postgres', { databaseName: 'doit_prod', username: 'doit',
    credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(20), superuserPassword: 's'.repeat(20) }) });
  new PostgresBackup(chart, 'Backup', { database: pg });
  const cron = find(synth(chart), 'CronJob', 'postgres-backup');
  // what `kubectl create job restore-now --from=cronjob/postgres-backup --dry-run=client -o yaml` prints
  const fromCron = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'restore-now', namespace: 'doit', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'postgres-backup', uid: 'u-1', controller: true }] },
    spec: cron.spec.jobTemplate.spec,
  };
  const stages = readmePipeline();
  expect(stages).toHaveLength(3);
  const out = execSync(stages.join(' | '), { input: stringify(fromCron), encoding: 'utf8' });
  const job = parse(out);
  const container = job.spec.template.spec.containers[0];
  expect(container.command).toEqual(['/bin/sh', '/scripts/restore.sh']);
  expect(container.env.find((e: any) => e.name === 'RESTORE_FILE').value).toMatch(/^doit_prod-\d{8}T\d{6}\.\d+Z\.dump$/);
  expect(container.env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef.key).toBe('password');
  expect(job.spec.backoffLimit).toBe(0);
  expect(job.metadata.ownerReferences).toBeUndefined();
});
