import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { HttpExposure, IHttpBackend } from '../common/backend';
import { AppLabels, appLabels } from '../common/labels';
import { scratchVolume, withEphemeralStorage } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSpec } from '../common/security';
import { createHeadlessService } from '../common/headless-service';
import { createOwnedSecret } from '../common/owned-secret';
import { DEFAULT_POSTGRES_VERSION } from '../postgres/postgres-statefulset';
import { IPostgresDatabase, isPostgresDatabase } from '../postgres/database';
import { Connections } from '../network/connections';
import { INetworkPeer, IPodPeer, PodPeer, podsPeer } from '../network/peers';
import { PhoenixNetworkPolicies } from '../network/phoenix-network-policies';
import { NetworkZone, connect } from '../network/zone';
import { TlsIngress, TlsIngressProps } from '../ingress/tls-ingress';
import { declareExternalSecret } from '../validation/declarations';
import { isSecretName } from '../common/redact';
import {
  PropError, checkDnsLabel, checkDnsSubdomain, checkInteger, checkNonEmpty, checkPinnedImage, checkPort, checkPublicAddress, checkSecretKey, checkResources, checkLabels,
} from '../validation/props';
import { elixirScript } from './scripts';
import { ElixirSecrets, ElixirSecretsConfig } from './secrets';
import { bindChoice } from '../common/bind';

/** How the BEAM nodes find each other through the headless Service. */
export enum ClusterStrategy {
  /**
   * libcluster `Cluster.Strategy.Kubernetes.DNS` (service name and application_name compiled
   * into the release's config; doit uses this).
   */
  LIBCLUSTER_DNS = 'libcluster-dns',
  /** `dns_cluster` (Phoenix ≥ 1.7.11 default), which reads `DNS_CLUSTER_QUERY`. */
  DNS_CLUSTER = 'dns-cluster',
}

/** How database migrations run. */
export enum MigrationMode {
  /**
   * An init container in every app pod runs the migrator before the app starts (default).
   * New code never starts against an old schema, and with maxUnavailable 0 the old pods keep
   * serving meanwhile: zero downtime with plain `kubectl apply`. Ecto's migration lock
   * serialises the replicas; an up-to-date schema makes it a no-op.
   */
  INIT_CONTAINER = 'init-container',
  /**
   * A Job named after a hash of its pod template (so of the image): each release migrates
   * once, re-applying the same release is a no-op. Pods do not wait for it.
   */
  JOB = 'job',
}

export interface ElixirMigrations {
  /** Migrator command, e.g. `['/app/bin/doit', 'eval', 'Doit.Release.migrate']`. */
  readonly command: string[];
  /**
   * @default MigrationMode.INIT_CONTAINER
   */
  readonly mode?: MigrationMode;
  /**
   * Seconds after which a finished migration Job is deleted (Job mode). A deleted Job is
   * created again by the next `kubectl apply` of the same release and migrates again, which
   * is a no-op for Ecto.
   * @default none (finished Jobs stay until you delete them)
   */
  readonly jobTtlSecondsAfterFinished?: number;
}

/** A `DATABASE_URL` in a Secret that the user manages. */
export interface DatabaseUrlSecret {
  readonly secretName: string;
  /** @default "DATABASE_URL" */
  readonly key?: string;
  /**
   * Where that database is, so the app and its migration Job may connect once the namespace
   * denies by default: e.g. `{ peer: Peer.ipBlock('192.168.1.20/32'), port: 5432 }`, or a
   * `PodPeer` for a server of your own in the cluster.
   * @default none: in a namespace that denies by default, synth fails until it is given
   */
  readonly reachableAt?: { readonly peer: INetworkPeer; readonly port: number };
}

export interface ElixirDeploymentProps {
  /** Release image, pinned to a tag (not latest) or digest, e.g. `localhost:32000/doit:1.2.3`. */
  readonly image: string;
  /**
   * Node basename: `RELEASE_NODE=<basename>@<pod IP>`. With libcluster it must equal the
   * `application_name` in the release's config (doit: "doit").
   */
  readonly nodeBasename: string;
  /** Where `SECRET_KEY_BASE` and `RELEASE_COOKIE` come from. */
  readonly secrets: ElixirSecrets;

  /**
   * Name of the Deployment, the HTTP Service and prefix of the other objects.
   * @default "elixir"
   */
  readonly name?: string;
  /**
   * Name of the headless discovery Service (doit's libcluster config names "elixir-headless").
   * @default "<name>-headless"
   */
  readonly headlessServiceName?: string;
  /** @default 3 */
  readonly replicas?: number;
  /** @default ClusterStrategy.LIBCLUSTER_DNS */
  readonly clusterStrategy?: ClusterStrategy;
  /**
   * Port the release listens on (`PORT`).
   * @default 4000
   */
  readonly httpPort?: number;
  /**
   * Port of the HTTP Service.
   * @default 80
   */
  readonly servicePort?: number;
  /** @default 4369 */
  readonly epmdPort?: number;
  /**
   * The one port Erlang distribution listens on (pinned with `ERL_AFLAGS`).
   * @default 9000
   */
  readonly distributionPort?: number;
  /**
   * `PHX_HOST`: the public host name, which LiveView's origin check compares with the
   * browser's. Leave it unset: the Ingress that exposes the app (`exposeViaIngress`, or a
   * `TlsIngress` with this app as backend) sets it to its host. Set it only when browsers use
   * another name than the Ingress' (a proxy in front); then it stays as given.
   * @default the exposing Ingress' public address, else "localhost"
   */
  readonly phxHost?: string;
  /**
   * `DATABASE_URL`: from a database handle (a `PostgresStatefulSet` or one of its
   * `addDatabase` databases; the app and its migration Job register as its clients) or from
   * a user Secret (the database is yours, and so is the way to it: with `networkPolicies`,
   * allow it with `connections.allowTo(peer, [port])`).
   * @default none
   */
  readonly database?: IPostgresDatabase | DatabaseUrlSecret;
  /**
   * Deny all other traffic in the namespace (`PhoenixNetworkPolicies.of(this)`, once per
   * namespace however many constructs ask): the app then receives only what its Ingress,
   * its cluster peers and its registered connections need.
   * @default false
   */
  readonly networkPolicies?: boolean;
  /** `POOL_SIZE` of the app's Ecto repo. @default 10 */
  readonly poolSize?: number;
  /** Database migrations. @default none */
  readonly migrations?: ElixirMigrations;
  /** Path of the startup and readiness probes. @default "/" */
  readonly healthCheckPath?: string;
  /**
   * Path of an HTTP liveness probe. Give one only if it answers without the database.
   * @default none: liveness is a TCP check of the HTTP port
   */
  readonly livenessPath?: string;
  /** Extra plain (non-secret) env vars, appended last. @default none */
  readonly env?: Record<string, string>;
  /** @default requests cpu 250m / memory 256Mi, limits memory 512Mi */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Seconds between preStop and SIGTERM, so endpoints stop routing before the app drains.
   * @default 5
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Must exceed the preStop delay plus Phoenix's 30 s connection drain.
   * @default 45
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Numeric uid/gid (the doit image says `USER nobody` by name, which runAsNonRoot cannot verify).
   * @default 65534
   */
  readonly runAsUser?: number;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
  /**
   * Where an owned Secret is created (e.g. a separate chart so Secrets land in their own
   * file). Must have the same namespace.
   * @default this construct
   */
  readonly secretScope?: Construct;
  /**
   * Secrets (in this namespace) to pull the image with, e.g. from `LocalRegistry.createPullSecret`.
   * Ones not created in the same app are declared external for validation.
   * @default none
   */
  readonly imagePullSecrets?: string[];
  /** Those of `imagePullSecrets` that you create outside this app (declared external for validation). @default none */
  readonly externalImagePullSecrets?: string[];
  /** Extra labels on every object. @default none */
  readonly labels?: Record<string, string>;
}

const ERLANG_NAME_PART = /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/;
const RESERVED_ENV = new Set(['POD_IP', 'RELEASE_DISTRIBUTION', 'RELEASE_NODE', 'RELEASE_COOKIE', 'DNS_CLUSTER_QUERY', 'RELEASE_VM_ARGS',
  'RELEASE_REMOTE_VM_ARGS', 'PHX_SERVER', 'PORT', 'PHX_HOST', 'SECRET_KEY_BASE', 'DATABASE_URL', 'POOL_SIZE', 'RELEASE_TMP', 'ERL_CRASH_DUMP',
  'ERL_CRASH_DUMP_BYTES']);
/** Where the vm.args of the release's main node is mounted. */
const VM_ARGS_DIR = '/etc/elixir';
/** pg_isready for a database that is not a PostgresStatefulSet (whose own image is used otherwise). */
export const DEFAULT_DATABASE_WAIT_IMAGE = `postgres:${DEFAULT_POSTGRES_VERSION}`;
/** How long the migrator waits for the database to accept connections. */
const DATABASE_WAIT_SECONDS = 300;

/**
 * A clustered Phoenix/Elixir release: a Deployment with zero-downtime rollouts, an HTTP
 * Service, a headless Service through which the nodes discover each other (libcluster
 * Kubernetes.DNS or dns_cluster) and form one Erlang cluster, Kubernetes-native migrations,
 * a PodDisruptionBudget, and secrets only from Secrets.
 */
export class ElixirDeployment extends Construct implements IHttpBackend, IPodPeer {
  public readonly name: string;
  /** The HTTP Service (IHttpBackend). */
  public readonly serviceName: string;
  /** Port of the HTTP Service (IHttpBackend). */
  public readonly servicePort: number;
  /** Port the pods serve HTTP on. */
  public readonly httpPort: number;
  public readonly epmdPort: number;
  public readonly distributionPort: number;
  public readonly headlessServiceName: string;
  /** The DNS name the nodes query to find each other (`<headless>.<namespace>.svc.<domain>`). */
  public readonly dnsQuery: string;
  /** Secret holding SECRET_KEY_BASE and RELEASE_COOKIE. */
  public readonly secretName: string;
  public readonly namespace?: string;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  public readonly headlessService: k8s.KubeService;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly secret?: k8s.KubeSecret;
  /** The migration Job (MigrationMode.JOB). */
  public readonly migrationJob?: k8s.KubeJob;
  /** Labels selecting the app pods. */
  public readonly podSelector: Record<string, string>;
  /** Labels of migration Job pods (they connect to the database but are not app pods). */
  public readonly migrationPodSelector?: Record<string, string>;
  /** The migration Job's pods as a peer (MigrationMode.JOB), registered with the database. */
  public readonly migrationPods?: PodPeer;
  /** Name of the app's NetworkPolicies (`<name>-ingress`, `<name>-egress`). */
  public readonly peerName: string;
  public readonly peerKey: string;
  /**
   * The app pods' connections: add your own (`allowTo(Peer.ipBlock(...), [443])` for an external
   * API); the library registers the Ingress, the cluster and the database.
   */
  public readonly connections: Connections;

  private readonly phxHostEnv: { name: string; value: string };
  /** Who set PHX_HOST: the user (prop or setPublicHost), an Ingress (its path), or nobody yet. */
  private phxHostSource: 'user' | 'default' | { readonly ingress: string };

  constructor(scope: Construct, id: string, props: ElixirDeploymentProps) {
    super(scope, id);
    const p = resolveProps(this, props);
    this.name = p.name;
    this.headlessServiceName = p.headlessServiceName;
    this.httpPort = p.httpPort;
    this.servicePort = p.servicePort;
    this.epmdPort = p.epmdPort;
    this.distributionPort = p.distributionPort;
    this.phxHostEnv = { name: 'PHX_HOST', value: p.phxHost };
    this.phxHostSource = props.phxHost === undefined ? 'default' : 'user';
    this.namespace = Chart.of(this).namespace;
    this.serviceName = this.name;
    this.dnsQuery = this.namespace ? `${this.headlessServiceName}.${this.namespace}.svc.${p.clusterDomain}` : this.headlessServiceName;
    const labels = appLabels(p.basename, this.name, 'app', p.labels);
    this.podSelector = labels.selector;
    this.peerName = this.name;
    this.peerKey = `pods:${this.node.path}`;
    this.connections = new Connections(this);
    NetworkZone.of(this).registerPeer(this);
    if (props.networkPolicies) PhoenixNetworkPolicies.of(this);

    // ---- secrets -------------------------------------------------------------------------
    const secrets = bindChoice(this, 'secrets', props.secrets, 'expected ElixirSecrets.fromValues({ secretKeyBase, releaseCookie }) or ElixirSecrets.fromExistingSecret(name)');
    this.secretName = secrets.secretName ?? `${this.name}-secrets`;
    if (secrets.values) {
      this.secret = createOwnedSecret(this, props.secretScope, { name: this.secretName, namespace: this.namespace, labels: labels.all, values: secrets.values });
    }
    const database = this.databaseEnv(props.database);

    // ---- pods, Services, Deployment, PDB, migration Job ------------------------------------
    const containers = this.containers(p, secrets, database, props.database, labels);
    this.service = this.httpService(labels);
    this.headlessService = this.discoveryService(labels);
    this.deployment = this.appDeployment(p, labels, containers);
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name: this.name, labels: labels.all },
      // Unhealthy pods may always be evicted: a crash-looping pod must not block a node drain.
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels.selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
    if (p.migrations && p.migrationMode === MigrationMode.JOB) {
      const jobLabels = appLabels(p.basename, `${this.name}-migrate`, 'migration', props.labels);
      this.migrationPodSelector = jobLabels.selector;
      this.migrationPods = new PodPeer(this, 'MigrationPods', { peerName: `${this.name}-migrate`, podSelector: jobLabels.selector });
      NetworkZone.of(this).registerPeer(this.migrationPods, 'name');
      this.migrationJob = this.migrationJobFor(p, p.migrations, jobLabels, containers);
    }

    // ---- connections: the cluster among its pods, the database from the app and its migrator --
    this.connections.allowFrom(this, [this.epmdPort, this.distributionPort]);
    this.connectDatabase(props.database);
    for (const obj of [this.deployment, this.migrationJob]) {
      if (!obj) continue;
      if (!this.secret) declareExternalSecret(obj, this.secretName);
      for (const name of props.externalImagePullSecrets ?? []) declareExternalSecret(obj, name);
      for (const name of database.external) declareExternalSecret(obj, name);
    }
  }

  /** The app container, the migration steps and the volumes they share (creates the vm.args ConfigMap). */
  private containers(p: ResolvedProps, secrets: ElixirSecretsConfig, database: { env: k8s.EnvVar[] }, handle: ElixirDeploymentProps['database'], labels: AppLabels): AppContainers {
    const fromSecret = (name: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: this.secretName, key } } });
    // ---- environment, in the order $(VAR) expansion needs -------------------------------
    const runtimeEnv: k8s.EnvVar[] = [
      ...database.env,
      fromSecret('SECRET_KEY_BASE', secrets.secretKeyBaseKey),
      // Release scripts write here; the root filesystem is read-only.
      { name: 'RELEASE_TMP', value: '/tmp' },
      { name: 'ERL_CRASH_DUMP', value: '/tmp/erl_crash.dump' },
      // A crash dump larger than the /tmp emptyDir would get the pod evicted instead.
      { name: 'ERL_CRASH_DUMP_BYTES', value: String(384 * 1024 * 1024) },
    ];
    const env: k8s.EnvVar[] = [
      // apiVersion as the server stores it: fieldRef is atomic, so a value that differs after
      // defaulting makes `kubectl apply --server-side` conflict with an earlier client-side apply.
      { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'RELEASE_DISTRIBUTION', value: 'name' },
      { name: 'RELEASE_NODE', value: `${p.basename}@$(POD_IP)` },
      fromSecret('RELEASE_COOKIE', secrets.releaseCookieKey),
      ...(p.strategy === ClusterStrategy.DNS_CLUSTER ? [{ name: 'DNS_CLUSTER_QUERY', value: this.dnsQuery }] : []),
      // One fixed distribution port, so Services and NetworkPolicies can name it; in vm.args,
      // which only the release's main node reads (ERL_AFLAGS would pin every VM started in the
      // container to it, and `bin/<app> rpc|remote|stop|pid` would fail with eaddrinuse).
      { name: 'RELEASE_VM_ARGS', value: `${VM_ARGS_DIR}/vm.args` },
      { name: 'PHX_SERVER', value: 'true' },
      { name: 'PORT', value: String(this.httpPort) },
      this.phxHostEnv,
      { name: 'POOL_SIZE', value: String(p.poolSize) },
      ...runtimeEnv,
      ...Object.entries(p.extraEnv).map(([name, value]) => ({ name, value })),
    ];

    const containerSecurity = restrictedContainerSecurity();
    const tmpMount: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };
    // The migrator is a one-off BEAM: it must not join the cluster, and Ecto needs 2 connections.
    const migrator = (): k8s.Container => ({
      name: 'migrate',
      image: p.image,
      imagePullPolicy: 'IfNotPresent',
      command: p.migrations!.command,
      env: [{ name: 'RELEASE_DISTRIBUTION', value: 'none' }, { name: 'POOL_SIZE', value: '2' }, ...runtimeEnv],
      resources: p.resources,
      securityContext: containerSecurity,
      volumeMounts: [tmpMount],
    });
    const vmArgs = new k8s.KubeConfigMap(this, 'VmArgs', {
      metadata: { name: `${this.name}-vm-args`, labels: labels.all },
      data: { 'vm.args': renderVmArgs(this.distributionPort) },
    });
    // Before migrating, wait for the database (with a database handle, the server's own image has pg_isready).
    const waitForDatabase = (): k8s.Container[] => (handle ? [{
      name: 'wait-for-database',
      image: isPostgresDatabase(handle) ? handle.image : DEFAULT_DATABASE_WAIT_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', elixirScript('wait-for-database.sh')],
      env: [...database.env, { name: 'WAIT_SECONDS', value: String(DATABASE_WAIT_SECONDS) }],
      resources: withEphemeralStorage({ requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') }, limits: { memory: k8s.Quantity.fromString('64Mi') } }),
      securityContext: containerSecurity,
    }] : []);

    const httpGet = (): k8s.HttpGetAction => ({ path: p.healthCheckPath, port: k8s.IntOrString.fromString('http') });
    const app: k8s.Container = {
      name: 'app',
      image: p.image,
      imagePullPolicy: 'IfNotPresent',
      ports: [
        { name: 'http', containerPort: this.httpPort, protocol: 'TCP' },
        { name: 'epmd', containerPort: this.epmdPort, protocol: 'TCP' },
        { name: 'dist', containerPort: this.distributionPort, protocol: 'TCP' },
      ],
      env,
      resources: p.resources,
      securityContext: containerSecurity,
      // The BEAM boots in seconds, but a cold node on a busy host may need a minute.
      startupProbe: { httpGet: httpGet(), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 36 },
      readinessProbe: { httpGet: httpGet(), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
      // Liveness only asks whether the BEAM still accepts connections: an HTTP check of a page
      // that queries the database would restart every pod during a database outage.
      livenessProbe: p.livenessPath
        ? { httpGet: { path: p.livenessPath, port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }
        : { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      // Keep serving while the endpoint removal propagates to kube-proxy and the ingress.
      lifecycle: p.preStopDelaySeconds > 0 ? { preStop: { exec: { command: ['sleep', String(p.preStopDelaySeconds)] } } } : undefined,
      volumeMounts: [tmpMount, { name: 'vm-args', mountPath: VM_ARGS_DIR, readOnly: true }],
    };
    return {
      app, migrator, waitForDatabase,
      tmpVolume: scratchVolume('tmp', '512Mi'),
      vmArgsVolume: { name: 'vm-args', configMap: { name: vmArgs.name, defaultMode: 0o444 } },
    };
  }

  /**
   * The app and its migration Job register with a database handle, or connect to where a
   * `DATABASE_URL` Secret's database is (`reachableAt`); without either, a namespace that
   * denies by default would silently cut them off, so synth fails there.
   */
  private connectDatabase(database: ElixirDeploymentProps['database']): void {
    if (database === undefined) return;
    const clients: IPodPeer[] = [this, ...(this.migrationPods ? [this.migrationPods] : [])];
    if (isPostgresDatabase(database)) {
      for (const client of clients) database.addClient(client);
      return;
    }
    const at = database.reachableAt;
    if (at) {
      for (const client of clients) connect(this, client, at.peer, [checkPort(this, 'database.reachableAt.port', at.port)]);
      return;
    }
    const zone = NetworkZone.of(this);
    this.node.addValidation({
      validate: () => zone.enforced
        ? [`invalid prop "database": DATABASE_URL comes from Secret "${database.secretName}", but namespace "${this.namespace ?? '(none)'}" denies by default and nothing says where that database is: give database.reachableAt ({ peer, port }), or pass the database handle (a PostgresStatefulSet or addDatabase result) instead of its Secret`]
        : [],
    });
  }

  /** The ClusterIP Service the Ingress routes to. */
  private httpService(labels: AppLabels): k8s.KubeService {
    return new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, labels: labels.all },
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
  }

  /** The headless Service the nodes find each other through, while booting too (before they are ready). */
  private discoveryService(labels: AppLabels): k8s.KubeService {
    return createHeadlessService(this, 'HeadlessService', {
      name: this.headlessServiceName, labels: labels.all, selector: labels.selector, publishNotReadyAddresses: true,
      ports: [
        { name: 'epmd', port: this.epmdPort, targetPort: k8s.IntOrString.fromString('epmd'), protocol: 'TCP' },
        { name: 'dist', port: this.distributionPort, targetPort: k8s.IntOrString.fromString('dist'), protocol: 'TCP' },
      ],
    });
  }

  /** Zero-downtime rolling updates; with init-container migrations each new pod migrates first. */
  private appDeployment(p: ResolvedProps, labels: AppLabels, c: AppContainers): k8s.KubeDeployment {
    const migrateFirst = !!p.migrations && p.migrationMode === MigrationMode.INIT_CONTAINER;
    return new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.name, labels: labels.all },
      spec: {
        replicas: p.replicas,
        revisionHistoryLimit: 5,
        // Each new pod migrates before it starts (init container): allow for that.
        progressDeadlineSeconds: migrateFirst ? 900 : 600,
        selector: { matchLabels: labels.selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: labels.all },
          spec: {
            ...restrictedPodSpec(p.runAsUser),
            terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
            imagePullSecrets: p.pullSecrets,
            initContainers: migrateFirst ? [...c.waitForDatabase(), c.migrator()] : undefined,
            containers: [c.app],
            volumes: [c.tmpVolume, c.vmArgsVolume],
            topologySpreadConstraints: [{
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels.selector },
              // Count only pods of the same ReplicaSet, so a rollout spreads its new pods too.
              matchLabelKeys: ['pod-template-hash'],
            }],
          },
        },
      },
    });
  }

  /** MigrationMode.JOB: one Job per release, named after a hash of its pod template. */
  private migrationJobFor(p: ResolvedProps, migrations: ElixirMigrations, jobLabels: AppLabels, c: AppContainers): k8s.KubeJob {
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: jobLabels.all },
      spec: {
        ...restrictedPodSpec(p.runAsUser),
        restartPolicy: 'Never',
        imagePullSecrets: p.pullSecrets,
        initContainers: p.hasDatabase ? c.waitForDatabase() : undefined,
        containers: [c.migrator()],
        volumes: [c.tmpVolume],
      },
    };
    // Jobs are immutable: a new pod template needs a new name. Hashing the template makes
    // the name change exactly when the image (or command, or Secret refs) changes.
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    return new k8s.KubeJob(this, 'MigrationJob', {
      metadata: { name: `${this.name}-migrate-${hash}`, labels: jobLabels.all },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: migrations.jobTtlSecondsAfterFinished,
        template,
      },
    });
  }

  /**
   * Set `PHX_HOST` yourself, overriding what an Ingress sets (e.g. a proxy in front of it
   * serves another name). Not needed otherwise: the exposing Ingress sets it.
   */
  public setPublicHost(host: string): void {
    this.phxHostEnv.value = checkPublicAddress(this, 'publicHost', host);
    this.phxHostSource = 'user';
  }

  /**
   * Expose the app over HTTPS: a `TlsIngress` (child of this construct) with this app as its
   * backend, which sets PHX_HOST to its host and lets the ingress controller in.
   */
  public exposeViaIngress(id: string, props: Omit<TlsIngressProps, 'backend'> = {}): TlsIngress {
    return new TlsIngress(this, id, { ...props, backend: this });
  }

  /** IHttpBackend: called by each Ingress that routes to this app (sets PHX_HOST, lets the controller in). */
  public exposedVia(exposure: HttpExposure): void {
    const ingressNamespace = Chart.of(exposure.ingress).namespace;
    if (ingressNamespace !== this.namespace) {
      throw new PropError(exposure.ingress, 'backend', this.node.path,
        `expected an app in the Ingress' namespace "${ingressNamespace ?? '(none)'}" (an Ingress routes to a Service of its own namespace), not one in "${this.namespace ?? '(none)'}"`);
    }
    this.connections.allowFrom(exposure.from, [this.httpPort]);
    const source = this.phxHostSource;
    if (source === 'user') return;
    if (exposure.publicAddress.startsWith('*.')) {
      throw new PropError(this, 'phxHost', exposure.publicAddress,
        `the app is exposed by ${exposure.ingress.node.path} under a wildcard host, which cannot be PHX_HOST: set phxHost to the host browsers use (and allow the others in the endpoint's check_origin)`);
    }
    if (typeof source === 'object' && this.phxHostEnv.value !== exposure.publicAddress) {
      throw new PropError(this, 'phxHost', exposure.publicAddress,
        `the app is exposed as "${this.phxHostEnv.value}" by ${source.ingress} and as "${exposure.publicAddress}" by ${exposure.ingress.node.path}; PHX_HOST holds one host (LiveView's origin check): set phxHost to the one browsers use`);
    }
    this.phxHostEnv.value = checkPublicAddress(this, 'phxHost', exposure.publicAddress);
    this.phxHostSource = { ingress: exposure.ingress.node.path };
  }

  /** IPodPeer: how a NetworkPolicy selects the app pods. */
  public toNetworkPolicyPeer(policyNamespace: string | undefined) {
    return podsPeer(this.podSelector, this.namespace, policyNamespace);
  }

  /** The current `PHX_HOST`. */
  public get publicHost(): string {
    return this.phxHostEnv.value;
  }

  /** `DATABASE_URL` from a database handle or a user Secret. */
  private databaseEnv(database: ElixirDeploymentProps['database']): { env: k8s.EnvVar[]; external: string[] } {
    if (database === undefined) return { env: [], external: [] };
    if (isPostgresDatabase(database)) {
      if (database.namespace !== this.namespace) {
        throw new PropError(this, 'database', `${database.databaseName} in namespace "${database.namespace}"`, `the database must be in this chart's namespace "${this.namespace}" (its Secret is referenced by name)`);
      }
      return { env: [database.databaseUrlEnv('DATABASE_URL')], external: [...database.externalSecretNames] };
    }
    const name = checkDnsSubdomain(this, 'database.secretName', database.secretName);
    const key = checkSecretKey(this, 'database.key', database.key ?? 'DATABASE_URL');
    return { env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name, key } } }], external: [name] };
  }
}

/** The props, each checked and defaulted: what the builders of ElixirDeployment read. */
interface ResolvedProps {
  readonly image: string;
  readonly basename: string;
  readonly name: string;
  readonly headlessServiceName: string;
  readonly replicas: number;
  readonly strategy: ClusterStrategy;
  readonly httpPort: number;
  readonly servicePort: number;
  readonly epmdPort: number;
  readonly distributionPort: number;
  readonly phxHost: string;
  readonly poolSize: number;
  readonly healthCheckPath: string;
  readonly livenessPath?: string;
  readonly preStopDelaySeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly clusterDomain: string;
  readonly extraEnv: Record<string, string>;
  readonly migrations?: ElixirMigrations;
  readonly migrationMode: MigrationMode;
  readonly pullSecrets?: Array<{ name: string }>;
  readonly resources: k8s.ResourceRequirements;
  readonly labels?: Record<string, string>;
  readonly hasDatabase: boolean;
}

/** What the pod templates are made of (`ElixirDeployment.containers`). */
interface AppContainers {
  readonly app: k8s.Container;
  readonly migrator: () => k8s.Container;
  readonly waitForDatabase: () => k8s.Container[];
  readonly tmpVolume: k8s.Volume;
  readonly vmArgsVolume: k8s.Volume;
}

/** Every prop of an ElixirDeployment checked in one place; errors name `scope` and the prop. */
function resolveProps(scope: Construct, props: ElixirDeploymentProps): ResolvedProps {
  const image = checkPinnedImage(scope, 'image', props.image);
  const basename = props.nodeBasename;
  if (typeof basename !== 'string' || !ERLANG_NAME_PART.test(basename)) {
    throw new PropError(scope, 'nodeBasename', basename, 'expected an Erlang node name part: a letter, then letters, digits, "_" or "-" (e.g. "doit"); it becomes RELEASE_NODE=<basename>@<pod IP>');
  }
  const name = checkDnsLabel(scope, 'name', props.name ?? 'elixir', 47);
  const headlessServiceName = checkDnsLabel(scope, 'headlessServiceName', props.headlessServiceName ?? `${name}-headless`);
  const replicas = checkInteger(scope, 'replicas', props.replicas ?? 3, 1, 1000);
  const strategy = props.clusterStrategy ?? ClusterStrategy.LIBCLUSTER_DNS;
  if (!Object.values(ClusterStrategy).includes(strategy)) {
    throw new PropError(scope, 'clusterStrategy', strategy, `expected one of ${Object.values(ClusterStrategy).join(', ')}`);
  }
  const httpPort = checkPort(scope, 'httpPort', props.httpPort ?? 4000);
  const servicePort = checkPort(scope, 'servicePort', props.servicePort ?? 80);
  const ports = {
    httpPort,
    epmdPort: checkPort(scope, 'epmdPort', props.epmdPort ?? 4369),
    distributionPort: checkPort(scope, 'distributionPort', props.distributionPort ?? 9000),
  };
  const clash = Object.entries(ports).find(([k, v]) => Object.entries(ports).some(([k2, v2]) => k2 !== k && v2 === v));
  if (clash) {
    throw new PropError(scope, clash[0], clash[1], `httpPort, epmdPort and distributionPort must differ (got ${JSON.stringify(ports)})`);
  }
  const phxHost = checkPublicAddress(scope, 'phxHost', props.phxHost ?? 'localhost');
  const poolSize = checkInteger(scope, 'poolSize', props.poolSize ?? 10, 1, 1000);
  const healthCheckPath = props.healthCheckPath ?? '/';
  for (const [prop, path] of [['healthCheckPath', healthCheckPath], ['livenessPath', props.livenessPath ?? '/']] as const) {
    if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
      throw new PropError(scope, prop, path, 'expected an absolute URL path without spaces, e.g. "/health"');
    }
  }
  const preStopDelaySeconds = checkInteger(scope, 'preStopDelaySeconds', props.preStopDelaySeconds ?? 5, 0, 120);
  const terminationGracePeriodSeconds = checkInteger(scope, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 45, 1, 3600);
  if (terminationGracePeriodSeconds <= preStopDelaySeconds + 30) {
    throw new PropError(scope, 'terminationGracePeriodSeconds', terminationGracePeriodSeconds,
      `must exceed preStopDelaySeconds (${preStopDelaySeconds}) + Phoenix's 30 s connection drain, i.e. at least ${preStopDelaySeconds + 31}`);
  }
  const runAsUser = checkInteger(scope, 'runAsUser', props.runAsUser ?? 65534, 1, 2 ** 31 - 1);
  const clusterDomain = checkNonEmpty(scope, 'clusterDomain', props.clusterDomain ?? 'cluster.local');
  const extraEnv = checkExtraEnv(scope, props.env ?? {});
  const migrations = checkMigrations(scope, props.migrations);
  const pullSecretNames = (props.imagePullSecrets ?? []).map((n, i) => checkDnsSubdomain(scope, `imagePullSecrets[${i}]`, n));
  const resources = withEphemeralStorage(checkResources(scope, 'resources', props.resources ?? {
    requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
    limits: { memory: k8s.Quantity.fromString('512Mi') },
  }));
  return {
    image, basename, name, headlessServiceName, replicas, strategy, ...ports, servicePort, phxHost, poolSize, healthCheckPath,
    livenessPath: props.livenessPath, preStopDelaySeconds, terminationGracePeriodSeconds, runAsUser, clusterDomain, extraEnv, migrations,
    migrationMode: migrations?.mode ?? MigrationMode.INIT_CONTAINER,
    pullSecrets: pullSecretNames.length > 0 ? pullSecretNames.map(n => ({ name: n })) : undefined,
    resources,
    labels: checkLabels(scope, 'labels', props.labels),
    hasDatabase: props.database !== undefined,
  };
}

/** The release's vm.args: the main node's one distribution port (see RELEASE_VM_ARGS above). */
export function renderVmArgs(distributionPort: number): string {
  return [
    '## Written by ElixirDeployment (RELEASE_VM_ARGS): flags of the release\'s main node only.',
    '## Remote commands (rpc, remote, stop, pid) read RELEASE_REMOTE_VM_ARGS and pick any free port.',
    `-kernel inet_dist_listen_min ${distributionPort} inet_dist_listen_max ${distributionPort}`,
    '',
  ].join('\n');
}

function checkExtraEnv(scope: Construct, env: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new PropError(scope, `env.${name}`, value, 'expected an environment variable name (letters, digits, "_")');
    }
    if (RESERVED_ENV.has(name)) {
      throw new PropError(scope, `env.${name}`, value,
        `${name} is set by ElixirDeployment; ${name === 'RELEASE_COOKIE' || name === 'SECRET_KEY_BASE' ? 'pass it through the secrets prop (it must come from a Secret, never a literal)' : 'use the matching prop'}`);
    }
    if (isSecretName(name)) {
      throw new PropError(scope, `env.${name}`, value, 'looks like a secret: put it in a Secret and reference it, never as a literal env value');
    }
    if (typeof value !== 'string') throw new PropError(scope, `env.${name}`, value, 'expected a string value');
  }
  return env;
}

function checkMigrations(scope: Construct, migrations: ElixirMigrations | undefined): ElixirMigrations | undefined {
  if (!migrations) return undefined;
  if (!Array.isArray(migrations.command) || migrations.command.length === 0 || migrations.command.some(a => typeof a !== 'string' || a.length === 0)) {
    throw new PropError(scope, 'migrations.command', migrations.command, 'expected a non-empty argv array, e.g. ["/app/bin/doit", "eval", "Doit.Release.migrate"]');
  }
  if (migrations.mode !== undefined && !Object.values(MigrationMode).includes(migrations.mode)) {
    throw new PropError(scope, 'migrations.mode', migrations.mode, `expected one of ${Object.values(MigrationMode).join(', ')}`);
  }
  if (migrations.jobTtlSecondsAfterFinished !== undefined) checkInteger(scope, 'migrations.jobTtlSecondsAfterFinished', migrations.jobTtlSecondsAfterFinished, 0, 31536000);
  return migrations;
}
