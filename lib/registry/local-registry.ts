import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { checkSchedule, maintenanceCronJobSpec } from '../common/cron';
import { appLabels } from '../common/labels';
import { imagePathProblem, withDigest } from '../common/image-ref';
import { scratchVolume, withEphemeralStorage } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { restrictServiceAccount } from '../common/admission-policy';
import { createHeadlessService } from '../common/headless-service';
import { createOwnedSecret } from '../common/owned-secret';
import { dataClaimTemplate, StatefulSetWithStoredClaims } from '../common/claim-template';
import { declareExternalSecret } from '../validation/declarations';
import { bindChoice } from '../common/bind';
import {
  PropError, checkDigest, checkDnsLabel, checkDnsSubdomain, checkInteger, checkPinnedImage, checkPort, checkQuantity, checkSecretKey, checkResources, checkLabels,
} from '../validation/props';
import { RegistryAuth } from './auth';
import { RegistryConfigOptions, renderRegistryConfig } from './config';

/** The registry image: Docker Distribution 2.8, the version the MicroK8s addon runs. */
export const DEFAULT_REGISTRY_IMAGE = 'registry:2.8.3';
/**
 * kubectl for the garbage-collection Job, one per Kubernetes minor that MicroK8s ships (kubectl
 * supports API servers only one minor version either side; the image has bash since 1.28).
 */
export const KUBECTL_IMAGES: Readonly<Record<string, string>> = {
  '1.34': 'registry.k8s.io/kubectl:v1.34.4',
  '1.35': 'registry.k8s.io/kubectl:v1.35.4',
  '1.36': 'registry.k8s.io/kubectl:v1.36.3',
};
/** The cluster minor the defaults target: current MicroK8s. */
export const DEFAULT_KUBERNETES_MINOR = '1.36';
export const DEFAULT_KUBECTL_IMAGE = KUBECTL_IMAGES[DEFAULT_KUBERNETES_MINOR];

/** The kubectl image for a cluster of Kubernetes `minor` ("1.36"); throws for one we do not know. */
export function kubectlImageFor(minor: string): string {
  const image = KUBECTL_IMAGES[minor];
  if (!image) throw new Error(`no kubectl image for Kubernetes ${minor}; known: ${Object.keys(KUBECTL_IMAGES).join(', ')}`);
  return image;
}

/** Where the registry's `http.secret` (signs upload state) comes from. */
/** What a LocalRegistry needs from its RegistryHttpSecret (`RegistryHttpSecret.bind`). */
export interface RegistryHttpSecretConfig {
  /** The Secret and key the registry reads `http.secret` from. */
  readonly secretName: string;
  readonly key: string;
  /** The value when the construct writes the Secret itself; absent: the Secret is yours. */
  readonly value?: string;
}

/** The registry's `http.secret` (signs upload state; the same on every replica and restart). */
export abstract class RegistryHttpSecret {
  /** The construct creates Secret `registry-http-secret` with this value (at least 32 characters). */
  public static fromValue(value: string): RegistryHttpSecret {
    return new OwnedHttpSecret(value);
  }
  /** An existing Secret in the registry namespace. */
  public static fromExistingSecret(secretName: string, key = 'http-secret'): RegistryHttpSecret {
    return new ExistingHttpSecret(secretName, key);
  }
  /** Checks this choice for the LocalRegistry `scope` (errors name its path and the `httpSecret` prop). */
  public abstract bind(scope: Construct): RegistryHttpSecretConfig;
}

class OwnedHttpSecret extends RegistryHttpSecret {
  constructor(private readonly value: string) { super(); }

  public bind(scope: Construct): RegistryHttpSecretConfig {
    if (typeof this.value !== 'string' || this.value.length < 32 || /\s/.test(this.value)) {
      throw new PropError(scope, 'httpSecret', this.value, 'expected at least 32 characters without whitespace (openssl rand -hex 32)');
    }
    return { secretName: 'registry-http-secret', key: 'http-secret', value: this.value };
  }
}

class ExistingHttpSecret extends RegistryHttpSecret {
  constructor(private readonly secretName: string, private readonly key: string) { super(); }

  public bind(scope: Construct): RegistryHttpSecretConfig {
    return { secretName: checkDnsSubdomain(scope, 'httpSecret.secretName', this.secretName), key: checkSecretKey(scope, 'httpSecret.key', this.key) };
  }
}

export interface RegistryGarbageCollection {
  /**
   * Cron schedule of the collection; `null` disables it.
   * @default "30 3 * * 0" (Sundays 03:30)
   */
  readonly schedule?: string | null;
  /**
   * Also delete manifests that no tag references (`--delete-untagged`). Images pulled only by
   * digest are then deleted too.
   * @default false
   */
  readonly deleteUntagged?: boolean;
  /** @default DEFAULT_KUBECTL_IMAGE */
  readonly kubectlImage?: string;
}

export interface LocalRegistryProps {
  /** Signs upload state; must be the same for every start of the registry. */
  readonly httpSecret: RegistryHttpSecret;
  /** @default "container-registry" (as the MicroK8s addon) */
  readonly namespace?: string;
  /** @default DEFAULT_REGISTRY_IMAGE */
  readonly image?: string;
  /**
   * NodePort on every node. containerd on MicroK8s trusts `http://localhost:32000` out of the box;
   * any other port needs `hostsToml` installed on each node.
   * @default 32000
   */
  readonly nodePort?: number;
  /** @default "20Gi" */
  readonly storageSize?: string;
  /** @default "microk8s-hostpath" */
  readonly storageClassName?: string;
  /** @default weekly; the registry is stopped while it runs */
  readonly garbageCollection?: RegistryGarbageCollection;
  /** Config options (port, upload purging, log level). @default defaults of RegistryConfigOptions */
  readonly config?: Omit<RegistryConfigOptions, 'readOnly' | 'rootDirectory' | 'htpasswd'>;
  /**
   * Who may push, pull and delete. Required: the NodePort answers on every node address, so
   * anonymous access (`RegistryAuth.anonymous()`) has to be chosen by name. With
   * `RegistryAuth.htpasswd({ username, password })` the construct writes the htpasswd Secret
   * and, through `createPullSecret`, the image pull Secrets of the namespaces that pull from it.
   * Basic auth over the NodePort's plain HTTP: a push from another machine sends the password
   * in clear text (pushes and pulls on a node go over loopback).
   */
  readonly auth: RegistryAuth;
  /** @default requests 50m / 64Mi, limit 512Mi memory */
  readonly resources?: k8s.ResourceRequirements;
  /** Create the Namespace object. @default true */
  readonly createNamespace?: boolean;
  /**
   * Where the owned http Secret is created (e.g. a chart holding all Secrets).
   * @default this construct
   */
  readonly secretScope?: Construct;
  /** Publish KEP-1755 `local-registry-hosting` in kube-public. @default true */
  readonly advertise?: boolean;
  /** @default none */
  readonly labels?: Record<string, string>;
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * A Docker Registry 2.0 inside MicroK8s that the nodes pull from: a one-replica StatefulSet
 * whose data volume is retained on delete, a NodePort Service on 32000 (containerd on MicroK8s
 * already trusts `localhost:32000`), the `local-registry-hosting` ConfigMap, and a garbage
 * collection CronJob that stops the registry while it collects (its ServiceAccount can only scale it).
 *
 * It replaces the MicroK8s `registry` addon (do not enable both: both claim NodePort 32000).
 * Create it in a chart without a namespace: it spans its namespace and kube-public.
 */
export class LocalRegistry extends Construct {
  public readonly namespace: string;
  /** The StatefulSet (and pod name prefix). */
  public readonly name = 'registry';
  /** Host and port clients on a node push to and pull from (`localhost:32000`). */
  public readonly host: string;
  public readonly nodePort: number;
  /** Name of the data PVC (back it up, or restore into it). */
  public readonly volumeClaimName = 'data-registry-0';
  /** containerd `hosts.toml` for `host`; needed on each node unless the port is 32000. */
  public readonly hostsToml: string;
  /** Where `hostsToml` goes on a MicroK8s node. */
  public readonly hostsTomlPath: string;
  /** The rendered `config.yml`. */
  public readonly configYaml: string;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;
  public readonly garbageCollectionJob?: k8s.KubeCronJob;
  /** Who may use it. */
  public readonly auth: RegistryAuth;
  private readonly pullCredentials?: { readonly username: string; readonly password: string };

  constructor(scope: Construct, id: string, props: LocalRegistryProps) {
    super(scope, id);
    if (Chart.of(this).namespace) {
      throw new PropError(this, 'scope', Chart.of(this).namespace, 'create LocalRegistry in a chart without a namespace: it places objects in its own namespace and in kube-public');
    }
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'container-registry');
    const image = checkPinnedImage(this, 'image', props.image ?? DEFAULT_REGISTRY_IMAGE);
    this.nodePort = checkInteger(this, 'nodePort', props.nodePort ?? 32000, 30000, 32767);
    const storageSize = checkQuantity(this, 'storageSize', props.storageSize ?? '20Gi');
    const storageClassName = checkDnsSubdomain(this, 'storageClassName', props.storageClassName ?? 'microk8s-hostpath');
    const port = checkPort(this, 'config.port', props.config?.port ?? 5000);
    const gc = props.garbageCollection ?? {};
    const schedule = gc.schedule === undefined ? '30 3 * * 0' : gc.schedule;
    if (schedule !== null) checkSchedule(this, 'garbageCollection.schedule', schedule, '30 3 * * 0');
    const kubectlImage = checkPinnedImage(this, 'garbageCollection.kubectlImage', gc.kubectlImage ?? DEFAULT_KUBECTL_IMAGE);
    const authConfig = bindChoice(this, 'auth', props.auth,
      'expected RegistryAuth.htpasswd({ username, password }), RegistryAuth.fromExistingSecret(name) or, to let anyone who reaches a node push and delete images, RegistryAuth.anonymous()');
    const auth = authConfig.htpasswd;

    this.host = `localhost:${this.nodePort}`;
    this.hostsTomlPath = `/var/snap/microk8s/current/args/certs.d/${this.host}/hosts.toml`;
    this.hostsToml = hostsToml(this.host);
    this.configYaml = renderRegistryConfig({
      ...props.config, port, rootDirectory: '/var/lib/registry',
      htpasswd: auth ? { realm: auth.realm, path: '/etc/docker/registry-auth/htpasswd' } : undefined,
    });
    const ns = this.namespace;
    const labels = appLabels('registry', this.name, 'registry', checkLabels(this, 'labels', props.labels));
    const meta = (name: string) => ({ name, namespace: ns, labels: labels.all });

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: ns, labels: labels.all } });
    }

    // ---- http.secret and authentication (Secrets written here, or declared as the user's) -------
    const http = bindChoice(this, 'httpSecret', props.httpSecret, 'expected RegistryHttpSecret.fromValue(v) or RegistryHttpSecret.fromExistingSecret(name)');
    if (http.value !== undefined) {
      createOwnedSecret(this, props.secretScope, { name: http.secretName, namespace: ns, labels: labels.all, values: { [http.key]: http.value } });
    }
    if (auth?.content !== undefined) {
      createOwnedSecret(this, props.secretScope, {
        name: auth.secretName, namespace: ns, labels: labels.all, values: { [auth.key]: auth.content }, id: 'HtpasswdSecret',
      });
    }

    // ---- config, Services ------------------------------------------------------------------
    const config = new k8s.KubeConfigMap(this, 'Config', { metadata: meta('registry-config'), data: { 'config.yml': this.configYaml } });
    const servicePort = (p: Partial<k8s.ServicePort>): k8s.ServicePort => ({ name: 'registry', port, targetPort: k8s.IntOrString.fromString('registry'), protocol: 'TCP', ...p });
    const headless = createHeadlessService(this, 'HeadlessService', {
      name: 'registry-headless', namespace: ns, labels: labels.all, selector: labels.selector, ports: [servicePort({})], publishNotReadyAddresses: false,
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta('registry'),
      spec: { type: 'NodePort', selector: labels.selector, ports: [servicePort({ nodePort: this.nodePort })] },
    });

    // ---- the registry ------------------------------------------------------------------------
    const security = restrictedContainerSecurity();
    const podSecurity = restrictedPodSecurity(1000);
    const probe = (extra: Partial<k8s.Probe>): k8s.Probe => ({ httpGet: { path: '/', port: k8s.IntOrString.fromString('registry') }, timeoutSeconds: 3, ...extra });
    const configVolume: k8s.Volume = { name: 'config', configMap: { name: config.name } };
    const configMount: k8s.VolumeMount = { name: 'config', mountPath: '/etc/docker/registry', readOnly: true };
    this.statefulSet = new StatefulSetWithStoredClaims(this, 'StatefulSet', {
      metadata: meta(this.name),
      spec: {
        serviceName: headless.name,
        replicas: 1,
        selector: { matchLabels: labels.selector },
        // Deleting the StatefulSet keeps the images (the PVC and, with it, the volume).
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: labels.all },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurity,
            containers: [{
              name: 'registry',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: ['/etc/docker/registry/config.yml'],
              ports: [{ name: 'registry', containerPort: port, protocol: 'TCP' }],
              env: [{ name: 'REGISTRY_HTTP_SECRET', valueFrom: { secretKeyRef: { name: http.secretName, key: http.key } } }],
              resources: withEphemeralStorage(checkResources(this, 'resources', props.resources ?? {
                requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                limits: { memory: k8s.Quantity.fromString('512Mi') },
              })),
              securityContext: security,
              startupProbe: probe({ periodSeconds: 2, failureThreshold: 30 }),
              readinessProbe: probe({ periodSeconds: 5, failureThreshold: 3 }),
              livenessProbe: probe({ periodSeconds: 10, failureThreshold: 3 }),
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/registry' }, configMount, { name: 'tmp', mountPath: '/tmp' },
                ...(auth ? [{ name: 'auth', mountPath: '/etc/docker/registry-auth', readOnly: true }] : []),
              ],
            }],
            volumes: [
              configVolume, scratchVolume('tmp', '256Mi'),
              ...(auth ? [{ name: 'auth', secret: { secretName: auth.secretName, items: [{ key: auth.key, path: 'htpasswd' }], defaultMode: 0o440 } }] : []),
            ],
          },
        },
        volumeClaimTemplates: [dataClaimTemplate({ labels: labels.all, storageSize, storageClassName })],
      },
    });
    if (http.value === undefined) declareExternalSecret(this.statefulSet, http.secretName);
    if (auth && auth.content === undefined) declareExternalSecret(this.statefulSet, auth.secretName);
    this.auth = props.auth;
    this.pullCredentials = authConfig.pullCredentials;

    if (props.advertise ?? true) {
      // KEP-1755: tools discover the cluster's local registry here.
      new k8s.KubeConfigMap(this, 'LocalRegistryHosting', {
        metadata: { name: 'local-registry-hosting', namespace: 'kube-public', labels: labels.all },
        data: { 'localRegistryHosting.v1': `host: "${this.host}"\nhelp: "https://microk8s.io/docs/registry-built-in"\n` },
      });
    }

    if (schedule !== null) {
      this.garbageCollectionJob = this.garbageCollection(schedule, gc.deleteUntagged ?? false, kubectlImage, image, {
        labels, meta, security, podSecurity, configVolume, configMount,
      });
    }
  }

  /**
   * An image pull Secret (`kubernetes.io/dockerconfigjson`) for this registry, in the namespace
   * of `scope`'s chart, for pods that pull from it (`imagePullSecrets`). Needs the password:
   * only with `RegistryAuth.htpasswd`; with an existing htpasswd Secret create it yourself
   * (`kubectl create secret docker-registry`), and anonymous access needs none.
   * @returns the Secret's name
   */
  public createPullSecret(scope: Construct, id: string, options: { readonly name?: string; readonly namespace?: string } = {}): string {
    const name = options.name ?? 'registry-pull';
    const user = this.pullCredentials;
    if (!user) {
      throw new PropError(this, 'auth', this.auth.constructor.name,
        'createPullSecret needs RegistryAuth.htpasswd({ username, password }); with an existing htpasswd Secret create the pull Secret with kubectl create secret docker-registry');
    }
    const secretName = checkDnsSubdomain(this, 'createPullSecret.name', name);
    const credentials = `${user.username}:${user.password}`;
    const dockerConfig = { auths: { [this.host]: { username: user.username, password: user.password, auth: Buffer.from(credentials).toString('base64') } } };
    createOwnedSecret(new Construct(scope, id), undefined, {
      name: secretName, namespace: options.namespace ?? Chart.of(scope).namespace, labels: appLabels('registry', this.name, 'pull-secret').all,
      values: { '.dockerconfigjson': JSON.stringify(dockerConfig) }, type: 'kubernetes.io/dockerconfigjson',
    });
    return secretName;
  }

  /**
   * `<registry host>/<name>:<tag>`, the reference pods pull; with `digest`,
   * `<host>/<name>:<tag>@<digest>`, so they run exactly what was pushed even if someone pushes
   * over the tag later. `tag` is required and never `latest`.
   */
  public imageRef(name: string, tag: string, digest?: string): string {
    if (imagePathProblem(name)) {
      throw new PropError(this, 'imageRef.name', name, 'expected a repository name: lower-case path components of letters, digits and single separators (".", "_", "__", "-"), e.g. "doit" or "team/doit"');
    }
    if (typeof tag !== 'string' || !IMAGE_TAG.test(tag) || tag === 'latest') {
      throw new PropError(this, 'imageRef.tag', tag, 'expected a version tag (letters, digits, "_", ".", "-"; at most 128; not "latest"), e.g. "1.2.3"');
    }
    return withDigest(`${this.host}/${name}:${tag}`, digest === undefined ? undefined : checkDigest(this, 'imageRef.digest', digest));
  }

  /**
   * Collect garbage without ever racing a push. The registry docs require a stopped (or
   * read-only) registry during `garbage-collect`: a push that uploaded its blobs but not yet its
   * manifest would otherwise lose those blobs. One Job pod, in order:
   * 1. (init, kubectl) scale the StatefulSet to 0 through its `scale` subresource (if this fails,
   *    nothing changed);
   * 2. (init, kubectl) wait until pod `registry-0` is gone. A failed or timed-out wait is recorded
   *    and the step itself succeeds, so step 4 still runs;
   * 3. (init, registry image) run `registry garbage-collect` on the same volume, unless the wait
   *    failed; the outcome is saved, the step never fails;
   * 4. (kubectl) scale back to 1 replica, in parallel with (registry image) a container that
   *    exits with the saved outcome, so a failed wait or collection fails the Job while the
   *    registry runs again either way.
   *
   * Least privilege: the ServiceAccount may read this StatefulSet and its pod and change nothing
   * but `spec.replicas` (the API server's `scale` subresource carries no other field), and a
   * ValidatingAdmissionPolicy holds that to 0 or 1, so a stolen token cannot change the image,
   * command or privileges of anything, nor start more registries. Only the kubectl
   * containers get its token: a projected, short-lived one (the pod does not automount it).
   */
  private garbageCollection(schedule: string, deleteUntagged: boolean, kubectlImage: string, registryImage: string, ctx: {
    labels: { all: Record<string, string> }; meta: (name: string) => { name: string; namespace: string; labels: Record<string, string> };
    security: k8s.SecurityContext; podSecurity: k8s.PodSecurityContext; configVolume: k8s.Volume; configMount: k8s.VolumeMount;
  }): k8s.KubeCronJob {
    const name = 'registry-gc';
    const pod = `${this.name}-0`;
    const sa = new k8s.KubeServiceAccount(this, 'GcServiceAccount', { metadata: ctx.meta(name), automountServiceAccountToken: false });
    const role = new k8s.KubeRole(this, 'GcRole', {
      metadata: ctx.meta(name),
      rules: [
        // kubectl scale reads the object, then patches only its scale subresource.
        { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [this.name], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: [this.name], verbs: ['get', 'patch', 'update'] },
        // kubectl wait --for=delete: a get, then a watch narrowed to the one name.
        { apiGroups: [''], resources: ['pods'], resourceNames: [pod], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'GcRoleBinding', {
      metadata: ctx.meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: this.namespace }],
    });
    // RBAC cannot bound the replica count: without this, the token could start 100 registries.
    restrictServiceAccount(this, 'GcScalePolicy', {
      name: `${this.namespace}-${name}-scale`, namespace: this.namespace, serviceAccount: sa.name, labels: ctx.labels.all,
      apiGroup: 'apps', resource: 'statefulsets/scale',
      expression: '!has(object.spec.replicas) || object.spec.replicas <= 1', message: 'the registry garbage collection may only scale the registry to 0 or 1 replicas',
    });
    const small = withEphemeralStorage({
      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
      limits: { memory: k8s.Quantity.fromString('256Mi') },
    });
    const kubectlContainer = (cname: string, command: string[]): k8s.Container => ({
      name: cname, image: kubectlImage, command,
      env: [{ name: 'HOME', value: '/tmp' }], resources: small, securityContext: ctx.security,
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: API_TOKEN_VOLUME, mountPath: API_TOKEN_PATH, readOnly: true }],
    });
    const kubectl = (cname: string, args: string[]) => kubectlContainer(cname, ['kubectl', '--namespace', this.namespace, ...args]);
    const sts = `statefulset/${this.name}`;
    const waitStopped = `kubectl --namespace ${this.namespace} wait --for=delete pod/${pod} --timeout=10m`;
    const gcArgs = ['registry', 'garbage-collect', ...(deleteUntagged ? ['--delete-untagged'] : []), '/etc/docker/registry/config.yml'];
    return new k8s.KubeCronJob(this, 'GarbageCollection', {
      metadata: ctx.meta(name),
      spec: maintenanceCronJobSpec(schedule, {
        backoffLimit: 1,
        activeDeadlineSeconds: 3600,
        template: {
          // Its own instance label: the registry's Services and StatefulSet must not select it.
          metadata: { labels: appLabels('registry', `${this.name}-gc`, 'garbage-collection').all },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: false, // only the kubectl containers mount a token
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: ctx.podSecurity,
            initContainers: [
              kubectl('stop-registry', ['scale', sts, '--replicas=0']),
              // Never fails: a failed init container would stop the pod before start-registry.
              kubectlContainer('wait-stopped', ['/bin/bash', '-c',
                `if ! ${waitStopped}; then echo "wait-stopped: pod ${pod} did not stop; skipping the collection" >&2; echo 1 > /tmp/wait-failed; fi; exit 0`]),
              {
                name: 'garbage-collect', image: registryImage, command: ['/bin/sh', '-c',
                  `if [ -e /tmp/wait-failed ]; then echo 1 > /tmp/gc-exit-code; exit 0; fi; ${gcArgs.join(' ')}; echo $? > /tmp/gc-exit-code; exit 0`],
                resources: small, securityContext: ctx.security,
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/registry' }, ctx.configMount, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            containers: [
              kubectl('start-registry', ['scale', sts, '--replicas=1']),
              {
                name: 'report', image: registryImage, command: ['/bin/sh', '-c',
                  `if [ -e /tmp/wait-failed ]; then echo "garbage collection skipped: pod ${pod} did not stop"; exit 1; fi; ` +
                  'code=$(cat /tmp/gc-exit-code); echo "garbage-collect exited $code"; exit "$code"'],
                resources: small, securityContext: ctx.security, volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: this.volumeClaimName } },
              ctx.configVolume,
              scratchVolume('tmp', '64Mi'),
              apiTokenVolume(),
            ],
          },
        },
      }),
    });
  }
}

const API_TOKEN_VOLUME = 'api-token';
/** Where client-go's in-cluster config looks for the token, CA and namespace. */
const API_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * What `automountServiceAccountToken` would mount, as a volume that only the containers that
 * call the API mount: a bound token of the pod's ServiceAccount that expires after an hour
 * (the kubelet renews it), the cluster CA and the namespace.
 */
function apiTokenVolume(): k8s.Volume {
  return {
    name: API_TOKEN_VOLUME,
    projected: {
      defaultMode: 0o440,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** `choice.bind(scope)` of a union-like prop, or a PropError when the prop is not one of its variants. */
/** containerd registry host configuration for a plain-HTTP registry at `host`. */
export function hostsToml(host: string): string {
  return `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n`;
}
