import { stringify } from 'yaml';

/**
 * One typed model of Docker Distribution's `config.yml`
 * (https://distribution.github.io/distribution/about/configuration/), rendered for the
 * in-cluster registry (a ConfigMap) and for its docker-compose twin (`registry/config.yml`).
 *
 * `http.secret` is deliberately absent: it is a secret, so it reaches the process as
 * `REGISTRY_HTTP_SECRET` from a Secret (or the compose environment), never through this file.
 */
export interface RegistryConfigOptions {
  /**
   * Port the registry listens on inside its container.
   * @default 5000
   */
  readonly port?: number;
  /**
   * Where blobs and manifests are stored.
   * @default "/var/lib/registry"
   */
  readonly rootDirectory?: string;
  /**
   * Allow `DELETE /v2/<name>/manifests/<digest>`, which garbage collection needs to free space.
   * @default true
   */
  readonly deleteEnabled?: boolean;
  /**
   * Serve pulls only; pushes and deletes are rejected (e.g. while a copy of the storage is taken).
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Age after which abandoned uploads are purged.
   * @default "168h"
   */
  readonly uploadPurgingAge?: string;
  /** @default "info" */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * Basic auth from an htpasswd file. Passwords then cross the network in clear text unless
   * the registry is behind TLS: only use it with TLS.
   * @default none
   */
  readonly htpasswd?: { readonly realm: string; readonly path: string };
}

/** The configuration as a plain object, keys in the order of the distribution docs. */
export function registryConfig(options: RegistryConfigOptions = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: options.logLevel ?? 'info', formatter: 'text', fields: { service: 'registry' } },
    storage: {
      filesystem: { rootdirectory: options.rootDirectory ?? '/var/lib/registry' },
      delete: { enabled: options.deleteEnabled ?? true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: {
        uploadpurging: { enabled: true, age: options.uploadPurgingAge ?? '168h', interval: '24h', dryrun: false },
        readonly: { enabled: options.readOnly ?? false },
      },
    },
    http: {
      addr: `:${options.port ?? 5000}`,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
    health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
  };
  if (options.htpasswd) config.auth = { htpasswd: { realm: options.htpasswd.realm, path: options.htpasswd.path } };
  return config;
}

/** `config.yml` text. */
export function renderRegistryConfig(options: RegistryConfigOptions = {}): string {
  return stringify(registryConfig(options));
}
