// Two Phoenix apps on one MicroK8s, written as any project using the package would: one
// PostgreSQL with a database and role per app, each app on its own HTTPS host, images from a
// password-protected local registry. Nothing is wired by hand: each app registers with its
// database, each Ingress sets its app's PHX_HOST, and the NetworkPolicies follow from that.
import { App, Chart } from 'cdk8s';
import {
  ElixirDeployment, ElixirSecrets, IngressCertificate, LocalRegistry, MigrationMode,
  PostgresCredentials, PostgresDatabaseCredentials, PostgresStatefulSet, RegistryAuth, RegistryHttpSecret,
} from 'microk8s-phoenix';

const app = new App();
const labels = { 'app.kubernetes.io/part-of': 'two-apps' };

// The registry both images come from (the htpasswd Secret is yours).
const registryChart = new Chart(app, 'registry', { labels }); // the registry places its objects in its own namespace
const registry = new LocalRegistry(registryChart, 'Registry', {
  auth: RegistryAuth.fromExistingSecret('registry-htpasswd'),
  httpSecret: RegistryHttpSecret.fromExistingSecret('registry-http-secret'),
  storageSize: '20Gi',
});

const chart = new Chart(app, 'apps', { namespace: 'apps', labels });

// One server. Its first database is the shop's; the blog gets a database and role of its own.
// Secrets are created beforehand with kubectl (README of the library), never committed.
const postgres = new PostgresStatefulSet(chart, 'Postgres', {
  databaseName: 'shop',
  username: 'shop',
  credentials: PostgresCredentials.fromExistingSecret('postgres-shop'),
  networkPolicies: true,
});
const blogDatabase = postgres.addDatabase('BlogDatabase', {
  databaseName: 'blog',
  username: 'blog',
  credentials: PostgresDatabaseCredentials.fromExistingSecret('postgres-blog'),
});

const phoenixApp = (id: string, name: string, database: typeof blogDatabase | PostgresStatefulSet, host: string) => {
  const web = new ElixirDeployment(chart, id, {
    name,
    image: registry.imageRef(name, '2026.11.1'),
    imagePullSecrets: ['registry-pull'],
    externalImagePullSecrets: ['registry-pull'],
    nodeBasename: name,
    headlessServiceName: `${name}-headless`,
    secrets: ElixirSecrets.fromExistingSecret(`${name}-secrets`),
    database,
    replicas: 2,
    migrations: { command: [`/app/bin/${name}`, 'eval', `${name[0].toUpperCase()}${name.slice(1)}.Release.migrate`], mode: MigrationMode.JOB },
    networkPolicies: true,
  });
  web.exposeViaIngress('Ingress', { hosts: [host], certificate: IngressCertificate.certManager({ clusterIssuer: 'letsencrypt' }) });
  return web;
};

phoenixApp('Shop', 'shop', postgres, 'shop.example.com');
phoenixApp('Blog', 'blog', blogDatabase, 'blog.example.com');

app.synth();
