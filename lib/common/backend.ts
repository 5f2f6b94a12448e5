import { IConstruct } from 'constructs';
import type { INetworkPeer } from '../network/peers';

/**
 * Something an Ingress (or another client) can send HTTP traffic to: a Service in the
 * same namespace and one of its ports. Constructs that serve HTTP (ElixirDeployment)
 * implement it so callers never retype Service names or port numbers.
 */
export interface IHttpBackend {
  /** Name of the Service. */
  readonly serviceName: string;
  /** Port of the Service that serves HTTP. */
  readonly servicePort: number;
  /**
   * Called by each Ingress that routes to this backend, as it is constructed: the backend
   * learns its public address (an app sets PHX_HOST from it) and lets the controller's
   * traffic in (`exposure.from`). Optional: a plain Service needs neither.
   */
  exposedVia?(exposure: HttpExposure): void;
}

/** How an Ingress exposes an IHttpBackend. */
export interface HttpExposure {
  /** The Ingress. */
  readonly ingress: IConstruct;
  /** The address browsers use: the Ingress' first host, or its publicAddress in host-less mode. */
  readonly publicAddress: string;
  /** Where the proxied requests come from (the ingress controller's pods). */
  readonly from: INetworkPeer;
}
