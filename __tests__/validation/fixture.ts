/** A small but complete app that passes every validation rule, and helpers to break it. */
import { SourcedManifest } from '../../lib';

export const NS = 'shop';
export const secureContainer = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: 'registry.example/web:1.2.3',
  ports: [{ name: 'http', containerPort: 8080 }],
  resources: { requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' }, limits: { memory: '256Mi', 'ephemeral-storage': '1Gi' } },
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  readinessProbe: { httpGet: { path: '/', port: 'http' } },
  livenessProbe: { httpGet: { path: '/', port: 'http' } },
  ...extra,
});
export const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers,
  ...extra,
});
export const meta = (name: string) => ({ name, namespace: NS });

/** A small but complete app that passes every rule. */
export function baseline(): any[] {
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: podSpec([secureContainer('web', {
            env: [
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', value: 'web@$(POD_IP)' },
              { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
              { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LOG_LEVEL' } } },
            ],
            volumeMounts: [{ name: 'files', mountPath: '/files' }],
          })], { volumes: [{ name: 'files', persistentVolumeClaim: { claimName: 'files' } }, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }] }),
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('db-headless'), spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432 }] } },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db'),
      spec: {
        serviceName: 'db-headless', selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: podSpec([secureContainer('db', { ports: [{ containerPort: 5432 }] })],
            { volumes: [{ name: 'creds', secret: { secretName: 'db-creds', items: [{ key: 'password', path: 'pw' }] } }] }),
        },
      },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('db-creds'), stringData: { password: 'not-a-real-one-1234' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { LOG_LEVEL: 'info' } },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('files'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web'),
      spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'), spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('web-to-db'),
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
    },
    {
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate'),
      spec: { template: { metadata: { labels: { job: 'migrate' } }, spec: podSpec([{ ...secureContainer('migrate'), readinessProbe: undefined, livenessProbe: undefined }], { restartPolicy: 'Never' }) } },
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
  ].map(o => JSON.parse(JSON.stringify(o)));
}

export const wrap = (manifests: any[]): SourcedManifest[] => manifests.map((manifest, i) => ({ manifest, constructPath: `test/Obj${i}` }));
export const byName = (ms: any[], kind: string, name: string) => ms.find(m => m.kind === kind && m.metadata.name === name);
export const web = (ms: any[]) => byName(ms, 'Deployment', 'web');
export const webContainer = (ms: any[]) => web(ms).spec.template.spec.containers[0];
