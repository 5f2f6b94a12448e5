import * as k8s from '../../imports/k8s';

/**
 * The one volume claim template of our StatefulSets (`data`, ReadWriteOnce), written the way the
 * API server stores it.
 *
 * `volumeClaimTemplates` is an atomic list: the server keeps it with `apiVersion`, `kind`,
 * `spec.volumeMode` and `status.phase` filled in, and a client compares the whole list. A
 * template without them makes every client-side `kubectl apply` send the list again, and a
 * later `kubectl apply --server-side` fail with a conflict on `.spec.volumeClaimTemplates`
 * (the field is owned by `kubectl-client-side-apply` with another value). Proven on the real
 * API server (`__tests__/cluster/deploy.integration.test.ts`). Use it with `StatefulSetWithStoredClaims`,
 * which adds what cdk8s' typed binding drops.
 */
export function dataClaimTemplate(props: {
  readonly labels: Record<string, string>;
  readonly storageSize: string;
  readonly storageClassName: string;
}): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: 'data', labels: props.labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: props.storageClassName,
      resources: { requests: { storage: k8s.Quantity.fromString(props.storageSize) } },
      volumeMode: 'Filesystem',
    },
  };
}

/**
 * A `KubeStatefulSet` whose claim templates carry what the binding cannot express (see
 * `dataClaimTemplate`): the generated `toJson` keeps only the fields of the 1.27 binding, so
 * they are added after it.
 */
export class StatefulSetWithStoredClaims extends k8s.KubeStatefulSet {
  public toJson(): any {
    const json = super.toJson();
    if (json.spec?.volumeClaimTemplates) {
      json.spec.volumeClaimTemplates = json.spec.volumeClaimTemplates.map((t: object) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t, status: { phase: 'Pending' } }));
    }
    return json;
  }
}
