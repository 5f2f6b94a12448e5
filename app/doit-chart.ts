import { isIP } from 'net';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ElixirDeployment, ElixirSecrets, MigrationMode } from '../lib/elixir';
import { IngressCertificate, IngressController, TlsIngress } from '../lib/ingress';
import { PhoenixNetworkPolicies } from '../lib/network';
import { PostgresBackup, PostgresCluster, PostgresCredentials, PostgresStatefulSet } from '../lib/postgres';

/** Facts of the doit image (see the README): compiled into the release, not configurable. */
export const DOIT_IMAGE_FACTS = {
  nodeBasename: 'doit',
  headlessServiceName: 'elixir-headless',
  migrate: ['/app/bin/doit', 'eval', 'Doit.Release.migrate'],
  databaseName: 'doit_prod',
  databaseUser: 'doit',
} as const;

export interface DoitChartProps extends ChartProps {
  /** Namespace of the app and its database. */
  readonly namespace: string;
  /** Release image reference (from the registry's `imageRef`). */
  readonly image: string;
  /** Public host; absent: https://localhost. */
  readonly host?: string;
  readonly replicas: number;
  readonly postgres: {
    readonly engine: 'statefulset' | 'cloudnative-pg';
    readonly instances: number;
    readonly operatorVersion: string;
    readonly version: string;
    readonly imageDigest?: string;
    readonly storageSize: string;
    readonly storageClassName: string;
  };
  /** Scheduled backups; absent: none. */
  readonly backup?: { readonly schedule: string; readonly retention: number; readonly storageSize: string };
  /** Where data-holding objects that are not in a StatefulSet template go (the backup PVC). @default this chart */
  readonly volumesScope?: Construct;
  readonly certificate: IngressCertificate;
  readonly controller: IngressController;
  readonly ingressClassName: string;
  /** Strict-Transport-Security on the HTTPS route (Traefik; NGINX: its ConfigMap). @default true */
  readonly hsts?: boolean;
  /** Secrets the app's pods pull their image with. @default none */
  readonly imagePullSecrets?: string[];
  /** Owned secret values and where to put them, or undefined to reference pre-created Secrets. */
  readonly secrets?: {
    readonly scope: Construct;
    readonly postgresPassword: string;
    readonly postgresSuperuserPassword: string;
    readonly secretKeyBase: string;
    readonly releaseCookie: string;
  };
}

/**
 * The doit app: PostgreSQL → ElixirDeployment (DATABASE_URL; the app registers as the
 * database's client) → TlsIngress (which sets PHX_HOST to its host), in a namespace that
 * denies by default; each construct's NetworkPolicies follow from those registrations.
 */
export class DoitChart extends Chart {
  /** The database: one pod, or a CloudNativePG cluster (`postgres.engine`). */
  public readonly postgres: PostgresStatefulSet | PostgresCluster;
  public readonly app: ElixirDeployment;
  public readonly ingress: TlsIngress;
  public readonly networkPolicies: PhoenixNetworkPolicies;
  public readonly backup?: PostgresBackup;

  constructor(scope: Construct, id: string, props: DoitChartProps) {
    super(scope, id, props);
    const s = props.secrets;

    const database = {
      databaseName: DOIT_IMAGE_FACTS.databaseName,
      username: DOIT_IMAGE_FACTS.databaseUser,
      version: props.postgres.version,
      imageDigest: props.postgres.imageDigest,
      storageSize: props.postgres.storageSize,
      storageClassName: props.postgres.storageClassName,
      networkPolicies: true,
      credentials: s
        ? PostgresCredentials.fromValues({ password: s.postgresPassword, superuserPassword: s.postgresSuperuserPassword })
        // The same two names as the generated Secrets: the app's, and the superuser's of its own.
        : PostgresCredentials.fromExistingSecret('postgres-credentials'),
      secretScope: s?.scope,
    };
    // Everything below takes either: the app, its migrations, the backups and the policies.
    this.postgres = props.postgres.engine === 'cloudnative-pg'
      ? new PostgresCluster(this, 'Postgres', { ...database, instances: props.postgres.instances, operatorVersion: props.postgres.operatorVersion })
      : new PostgresStatefulSet(this, 'Postgres', database);

    this.app = new ElixirDeployment(this, 'Elixir', {
      image: props.image,
      nodeBasename: DOIT_IMAGE_FACTS.nodeBasename,
      headlessServiceName: DOIT_IMAGE_FACTS.headlessServiceName,
      replicas: props.replicas,
      database: this.postgres,
      secrets: s ? ElixirSecrets.fromValues({ secretKeyBase: s.secretKeyBase, releaseCookie: s.releaseCookie }) : ElixirSecrets.fromExistingSecret('elixir-secrets'),
      secretScope: s?.scope,
      migrations: { command: [...DOIT_IMAGE_FACTS.migrate], mode: MigrationMode.INIT_CONTAINER },
      imagePullSecrets: props.imagePullSecrets,
      networkPolicies: true,
      // Without generated secrets the pull Secret is yours (README, Secrets).
      externalImagePullSecrets: s ? [] : props.imagePullSecrets,
    });

    const hostIsIp = props.host !== undefined && isIP(props.host) !== 0;
    this.ingress = new TlsIngress(this, 'Ingress', {
      backend: this.app,
      // A name goes into the Ingress; an IP address cannot (the Ingress stays host-less) but is
      // still where browsers come from, so it becomes the public address (PHX_HOST).
      hosts: props.host && !hostIsIp ? [props.host] : [],
      publicAddress: hostIsIp ? props.host : undefined,
      controller: props.controller,
      ingressClassName: props.ingressClassName,
      certificate: props.certificate,
      hsts: props.hsts === false ? false : undefined,
    });

    if (props.backup) {
      // Dumps on a volume of the same (Retain) class as the database.
      this.backup = new PostgresBackup(this, 'Backup', { database: this.postgres, ...props.backup, claimScope: props.volumesScope });
    }
    // Both constructs asked for the namespace's default deny; there is one.
    this.networkPolicies = PhoenixNetworkPolicies.of(this);
  }
}
