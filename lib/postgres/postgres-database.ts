import { Construct, IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { createOwnedSecret } from '../common/owned-secret';
import { appLabels } from '../common/labels';
import { checkDnsSubdomain, checkSecretKey } from '../validation/props';
import { checkDatabasePassword, ectoUrl } from './credentials';
import { bindChoice } from '../common/bind';
import { IPostgresDatabase, PostgresDatabaseHandle } from './database';
import type { IPodPeer } from '../network/peers';

/** @internal What a PostgresDatabase needs of its server (PostgresStatefulSet, PostgresCluster). */
export interface DatabaseServer extends IConstruct {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly namespace?: string;
  readonly image: string;
  /** Type of the Secrets added databases create. @default "Opaque" */
  readonly _databaseSecretType?: string;
  _checkNewDatabase(id: string, props: PostgresDatabaseProps): { readonly databaseName: string; readonly username: string };
  _adoptDatabase(database: PostgresDatabase): void;
  addClient(client: IPodPeer): void;
}

/** What a database added to a server reads its role's password from. */
export interface PostgresDatabaseCredentialsConfig {
  /** The Secret with the role's password (and `DATABASE_URL`). */
  readonly secretName: string;
  readonly passwordKey: string;
  readonly databaseUrlKey: string;
  /** Values of a Secret the database creates and owns; absent: the Secret exists already. */
  readonly values?: Record<string, string>;
}

/** Where the password of an added database's role comes from. */
export abstract class PostgresDatabaseCredentials {
  /**
   * The database creates Secret `<server>-<database>-credentials` with the role's password and
   * username, database, host, port and `DATABASE_URL`. At least 16 characters; never commit it.
   */
  public static fromPassword(password: string): PostgresDatabaseCredentials {
    return new OwnedDatabaseCredentials(password);
  }

  /**
   * A Secret that exists in the namespace, with the password under `keys.password` (default
   * "password") and a complete Ecto URL under `keys.databaseUrl` (default "DATABASE_URL").
   */
  public static fromExistingSecret(secretName: string, keys: { readonly password?: string; readonly databaseUrl?: string } = {}): PostgresDatabaseCredentials {
    return new ExistingDatabaseCredentials(secretName, keys);
  }

  /** Check the values for `database` and say which Secret it uses. */
  public abstract bind(database: PostgresDatabase): PostgresDatabaseCredentialsConfig;
}

class OwnedDatabaseCredentials extends PostgresDatabaseCredentials {
  constructor(private readonly password: string) { super(); }

  public bind(db: PostgresDatabase): PostgresDatabaseCredentialsConfig {
    const pw = checkDatabasePassword(db, 'credentials.password', this.password);
    return {
      secretName: `${db.serverName}-${db.databaseName.replace(/_/g, '-')}-credentials`,
      passwordKey: 'password',
      databaseUrlKey: 'DATABASE_URL',
      values: {
        username: db.username, password: pw, database: db.databaseName, host: db.host, port: String(db.port),
        DATABASE_URL: ectoUrl(db.username, pw, db.host, db.port, db.databaseName),
      },
    };
  }
}

class ExistingDatabaseCredentials extends PostgresDatabaseCredentials {
  constructor(private readonly secretName: string, private readonly keys: { readonly password?: string; readonly databaseUrl?: string }) { super(); }

  public bind(db: PostgresDatabase): PostgresDatabaseCredentialsConfig {
    return {
      secretName: checkDnsSubdomain(db, 'credentials.secretName', this.secretName),
      passwordKey: checkSecretKey(db, 'credentials.keys.password', this.keys.password ?? 'password'),
      databaseUrlKey: checkSecretKey(db, 'credentials.keys.databaseUrl', this.keys.databaseUrl ?? 'DATABASE_URL'),
    };
  }
}

export interface PostgresDatabaseProps {
  /** Name of the database (a lower-case identifier, e.g. "blog_prod"). */
  readonly databaseName: string;
  /** Its owner, the login the application uses; not "postgres" nor a pg_ role. */
  readonly username: string;
  readonly credentials: PostgresDatabaseCredentials;
  /** Where an owned Secret is created (same namespace). @default this construct */
  readonly secretScope?: Construct;
}

/**
 * Another database, with its own owner role and Secret, on a `PostgresStatefulSet` or a
 * `PostgresCluster` (create it with `server.addDatabase`). On a PostgresStatefulSet the server's
 * `ensure-databases` container creates the role and the database on every start if they are
 * missing (also on a data directory initialised before), sets the role's password from the
 * Secret, and revokes CONNECT from PUBLIC; on a PostgresCluster the operator does, from a
 * managed role and a `Database` resource.
 */
export class PostgresDatabase extends PostgresDatabaseHandle implements IPostgresDatabase {
  public readonly databaseName: string;
  public readonly username: string;
  public readonly host: string;
  public readonly port: number;
  public readonly namespace?: string;
  public readonly image: string;
  public readonly secretName: string;
  public readonly passwordKey: string;
  public readonly databaseUrlKey: string;
  /** The Secret, when this construct owns it. */
  public readonly secret?: k8s.KubeSecret;
  /** Name of the server. */
  public readonly serverName: string;

  private readonly server: DatabaseServer;

  /** The same as `server.addDatabase(id, props)`. */
  constructor(server: DatabaseServer, id: string, props: PostgresDatabaseProps) {
    super(server, id);
    const names = server._checkNewDatabase(id, props);
    this.server = server;
    this.serverName = server.name;
    this.databaseName = names.databaseName;
    this.username = names.username;
    this.host = server.host;
    this.port = server.port;
    this.namespace = server.namespace;
    this.image = server.image;
    const config = bindChoice(this, 'credentials', props.credentials,
      'expected PostgresDatabaseCredentials.fromPassword(password) or PostgresDatabaseCredentials.fromExistingSecret(name)');
    this.secretName = config.secretName;
    this.passwordKey = config.passwordKey;
    this.databaseUrlKey = config.databaseUrlKey;
    if (config.values) {
      this.secret = createOwnedSecret(this, props.secretScope, {
        name: this.secretName,
        namespace: this.namespace,
        labels: appLabels('postgres', server.name, 'database').all,
        values: config.values,
        type: server._databaseSecretType,
        nameProp: 'databaseName',
      });
    }
    server._adoptDatabase(this);
  }





  /** The server admits `client` (the same server port as every database on it). */
  public addClient(client: IPodPeer): void {
    this.server.addClient(client);
  }
}
