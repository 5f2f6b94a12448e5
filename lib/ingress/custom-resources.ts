import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';

/**
 * Typed custom resources: the specs come from `@kubernetes-models/cert-manager` and
 * `@kubernetes-models/traefik` (generated from the projects' CRDs), and the synth-time
 * validator checks these objects against the same packages' schemas.
 */

export class CertManagerIssuer extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: IIssuer['spec'] }) {
    super(scope, id, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', ...props });
  }
}

export class CertManagerCertificate extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: ICertificate['spec'] }) {
    super(scope, id, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', ...props });
  }
}

/** Middleware spec, from `@kubernetes-models/traefik` (generated from Traefik's CRDs). */
export type TraefikMiddlewareSpec = IMiddleware['spec'];

export class TraefikMiddleware extends ApiObject {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: TraefikMiddlewareSpec }) {
    super(scope, id, { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', ...props });
  }
}
