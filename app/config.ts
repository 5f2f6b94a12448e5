import { existsSync, readFileSync } from 'fs';
import { isIP } from 'net';
import { resolve } from 'path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { cronProblem } from '../lib/common/cron';
import { digestProblem, imagePathProblem, repositoryProblem } from '../lib/common/image-ref';
import { dns1123LabelProblem, hostnameProblem } from '../lib/common/k8s-names';
import { parseQuantity } from '../lib/validation/props';
import { DEFAULT_KUBERNETES_MINOR, KUBECTL_IMAGES } from '../lib/registry/local-registry';

/**
 * Configuration of the default doit stack: typed, with defaults, overridable by a config
 * file (`doit.config.yaml`, or the file named by `DOIT_CONFIG`) and then by `DOIT_*`
 * environment variables. Invalid configuration throws a ConfigError listing every problem
 * with where the value came from, before any chart is built.
 */

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const dnsLabel = z.string().refine(v => dns1123LabelProblem(v) === undefined, 'expected a DNS-1123 label (lower-case letters, digits, "-", at most 63)');
const digest = z.string().superRefine((v, ctx) => {
  const problem = digestProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const quantity = z.string().refine(v => (parseQuantity(v) ?? 0) > 0, 'expected a positive Kubernetes quantity such as "5Gi"');
/**
 * Namespaces the stack must not take over: its default-deny NetworkPolicies would cut off the
 * cluster's own components (kube-system), the addons (ingress, cert-manager) or everything
 * else deployed there (default).
 */
export const RESERVED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'ingress', 'cert-manager'];

/**
 * The stack's default StorageClass: MicroK8s' hostpath provisioner with reclaim policy
 * Retain, created by the stack, so that even deleting the namespace keeps the volumes.
 */
export const RETAINED_STORAGE_CLASS = 'microk8s-hostpath-retain';
/** Namespace of the stack's registry (as the MicroK8s addon's). */
export const REGISTRY_NAMESPACE = 'container-registry';

export const TLS_MODES = ['controller-default', 'secret', 'cert-manager', 'self-signed'] as const;
export const INGRESS_CONTROLLERS = ['traefik', 'nginx'] as const;
export const SECRET_MODES = ['local-file', 'existing'] as const;

/** Kubernetes minors of the MicroK8s releases the stack targets (Traefik from 1.35). */
export const KUBERNETES_MINORS = Object.keys(KUBECTL_IMAGES) as [string, ...string[]];

export const DoitConfigSchema = z.object({
  /** Namespace of the app and its database. */
  namespace: dnsLabel.default('doit'),
  /** Kubernetes minor of the MicroK8s cluster: picks the ingress controller's default and kubectl's version. */
  kubernetesVersion: z.enum(KUBERNETES_MINORS).default(DEFAULT_KUBERNETES_MINOR),
  image: z.object({
    /** Repository in the local registry (`localhost:32000/<name>:<tag>`). */
    name: z.string().refine(v => imagePathProblem(v) === undefined, 'expected an image name such as "doit" or "team/doit"').default('doit'),
    /** Tag of the release image; never "latest". */
    tag: z.string().regex(IMAGE_TAG, 'expected an image tag such as "0.1.0"')
      .refine(t => t !== 'latest', 'must not be "latest": pin the release you built').default('0.1.0'),
    /** Content digest of that image as pushed (`sha256:…`): pods pull exactly it, whatever the tag points to later. */
    digest: digest.optional(),
    /** Full repository outside the local registry (e.g. "ghcr.io/me/doit"); overrides registry + name. */
    repository: z.string().superRefine((v, ctx) => {
      const problem = repositoryProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `expected an image repository without tag, such as "ghcr.io/me/doit" (${problem})` });
    }).optional(),
  }).strict().prefault({}),
  /**
   * Where people reach the app: a DNS name (served by the Ingress, certificates for it), or a
   * node's IP address (host-less Ingress, PHX_HOST that IP, the controller's certificate).
   * Absent: https://localhost, from the node itself only.
   */
  host: z.string().refine(v => hostnameProblem(v) === undefined || isIP(v) !== 0,
    'expected a lower-case DNS host name such as "doit.example.com" or an IP address such as "192.168.1.50"').optional(),
  replicas: z.number().int().min(1).max(50).default(3),
  postgres: z.object({
    /**
     * `statefulset`: one PostgreSQL pod (PostgresStatefulSet), right for a single node.
     * `cloudnative-pg`: a CloudNativePG Cluster of `instances` pods on different nodes
     * (PostgresCluster; needs `microk8s enable community && microk8s enable cloudnative-pg`).
     */
    engine: z.enum(['statefulset', 'cloudnative-pg']).default('statefulset'),
    /** With engine cloudnative-pg: PostgreSQL instances (one primary, the rest replicas). */
    instances: z.number().int().min(1).max(9).default(3),
    /** With engine cloudnative-pg: the operator version the addon installed (1.23.3 without a version argument). */
    operatorVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected the operator\'s MAJOR.MINOR.PATCH such as "1.23.3"').default('1.23.3'),
    version: z.string().regex(/^\d+\.\d+(-[a-z0-9.]+)?$/, 'expected MAJOR.MINOR such as "17.6"').default('17.6'),
    /** Digest of the image at <version> (postgres, or ghcr.io/cloudnative-pg/postgresql with engine cloudnative-pg): its multi-architecture index. */
    imageDigest: digest.optional(),
    storageSize: quantity.default('5Gi'),
    storageClassName: dnsLabel.default(RETAINED_STORAGE_CLASS),
  }).strict().prefault({}),
  backup: z.object({
    /** Scheduled pg_dump backups of the database (PostgresBackup). */
    enabled: z.boolean().default(true),
    schedule: z.string().superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `expected a five-field cron expression such as "15 2 * * *" (${problem})` });
    }).default('15 2 * * *'),
    retention: z.number().int().min(1).max(1000).default(7),
    storageSize: quantity.default('10Gi'),
  }).strict().prefault({}),
  registry: z.object({
    /** Synthesize the in-cluster registry (off when you use the MicroK8s addon or another registry). */
    enabled: z.boolean().default(true),
    storageSize: quantity.default('20Gi'),
    storageClassName: dnsLabel.default(RETAINED_STORAGE_CLASS),
    nodePort: z.number().int().min(30000).max(32767).default(32000),
    /** Digest of the registry image (registry:2.8.3). */
    imageDigest: digest.optional(),
    /** Digest of the garbage collection's kubectl image (registry.k8s.io/kubectl for kubernetesVersion). */
    kubectlImageDigest: digest.optional(),
    /** Basic auth (user `doit`, generated password); false: anyone who reaches a node may push and delete. */
    auth: z.boolean().default(true),
  }).strict().prefault({}),
  tls: z.object({
    mode: z.enum(TLS_MODES).default('controller-default'),
    /** cert-manager ClusterIssuer (mode cert-manager). */
    clusterIssuer: dnsLabel.optional(),
    /** Existing kubernetes.io/tls Secret (mode secret). */
    secretName: dnsLabel.optional(),
  }).strict().prefault({}),
  ingress: z.object({
    /** @default traefik from Kubernetes 1.35 (MicroK8s' Traefik addon), nginx before */
    controller: z.enum(INGRESS_CONTROLLERS).optional(),
    className: dnsLabel.default('public'),
    /** Strict-Transport-Security on HTTPS (Traefik: a headers Middleware; NGINX: its ConfigMap decides). */
    hsts: z.boolean().default(true),
  }).strict().prefault({}),
  secrets: z.object({
    /** local-file: generated once into a git-ignored file; existing: reference pre-created Secrets. */
    mode: z.enum(SECRET_MODES).default('local-file'),
    file: z.string().min(1).default('.secrets/doit.json'),
  }).strict().prefault({}),
}).strict()
  .superRefine((c, ctx) => {
    const taken = [...RESERVED_NAMESPACES, ...(c.registry.enabled ? [REGISTRY_NAMESPACE] : [])];
    if (taken.includes(c.namespace)) {
      ctx.addIssue({
        code: 'custom', path: ['namespace'],
        message: `"${c.namespace}" is not the app's to take: the stack's default-deny NetworkPolicies would cut off what runs there${c.namespace === REGISTRY_NAMESPACE ? ' (our registry lives in it)' : ''}; use a namespace of its own, e.g. "doit" (reserved: ${taken.join(', ')})`,
      });
    }
  })
  .refine(c => c.tls.mode !== 'cert-manager' || !!c.tls.clusterIssuer,
    { path: ['tls', 'clusterIssuer'], message: 'tls.mode "cert-manager" needs tls.clusterIssuer (DOIT_TLS_CLUSTER_ISSUER)' })
  .refine(c => c.tls.mode !== 'secret' || !!c.tls.secretName,
    { path: ['tls', 'secretName'], message: 'tls.mode "secret" needs tls.secretName (DOIT_TLS_SECRET_NAME)' })
  .refine(c => !['cert-manager', 'secret', 'self-signed'].includes(c.tls.mode) || (!!c.host && isIP(c.host) === 0),
    { path: ['host'], message: 'this tls.mode needs a DNS host name (DOIT_HOST): a certificate names its host; only "controller-default" works with an IP address or host-less at https://localhost' })
  .transform(c => ({
    ...c,
    ingress: { ...c.ingress, controller: c.ingress.controller ?? (Number(c.kubernetesVersion.split('.')[1]) >= 35 ? 'traefik' as const : 'nginx' as const) },
  }));

export type DoitConfig = z.output<typeof DoitConfigSchema>;
export type DoitConfigInput = z.input<typeof DoitConfigSchema>;

type EnvKind = 'string' | 'int' | 'bool';
/** Every environment variable the config reads, and the config path it sets. */
export const CONFIG_ENV: Record<string, { path: string[]; kind: EnvKind }> = {
  DOIT_NAMESPACE: { path: ['namespace'], kind: 'string' },
  DOIT_KUBERNETES_VERSION: { path: ['kubernetesVersion'], kind: 'string' },
  DOIT_IMAGE_NAME: { path: ['image', 'name'], kind: 'string' },
  DOIT_IMAGE_TAG: { path: ['image', 'tag'], kind: 'string' },
  DOIT_IMAGE_REPOSITORY: { path: ['image', 'repository'], kind: 'string' },
  DOIT_IMAGE_DIGEST: { path: ['image', 'digest'], kind: 'string' },
  DOIT_HOST: { path: ['host'], kind: 'string' },
  DOIT_REPLICAS: { path: ['replicas'], kind: 'int' },
  DOIT_POSTGRES_ENGINE: { path: ['postgres', 'engine'], kind: 'string' },
  DOIT_POSTGRES_INSTANCES: { path: ['postgres', 'instances'], kind: 'int' },
  DOIT_CNPG_OPERATOR_VERSION: { path: ['postgres', 'operatorVersion'], kind: 'string' },
  DOIT_POSTGRES_VERSION: { path: ['postgres', 'version'], kind: 'string' },
  DOIT_POSTGRES_IMAGE_DIGEST: { path: ['postgres', 'imageDigest'], kind: 'string' },
  DOIT_POSTGRES_STORAGE_SIZE: { path: ['postgres', 'storageSize'], kind: 'string' },
  DOIT_POSTGRES_STORAGE_CLASS: { path: ['postgres', 'storageClassName'], kind: 'string' },
  DOIT_BACKUP_ENABLED: { path: ['backup', 'enabled'], kind: 'bool' },
  DOIT_BACKUP_SCHEDULE: { path: ['backup', 'schedule'], kind: 'string' },
  DOIT_BACKUP_RETENTION: { path: ['backup', 'retention'], kind: 'int' },
  DOIT_BACKUP_STORAGE_SIZE: { path: ['backup', 'storageSize'], kind: 'string' },
  DOIT_REGISTRY_ENABLED: { path: ['registry', 'enabled'], kind: 'bool' },
  DOIT_REGISTRY_STORAGE_SIZE: { path: ['registry', 'storageSize'], kind: 'string' },
  DOIT_REGISTRY_STORAGE_CLASS: { path: ['registry', 'storageClassName'], kind: 'string' },
  DOIT_REGISTRY_NODE_PORT: { path: ['registry', 'nodePort'], kind: 'int' },
  DOIT_REGISTRY_IMAGE_DIGEST: { path: ['registry', 'imageDigest'], kind: 'string' },
  DOIT_REGISTRY_KUBECTL_IMAGE_DIGEST: { path: ['registry', 'kubectlImageDigest'], kind: 'string' },
  DOIT_REGISTRY_AUTH: { path: ['registry', 'auth'], kind: 'bool' },
  DOIT_TLS_MODE: { path: ['tls', 'mode'], kind: 'string' },
  DOIT_TLS_CLUSTER_ISSUER: { path: ['tls', 'clusterIssuer'], kind: 'string' },
  DOIT_TLS_SECRET_NAME: { path: ['tls', 'secretName'], kind: 'string' },
  DOIT_INGRESS_CONTROLLER: { path: ['ingress', 'controller'], kind: 'string' },
  DOIT_INGRESS_CLASS: { path: ['ingress', 'className'], kind: 'string' },
  DOIT_INGRESS_HSTS: { path: ['ingress', 'hsts'], kind: 'bool' },
  DOIT_SECRETS_MODE: { path: ['secrets', 'mode'], kind: 'string' },
  DOIT_SECRETS_FILE: { path: ['secrets', 'file'], kind: 'string' },
};
/** Variables that are not settings but are read elsewhere. */
const OTHER_ENV = ['DOIT_CONFIG', 'DOIT_OUTDIR', 'DOIT_TRANSPILE', 'DOIT_ACCEPT_REPLACEMENT', 'DOIT_MIRROR_SECRETS', 'DOIT_TEST_KILL_AT'];

/** The configuration is invalid; `problems` lists each with its source. Nothing has been written. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid doit configuration (nothing was written to dist/):\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Environment to read `DOIT_*` from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
}

/** defaults ← config file ← `DOIT_*` environment variables, validated as a whole. */
export function loadConfig(options: LoadConfigOptions = {}): DoitConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const sources = new Map<string, string>();

  // 1. config file
  let raw: Record<string, unknown> = {};
  const explicit = env.DOIT_CONFIG;
  const file = resolve(cwd, explicit ?? 'doit.config.yaml');
  if (explicit && !existsSync(file)) {
    problems.push(`DOIT_CONFIG="${explicit}": file not found (${file})`);
  } else if (existsSync(file)) {
    try {
      const parsed = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
        problems.push(`${file}: expected a mapping of settings at the top level`);
      } else {
        raw = (parsed ?? {}) as Record<string, unknown>;
        markSources(raw, [], `config file ${file}`, sources);
      }
    } catch (e) {
      problems.push(`${file}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  // 2. environment variables
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('DOIT_') || OTHER_ENV.includes(name) || value === undefined) continue;
    const spec = CONFIG_ENV[name];
    if (!spec) {
      problems.push(`environment variable ${name} is not a setting; known: ${Object.keys(CONFIG_ENV).join(', ')}`);
      continue;
    }
    const parsed = parseEnv(value, spec.kind);
    if (parsed === undefined) {
      problems.push(`${spec.path.join('.')} (from env ${name}=${JSON.stringify(value)}): expected ${spec.kind === 'int' ? 'an integer' : 'true or false'}`);
      continue;
    }
    setPath(raw, spec.path, parsed);
    sources.set(spec.path.join('.'), `env ${name}=${JSON.stringify(value)}`);
  }

  const result = DoitConfigSchema.safeParse(raw);
  if (result.success && problems.length === 0) return result.data;
  for (const issue of result.error?.issues ?? []) {
    const path = issue.path.join('.');
    const keys = (issue as { keys?: string[] }).keys;
    const where = path ? `${path}${sources.has(path) ? ` (from ${sources.get(path)})` : ''}` : '<top level>';
    problems.push(keys ? `${where}: unknown setting(s) ${keys.join(', ')}` : `${where}: ${issue.message}`);
  }
  throw new ConfigError(problems);
}

function parseEnv(value: string, kind: EnvKind): string | number | boolean | undefined {
  if (kind === 'string') return value;
  if (kind === 'int') return /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
  const v = value.trim().toLowerCase();
  return ['true', '1', 'yes'].includes(v) ? true : ['false', '0', 'no'].includes(v) ? false : undefined;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function markSources(value: unknown, path: string[], source: string, into: Map<string, string>): void {
  if (path.length > 0) into.set(path.join('.'), source);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) markSources(v, [...path, k], source, into);
  }
}

/** Storage classes that keep a volume on one node's disk (MicroK8s `hostpath-storage`, and ours on top of it). */
const NODE_LOCAL_CLASSES = ['microk8s-hostpath', RETAINED_STORAGE_CLASS];

/** What a valid configuration still gets wrong, said at synth (`warning: …` on stderr). */
export function configWarnings(config: DoitConfig): string[] {
  const warnings: string[] = [];
  if (config.postgres.engine === 'cloudnative-pg' && NODE_LOCAL_CLASSES.includes(config.postgres.storageClassName)) {
    warnings.push(`postgres.engine cloudnative-pg with storage class ${config.postgres.storageClassName}: each instance's data stays on one node's disk, `
      + 'so losing a node loses that instance (its replicas carry on, and the operator rebuilds it only from them) and an instance cannot move to another node: no real high availability. '
      + 'Use a replicated storage class: MicroK8s `openebs` (Mayastor, e.g. "mayastor") or `rook-ceph` (e.g. "ceph-rbd"); set DOIT_POSTGRES_STORAGE_CLASS (postgres.storageClassName).');
  }
  if (config.postgres.engine === 'cloudnative-pg' && config.postgres.instances < 3) {
    warnings.push(`postgres.instances ${config.postgres.instances}: with fewer than 3 instances a failover leaves no replica behind the new primary; use 3 or more.`);
  }
  return warnings;
}
