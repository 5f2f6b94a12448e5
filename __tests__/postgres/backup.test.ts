import { Chart, Testing } from 'cdk8s';
import { expectValid, PostgresBackup, PostgresBackupProps, PostgresCredentials, PostgresRestoreJob, PostgresStatefulSet, PropError } from '../../lib';
import { postgresScript } from '../../lib/postgres/scripts';
import { find, selects, synth } from '../util';

function build(props: Partial<PostgresBackupProps> = {}, file?: string) {
  const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
  const pg = new PostgresStatefulSet(chart, 'Postgres', { databaseName: 'doit_prod', username: 'doit', credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 'superuser-'.repeat(3) }) });
  const backup = new PostgresBackup(chart, 'Backup', { database: pg, ...props });
  if (file !== null) new PostgresRestoreJob(chart, 'Restore', { backup, file });
  const manifests = synth(chart);
  const cron = find(manifests, 'CronJob', 'postgres-backup');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  return { chart, pg, backup, manifests, cron, pod, container: pod.containers[0] };
}

describe('PostgresBackup', () => {
  test('snapshot and validation', () => {
    const { manifests, chart } = build();
    expect(manifests).toMatchSnapshot();
    expect(expectValid(chart).ok).toBe(true);
  });

  test('CronJob: schedule, Forbid, history limits, the server image (same major)', () => {
    const { cron, container, pg } = build({ schedule: '0 3 * * *' });
    expect(cron.spec).toMatchObject({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(container.image).toBe(pg.image);
    expect(container.command).toEqual(['/bin/sh', '/scripts/backup.sh']);
  });

  test('credentials from the construct\'s Secret, retention and target in env', () => {
    const { container } = build({ retention: 14 });
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
    expect(env.PGPASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'postgres-credentials', key: 'password' });
    expect(env.PGHOST.value).toBe('postgres.db.svc.cluster.local');
    expect(env.PGDATABASE.value).toBe('doit_prod');
    expect(env.BACKUP_RETENTION.value).toBe('14');
    expect(env.BACKUP_DIR.value).toBe('/backups');
  });

  test('backup and restore run as the application role: they never reference the superuser\'s Secret', () => {
    const { manifests, pg } = build({}, 'doit_prod-20261124T021500Z.dump');
    const jobs = manifests.filter(m => m.kind === 'CronJob' || m.kind === 'Job');
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      const text = JSON.stringify(job);
      expect(text).toContain('"postgres-credentials"');
      expect(text).not.toContain(`"${pg.superuserSecretName}"`);
    }
  });

  test('the script ConfigMap holds exactly the files the tests run', () => {
    const cm = find(build().manifests, 'ConfigMap', 'postgres-backup-scripts');
    expect(cm.data['backup.sh']).toBe(postgresScript('backup.sh'));
    expect(cm.data['restore.sh']).toBe(postgresScript('restore.sh'));
  });

  test('own PVC with its own size and class; non-root, read-only root with a scratch dir', () => {
    const { manifests, pod, container } = build({ storageSize: '30Gi', storageClassName: 'microk8s-hostpath-retain' });
    const pvc = find(manifests, 'PersistentVolumeClaim', 'postgres-backups');
    expect(pvc.spec).toMatchObject({ storageClassName: 'microk8s-hostpath-retain', resources: { requests: { storage: '30Gi' } } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/backups', '/scripts', '/tmp']);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('restore Job: newest by default or a chosen file, same pod shape, selected as a database client', () => {
    const { manifests, backup } = build({}, 'doit_prod-20261124T021500Z.dump');
    const job = manifests.find(m => m.kind === 'Job')!;
    expect(job.metadata.name).toMatch(/^postgres-restore-[0-9a-f]{8}$/);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec.containers[0].command).toEqual(['/bin/sh', '/scripts/restore.sh', 'doit_prod-20261124T021500Z.dump']);
    expect(selects(backup.podSelector, job.spec.template.metadata.labels)).toBe(true);
    const newest = build({}, undefined).manifests.find(m => m.kind === 'Job')!;
    expect(newest.spec.template.spec.containers[0].command).toEqual(['/bin/sh', '/scripts/restore.sh']);
  });

  describe('bad props', () => {
    test.each([
      ['bad schedule', { schedule: 'nightly' }, /"schedule".*cron/],
      ['retention 0', { retention: 0 }, /"retention" = 0: expected an integer from 1/],
      ['bad size', { storageSize: '10 GB' }, /storageSize/],
    ] as Array<[string, Partial<PostgresBackupProps>, RegExp]>)('%s', (_t, props, msg) => {
      expect(() => build(props)).toThrow(PropError);
      expect(() => build(props)).toThrow(msg);
    });
    test('restore of a file name the backup never writes', () => {
      expect(() => build({}, '../etc/passwd')).toThrow(/"file".*dump file name/);
      // what backup.sh writes: <db>-<UTC stamp>[.fraction]Z[-n].dump
      for (const ok of ['doit_prod-20261124T021500Z.dump', 'doit-prod-20261124T021500.123Z.dump', 'doit_prod-20261124T021500Z-2.dump']) {
        expect(() => build({}, ok)).not.toThrow();
      }
      for (const bad of ['x/doit-20261124T021500Z.dump', 'doit-20261124T021500Z.dump.gz', 'doit-2026112T021500Z.dump', 'doit-20261124T021500.Z.dump',
        'doit-20261124T021500Z-.dump', 'doit-20261124T021500Z-x.dump', 'doit-20261124T021500Zadump', '-20261124T021500Z.dump', 'doit-20261124T021500.xZ.dump']) {
        expect(() => build({}, bad)).toThrow(expect.objectContaining({ prop: 'file' }));
      }
    });

    test('props named in the error: database, storageClassName, claimScope in another namespace', () => {
      const chart = new Chart(Testing.app(), 'db', { namespace: 'db' });
      expect(() => new PostgresBackup(chart, 'B', { database: { name: 'pg' } as unknown as PostgresStatefulSet })).toThrow(expect.objectContaining({ prop: 'database' }));
      expect(() => build({ storageClassName: 'Fast_SSD' })).toThrow(expect.objectContaining({ prop: 'storageClassName' }));
      const app = Testing.app();
      const dbChart = new Chart(app, 'db', { namespace: 'db' });
      const pg = new PostgresStatefulSet(dbChart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }) });
      expect(() => new PostgresBackup(dbChart, 'B', { database: pg, claimScope: new Chart(app, 'other', { namespace: 'other' }) }))
        .toThrow(expect.objectContaining({ prop: 'claimScope' }));
      const volumes = new Chart(app, 'volumes');
      new PostgresBackup(dbChart, 'B2', { database: pg, claimScope: volumes });
      expect(synth(volumes).map(m => `${m.kind}/${m.metadata.name}`)).toEqual(['PersistentVolumeClaim/postgres-backups']);
    });
  });
});
