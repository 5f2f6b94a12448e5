import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';

/**
 * Typed custom resources. cert-manager's types come from `@kubernetes-models/cert-manager`
 * (generated from cert-manager's CRDs; the synth-time validator checks these objects against
 * the same package's schemas). Traefik publishes no maintained npm model, so its Middleware
 * spec is typed here from the published CRD (traefik.io/v1alpha1, Traefik v3) for the two
 * middlewares this library uses.
 */

export class CertManagerClusterIssuer extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: IClusterIssuer['spec'] }) {
    super(scope, id, { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', ...props });
  }
}

export class CertManagerCertificate extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: ICertificate['spec'] }) {
    super(scope, id, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', ...props });
  }
}

/** https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/redirectscheme/ */
export interface TraefikRedirectScheme {
  readonly scheme: 'https' | 'http';
  readonly permanent?: boolean;
  readonly port?: string;
}

/** https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/buffering/ */
export interface TraefikBuffering {
  /** Requests with a larger body are answered 413. */
  readonly maxRequestBodyBytes?: number;
  readonly memRequestBodyBytes?: number;
  readonly maxResponseBodyBytes?: number;
  readonly memResponseBodyBytes?: number;
  readonly retryExpression?: string;
}

export interface TraefikMiddlewareSpec {
  readonly redirectScheme?: TraefikRedirectScheme;
  readonly buffering?: TraefikBuffering;
}

export class TraefikMiddleware extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: TraefikMiddlewareSpec }) {
    super(scope, id, { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', ...props });
  }
}
