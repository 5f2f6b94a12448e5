import { isIP } from 'net';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { IHttpBackend } from '../common/backend';
import { appLabels } from '../common/labels';
import { hostnameProblem } from '../common/k8s-names';
import { declareExternalSecret } from '../validation/declarations';
import {
  checkDnsLabel, checkDnsSubdomain, checkInteger, checkPort, checkPublicAddress, parseQuantity, PropError, checkLabels, checkNameAndLabel,
} from '../validation/props';
import { IPodPeer, Peer, PodPeer } from '../network/peers';
import { claimObjectName } from '../common/object-names';
import { NetworkZone, connect } from '../network/zone';
import { TraefikMiddleware } from './custom-resources';
import { SelfSignedCaIssuer } from './self-signed-ca';

/** The ingress controller that serves the Ingress. */
export enum IngressController {
  /** MicroK8s ≥ 1.35 `ingress` addon: Traefik v3 (entrypoints `web` :80 and `websecure` :443). */
  TRAEFIK = 'traefik',
  /** MicroK8s ≤ 1.34 `ingress` addon: ingress-nginx. */
  NGINX = 'nginx',
}

/** Port of cert-manager's ACME HTTP-01 solver pods. */
const ACME_HTTP01_SOLVER_PORT = 8089;

/** How the ACME server validates control of the host (cert-manager). */
export type AcmeChallenge = 'http01' | 'dns01' | 'none';

/** What a TlsIngress tells its certificate source when binding it. */
export interface IngressCertificateBinding {
  /** The TlsIngress (errors name its path; a self-signed CA is created in its chart). */
  readonly scope: Construct;
  /** Its hosts; empty in host-less local mode. */
  readonly hosts: readonly string[];
  /** Its name (prefix of the TLS Secret). */
  readonly name: string;
  /** Its namespace. */
  readonly namespace?: string;
}

/** What a TlsIngress needs from its certificate source (`IngressCertificate.bind`). */
export interface IngressCertificateConfig {
  /** `spec.tls` of the Ingress. @default none */
  readonly tls?: k8s.IngressTls[];
  /** Annotations for the Ingress (cert-manager's issuer). */
  readonly annotations: Record<string, string>;
  /** The Secret the certificate is in. @default none (the controller's default certificate) */
  readonly tlsSecretName?: string;
  /** Whether it is created outside this app (declared for validation). */
  readonly externalSecret: boolean;
  /** Whether an ACME server proves the hosts over HTTP-01 (cert-manager's solver must be reachable). */
  readonly acmeHttp01: boolean;
}

/** Where the TLS certificate comes from. */
export abstract class IngressCertificate {
  /** The controller's own (self-signed) default certificate: no extra addon; browsers warn. */
  public static controllerDefault(): IngressCertificate {
    return new ControllerDefaultCertificate();
  }

  /** An existing `kubernetes.io/tls` Secret in the namespace (declared external for validation). */
  public static fromSecret(secretName: string): IngressCertificate {
    return new SecretCertificate(secretName);
  }

  /**
   * cert-manager issues the certificate into Secret `<ingress name>-tls`. `challenge` says how
   * the issuer proves the host (ACME HTTP-01 cannot prove a wildcard).
   */
  public static certManager(options: { readonly clusterIssuer?: string; readonly issuer?: string; readonly challenge?: AcmeChallenge }): IngressCertificate {
    return new CertManagerCertificate(options);
  }

  /**
   * A local CA run by cert-manager in the Ingress' namespace: `issuer`, or the chart's
   * `SelfSignedCaIssuer.getOrCreate` (namespaced Issuers, one-year CA).
   */
  public static selfSignedCa(issuer?: SelfSignedCaIssuer): IngressCertificate {
    return new SelfSignedCaCertificate(issuer);
  }

  /**
   * Checks this choice for the Ingress (errors name its path and the `certificate` prop) and
   * says what the Ingress carries.
   */
  public abstract bind(ingress: IngressCertificateBinding): IngressCertificateConfig;
}

class ControllerDefaultCertificate extends IngressCertificate {
  public bind(ingress: IngressCertificateBinding): IngressCertificateConfig {
    // No secretName: the controller serves its default certificate for these hosts.
    return { tls: ingress.hosts.length > 0 ? [{ hosts: [...ingress.hosts] }] : undefined, annotations: {}, externalSecret: false, acmeHttp01: false };
  }
}

class SecretCertificate extends IngressCertificate {
  constructor(private readonly secretName: string) { super(); }

  public bind(ingress: IngressCertificateBinding): IngressCertificateConfig {
    requireHosts(ingress, 'a certificate Secret names hosts');
    const tlsSecretName = checkDnsSubdomain(ingress.scope, 'certificate.secretName', this.secretName);
    return { tls: [{ hosts: [...ingress.hosts], secretName: tlsSecretName }], annotations: {}, tlsSecretName, externalSecret: true, acmeHttp01: false };
  }
}

class CertManagerCertificate extends IngressCertificate {
  constructor(private readonly options: { readonly clusterIssuer?: string; readonly issuer?: string; readonly challenge?: AcmeChallenge }) { super(); }

  public bind(ingress: IngressCertificateBinding): IngressCertificateConfig {
    const scope = ingress.scope;
    requireHosts(ingress, 'cert-manager issues certificates for named hosts');
    const { clusterIssuer, issuer } = this.options ?? {};
    if (!!clusterIssuer === !!issuer) {
      throw new PropError(scope, 'certificate', this.options, 'expected exactly one of clusterIssuer or issuer');
    }
    // cert-manager's ingress-shim: Issuer in the Ingress' namespace vs cluster-wide ClusterIssuer.
    const annotations: Record<string, string> = clusterIssuer
      ? { 'cert-manager.io/cluster-issuer': checkDnsSubdomain(scope, 'certificate.clusterIssuer', clusterIssuer) }
      : { 'cert-manager.io/issuer': checkDnsSubdomain(scope, 'certificate.issuer', issuer!) };
    const challenge = this.options.challenge ?? 'http01';
    if (!['http01', 'dns01', 'none'].includes(challenge)) {
      throw new PropError(scope, 'certificate.challenge', challenge, 'expected "http01", "dns01" or "none" (a non-ACME issuer)');
    }
    const wildcard = ingress.hosts.find(h => h.startsWith('*.'));
    if (wildcard && challenge === 'http01') {
      throw new PropError(scope, 'hosts', wildcard, 'ACME HTTP-01 cannot issue wildcard certificates: use a DNS-01 issuer (challenge: "dns01") or list the hosts');
    }
    return issuedInto(ingress, annotations, challenge === 'http01');
  }
}

class SelfSignedCaCertificate extends IngressCertificate {
  constructor(private readonly issuer?: SelfSignedCaIssuer) { super(); }

  public bind(ingress: IngressCertificateBinding): IngressCertificateConfig {
    requireHosts(ingress, 'cert-manager issues certificates for named hosts');
    const ca = this.issuer ?? SelfSignedCaIssuer.getOrCreate(ingress.scope);
    if (ca.namespace !== ingress.namespace) {
      throw new PropError(ingress.scope, 'certificate', ca.node.path, `expected a SelfSignedCaIssuer in the Ingress' namespace "${ingress.namespace}" (its Issuers serve only their own namespace)`);
    }
    return issuedInto(ingress, { 'cert-manager.io/issuer': ca.issuerName }, false);
  }
}

/** cert-manager's ingress-shim issues into Secret `<name>-tls`. */
function issuedInto(ingress: IngressCertificateBinding, annotations: Record<string, string>, acmeHttp01: boolean): IngressCertificateConfig {
  const tlsSecretName = `${ingress.name}-tls`;
  return { tls: [{ hosts: [...ingress.hosts], secretName: tlsSecretName }], annotations, tlsSecretName, externalSecret: false, acmeHttp01 };
}

function requireHosts(ingress: IngressCertificateBinding, why: string): void {
  if (ingress.hosts.length === 0) {
    throw new PropError(ingress.scope, 'certificate', 'no hosts', `${why}: give hosts, or use IngressCertificate.controllerDefault() for host-less local mode`);
  }
}

export interface TlsIngressProps {
  /** Where requests go: any IHttpBackend, e.g. an ElixirDeployment. */
  readonly backend: IHttpBackend;
  /**
   * Public host names. Empty: host-less local mode, reached at `https://localhost` (or any
   * address of the node), served with the controller's default certificate.
   * @default [] (local mode)
   */
  readonly hosts?: string[];
  /**
   * Host-less mode only: the address people type to reach the app, usually a node's IP
   * (`192.168.1.50`) or a name that is not in the Ingress. It becomes `host` and `url`, and so
   * the app's PHX_HOST: LiveView accepts a websocket only from the origin PHX_HOST names, so a
   * browser at `https://192.168.1.50` needs PHX_HOST `192.168.1.50`, not `localhost`.
   * @default "localhost" (only a browser on the node itself)
   */
  readonly publicAddress?: string;
  /** @default IngressController.TRAEFIK (what current MicroK8s ships) */
  readonly controller?: IngressController;
  /** @default "public" (exists on MicroK8s with both controllers) */
  readonly ingressClassName?: string;
  /** @default IngressCertificate.controllerDefault() */
  readonly certificate?: IngressCertificate;
  /**
   * Largest request body accepted (a Kubernetes quantity: "8Mi"). With Traefik this adds its
   * `buffering` middleware, which also buffers whole responses (streamed responses and
   * LiveView's long-poll fallback then arrive only at the end): opt in knowingly.
   * @default NGINX: "8Mi" (its own default is 1m); Traefik: no limit and no buffering
   */
  readonly maxBodySize?: string;
  /**
   * Read/send timeout for proxied connections, so idle LiveView websockets survive (NGINX;
   * Traefik does not time out upgraded connections per route).
   * @default 3600
   */
  readonly websocketTimeoutSeconds?: number;
  /**
   * HTTP Strict Transport Security on the HTTPS routes: browsers then refuse plain HTTP and
   * certificate warnings for the host for `maxAgeSeconds`. `false` turns it off (Traefik), e.g.
   * for a host that will not keep a valid certificate. With NGINX the header comes from the
   * controller's ConfigMap (`hsts`, on by default for a year): leave this unset, or `false` once
   * you turned it off there (README).
   * @default { maxAgeSeconds: 31536000 } (one year, no includeSubDomains, no preload)
   */
  readonly hsts?: HstsOptions | false;
  /**
   * Namespace of the ingress controller's pods: the backend lets them in on its HTTP port,
   * and cert-manager's HTTP-01 solver on 8089, once the namespace denies by default
   * (`PhoenixNetworkPolicies`). MicroK8s' `ingress` addon runs its controller (NGINX up to
   * 1.34, Traefik from 1.35) in `ingress`.
   * @default "ingress"
   */
  readonly controllerNamespace?: string;
  /**
   * For a backend that is not one of ours (no `exposedVia`, e.g. `{ serviceName, servicePort }`):
   * the pods behind its Service and the port they serve on, so the controller may reach them
   * once the namespace denies by default.
   * @default none; in a namespace that denies by default, synth fails for such a backend without it
   */
  readonly backendPods?: { readonly peer: IPodPeer; readonly port: number };
  /**
   * Name of the Ingress (and prefix of its helpers).
   * @default the backend's Service name
   */
  readonly name?: string;
  /** @default none */
  readonly labels?: Record<string, string>;
}

/** The `Strict-Transport-Security` header. */
export interface HstsOptions {
  /**
   * 0 sends `max-age=0`, which makes browsers forget the host's HSTS: the way to undo it (serve
   * it until the old max-age has passed for your users, then turn HSTS off).
   * @default 31536000 (one year)
   */
  readonly maxAgeSeconds?: number;
  /** @default false */
  readonly includeSubdomains?: boolean;
  /** @default false (preload lists need includeSubdomains and a year) */
  readonly preload?: boolean;
}


/**
 * HTTPS for one HTTP backend on MicroK8s, with whichever controller the cluster runs:
 * HTTP→HTTPS redirect, a request body limit, websocket-friendly timeouts, and a certificate
 * from the controller's default, a Secret, cert-manager or a local CA.
 */
export class TlsIngress extends Construct {
  /** Host names (empty in local mode). */
  public readonly hosts: string[];
  /** The primary host (`localhost` in local mode): feed it to the app's PHX_HOST. */
  public readonly host: string;
  /** `https://<host>` for each host (`https://localhost` in local mode). */
  public readonly urls: string[];
  /** The first of `urls`. */
  public readonly url: string;
  /** The Ingress serving HTTPS. */
  public readonly ingress: k8s.KubeIngress;
  /** Secret holding the certificate, when the Ingress names one. */
  public readonly tlsSecretName?: string;
  /** Whether cert-manager proves the host with ACME HTTP-01 (its solver pods must be reachable). */
  public readonly acmeHttp01: boolean;

  constructor(scope: Construct, id: string, props: TlsIngressProps) {
    super(scope, id);

    // ---- props ---------------------------------------------------------------------------
    const backend = props.backend;
    if (!backend || typeof backend.serviceName !== 'string' || backend.servicePort === undefined) {
      throw new PropError(this, 'backend', backend?.serviceName, 'expected an IHttpBackend with serviceName and servicePort (e.g. an ElixirDeployment)');
    }
    checkDnsLabel(this, 'backend.serviceName', backend.serviceName);
    checkPort(this, 'backend.servicePort', backend.servicePort);
    const controller = props.controller ?? IngressController.TRAEFIK;
    if (!Object.values(IngressController).includes(controller)) {
      throw new PropError(this, 'controller', controller, `expected one of ${Object.values(IngressController).join(', ')}`);
    }
    const className = checkDnsSubdomain(this, 'ingressClassName', props.ingressClassName ?? 'public');
    const name = checkNameAndLabel(this, 'name', props.name ?? backend.serviceName);
    const controllerNamespace = checkDnsLabel(this, 'controllerNamespace', props.controllerNamespace ?? 'ingress');
    claimObjectName(this, 'name', 'Ingress', Chart.of(this).namespace, name);
    this.hosts = [...(props.hosts ?? [])];
    this.hosts.forEach((h, i) => {
      if (hostnameProblem(h)) {
        throw new PropError(this, `hosts[${i}]`, h, 'expected a lower-case DNS host name such as "doit.example.com" (a leading "*." for a wildcard; Ingress hosts cannot be IP addresses)');
      }
    });
    if (new Set(this.hosts).size !== this.hosts.length) throw new PropError(this, 'hosts', this.hosts, 'expected each host once');
    const maxBody = props.maxBodySize ?? (controller === IngressController.NGINX ? '8Mi' : undefined);
    const maxBodyBytes = maxBody === undefined ? undefined : parseQuantity(maxBody);
    if (maxBody !== undefined && (maxBodyBytes === undefined || maxBodyBytes < 1 || !Number.isInteger(maxBodyBytes))) {
      throw new PropError(this, 'maxBodySize', maxBody, 'expected a whole number of bytes as a Kubernetes quantity, e.g. "8Mi" or "100M"');
    }
    const timeout = checkInteger(this, 'websocketTimeoutSeconds', props.websocketTimeoutSeconds ?? 3600, 60, 86400);
    const hsts = checkHsts(this, props.hsts, controller);
    const namespace = Chart.of(this).namespace;

    if (props.publicAddress !== undefined && this.hosts.length > 0) {
      throw new PropError(this, 'publicAddress', props.publicAddress, 'expected no publicAddress when hosts are given (the first host is the public address)');
    }
    const address = props.publicAddress === undefined ? 'localhost' : checkPublicAddress(this, 'publicAddress', props.publicAddress);
    this.host = this.hosts[0] ?? address;
    this.urls = (this.hosts.length > 0 ? this.hosts : [address]).map(h => `https://${isIP(h) === 6 ? `[${h}]` : h}`);
    this.url = this.urls[0];
    const labels = appLabels(backend.serviceName, name, 'ingress', checkLabels(this, 'labels', props.labels)).all;

    // ---- certificate -----------------------------------------------------------------------
    const certificate = props.certificate ?? IngressCertificate.controllerDefault();
    if (typeof certificate?.bind !== 'function') {
      throw new PropError(this, 'certificate', certificate, 'expected an IngressCertificate from one of its static factories');
    }
    const cert = certificate.bind({ scope: this, hosts: this.hosts, name, namespace });
    const annotations: Record<string, string> = { ...cert.annotations };
    const tls = cert.tls;
    this.tlsSecretName = cert.tlsSecretName;
    this.acmeHttp01 = cert.acmeHttp01;

    // ---- controller specifics ----------------------------------------------------------------
    const rules = (this.hosts.length > 0 ? this.hosts : [undefined]).map((host): k8s.IngressRule => ({
      host,
      http: {
        paths: [{
          path: '/',
          pathType: 'Prefix',
          backend: { service: { name: backend.serviceName, port: { number: backend.servicePort } } },
        }],
      },
    }));

    if (controller === IngressController.NGINX) {
      // ingress-nginx annotations (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/):
      // force-ssl-redirect also redirects when the default certificate serves (no secretName);
      // proxy-read/send-timeout keep idle websockets (LiveView) open past the 60 s default;
      // proxy-body-size replaces the 1m default. ingress-nginx proxies websockets natively.
      Object.assign(annotations, {
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': String(timeout),
        'nginx.ingress.kubernetes.io/proxy-send-timeout': String(timeout),
        'nginx.ingress.kubernetes.io/proxy-body-size': `${Math.ceil(maxBodyBytes! / 1024 ** 2)}m`,
      });
    } else {
      if (!namespace) {
        throw new PropError(this, 'controller', controller, 'Traefik middlewares are referenced as <namespace>-<name>@kubernetescrd: create the TlsIngress in a chart with a namespace');
      }
      // Traefik v3 Kubernetes Ingress provider annotations
      // (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/):
      // the HTTPS router lives on entrypoint `websecure` (MicroK8s' addon: :443) with TLS;
      // a second Ingress on `web` (:80) only redirects. Traefik proxies websockets natively and
      // has no per-route idle timeout for upgraded connections, so nothing is set for them;
      // NGINX annotations would be ignored here and are not emitted.
      const redirect = new TraefikMiddleware(this, 'RedirectHttps', {
        metadata: { name: `${name}-redirect-https`, labels },
        spec: { redirectScheme: { scheme: 'https', permanent: true } },
      });
      const ref = (mw: TraefikMiddleware) => `${namespace}-${mw.name}@kubernetescrd`;
      Object.assign(annotations, {
        'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
        'traefik.ingress.kubernetes.io/router.tls': 'true',
      });
      const middlewares: TraefikMiddleware[] = [];
      if (hsts) {
        middlewares.push(new TraefikMiddleware(this, 'Hsts', {
          metadata: { name: `${name}-hsts`, labels },
          // Traefik sends no header for stsSeconds 0, but max-age=0 is how browsers are told to forget.
          spec: { headers: hsts.maxAgeSeconds === 0
            ? { customResponseHeaders: { 'Strict-Transport-Security': `max-age=0${hsts.includeSubdomains ? '; includeSubDomains' : ''}` } }
            : { stsSeconds: hsts.maxAgeSeconds, stsIncludeSubdomains: hsts.includeSubdomains, stsPreload: hsts.preload } },
        }));
      }
      if (maxBodyBytes !== undefined) {
        middlewares.push(new TraefikMiddleware(this, 'BodyLimit', {
          metadata: { name: `${name}-body-limit`, labels },
          spec: { buffering: { maxRequestBodyBytes: maxBodyBytes } },
        }));
      }
      if (middlewares.length > 0) annotations['traefik.ingress.kubernetes.io/router.middlewares'] = middlewares.map(ref).join(',');
      new k8s.KubeIngress(this, 'HttpRedirect', {
        metadata: {
          name: `${name}-http`,
          labels,
          annotations: {
            'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
            'traefik.ingress.kubernetes.io/router.middlewares': ref(redirect),
          },
        },
        spec: { ingressClassName: className, rules },
      });
    }

    this.ingress = new k8s.KubeIngress(this, 'Ingress', {
      metadata: { name, labels, annotations },
      spec: { ingressClassName: className, tls, rules },
    });
    if (cert.externalSecret) declareExternalSecret(this.ingress, this.tlsSecretName!);

    // ---- who may connect -------------------------------------------------------------------
    const controllerPods = Peer.namespace(controllerNamespace);
    if (this.acmeHttp01) {
      // cert-manager starts the solver in this namespace while a challenge runs; the
      // controller forwards /.well-known/acme-challenge/ to it on 8089.
      const solver = NetworkZone.of(this).sharedPeer('acme-http01-solver',
        () => new PodPeer(this, 'AcmeHttp01Solver', { peerName: 'acme-http01-solver', podSelector: { 'acme.cert-manager.io/http01-solver': 'true' } }),
        'cert-manager starts the HTTP-01 solver pods while a challenge runs');
      connect(this, controllerPods, solver, [ACME_HTTP01_SOLVER_PORT]);
    }
    // The backend learns its public address (PHX_HOST) and lets the controller in.
    if (props.backendPods) {
      connect(this, controllerPods, props.backendPods.peer, [checkPort(this, 'backendPods.port', props.backendPods.port)]);
    }
    if (typeof backend.exposedVia === 'function') {
      backend.exposedVia({ ingress: this, publicAddress: this.host, from: controllerPods });
    } else if (!props.backendPods) {
      const zone = NetworkZone.of(this);
      this.node.addValidation({
        validate: () => zone.enforced
          ? [`invalid prop "backend": Service "${backend.serviceName}" is not one of this library's backends, and namespace "${namespace ?? '(none)'}" denies by default: nothing lets the ingress controller reach its pods; give backendPods ({ peer, port }: a PodPeer for them and the port they serve on)`]
          : [],
      });
    }
  }
}

/** HSTS settings, or undefined when off (or, with NGINX, left to the controller's ConfigMap). */
function checkHsts(scope: Construct, hsts: HstsOptions | false | undefined, controller: IngressController): Required<HstsOptions> | undefined {
  if (hsts === false) return undefined;
  if (hsts !== undefined && (typeof hsts !== 'object' || hsts === null)) {
    throw new PropError(scope, 'hsts', hsts, 'expected false or { maxAgeSeconds?, includeSubdomains?, preload? }');
  }
  if (controller === IngressController.NGINX) {
    // ingress-nginx sets the header from its ConfigMap for every TLS host; an Ingress cannot change it.
    if (hsts !== undefined) {
      throw new PropError(scope, 'hsts', hsts, 'with NGINX the header comes from the controller ConfigMap (hsts, hsts-max-age, hsts-include-subdomains, hsts-preload): leave hsts unset, or false after turning it off there');
    }
    return undefined;
  }
  const options = {
    maxAgeSeconds: checkInteger(scope, 'hsts.maxAgeSeconds', hsts?.maxAgeSeconds ?? 31536000, 0, 2 ** 31 - 1),
    includeSubdomains: hsts?.includeSubdomains ?? false,
    preload: hsts?.preload ?? false,
  };
  if (options.preload && (!options.includeSubdomains || options.maxAgeSeconds < 31536000)) {
    throw new PropError(scope, 'hsts.preload', true, 'HSTS preload lists require includeSubdomains: true and maxAgeSeconds of at least 31536000');
  }
  return options;
}
