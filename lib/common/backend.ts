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
}
