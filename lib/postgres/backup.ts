import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { scratchVolume, withEphemeralStorage } from '../common/resources';
import { checkSchedule, maintenanceCronJobSpec } from '../common/cron';
import { appLabels } from '../common/labels';
import { restrictedContainerSecurity, restrictedPodSpec } from '../common/security';
import { PropError, checkDnsSubdomain, checkInteger, checkQuantity } from '../validation/props';
import { IPostgresServer, isPostgresServer } from './database';
import { postgresScript } from './scripts';
import { PodPeer } from '../network/peers';
import { NetworkZone } from '../network/zone';

export interface PostgresBackupProps {
  /**
   * The server to back up, a `PostgresStatefulSet` or a `PostgresCluster` (its image, so
   * pg_dump has the server's major, and its Secret; on a cluster the dump is taken through
   * `<name>-rw`, from the primary).
   */
  readonly database: IPostgresServer;
  /**
   * Cron schedule.
   * @default "15 2 * * *" (daily, 02:15)
   */
  readonly schedule?: string;
  /**
   * How many dumps to keep (older ones are deleted after a successful dump).
   * @default 7
   */
  readonly retention?: number;
  /** Size of the backup volume. @default "10Gi" */
  readonly storageSize?: string;
  /**
   * StorageClass of the backup volume. Give it reclaim policy Retain (the doit stack uses
   * `microk8s-hostpath-retain`) so that deleting the claim keeps the dumps.
   * @default the database's storage class
   */
  readonly storageClassName?: string;
  /** @default requests 100m / 128Mi, limit 512Mi memory */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Where the backup PVC is created, e.g. a chart applied once and never deleted with the app
   * (the doit stack's `dist/bootstrap/`), so `kubectl delete -f` of the app keeps the claim.
   * Its chart must have this namespace or none.
   * @default this construct
   */
  readonly claimScope?: Construct;
}

/**
 * Scheduled logical backups of a PostgresStatefulSet or PostgresCluster: a CronJob runs `backup.sh` (from a
 * ConfigMap) with the server's own image and credentials, writing verified custom-format
 * dumps to a PVC of their own and keeping the newest N.
 */
export class PostgresBackup extends Construct {
  /** The PVC holding the dumps. */
  public readonly claimName: string;
  /** ConfigMap with `backup.sh` and `restore.sh`. */
  public readonly scriptsConfigMapName: string;
  /** Dump file name prefix (the database name). */
  public readonly prefix: string;
  public readonly database: IPostgresServer;
  public readonly cronJob: k8s.KubeCronJob;
  /** Labels of backup and restore pods (they connect to the database). */
  public readonly podSelector: Record<string, string>;
  /** Backup and restore pods as a peer, registered with the database (`<server>-backup-egress`). */
  public readonly pods: PodPeer;

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    const pg = props.database;
    if (!isPostgresServer(pg)) throw new PropError(this, 'database', pg, 'expected a PostgresStatefulSet or a PostgresCluster');
    const schedule = checkSchedule(this, 'schedule', props.schedule ?? '15 2 * * *', '15 2 * * *');
    const retention = checkInteger(this, 'retention', props.retention ?? 7, 1, 1000);
    const size = checkQuantity(this, 'storageSize', props.storageSize ?? '10Gi');
    const storageClassName = props.storageClassName === undefined ? undefined : checkDnsSubdomain(this, 'storageClassName', props.storageClassName);
    this.database = pg;
    this.prefix = pg.databaseName;
    this.claimName = `${pg.name}-backups`;
    this.scriptsConfigMapName = `${pg.name}-backup-scripts`;
    const labels = appLabels('postgres-backup', pg.name, 'backup');
    this.podSelector = labels.selector;

    const claimScope = props.claimScope ?? this;
    const claimNamespace = Chart.of(claimScope).namespace;
    if (claimNamespace !== undefined && claimNamespace !== pg.namespace) {
      throw new PropError(this, 'claimScope', claimScope.node.path, `expected a scope in a chart with namespace "${pg.namespace}" or without a namespace`);
    }
    // Backup and restore pods are the database's clients (registered once the props are valid).
    this.pods = new PodPeer(this, 'Pods', { peerName: `${pg.name}-backup`, podSelector: labels.selector });
    NetworkZone.of(this).registerPeer(this.pods);
    pg.addClient(this.pods);
    new k8s.KubePersistentVolumeClaim(claimScope, props.claimScope ? `${id}Claim` : 'Claim', {
      metadata: { name: this.claimName, namespace: pg.namespace, labels: labels.all },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: storageClassName ?? pg.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(size) } },
      },
    });
    new k8s.KubeConfigMap(this, 'Scripts', {
      metadata: { name: this.scriptsConfigMapName, labels: labels.all },
      data: { 'backup.sh': postgresScript('backup.sh'), 'restore.sh': postgresScript('restore.sh') },
    });

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: `${pg.name}-backup`, labels: labels.all },
      spec: maintenanceCronJobSpec(schedule, {
        backoffLimit: 2,
        activeDeadlineSeconds: 6 * 3600,
        template: this.podTemplate(labels.all, ['/bin/sh', '/scripts/backup.sh'], [
          { name: 'BACKUP_RETENTION', value: String(retention) },
        ], props.resources),
      }),
    });
  }

  /** The pod that runs one of the scripts (also used by PostgresRestoreJob). */
  public podTemplate(labels: Record<string, string>, command: string[], extraEnv: k8s.EnvVar[] = [], resources?: k8s.ResourceRequirements): k8s.PodTemplateSpec {
    const pg = this.database;
    return {
      metadata: { labels },
      spec: {
        restartPolicy: 'Never',
        ...restrictedPodSpec(pg.runAsUser),
        containers: [{
          name: 'postgres-client',
          image: pg.image,
          imagePullPolicy: 'IfNotPresent',
          command,
          env: [
            ...pg.libpqEnv(),
            { name: 'BACKUP_DIR', value: '/backups' },
            { name: 'BACKUP_PREFIX', value: this.prefix },
            ...extraEnv,
          ],
          resources: withEphemeralStorage(resources ?? {
            requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
            limits: { memory: k8s.Quantity.fromString('512Mi') },
          }),
          securityContext: restrictedContainerSecurity(),
          volumeMounts: [
            { name: 'backups', mountPath: '/backups' },
            { name: 'scripts', mountPath: '/scripts', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'backups', persistentVolumeClaim: { claimName: this.claimName } },
          { name: 'scripts', configMap: { name: this.scriptsConfigMapName, defaultMode: 0o555 } },
          scratchVolume('tmp', '256Mi'),
        ],
      },
    };
  }
}

export interface PostgresRestoreJobProps {
  readonly backup: PostgresBackup;
  /**
   * Dump file name in the backup volume (e.g. "doit_prod-20261124T021500Z.dump").
   * @default the newest dump
   */
  readonly file?: string;
}

/**
 * A one-shot Job that restores a dump from a PostgresBackup volume into the database, in one
 * transaction. Add it to a chart only when you mean to restore, apply, then remove it.
 */
export class PostgresRestoreJob extends Construct {
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: PostgresRestoreJobProps) {
    super(scope, id);
    const file = props.file;
    if (file !== undefined && !/^[A-Za-z0-9_-]+-[0-9]{8}T[0-9]{6}(\.[0-9]+)?Z(-[0-9]+)?\.dump$/.test(file)) {
      throw new PropError(this, 'file', file, 'expected a dump file name written by the backup, e.g. "doit_prod-20261124T021500Z.dump"');
    }
    const backup = props.backup;
    const labels = appLabels('postgres-backup', backup.database.name, 'restore');
    const suffix = createHash('sha256').update(file ?? 'newest').digest('hex').slice(0, 8);
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name: `${backup.database.name}-restore-${suffix}`, labels: labels.all },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 6 * 3600,
        template: backup.podTemplate({ ...labels.all, ...backup.podSelector, 'app.kubernetes.io/component': 'restore' },
          ['/bin/sh', '/scripts/restore.sh', ...(file ? [file] : [])]),
      },
    });
  }
}
