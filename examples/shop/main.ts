// A user's own chart for a Phoenix app called "shop", built from the library's constructs
// exactly as any other project would import them.
import { App, Chart } from 'cdk8s';
import {
  ClusterStrategy, ElixirDeployment, ElixirSecrets, IngressCertificate, MigrationMode,
  PostgresCredentials, PostgresStatefulSet,
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
  // Default deny in the namespace; the app, its migration Job and the database register the
  // connections they need, and the Ingress below adds the controller and cert-manager's solver.
  networkPolicies: true,
});

// Sets the app's PHX_HOST to shop.example.com and lets the ingress controller in.
web.exposeViaIngress('Ingress', {
  hosts: ['shop.example.com'],
  certificate: IngressCertificate.certManager({ clusterIssuer: 'letsencrypt' }),
});

app.synth();
