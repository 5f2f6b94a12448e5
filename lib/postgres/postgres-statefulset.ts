import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { AppLabels, appLabels } from '../common/labels';
import { withDigest } from '../common/image-ref';
import { scratchVolume, withEphemeralStorage } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSpec } from '../common/security';
import { createHeadlessService } from '../common/headless-service';
import { createOwnedSecret } from '../common/owned-secret';
import { dataClaimTemplate, StatefulSetWithStoredClaims } from '../common/claim-template';
import { declareExternalSecret } from '../validation/declarations';
import {
  PropError, checkDigest, checkDnsLabel, checkDnsSubdomain, checkInteger, checkNonEmpty, checkPort, checkQuantity, checkResources, checkLabels,
} from '../validation/props';
import { PostgresCredentials, ectoUrl } from './credentials';
import { bindChoice } from '../common/bind';
import { postgresScript } from './scripts';
import { checkAppRole, checkIdentifier, checkNewDatabase, checkSettings, parsePostgresVersion } from './checks';
import { IPostgresServer, PostgresDatabaseHandle } from './database';
import { PostgresDatabase, PostgresDatabaseProps } from './postgres-database';
import { Connections } from '../network/connections';
import { IPodPeer, podsPeer } from '../network/peers';
import { PhoenixNetworkPolicies } from '../network/phoenix-network-policies';
import { NetworkZone } from '../network/zone';

export { SUPPORTED_POSTGRES_MAJORS } from './checks';

/** Name of the first-init script that creates the application role (runs before user scripts). */
export const APP_ROLE_SCRIPT = '000-create-app-role.sh';

/** The default server version: the official image, pinned to major.minor. */
export const DEFAULT_POSTGRES_VERSION = '17.6';

export interface PostgresStatefulSetProps {
  /** Where the password comes from (`PostgresCredentials.fromValues` or `.fromExistingSecret`). */
  readonly credentials: PostgresCredentials;

  /**
   * Base name of the StatefulSet and its Services (`<name>`, `<name>-headless`) and of the
   * owned Secrets (`<name>-credentials` for the application, `<name>-superuser`).
   * @default "postgres"
   */
  readonly name?: string;

  /**
   * Name of the application database created at first initialisation.
   * @default "app"
   */
  readonly databaseName?: string;

  /**
   * Owner of that database (the login the application uses).
   * @default "app"
   */
  readonly username?: string;

  /**
   * Image repository of the official `postgres` image (or a mirror of it).
   * @default "postgres"
   */
  readonly image?: string;

  /**
   * Image tag: `MAJOR.MINOR`, optionally with a variant suffix (`17.6-bookworm`,
   * `16.10-alpine`). Majors 15-18 are supported; 18 uses the new volume layout.
   * @default "17.6"
   */
  readonly version?: string;

  /**
   * Content digest of that image (`sha256:…`; for the multi-architecture image, the digest of
   * its index: `skopeo inspect --raw docker://postgres:17.6 | sha256sum`). The
   * pods then pull `postgres:<version>@<digest>`: exactly those bytes, whatever the tag points
   * to later.
   * @default none (the tag)
   */
  readonly imageDigest?: string;

  /**
   * TCP port of the server and both Services.
   * @default 5432
   */
  readonly port?: number;

  /**
   * Size of the data volume requested from the storage class.
   * @default "5Gi"
   */
  readonly storageSize?: string;

  /**
   * StorageClass of the data volume. MicroK8s' `hostpath-storage` addon provides
   * `microk8s-hostpath` (node-local; its reclaim policy is Delete, which is why this
   * construct retains the PVC when the StatefulSet is deleted or scaled down).
   * @default "microk8s-hostpath"
   */
  readonly storageClassName?: string;

  /**
   * Size of `/dev/shm` (an in-memory emptyDir; parallel queries use it).
   * @default "256Mi"
   */
  readonly sharedMemorySize?: string;

  /**
   * Container resources.
   * @default requests cpu 250m / memory 512Mi, limits memory 1Gi (no CPU limit: throttling a
   * database only makes every query slower; set one if your cluster's policy demands it)
   */
  readonly resources?: k8s.ResourceRequirements;

  /**
   * `postgresql.conf` settings, passed to the server as `-c key=value` (e.g.
   * `{ max_connections: 200, shared_buffers: '256MB' }`). Settings the construct manages
   * (port, data_directory, hba_file, password_encryption, …) are rejected.
   * @default {} (the image's defaults)
   */
  readonly config?: Record<string, string | number | boolean>;

  /**
   * Files for `/docker-entrypoint-initdb.d` (name → content, `*.sql` or `*.sh`), run once,
   * in name order, when the data directory is first initialised, after the construct's own
   * `000-create-app-role.sh` (names must sort after it). They run as the superuser, connected
   * to the `postgres` database. Stored in a ConfigMap: put no secrets in them.
   * @default none
   */
  readonly initScripts?: Record<string, string>;

  /**
   * Seconds Kubernetes waits for the server to stop. The image's stop signal (SIGINT) asks for
   * a fast shutdown (disconnect clients, checkpoint) that must finish within this, or the next
   * start has to run crash recovery.
   * @default 120
   */
  readonly terminationGracePeriodSeconds?: number;

  /**
   * Numeric uid/gid of the image's `postgres` user.
   * @default 999 (Debian-based images), 70 for `-alpine` tags
   */
  readonly runAsUser?: number;

  /**
   * DNS suffix of the cluster, used for the `host` handle.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;

  /**
   * Where the owned Secret is created (e.g. a separate chart, so that Secrets land in their
   * own output file). Must be in the same namespace.
   * @default this construct
   */
  readonly secretScope?: Construct;

  /**
   * Extra labels on every object (e.g. `app.kubernetes.io/part-of`).
   * @default none
   */
  readonly labels?: Record<string, string>;

  /**
   * Deny all other traffic in the namespace (`PhoenixNetworkPolicies.of(this)`, once per
   * namespace however many constructs ask): the server then accepts only its registered
   * clients (apps, migrations, backups: they register themselves).
   * @default false
   */
  readonly networkPolicies?: boolean;
}

/** Settings the construct sets itself; overriding them would break probes, Services or auth. */
const MANAGED_SETTINGS = ['port', 'data_directory', 'hba_file', 'ident_file', 'config_file',
  'listen_addresses', 'unix_socket_directories', 'password_encryption', 'external_pid_file'];

/**
 * A single-primary PostgreSQL server for one application: a StatefulSet with a retained
 * PVC template, a headless Service for stable pod DNS, a ClusterIP client Service and
 * (optionally) the credentials Secret.
 */
export class PostgresStatefulSet extends PostgresDatabaseHandle implements IPostgresServer, IPodPeer {
  /** Name of the StatefulSet (and of its pods' prefix). */
  public readonly name: string;
  /** Name of the ClusterIP Service clients connect to. */
  public readonly serviceName: string;
  /** Name of the headless Service that governs the StatefulSet. */
  public readonly headlessServiceName: string;
  /** DNS name of the client Service (fully qualified when the chart has a namespace). */
  public readonly host: string;
  /** Port of the server and of both Services. */
  public readonly port: number;
  /** The application database. */
  public readonly databaseName: string;
  /** The application login. */
  public readonly username: string;
  /** Name of the Secret holding the application password and `DATABASE_URL` (what the application reads). */
  public readonly secretName: string;
  /** Key of the application password in that Secret. */
  public readonly passwordKey: string;
  /**
   * Name of the Secret holding the `postgres` superuser password: never the application's
   * Secret; only the database pod mounts it.
   */
  public readonly superuserSecretName: string;
  /** Key of the `postgres` superuser password in the superuser Secret. */
  public readonly superuserPasswordKey: string;
  /** Key of the Ecto URL in that Secret. */
  public readonly databaseUrlKey: string;
  /** Major version of the server (the backup job must use the same). */
  public readonly majorVersion: number;
  /** Full image reference of the server. */
  public readonly image: string;
  /** Namespace of the chart, when it has one. */
  public readonly namespace?: string;
  /** Numeric uid/gid the server (and its backup jobs) run as. */
  public readonly runAsUser: number;
  /** StorageClass of the data volume. */
  public readonly storageClassName: string;

  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;
  public readonly headlessService: k8s.KubeService;
  /** The application's Secret, when the construct owns it (`PostgresCredentials.fromValues`). */
  public readonly secret?: k8s.KubeSecret;
  /** The superuser's Secret, when the construct owns it (`PostgresCredentials.fromValues`). */
  public readonly superuserSecret?: k8s.KubeSecret;

  /** Name of the server's NetworkPolicy (`<name>-ingress`). */
  public readonly peerName: string;
  public readonly peerKey: string;
  /** Who may connect to the server: clients register through `addClient` (or `connections.allowFrom`). */
  public readonly connections: Connections;

  private readonly clusterDomain: string;
  private readonly selectorLabels: Record<string, string>;
  /** The pod's containers, volumes and script files, which added databases extend. */
  private readonly containers: k8s.Container[];
  private readonly volumes: k8s.Volume[];
  private readonly scriptFiles: Record<string, string>;
  /** Databases added with addDatabase, and what renders them in the pod. */
  private readonly added: PostgresDatabase[] = [];
  private ensureDatabases?: { readonly env: { name: string; value: string }; readonly sources: k8s.VolumeProjection[] };

  constructor(scope: Construct, id: string, props: PostgresStatefulSetProps) {
    super(scope, id);
    const p = resolveProps(this, props);
    this.name = p.name;
    this.databaseName = p.databaseName;
    this.username = p.username;
    this.port = p.port;
    this.majorVersion = p.majorVersion;
    this.image = p.image;
    this.storageClassName = p.storageClassName;
    this.runAsUser = p.runAsUser;
    this.clusterDomain = p.clusterDomain;
    this.namespace = Chart.of(this).namespace;
    this.serviceName = this.name;
    this.headlessServiceName = `${this.name}-headless`;
    this.host = this.namespace
      ? `${this.serviceName}.${this.namespace}.svc.${this.clusterDomain}`
      : this.serviceName;

    const labels = appLabels('postgres', this.name, 'database', p.labels);
    this.selectorLabels = labels.selector;
    this.peerName = this.name;
    this.peerKey = `pods:${this.node.path}`;
    this.connections = new Connections(this);
    NetworkZone.of(this).registerPeer(this);
    if (props.networkPolicies) PhoenixNetworkPolicies.of(this);

    // ---- credentials -------------------------------------------------------------------
    const credentials = bindChoice(this, 'credentials', props.credentials,
      'expected PostgresCredentials.fromValues({ password, superuserPassword }) or PostgresCredentials.fromExistingSecret(name)');
    this.secretName = credentials.secretName ?? `${this.name}-credentials`;
    this.passwordKey = credentials.passwordKey;
    this.databaseUrlKey = credentials.databaseUrlKey;
    this.superuserSecretName = credentials.superuserSecretName ?? `${this.name}-superuser`;
    this.superuserPasswordKey = credentials.superuserPasswordKey;
    if (this.superuserSecretName === this.secretName) {
      throw new PropError(this, 'credentials.superuserSecretName', this.superuserSecretName,
        `expected a Secret other than the application's "${this.secretName}": the application's pods reference that one, so the superuser password must be in a Secret of its own (default "${this.name}-superuser")`);
    }
    if (credentials.values) {
      this.secret = this.applicationSecret(credentials.values.password, props.secretScope, labels);
      // Only the database pod mounts this one.
      this.superuserSecret = createOwnedSecret(this, props.secretScope, {
        id: 'SuperuserSecret',
        name: this.superuserSecretName,
        namespace: this.namespace,
        labels: labels.all,
        values: { [this.superuserPasswordKey]: credentials.values.superuserPassword },
      });
    }

    // ---- Services, the pod's files, the StatefulSet --------------------------------------
    const servicePort: k8s.ServicePort = {
      name: 'postgresql', port: this.port, targetPort: k8s.IntOrString.fromString('postgresql'), protocol: 'TCP',
    };
    // Stable pod DNS even before the server is ready (needed during init and recovery).
    this.headlessService = createHeadlessService(this, 'HeadlessService', {
      name: this.headlessServiceName, labels: labels.all, selector: labels.selector, ports: [servicePort], publishNotReadyAddresses: true,
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, labels: labels.all },
      spec: { type: 'ClusterIP', selector: labels.selector, ports: [servicePort] },
    });
    const layout = dataLayout(this.majorVersion);
    this.scriptFiles = { 'check-data-dir.sh': postgresScript('check-data-dir.sh') };
    const files = this.podFiles(p, labels);
    this.containers = [this.serverContainer(p, layout, files.mounts)];
    this.volumes = files.volumes;
    this.statefulSet = new StatefulSetWithStoredClaims(this, 'StatefulSet', {
      metadata: { name: this.name, labels: labels.all },
      spec: {
        serviceName: this.headlessServiceName,
        replicas: 1,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        // Deleting the StatefulSet or scaling it down keeps the data volume (and its data).
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: labels.selector },
        template: {
          metadata: { labels: labels.all },
          spec: {
            ...restrictedPodSpec(this.runAsUser),
            terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
            initContainers: [this.checkDataDirContainer(layout)],
            containers: this.containers,
            volumes: this.volumes,
          },
        },
        volumeClaimTemplates: [dataClaimTemplate({ labels: labels.all, storageSize: p.storageSize, storageClassName: this.storageClassName })],
      },
    });
    if (!this.secret) declareExternalSecret(this.statefulSet, this.secretName);
    if (!this.superuserSecret) declareExternalSecret(this.statefulSet, this.superuserSecretName);
  }

  /** What the application may read: its own password and URL, never the superuser's. */
  private applicationSecret(password: string, secretScope: Construct | undefined, labels: AppLabels): k8s.KubeSecret {
    return createOwnedSecret(this, secretScope, {
      name: this.secretName,
      namespace: this.namespace,
      labels: labels.all,
      values: {
        username: this.username,
        [this.passwordKey]: password,
        database: this.databaseName,
        host: this.host,
        port: String(this.port),
        [this.databaseUrlKey]: ectoUrl(this.username, password, this.host, this.port, this.databaseName),
      },
    });
  }

  /** The pod's volumes and the server's mounts, with the ConfigMaps behind them (first-init scripts, our scripts, pg_hba.conf). */
  private podFiles(p: ResolvedProps, labels: AppLabels): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
    const volumes: k8s.Volume[] = [
      scratchVolume('run', '16Mi'), // the socket and postmaster.pid
      scratchVolume('tmp', '256Mi'),
      { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(p.sharedMemorySize) } },
      {
        name: 'credentials',
        secret: { secretName: this.secretName, items: [{ key: this.passwordKey, path: 'password' }], defaultMode: 0o440 },
      },
      {
        name: 'superuser',
        secret: { secretName: this.superuserSecretName, items: [{ key: this.superuserPasswordKey, path: 'password' }], defaultMode: 0o440 },
      },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: dataLayout(this.majorVersion).mountPath },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'shm', mountPath: '/dev/shm' },
      { name: 'credentials', mountPath: '/etc/postgresql-credentials', readOnly: true },
      { name: 'superuser', mountPath: '/etc/postgresql-superuser', readOnly: true },
    ];
    // First-init scripts, in name order: ours creates the application role and database.
    const initdb = new k8s.KubeConfigMap(this, 'InitScripts', {
      metadata: { name: `${this.name}-initdb`, labels: labels.all },
      data: { [APP_ROLE_SCRIPT]: postgresScript('create-app-role.sh'), ...p.initScripts },
    });
    volumes.push({ name: 'initdb', configMap: { name: initdb.name, defaultMode: 0o444 } });
    mounts.push({ name: 'initdb', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    // Scripts of our own (not in initdb: the entrypoint would run every file there).
    const scripts = new k8s.KubeConfigMap(this, 'Scripts', {
      metadata: { name: `${this.name}-scripts`, labels: labels.all },
      data: this.scriptFiles,
    });
    volumes.push({ name: 'scripts', configMap: { name: scripts.name, defaultMode: 0o444 } });
    // Client authentication on every start (not only at initdb): no superuser over TCP.
    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-config`, labels: labels.all },
      data: { 'pg_hba.conf': readFileSync(join(__dirname, 'pg_hba.conf'), 'utf8') },
    });
    volumes.push({ name: 'config', configMap: { name: config.name, defaultMode: 0o444 } });
    mounts.push({ name: 'config', mountPath: '/etc/postgresql/config', readOnly: true });
    return { volumes, mounts };
  }

  /** Refuses to start on a volume that holds a cluster of another major (see scripts/check-data-dir.sh). */
  private checkDataDirContainer(layout: DataLayout): k8s.Container {
    return {
      name: 'check-data-dir',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '/scripts/check-data-dir.sh'],
      env: [
        { name: 'VOLUME', value: layout.mountPath },
        { name: 'PGDATA', value: layout.pgdata },
        { name: 'EXPECTED_MAJOR', value: String(this.majorVersion) },
      ],
      resources: withEphemeralStorage({
        requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
        limits: { memory: k8s.Quantity.fromString('64Mi') },
      }),
      securityContext: restrictedContainerSecurity(),
      volumeMounts: [{ name: 'data', mountPath: layout.mountPath }, { name: 'scripts', mountPath: '/scripts', readOnly: true }],
    };
  }

  /** The server: SCRAM everywhere, our pg_hba.conf, the application role created at first init. */
  private serverContainer(p: ResolvedProps, layout: DataLayout, mounts: k8s.VolumeMount[]): k8s.Container {
    const isReady = (): k8s.ExecAction => ({
      // 127.0.0.1, not the socket: the entrypoint's init-time server listens on no TCP port,
      // so the pod is not reported ready while initdb scripts still run.
      command: ['pg_isready', '--host=127.0.0.1', `--port=${this.port}`, `--username=${this.username}`, `--dbname=${this.databaseName}`, '--timeout=4'],
    });
    const args = ['postgres', '-c', 'password_encryption=scram-sha-256', '-c', 'hba_file=/etc/postgresql/config/pg_hba.conf'];
    for (const [key, value] of Object.entries(p.settings)) args.push('-c', `${key}=${value}`);
    return {
      name: 'postgres',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      args,
      ports: [{ name: 'postgresql', containerPort: this.port, protocol: 'TCP' }],
      env: [
        { name: 'PGDATA', value: layout.pgdata },
        { name: 'PGPORT', value: String(this.port) },
        // The image's superuser; the application gets its own role (create-app-role.sh).
        { name: 'POSTGRES_USER', value: 'postgres' },
        { name: 'APP_USER', value: this.username },
        { name: 'APP_DATABASE', value: this.databaseName },
        { name: 'APP_PASSWORD_FILE', value: '/etc/postgresql-credentials/password' },
        // Read from the mounted superuser Secret, so the password is not in the
        // environment of every process in the container.
        { name: 'POSTGRES_PASSWORD_FILE', value: '/etc/postgresql-superuser/password' },
        // Password (SCRAM) authentication for TCP and for the local socket: nothing is trusted.
        { name: 'POSTGRES_HOST_AUTH_METHOD', value: 'scram-sha-256' },
        { name: 'POSTGRES_INITDB_ARGS', value: '--auth-host=scram-sha-256 --auth-local=scram-sha-256 --encoding=UTF8 --data-checksums' },
      ],
      resources: p.resources,
      securityContext: restrictedContainerSecurity(),
      startupProbe: { exec: isReady(), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
      readinessProbe: { exec: isReady(), periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
      livenessProbe: { exec: isReady(), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
      // No preStop hook: the image declares STOPSIGNAL SIGINT, so stopping the
      // container already asks for a fast shutdown (disconnect, checkpoint, exit).
      volumeMounts: mounts,
    };
  }

  /** Name of the data PVC of pod `ordinal` (`data-<name>-<ordinal>`): what to back up or restore. */
  public volumeClaimName(ordinal = 0): string {
    return `data-${this.name}-${ordinal}`;
  }

  /** Stable DNS name of pod `ordinal` through the headless Service. */
  public podDnsName(ordinal = 0): string {
    const ns = this.namespace ? `.${this.namespace}.svc.${this.clusterDomain}` : '';
    return `${this.name}-${ordinal}.${this.headlessServiceName}${ns}`;
  }

  /** Labels that select the server pod (for NetworkPolicies and PDBs). */
  public get podSelector(): Record<string, string> {
    return { ...this.selectorLabels };
  }

  /**
   * Another database on this server, with its own owner role and Secret (e.g. a second app):
   * the `ensure-databases` container of the server pod creates the role and database on every
   * start if missing, on new and existing data directories alike, and sets the role's
   * password from its Secret. Each role may connect only to its own database. Pass the
   * returned handle as an app's `database`.
   */
  public addDatabase(id: string, props: PostgresDatabaseProps): PostgresDatabase {
    this._checkNewDatabase(id, props); // before the construct joins the tree
    return new PostgresDatabase(this, id, props);
  }

  /**
   * @internal The PostgresDatabase constructor's check of its names against this server's.
   * Errors name the server and `addDatabase(<id>).<prop>`.
   */
  public _checkNewDatabase(id: string, props: PostgresDatabaseProps): { readonly databaseName: string; readonly username: string } {
    return checkNewDatabase(this, id, props, [{ databaseName: this.databaseName, username: this.username }, ...this.added]);
  }

  /** @internal The PostgresDatabase constructor, done: the server pod creates it from now on. */
  public _adoptDatabase(database: PostgresDatabase): void {
    this.added.push(database);
    this.renderEnsureDatabases(database);
  }

  /** The databases added with addDatabase. */
  public get addedDatabases(): readonly PostgresDatabase[] {
    return [...this.added];
  }

  /** The ensure-databases container (at the first added database) and each database's password file. */
  private renderEnsureDatabases(database: PostgresDatabase): void {
    if (!this.ensureDatabases) {
      const env = { name: 'APP_DATABASES', value: '' };
      const sources: k8s.VolumeProjection[] = [];
      this.ensureDatabases = { env, sources };
      this.scriptFiles['ensure-databases.sh'] = postgresScript('ensure-databases.sh');
      this.volumes.push({ name: 'databases', projected: { sources, defaultMode: 0o440 } });
      const ran = '/tmp/ensure-databases.ran';
      this.containers.push({
        name: 'ensure-databases',
        image: this.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '/scripts/ensure-databases.sh'],
        env: [
          env,
          { name: 'DATABASES_DIR', value: '/etc/postgresql-databases' },
          { name: 'POSTGRES_PASSWORD_FILE', value: '/etc/postgresql-superuser/password' },
          { name: 'PGPORT', value: String(this.port) },
          { name: 'SOCKET_DIR', value: '/var/run/postgresql' },
          { name: 'RAN_FILE', value: ran },
        ],
        resources: withEphemeralStorage({
          requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
          limits: { memory: k8s.Quantity.fromString('64Mi') },
        }),
        securityContext: restrictedContainerSecurity(),
        // Ready after its first pass, whatever the outcome: one database that cannot be ensured
        // (reported in its log, tried again every minute) must not take the shared server offline.
        readinessProbe: { exec: { command: ['test', '-f', ran] }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
        livenessProbe: { exec: { command: ['test', '-d', '/etc/postgresql-databases'] }, periodSeconds: 30, timeoutSeconds: 2, failureThreshold: 3 },
        volumeMounts: [
          { name: 'run', mountPath: '/var/run/postgresql' },
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'scripts', mountPath: '/scripts', readOnly: true },
          { name: 'superuser', mountPath: '/etc/postgresql-superuser', readOnly: true },
          { name: 'databases', mountPath: '/etc/postgresql-databases', readOnly: true },
        ],
      });
    }
    const { env, sources } = this.ensureDatabases;
    env.value = this.added.map(d => `${d.username}:${d.databaseName}`).join(' ');
    // Optional: a missing Secret fails that database alone (the pod, and the other databases, start).
    sources.push({ secret: { name: database.secretName, items: [{ key: database.passwordKey, path: database.username }], optional: true } });
    if (!database.secret) declareExternalSecret(this.statefulSet, database.secretName);
  }


  /** IPostgresDatabase: let `client`'s pods connect to the server's port. */
  public addClient(client: IPodPeer): void {
    this.connections.allowFrom(client, [this.port]);
  }

  /** IPodPeer: how a NetworkPolicy selects the server pod. */
  public toNetworkPolicyPeer(policyNamespace: string | undefined) {
    return podsPeer(this.selectorLabels, this.namespace, policyNamespace);
  }



}

// ---- props and layout ---------------------------------------------------------------------

/** The props, each checked and defaulted: what the builders of PostgresStatefulSet read. */
interface ResolvedProps {
  readonly name: string;
  readonly databaseName: string;
  readonly username: string;
  readonly port: number;
  readonly majorVersion: number;
  readonly image: string;
  readonly storageSize: string;
  readonly storageClassName: string;
  readonly sharedMemorySize: string;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly clusterDomain: string;
  readonly settings: Record<string, string>;
  readonly initScripts: Record<string, string>;
  readonly resources: k8s.ResourceRequirements;
  readonly labels?: Record<string, string>;
}

/** Every prop of a PostgresStatefulSet checked in one place; errors name `scope` and the prop. */
function resolveProps(scope: Construct, props: PostgresStatefulSetProps): ResolvedProps {
  const name = checkDnsLabel(scope, 'name', props.name ?? 'postgres', 52);
  const databaseName = checkIdentifier(scope, 'databaseName', props.databaseName ?? 'app');
  const username = checkAppRole(scope, 'username', props.username ?? 'app');
  const port = checkPort(scope, 'port', props.port ?? 5432);
  const repository = checkNonEmpty(scope, 'image', props.image ?? 'postgres');
  const version = props.version ?? DEFAULT_POSTGRES_VERSION;
  const majorVersion = parsePostgresVersion(scope, 'version', version);
  const image = withDigest(`${repository}:${version}`, props.imageDigest === undefined ? undefined : checkDigest(scope, 'imageDigest', props.imageDigest));
  const storageSize = checkQuantity(scope, 'storageSize', props.storageSize ?? '5Gi');
  const storageClassName = checkDnsSubdomain(scope, 'storageClassName', props.storageClassName ?? 'microk8s-hostpath');
  const sharedMemorySize = checkQuantity(scope, 'sharedMemorySize', props.sharedMemorySize ?? '256Mi');
  const terminationGracePeriodSeconds = checkInteger(scope, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 120, 30, 3600);
  const runAsUser = checkInteger(scope, 'runAsUser', props.runAsUser ?? (version.includes('alpine') ? 70 : 999), 1, 2 ** 31 - 1);
  const clusterDomain = checkNonEmpty(scope, 'clusterDomain', props.clusterDomain ?? 'cluster.local');
  const settings = checkSettings(scope, props.config ?? {}, MANAGED_SETTINGS, 'PostgresStatefulSet');
  const initScripts = checkInitScripts(scope, props.initScripts ?? {});
  const resources = withEphemeralStorage(checkResources(scope, 'resources', props.resources ?? {
    requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('512Mi') },
    limits: { memory: k8s.Quantity.fromString('1Gi') },
  }));
  return {
    name, databaseName, username, port, majorVersion, image, storageSize, storageClassName, sharedMemorySize, terminationGracePeriodSeconds,
    runAsUser, clusterDomain, settings, initScripts, resources, labels: checkLabels(scope, 'labels', props.labels),
  };
}

/** Where a major keeps its data: the mount point (the image's VOLUME) and PGDATA. */
interface DataLayout { readonly mountPath: string; readonly pgdata: string }

/**
 * Up to 17 the image declares VOLUME /var/lib/postgresql/data; a fresh filesystem there may
 * hold lost+found, which initdb refuses, so PGDATA is a subdirectory. From 18 the image
 * declares VOLUME /var/lib/postgresql and PGDATA /var/lib/postgresql/18/docker, so that
 * pg_upgrade --link can keep old and new clusters on one volume. The volume is mounted exactly
 * at the image's VOLUME: containerd mounts a throwaway volume over any image VOLUME path the pod
 * does not mount itself (one mount point for every major, with 17's PGDATA below it, would put
 * the database on that throwaway volume). A change of major therefore changes PGDATA: the
 * check-data-dir init container refuses to start when the volume holds a cluster of another
 * major (see scripts/check-data-dir.sh).
 */
function dataLayout(majorVersion: number): DataLayout {
  return majorVersion >= 18
    ? { mountPath: '/var/lib/postgresql', pgdata: `/var/lib/postgresql/${majorVersion}/docker` }
    : { mountPath: '/var/lib/postgresql/data', pgdata: '/var/lib/postgresql/data/pgdata' };
}

// ---- validation helpers local to PostgresStatefulSet ---------------------------------------

function checkInitScripts(scope: Construct, scripts: Record<string, string>): Record<string, string> {
  for (const [file, content] of Object.entries(scripts)) {
    // The entrypoint globs in the image's locale (punctuation is ignored on the first pass), so
    // only a three-digit prefix from 001 sorts reliably after 000-create-app-role.sh.
    if (!/^(00[1-9]|0[1-9]\d|[1-9]\d\d)-/.test(file)) {
      throw new PropError(scope, `initScripts.${file}`, file, `init scripts run in name order after ${APP_ROLE_SCRIPT}, which creates the application role: start the name with a three-digit prefix from 001, e.g. "010-${file}"`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.(sql|sh)$/.test(file)) {
      throw new PropError(scope, `initScripts.${file}`, file, 'expected a file name ending in .sql or .sh (letters, digits, ".", "_", "-"), e.g. "010-extensions.sql"');
    }
    if (typeof content !== 'string' || content.trim().length === 0) {
      throw new PropError(scope, `initScripts.${file}`, content, 'expected non-empty script content');
    }
  }
  return scripts;
}
