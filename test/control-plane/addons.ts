import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { CERT_MANAGER_CRDS, CrdSource, deriveCrds, TRAEFIK_CRDS } from './addon-crds';
import { cacheRoot, minorOf } from './binaries';
import { CNPG_CRDS, deriveCdkImportCrds, REPO_ROOT } from './cnpg-crds';
import type { KubectlOptions, KubectlResult } from './cluster';

/**
 * What `microk8s enable hostpath-storage dns ingress cert-manager` and `microk8s enable
 * community; microk8s enable cloudnative-pg` leave in a cluster that our manifests depend on,
 * for a control plane without MicroK8s:
 *
 * - StorageClass `microk8s-hostpath` (provisioner `microk8s.io/hostpath`, reclaim Delete,
 *   WaitForFirstConsumer, the default class);
 * - namespaces `ingress`, `cert-manager` and `cnpg-system`;
 * - IngressClasses `public` (default) and `nginx`, plus `traefik` from 1.35 on, with the
 *   controller names of that version's addon (ingress-nginx up to 1.34, Traefik from 1.35);
 * - cert-manager's CRDs, and from 1.35 Traefik's `traefik.io` CRDs (1.34 installs none, so a
 *   Traefik Middleware does not apply there);
 * - CloudNativePG's `postgresql.cnpg.io/v1` CRDs of the kinds our constructs emit, Cluster and
 *   Database (namespaced, status subresource; Cluster also scale), as of the operator version the
 *   bindings in imports/ were generated from (1.29.2, `microk8s enable cloudnative-pg 1.29.2`;
 *   the addon's default 1.23.3 has no Database). Not the operator itself, nor its webhooks.
 */

export type Kubectl = (args: readonly string[], options?: KubectlOptions) => KubectlResult;

export interface AddonOptions {
  /**
   * Directories of original CRD YAML to install instead of the CRDs derived from npm typings
   * (e.g. `../shared/crds/traefik-chart-39.0.8`). @default derived
   */
  readonly crdDirs?: readonly string[];
}

export function addonObjects(version: string): object[] {
  const traefik = minorOf(version) >= 35;
  const controller = traefik ? 'traefik.io/ingress-controller' : 'k8s.io/ingress-nginx';
  const ingressClass = (name: string, isDefault = false) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller },
  });
  return [
    ...['ingress', 'cert-manager', 'cnpg-system'].map(name => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'microk8s-hostpath', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'microk8s.io/hostpath',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    ingressClass('public', true),
    ingressClass('nginx'),
    ...(traefik ? [ingressClass('traefik')] : []),
  ];
}

/**
 * The addon CRDs of `version`, derived from the npm typings and from the CloudNativePG bindings
 * in imports/ (cached, they take seconds to derive).
 */
export function derivedCrds(version: string): object[] {
  const sources = [...CERT_MANAGER_CRDS, ...(minorOf(version) >= 35 ? [TRAEFIK_CRDS] : [])];
  return [...sources.flatMap(cachedCrds), ...cnpgCrds()];
}

/** CloudNativePG's Cluster and Database CRDs derived from imports/postgresql.cnpg.io.ts (cached). */
export function cnpgCrds(): object[] {
  return cached(CNPG_CRDS.group, [
    readFileSync(join(REPO_ROOT, CNPG_CRDS.module)),
    readFileSync(join(__dirname, 'cnpg-crds.ts')),
    JSON.stringify(CNPG_CRDS),
  ], () => deriveCdkImportCrds(CNPG_CRDS));
}

export function installAddons(version: string, kubectl: Kubectl, options: AddonOptions = {}): void {
  const crds = options.crdDirs ? options.crdDirs.flatMap(readCrdDir) : derivedCrds(version);
  const docs = [...addonObjects(version), ...crds];
  kubectl(['apply', '--server-side', '--field-manager=microk8s-addons', '-f', '-'], { input: docs.map(d => stringify(d)).join('---\n') });
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
}

function readCrdDir(dir: string): object[] {
  return readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort()
    .flatMap(f => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map(d => d.toJSON()).filter(Boolean));
}

function cachedCrds(source: CrdSource): object[] {
  const pkgJson = require.resolve(`${source.pkg}/package.json`);
  return cached(source.group, [readFileSync(pkgJson), readFileSync(join(__dirname, 'addon-crds.ts')), JSON.stringify(source)], () => deriveCrds(source));
}

/** `derive()`, kept under the cache root with a key of everything it is derived from. */
function cached(name: string, inputs: readonly (string | Buffer)[], derive: () => object[]): object[] {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input);
  const key = hash.digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'crds');
  const file = join(dir, `${name}-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const crds = derive();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(crds));
  return crds;
}
