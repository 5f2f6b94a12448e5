import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import type * as Cnpg from '../../imports/postgresql.cnpg.io';
import { bindChoice } from '../common/bind';
import { withDigest } from '../common/image-ref';
import { appLabels, AppLabels } from '../common/labels';
import { createOwnedSecret } from '../common/owned-secret';
import { Connections } from '../network/connections';
import { IPodPeer, Peer, podsPeer } from '../network/peers';
import { PhoenixNetworkPolicies } from '../network/phoenix-network-policies';
import { NetworkZone } from '../network/zone';
import { declareExternalSecret } from '../validation/declarations';
import {
  PropError, checkDigest, checkDnsLabel, checkDnsSubdomain, checkInteger, checkLabels, checkNonEmpty, checkPort, checkQuantity, checkResources,
} from '../validation/props';
import { checkCidr } from '../common/k8s-names';
import { checkAppRole, checkIdentifier, checkNewDatabase, checkSettings, parsePostgresVersion } from './checks';
import { PostgresCredentials, ectoUrl } from './credentials';
import { IPostgresServer, PostgresDatabaseHandle } from './database';
import { PostgresDatabase, PostgresDatabaseProps } from './postgres-database';

/**
 * The typed bindings of CloudNativePG (1.3 MB of JavaScript), loaded with the first
 * PostgresCluster rather than by every app that imports the library.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cnpg = (): typeof Cnpg => require('../../imports/postgresql.cnpg.io');

/** The oldest CloudNativePG operator this construct writes for (MicroK8s' `cloudnative-pg` addon default is 1.23.3). */
export const MINIMUM_CNPG_OPERATOR = '1.23.0';
/** The first operator with the `Database` resource, which `addDatabase` needs. */
export const CNPG_DATABASE_OPERATOR = '1.25.0';
/** What `microk8s enable cloudnative-pg` installs without a version argument. */
export const DEFAULT_CNPG_OPERATOR = '1.23.3';
/** CloudNativePG's PostgreSQL images (the operator needs its own, not the official `postgres`). */
export const DEFAULT_CNPG_IMAGE = 'ghcr.io/cloudnative-pg/postgresql';
/** uid and gid of `postgres` in CloudNativePG's images. */
export const CNPG_POSTGRES_UID = 26;
/** Where the instance manager answers the operator (status, switchover). */
export const CNPG_STATUS_PORT = 8000;

/** Settings CloudNativePG sets itself and refuses (its "fixed parameters"); listed here to fail at synth, not in the operator's log. */
const CNPG_MANAGED_SETTINGS = ['port', 'listen_addresses', 'unix_socket_directories', 'data_directory', 'hba_file', 'ident_file', 'config_file',
  'archive_mode', 'archive_command', 'restore_command', 'primary_conninfo', 'primary_slot_name', 'recovery_target', 'hot_standby', 'wal_level',
  'log_destination', 'logging_collector', 'ssl', 'ssl_cert_file', 'ssl_key_file', 'ssl_ca_file', 'password_encryption'];

export interface PostgresClusterProps {
  /**
   * Where the passwords come from, as for `PostgresStatefulSet`: `PostgresCredentials.fromValues`
   * (this construct writes Secrets `<name>-credentials` and `<name>-superuser`, of type
   * `kubernetes.io/basic-auth` as CloudNativePG reads them) or `.fromExistingSecret` (such
   * Secrets exist: `username` and `password` keys, plus `DATABASE_URL` for the application).
   */
  readonly credentials: PostgresCredentials;

  /**
   * Name of the `Cluster`: its pods are `<name>-1`, `<name>-2`, …, clients connect to Service
   * `<name>-rw` (the primary, wherever it is).
   * @default "postgres"
   */
  readonly name?: string;

  /**
   * PostgreSQL instances: one primary, the others streaming replicas that take over when the
   * primary's node fails. At least 3 for a failover that keeps a replica.
   * @default 3
   */
  readonly instances?: number;

  /** Name of the application database. @default "app" */
  readonly databaseName?: string;

  /** Its owner, the login the application uses. @default "app" */
  readonly username?: string;

  /**
   * Image repository: CloudNativePG's PostgreSQL images (or a mirror of them).
   * @default "ghcr.io/cloudnative-pg/postgresql"
   */
  readonly image?: string;

  /**
   * Image tag pinned to `MAJOR.MINOR` (majors 15-18), e.g. "17.6" or "17.6-standard-bookworm".
   * @default "17.6"
   */
  readonly version?: string;

  /** Content digest of that image (`sha256:…`). @default none (the tag) */
  readonly imageDigest?: string;

  /** Size of each instance's volume. @default "5Gi" */
  readonly storageSize?: string;

  /**
   * StorageClass of the instances' volumes. The default, `microk8s-hostpath`, keeps each
   * instance's data on one node's disk: instances survive the loss of a node only as their
   * replicas; a replicated class (MicroK8s `openebs` (Mayastor) or `rook-ceph` addons) also
   * keeps each instance's own data.
   * @default "microk8s-hostpath"
   */
  readonly storageClassName?: string;

  /**
   * Container resources of each instance.
   * @default requests cpu 250m / memory 512Mi, limits memory 1Gi
   */
  readonly resources?: k8s.ResourceRequirements;

  /**
   * `postgresql.conf` settings (`spec.postgresql.parameters`). The ones CloudNativePG fixes
   * (port, listen_addresses, wal_level, ssl, …) are refused.
   * @default {}
   */
  readonly config?: Record<string, string | number | boolean>;

  /**
   * Instances on different nodes: "required" leaves an instance Pending rather than put two on
   * one node; "preferred" puts them together when nodes are short.
   * @default "required"
   */
  readonly podAntiAffinity?: 'required' | 'preferred';

  /**
   * Version of the CloudNativePG operator in the cluster (`microk8s enable cloudnative-pg
   * [version]`): 1.23 or later; `addDatabase` needs 1.25 or later (the `Database` resource).
   * @default "1.23.3" (the addon's default)
   */
  readonly operatorVersion?: string;

  /**
   * Namespace of the operator, which must reach each instance on port 8000.
   * @default "cnpg-system" (the addon's)
   */
  readonly operatorNamespace?: string;

  /**
   * Where the Kubernetes API server is, which every instance (and its init Jobs) must reach
   * under a default-deny egress policy: MicroK8s' API server listens on the nodes' addresses,
   * port 16443. Narrow `cidr` to your nodes' network.
   * @default { cidr: "0.0.0.0/0", port: 16443 }
   */
  readonly apiServer?: { readonly cidr: string; readonly port: number };

  /** DNS suffix of the cluster, for the `host` handle. @default "cluster.local" */
  readonly clusterDomain?: string;

  /** Where owned Secrets are created (same namespace). @default this construct */
  readonly secretScope?: Construct;

  /** Extra labels on every object (and, through `inheritedMetadata`, on the instances' pods). @default none */
  readonly labels?: Record<string, string>;

  /** Deny all other traffic in the namespace (`PhoenixNetworkPolicies.of(this)`). @default false */
  readonly networkPolicies?: boolean;
}

/**
 * A highly available PostgreSQL for clusters of several nodes, run by the CloudNativePG
 * operator (MicroK8s: `microk8s enable community && microk8s enable cloudnative-pg`): a
 * `Cluster` of `instances` pods on different nodes with streaming replication and automatic
 * failover, behind Service `<name>-rw`. It is a database handle like `PostgresStatefulSet`:
 * `ElixirDeployment`, migrations, `PostgresBackup` and the derived NetworkPolicies take either.
 */
export class PostgresCluster extends PostgresDatabaseHandle implements IPostgresServer, IPodPeer {
  public readonly name: string;
  /** The Service clients connect to: the primary, wherever it runs. */
  public readonly serviceName: string;
  public readonly host: string;
  public readonly port = 5432;
  public readonly databaseName: string;
  public readonly username: string;
  public readonly instances: number;
  public readonly secretName: string;
  public readonly passwordKey: string;
  public readonly databaseUrlKey: string;
  public readonly superuserSecretName: string;
  public readonly majorVersion: number;
  public readonly image: string;
  public readonly namespace?: string;
  /** uid/gid of postgres in the image (backup pods run its client tools as that user). */
  public readonly runAsUser = CNPG_POSTGRES_UID;
  public readonly storageClassName: string;
  /** The operator version the objects are written for. */
  public readonly operatorVersion: string;

  public readonly cluster: Cnpg.Cluster;
  /** The application's Secret, when this construct owns it. */
  public readonly secret?: k8s.KubeSecret;
  /** The superuser's Secret, when this construct owns it. */
  public readonly superuserSecret?: k8s.KubeSecret;

  /** IPodPeer: the instances (and the operator's init and join Jobs), `<name>-ingress`/`-egress`. */
  public readonly peerName: string;
  public readonly peerKey: string;
  public readonly connections: Connections;

  private readonly labels: AppLabels;
  private readonly roles: Cnpg.ClusterSpecManagedRoles[] = [];
  private readonly added: PostgresDatabase[] = [];

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const p = resolveProps(this, props);
    this.name = p.name;
    this.instances = p.instances;
    this.databaseName = p.databaseName;
    this.username = p.username;
    this.majorVersion = p.majorVersion;
    this.image = p.image;
    this.storageClassName = p.storageClassName;
    this.operatorVersion = p.operatorVersion;
    this.namespace = Chart.of(this).namespace;
    this.serviceName = `${this.name}-rw`;
    this.host = this.namespace ? `${this.serviceName}.${this.namespace}.svc.${p.clusterDomain}` : this.serviceName;
    this.labels = appLabels('postgres', this.name, 'database', p.labels);

    this.peerName = this.name;
    this.peerKey = `pods:${this.node.path}`;
    this.connections = new Connections(this);
    NetworkZone.of(this).registerPeer(this);
    if (props.networkPolicies) PhoenixNetworkPolicies.of(this);
    this.registerOperatorFlows(p);

    // ---- credentials -------------------------------------------------------------------
    const credentials = bindChoice(this, 'credentials', props.credentials,
      'expected PostgresCredentials.fromValues({ password, superuserPassword }) or PostgresCredentials.fromExistingSecret(name)');
    this.secretName = credentials.secretName ?? `${this.name}-credentials`;
    this.passwordKey = credentials.passwordKey;
    this.databaseUrlKey = credentials.databaseUrlKey;
    this.superuserSecretName = credentials.superuserSecretName ?? `${this.name}-superuser`;
    if (this.passwordKey !== 'password' || credentials.superuserPasswordKey !== 'password') {
      throw new PropError(this, this.passwordKey !== 'password' ? 'credentials.keys.password' : 'credentials.keys.superuserPassword',
        this.passwordKey !== 'password' ? this.passwordKey : credentials.superuserPasswordKey,
        'CloudNativePG reads basic-auth Secrets: the password under key "password" and the role under "username"');
    }
    if (this.superuserSecretName === this.secretName) {
      throw new PropError(this, 'credentials.superuserSecretName', this.superuserSecretName,
        `expected a Secret other than the application's "${this.secretName}" (default "${this.name}-superuser")`);
    }
    if (credentials.values) {
      this.secret = this.basicAuthSecret('Secret', this.secretName, this.username, credentials.values.password, props.secretScope, {
        database: this.databaseName, host: this.host, port: String(this.port),
        [this.databaseUrlKey]: ectoUrl(this.username, credentials.values.password, this.host, this.port, this.databaseName),
      });
      this.superuserSecret = this.basicAuthSecret('SuperuserSecret', this.superuserSecretName, 'postgres', credentials.values.superuserPassword, props.secretScope, {});
    }

    // ---- the Cluster --------------------------------------------------------------------
    const { Cluster, ClusterSpecPrimaryUpdateStrategy, ClusterSpecResourcesRequests, ClusterSpecResourcesLimits } = cnpg();
    this.cluster = new Cluster(this, 'Cluster', {
      metadata: { name: this.name, labels: this.labels.all },
      spec: {
        instances: this.instances,
        imageName: this.image,
        primaryUpdateStrategy: ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
        storage: { size: p.storageSize, storageClass: this.storageClassName },
        resources: {
          requests: quantities(p.resources.requests, ClusterSpecResourcesRequests),
          limits: quantities(p.resources.limits, ClusterSpecResourcesLimits),
        },
        affinity: { enablePodAntiAffinity: true, podAntiAffinityType: p.podAntiAffinity, topologyKey: 'kubernetes.io/hostname' },
        inheritedMetadata: { labels: this.labels.all },
        bootstrap: { initdb: { database: this.databaseName, owner: this.username, secret: { name: this.secretName } } },
        enableSuperuserAccess: true,
        superuserSecret: { name: this.superuserSecretName },
        postgresql: Object.keys(p.settings).length > 0 ? { parameters: p.settings } : undefined,
        managed: { roles: this.roles },
      },
    });
    if (!this.secret) declareExternalSecret(this.cluster, this.secretName);
    if (!this.superuserSecret) declareExternalSecret(this.cluster, this.superuserSecretName);
  }

  /** The operator reaches the instances; the instances reach each other and the API server. */
  private registerOperatorFlows(p: ResolvedProps): void {
    this.connections.allowFrom(Peer.namespace(p.operatorNamespace), [CNPG_STATUS_PORT, this.port]);
    this.connections.allowFrom(this, [CNPG_STATUS_PORT, this.port]);
    this.connections.allowTo(Peer.ipBlock(p.apiServer.cidr), [p.apiServer.port]);
  }

  private basicAuthSecret(id: string, name: string, username: string, password: string, secretScope: Construct | undefined, extra: Record<string, string>): k8s.KubeSecret {
    return createOwnedSecret(this, secretScope, {
      id, name, namespace: this.namespace, labels: this.labels.all, type: 'kubernetes.io/basic-auth',
      values: { username, password, ...extra },
    });
  }

  /** Labels that select the instances' pods (CloudNativePG labels every pod of the cluster so). */
  public get podSelector(): Record<string, string> {
    return { 'cnpg.io/cluster': this.name };
  }

  /**
   * Another database with its own owner role and Secret: a `Database` resource (operator 1.25
   * or later) and a managed role whose password the operator keeps equal to the Secret's.
   */
  public addDatabase(id: string, props: PostgresDatabaseProps): PostgresDatabase {
    if (compareVersions(this.operatorVersion, CNPG_DATABASE_OPERATOR) < 0) {
      throw new PropError(this, `addDatabase(${id})`, this.operatorVersion,
        `the Database resource needs CloudNativePG ${CNPG_DATABASE_OPERATOR} or later; this cluster is written for operatorVersion ${this.operatorVersion}: `
        + 'enable a newer operator (`microk8s enable cloudnative-pg 1.29.2`) and set operatorVersion to it');
    }
    this._checkNewDatabase(id, props);
    return new PostgresDatabase(this, id, props);
  }

  /** @internal PostgresDatabase's check of its names against this cluster's. */
  public _checkNewDatabase(id: string, props: PostgresDatabaseProps): { readonly databaseName: string; readonly username: string } {
    return checkNewDatabase(this, id, props, [{ databaseName: this.databaseName, username: this.username }, ...this.added]);
  }

  /** @internal Secrets that PostgresDatabase creates for this cluster are basic-auth, as the operator reads them. */
  public readonly _databaseSecretType = 'kubernetes.io/basic-auth';

  /** @internal The database's role (managed) and its `Database` resource. */
  public _adoptDatabase(database: PostgresDatabase): void {
    if (database.passwordKey !== 'password') {
      throw new PropError(database, 'credentials.keys.password', database.passwordKey, 'CloudNativePG reads the role\'s password under key "password" (and its name under "username")');
    }
    this.added.push(database);
    const { ClusterSpecManagedRolesEnsure, Database, DatabaseSpecEnsure } = cnpg();
    this.roles.push({ name: database.username, ensure: ClusterSpecManagedRolesEnsure.PRESENT, login: true, passwordSecret: { name: database.secretName } });
    const resource = new Database(database, 'Database', {
      metadata: { name: `${this.name}-${database.databaseName.replace(/_/g, '-')}`, labels: this.labels.all },
      spec: { name: database.databaseName, owner: database.username, cluster: { name: this.name }, ensure: DatabaseSpecEnsure.PRESENT },
    });
    if (!database.secret) declareExternalSecret(resource, database.secretName);
  }

  /** The databases added with addDatabase. */
  public get addedDatabases(): readonly PostgresDatabase[] {
    return [...this.added];
  }


  public addClient(client: IPodPeer): void {
    this.connections.allowFrom(client, [this.port]);
  }

  public toNetworkPolicyPeer(policyNamespace: string | undefined) {
    return podsPeer(this.podSelector, this.namespace, policyNamespace);
  }



}

/** Quantities of k8s.ResourceRequirements as the Cluster binding's int-or-string classes. */
function quantities<T>(values: Record<string, k8s.Quantity> | undefined, kind: { fromString(s: string): T; fromNumber(n: number): T }): Record<string, T> | undefined {
  if (!values) return undefined;
  // Stryker disable next-line ConditionalExpression: the binding's fromNumber keeps whatever value it is given, so a string through it renders the same
  return Object.fromEntries(Object.entries(values).map(([k, q]) => [k, typeof q.value === 'number' ? kind.fromNumber(q.value) : kind.fromString(String(q.value))]));
}

/** -1, 0 or 1 as `a` is an older, the same or a newer MAJOR.MINOR.PATCH than `b`. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map(v => v.split('.').map(Number));
  // Stryker disable next-line EqualityOperator: a 4th round compares undefined with undefined, and within x[i] !== y[i] `<` and `<=` agree
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

interface ResolvedProps {
  readonly name: string;
  readonly instances: number;
  readonly databaseName: string;
  readonly username: string;
  readonly majorVersion: number;
  readonly image: string;
  readonly storageSize: string;
  readonly storageClassName: string;
  readonly resources: k8s.ResourceRequirements;
  readonly settings: Record<string, string>;
  readonly podAntiAffinity: 'required' | 'preferred';
  readonly operatorVersion: string;
  readonly operatorNamespace: string;
  readonly apiServer: { readonly cidr: string; readonly port: number };
  readonly clusterDomain: string;
  readonly labels?: Record<string, string>;
}

/** Every prop of a PostgresCluster checked in one place; errors name `scope` and the prop. */
function resolveProps(scope: Construct, props: PostgresClusterProps): ResolvedProps {
  // `<name>-rw`, `<name>-replication` and the instances' `<name>-<n>` must stay DNS labels.
  const name = checkDnsLabel(scope, 'name', props.name ?? 'postgres', 50);
  const instances = checkInteger(scope, 'instances', props.instances ?? 3, 1, 9);
  const databaseName = checkIdentifier(scope, 'databaseName', props.databaseName ?? 'app');
  const username = checkAppRole(scope, 'username', props.username ?? 'app');
  const repository = checkNonEmpty(scope, 'image', props.image ?? DEFAULT_CNPG_IMAGE);
  const version = props.version ?? '17.6';
  const majorVersion = parsePostgresVersion(scope, 'version', version);
  const image = withDigest(`${repository}:${version}`, props.imageDigest === undefined ? undefined : checkDigest(scope, 'imageDigest', props.imageDigest));
  const podAntiAffinity = props.podAntiAffinity ?? 'required';
  if (podAntiAffinity !== 'required' && podAntiAffinity !== 'preferred') {
    throw new PropError(scope, 'podAntiAffinity', podAntiAffinity, 'expected "required" or "preferred"');
  }
  const operatorVersion = props.operatorVersion ?? DEFAULT_CNPG_OPERATOR;
  if (typeof operatorVersion !== 'string' || !/^\d+\.\d+\.\d+$/.test(operatorVersion)) {
    throw new PropError(scope, 'operatorVersion', operatorVersion, 'expected the operator\'s MAJOR.MINOR.PATCH, e.g. "1.23.3" (what `microk8s enable cloudnative-pg` installs) or "1.29.2"');
  }
  if (compareVersions(operatorVersion, MINIMUM_CNPG_OPERATOR) < 0) {
    throw new PropError(scope, 'operatorVersion', operatorVersion, `CloudNativePG ${operatorVersion} is not supported: ${MINIMUM_CNPG_OPERATOR} or later (the MicroK8s addon installs ${DEFAULT_CNPG_OPERATOR})`);
  }
  const apiServer = props.apiServer ?? { cidr: '0.0.0.0/0', port: 16443 };
  const { problem } = checkCidr(apiServer.cidr);
  if (problem) throw new PropError(scope, 'apiServer.cidr', apiServer.cidr, `${problem}; e.g. "10.0.0.0/24" for the nodes' network`);
  return {
    name, instances, databaseName, username, majorVersion, image, podAntiAffinity, operatorVersion,
    storageSize: checkQuantity(scope, 'storageSize', props.storageSize ?? '5Gi'),
    storageClassName: checkDnsSubdomain(scope, 'storageClassName', props.storageClassName ?? 'microk8s-hostpath'),
    resources: checkResources(scope, 'resources', props.resources ?? {
      requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('512Mi') },
      limits: { memory: k8s.Quantity.fromString('1Gi') },
    }),
    settings: checkSettings(scope, props.config ?? {}, CNPG_MANAGED_SETTINGS, 'CloudNativePG'),
    operatorNamespace: checkDnsLabel(scope, 'operatorNamespace', props.operatorNamespace ?? 'cnpg-system'),
    apiServer: { cidr: apiServer.cidr, port: checkPort(scope, 'apiServer.port', apiServer.port) },
    clusterDomain: checkNonEmpty(scope, 'clusterDomain', props.clusterDomain ?? 'cluster.local'),
    labels: checkLabels(scope, 'labels', props.labels),
  };
}
