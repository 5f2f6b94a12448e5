/**
 * The API server's own verdict on an object, without kubectl: a server-side dry-run create
 * (`?dryRun=All&fieldValidation=Strict`, what `kubectl create --dry-run=server --validate=strict`
 * sends), straight over HTTPS with the control plane's admin token. Thousands of objects a
 * minute, where a kubectl process per object would manage a few hundred.
 */
import { readFileSync } from 'fs';
import { Agent, request } from 'https';
import { parse } from 'yaml';

export interface Verdict {
  readonly accepted: boolean;
  /** HTTP status (201 accepted, 422 invalid, 400 bad request …). */
  readonly status: number;
  /** The server's message when refused. */
  readonly message: string;
}

/** Resource path segment and whether it is namespaced, for the kinds we emit. */
const RESOURCES: Record<string, { readonly group: string; readonly plural: string; readonly namespaced: boolean }> = {
  'v1/ConfigMap': { group: '/api/v1', plural: 'configmaps', namespaced: true },
  'v1/Secret': { group: '/api/v1', plural: 'secrets', namespaced: true },
  'v1/Service': { group: '/api/v1', plural: 'services', namespaced: true },
  'v1/ServiceAccount': { group: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  'v1/PersistentVolumeClaim': { group: '/api/v1', plural: 'persistentvolumeclaims', namespaced: true },
  'apps/v1/Deployment': { group: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  'apps/v1/StatefulSet': { group: '/apis/apps/v1', plural: 'statefulsets', namespaced: true },
  'batch/v1/CronJob': { group: '/apis/batch/v1', plural: 'cronjobs', namespaced: true },
  'batch/v1/Job': { group: '/apis/batch/v1', plural: 'jobs', namespaced: true },
  'networking.k8s.io/v1/Ingress': { group: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { group: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  'policy/v1/PodDisruptionBudget': { group: '/apis/policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': { group: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
};

export interface DryRunClient {
  /** The server's verdict on creating `object` (in its `metadata.namespace`). */
  create(object: any): Promise<Verdict>;
}

export function dryRunClient(kubeconfig: string): DryRunClient {
  const config = parse(readFileSync(kubeconfig, 'utf8'));
  const cluster = config.clusters[0].cluster;
  const token: string = config.users[0].user.token;
  const base = new URL(cluster.server);
  const agent = new Agent({ ca: readFileSync(cluster['certificate-authority']), keepAlive: true, maxSockets: 16 });
  return {
    create(object: any): Promise<Verdict> {
      const kind = `${object.apiVersion}/${object.kind}`;
      const r = RESOURCES[kind];
      if (!r) return Promise.reject(new Error(`dry-run client: no resource path for ${kind}`));
      const path = `${r.group}${r.namespaced ? `/namespaces/${encodeURIComponent(object.metadata?.namespace ?? 'default')}` : ''}/${r.plural}?dryRun=All&fieldValidation=Strict`;
      const body = JSON.stringify(object);
      return new Promise((resolve, reject) => {
        const req = request({
          host: base.hostname, port: base.port, path, method: 'POST', agent,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        }, res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', d => { text += d; });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let message = '';
            try { message = status >= 300 ? JSON.parse(text).message ?? text : ''; } catch { message = text; }
            resolve({ accepted: status >= 200 && status < 300, status, message });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}
