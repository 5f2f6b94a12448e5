/**
 * Representative CloudNativePG objects (`postgresql.cnpg.io/v1`), written with the typed bindings
 * in imports/ so that they are what a construct using those bindings synthesizes: a three-instance
 * Cluster with storage, resources, required pod anti-affinity, an initdb bootstrap, PostgreSQL
 * parameters and a managed role, and a Database on it. Each call returns fresh plain JSON.
 */
import {
  Cluster,
  ClusterSpecManagedRolesEnsure,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
  Database,
} from '../../imports/postgresql.cnpg.io';

export const CNPG_FIXTURE_NAMESPACE = 'cnpg-fixture';

export function cnpgNamespace(): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CNPG_FIXTURE_NAMESPACE } };
}

export function cnpgCluster(): any {
  return plain(Cluster.manifest({
    metadata: { name: 'db', namespace: CNPG_FIXTURE_NAMESPACE },
    spec: {
      instances: 3,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17.6',
      enableSuperuserAccess: false,
      storage: { size: '10Gi', storageClass: 'microk8s-hostpath' },
      resources: {
        requests: { cpu: ClusterSpecResourcesRequests.fromString('250m'), memory: ClusterSpecResourcesRequests.fromString('512Mi') },
        limits: { cpu: ClusterSpecResourcesLimits.fromNumber(1), memory: ClusterSpecResourcesLimits.fromString('1Gi') },
      },
      affinity: { enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' },
      bootstrap: { initdb: { database: 'app', owner: 'app', secret: { name: 'db-app' } } },
      postgresql: { parameters: { max_connections: '200', shared_buffers: '256MB' } },
      managed: {
        roles: [{ name: 'reporting', ensure: ClusterSpecManagedRolesEnsure.PRESENT, login: true, passwordSecret: { name: 'db-reporting' } }],
      },
    },
  }));
}

export function cnpgDatabase(): any {
  return plain(Database.manifest({
    metadata: { name: 'db-reporting', namespace: CNPG_FIXTURE_NAMESPACE },
    spec: { name: 'reporting', owner: 'reporting', cluster: { name: 'db' } },
  }));
}

/** The namespace, the Cluster and the Database, in the order they apply. */
export function cnpgObjects(): any[] {
  return [cnpgNamespace(), cnpgCluster(), cnpgDatabase()];
}

function plain(manifest: unknown): any {
  return JSON.parse(JSON.stringify(manifest));
}
