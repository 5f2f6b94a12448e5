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

/** The plural resource name of each (namespaced) kind we emit. */
const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps', Secret: 'secrets', Service: 'services', ServiceAccount: 'serviceaccounts', PersistentVolumeClaim: 'persistentvolumeclaims',
  Deployment: 'deployments', StatefulSet: 'statefulsets', CronJob: 'cronjobs', Job: 'jobs', Ingress: 'ingresses', NetworkPolicy: 'networkpolicies',
  PodDisruptionBudget: 'poddisruptionbudgets', Role: 'roles',
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
      const plural = PLURALS[object.kind];
      if (!plural) return Promise.reject(new Error(`dry-run client: no resource path for ${object.kind}`));
      const group = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
      const path = `${group}/namespaces/${encodeURIComponent(object.metadata?.namespace ?? 'default')}/${plural}?dryRun=All&fieldValidation=Strict`;
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
