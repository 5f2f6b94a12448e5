// A user's own chart for a Phoenix app called "shop", built from the library's constructs
// exactly as any other project would import them.
import { App, Chart } from 'cdk8s';
import {
  ClusterStrategy, ElixirDeployment, ElixirSecrets, IngressCertificate, MigrationMode,
  PhoenixNetworkPolicies, PostgresCredentials, PostgresStatefulSet, TlsIngress,
} from 'microk8s-phoenix';

const app = new App();
const chart = new Chart(app, 'shop', { namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop' } });

// Secrets are created beforehand with kubectl (see the library README), never committed.
const db = new PostgresStatefulSet(chart, 'Db', {
  name: 'shop-db',
  databaseName: 'shop',
  username: 'shop',
  credentials: PostgresCredentials.fromExistingSecret('shop-db'),
  storageSize: '10Gi',
});

const web = new ElixirDeployment(chart, 'Web', {
  name: 'shop',
  image: 'ghcr.io/acme/shop:2026.11.1',
  nodeBasename: 'shop',
  clusterStrategy: ClusterStrategy.DNS_CLUSTER,
  secrets: ElixirSecrets.fromExistingSecret('shop-secrets'),
  database: db,
  replicas: 2,
  migrations: { command: ['/app/bin/migrate'], mode: MigrationMode.JOB },
});

const ingress = new TlsIngress(chart, 'Ingress', {
  backend: web,
  hosts: ['shop.example.com'],
  certificate: IngressCertificate.certManager({ clusterIssuer: 'letsencrypt' }),
});
web.setPublicHost(ingress.host);

new PhoenixNetworkPolicies(chart, 'Network', {
  app: web,
  database: { podSelector: db.podSelector, port: db.port },
  databaseClients: web.migrationPodSelector ? [web.migrationPodSelector] : [],
});

app.synth();
