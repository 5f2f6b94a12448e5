import { App, Chart } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { IngressCertificate, IngressController } from '../lib/ingress';
import { DEFAULT_REGISTRY_IMAGE, LocalRegistry, RegistryAuth, RegistryHttpSecret } from '../lib/registry';
import { kubectlImageFor } from '../lib/registry/local-registry';
import { withDigest } from '../lib/common/image-ref';
import { DoitConfig, REGISTRY_NAMESPACE, RETAINED_STORAGE_CLASS } from './config';
import { DoitChart } from './doit-chart';
import { RegistryChart } from './registry-chart';
import { DoitSecretValues } from './secrets';

export interface DoitStackProps {
  readonly config: DoitConfig;
  /** Generated values (secrets.mode local-file); absent: reference pre-created Secrets. */
  readonly secrets?: DoitSecretValues;
  /** Prefix of chart ids (several stacks in one App, e.g. the benchmark). @default none */
  readonly prefix?: string;
}

export interface DoitStack {
  /** Namespaces and the Retain StorageClass (`dist/bootstrap/`). */
  readonly namespaces: Chart;
  /** Data-holding objects outside StatefulSet templates (`dist/bootstrap/`). */
  readonly volumes: Chart;
  readonly secrets?: Chart;
  readonly registry?: LocalRegistry;
  readonly doit: DoitChart;
}

const appsWithRetainedClass = new WeakSet<App>();
const bootstrapFiles = new WeakMap<Chart, string>();

/**
 * Where `synthAtomically` writes each chart of the stack: Namespaces, the StorageClass, the
 * backup volume claim go to `bootstrap/`, which is applied once and
 * which `kubectl apply -f dist/` and `kubectl delete -f dist/` (not recursive) never touch, so
 * deleting the app can never delete a namespace and with it the volumes.
 */
export function doitOutputFile(chart: Chart): string {
  const id = chart.node.id;
  return bootstrapFiles.get(chart) ?? `${id}.k8s.yaml`;
}

/**
 * Pod Security Admission labels of the namespaces the stack creates: every pod must meet the
 * `restricted` profile (refused otherwise), and kubectl warns and the audit log records any
 * template that would not. `latest`: the profile of the cluster's own version.
 */
export const RESTRICTED_POD_SECURITY: Record<string, string> = Object.fromEntries(
  ['enforce', 'warn', 'audit'].flatMap(mode => [[`pod-security.kubernetes.io/${mode}`, 'restricted'], [`pod-security.kubernetes.io/${mode}-version`, 'latest']]),
);

/** The registry user of the doit stack (its password is generated, or yours in `existing` mode). */
export const REGISTRY_USER = 'doit';

/** Label on every object, so `npm run prune` (which selects by it) is safe. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'doit' };

/**
 * The whole doit system as charts, each its own file (see `doitOutputFile`), named in apply
 * order (`kubectl apply -f` takes files alphabetically): `bootstrap/00-namespaces`,
 * `bootstrap/01-volumes`, then
 * `01-secrets` (only with generated secrets), `02-registry`, `03-doit`. The order is in the
 * names rather than in cdk8s chart dependencies, which would make every object of a chart
 * depend on every object of the charts before it.
 */
export function buildDoitStack(app: App, props: DoitStackProps): DoitStack {
  const { config, secrets } = props;
  const id = (name: string) => (props.prefix ? `${props.prefix}-${name}` : name);
  const registryNamespace = props.prefix ? `${props.prefix}-registry` : REGISTRY_NAMESPACE;

  // Not labelled part-of: `npm run prune` (which selects this label) must never
  // select a Namespace (pruning one deletes every PVC in it).
  const namespaces = new Chart(app, id('namespaces'));
  bootstrapFiles.set(namespaces, `bootstrap/${id('00-namespaces')}.k8s.yaml`);
  const volumes = new Chart(app, id('volumes'));
  bootstrapFiles.set(volumes, `bootstrap/${id('01-volumes')}.k8s.yaml`);
  for (const ns of [config.namespace, ...(config.registry.enabled ? [registryNamespace] : [])]) {
    new k8s.KubeNamespace(namespaces, ns, { metadata: { name: ns, labels: RESTRICTED_POD_SECURITY } });
  }
  const classes = [config.postgres.storageClassName, ...(config.registry.enabled ? [config.registry.storageClassName] : [])];
  if (classes.includes(RETAINED_STORAGE_CLASS) && !appsWithRetainedClass.has(app)) {
    appsWithRetainedClass.add(app); // cluster-scoped: once per App, however many stacks
    // kubectl delete -f dist/ deletes the Namespaces and with them the PVCs; with reclaim
    // policy Retain the volumes (and the data on the node) survive and can be re-bound.
    new k8s.KubeStorageClass(namespaces, 'RetainedStorageClass', {
      metadata: { name: RETAINED_STORAGE_CLASS },
      provisioner: 'microk8s.io/hostpath',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  }

  let secretsChart: Chart | undefined;
  if (secrets) {
    // All generated Secrets in one file, so they can be handled apart from the rest of dist/.
    secretsChart = new Chart(app, id('01-secrets'), { labels: PART_OF });
  }

  let registry: LocalRegistry | undefined;
  if (config.registry.enabled) {
    const registryChart = new RegistryChart(app, id('02-registry'), {
      labels: PART_OF,
      registry: {
        namespace: registryNamespace,
        createNamespace: false,
        nodePort: config.registry.nodePort,
        storageSize: config.registry.storageSize,
        storageClassName: config.registry.storageClassName,
        httpSecret: secrets ? RegistryHttpSecret.fromValue(secrets.registryHttpSecret) : RegistryHttpSecret.fromExistingSecret('registry-http-secret'),
        secretScope: secretsChart,
        advertise: !props.prefix,
        auth: !config.registry.auth ? RegistryAuth.anonymous()
          : secrets ? RegistryAuth.htpasswd({ username: REGISTRY_USER, password: secrets.registryPassword })
          : RegistryAuth.fromExistingSecret('registry-htpasswd'),
        image: withDigest(DEFAULT_REGISTRY_IMAGE, config.registry.imageDigest),
        garbageCollection: { kubectlImage: withDigest(kubectlImageFor(config.kubernetesVersion), config.registry.kubectlImageDigest) },
      },
    });
    registry = registryChart.registry;
  }
  // The app pulls its image from our registry with these credentials.
  let imagePullSecrets: string[] = [];
  if (registry && config.registry.auth && !config.image.repository) {
    imagePullSecrets = [secrets && secretsChart
      ? registry.createPullSecret(secretsChart, 'RegistryPullSecret', { namespace: config.namespace })
      : 'registry-pull'];
  }

  const image = withDigest(config.image.repository
    ? `${config.image.repository}:${config.image.tag}`
    // Without our registry, images come from the MicroK8s registry addon on the same port.
    : registry?.imageRef(config.image.name, config.image.tag) ?? `localhost:32000/${config.image.name}:${config.image.tag}`, config.image.digest);

  const doit = new DoitChart(app, id('03-doit'), {
    namespace: config.namespace,
    labels: PART_OF,
    image,
    host: config.host,
    replicas: config.replicas,
    postgres: config.postgres,
    backup: config.backup.enabled ? config.backup : undefined,
    controller: config.ingress.controller === 'nginx' ? IngressController.NGINX : IngressController.TRAEFIK,
    ingressClassName: config.ingress.className,
    hsts: config.ingress.hsts,
    certificate: certificateFor(config),
    secrets: secrets && secretsChart ? { scope: secretsChart, ...secrets } : undefined,
    imagePullSecrets,
    volumesScope: volumes,
  });

  return { namespaces, volumes, secrets: secretsChart, registry, doit };
}

function certificateFor(config: DoitConfig): IngressCertificate {
  switch (config.tls.mode) {
    case 'secret': return IngressCertificate.fromSecret(config.tls.secretName!);
    case 'cert-manager': return IngressCertificate.certManager({ clusterIssuer: config.tls.clusterIssuer! });
    case 'self-signed': return IngressCertificate.selfSignedCa();
    default: return IngressCertificate.controllerDefault();
  }
}

