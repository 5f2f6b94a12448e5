import { referencedSecrets } from '../../scripts/prune';

test('referencedSecrets: every way an object names a Secret, and nothing else', () => {
  const deployment = {
    kind: 'Deployment', metadata: { name: 'web', annotations: { secretName: 42 } },
    spec: { template: { spec: {
      imagePullSecrets: [{ name: 'pull' }],
      containers: [{
        name: 'app',
        env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'a' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'not-a-secret', key: 'b' } } }],
        envFrom: [{ secretRef: { name: 'env-from' } }, { configMapRef: { name: 'cm' } }],
      }],
      volumes: [
        { name: 'v1', secret: { secretName: 'volume-secret' } },
        { name: 'v2', projected: { sources: [{ secret: { name: 'projected-secret', items: [{ key: 'k', path: 'p' }] } }, { configMap: { name: 'cm2' } }] } },
        { name: 'v3', configMap: { name: 'cm3' } },
      ],
    } } },
  };
  expect([...referencedSecrets(deployment)].sort()).toEqual(['env-from', 'env-secret', 'projected-secret', 'pull', 'volume-secret']);
  expect([...referencedSecrets({ kind: 'Ingress', spec: { tls: [{ hosts: ['a'], secretName: 'tls' }] } })]).toEqual(['tls']);
  expect([...referencedSecrets({ kind: 'ConfigMap', data: { name: 'x' } })]).toEqual([]);
});
