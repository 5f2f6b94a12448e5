import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDnsLabel, checkNonEmpty, PropError } from '../validation/props';
import { CertManagerCertificate, CertManagerClusterIssuer } from './custom-resources';

export interface SelfSignedCaIssuerProps {
  /**
   * Name of the CA ClusterIssuer that ingresses use (also the CA Certificate and its Secret).
   * @default "local-ca"
   */
  readonly name?: string;
  /**
   * cert-manager's "cluster resource namespace", where a ClusterIssuer's CA Secret must live
   * (MicroK8s' cert-manager addon: cert-manager).
   * @default "cert-manager"
   */
  readonly certManagerNamespace?: string;
  /** @default "microk8s-phoenix local CA" */
  readonly commonName?: string;
}

/**
 * A local certificate authority for development clusters, run by cert-manager: a
 * self-signed ClusterIssuer signs a CA Certificate (in the cert-manager namespace), and a CA
 * ClusterIssuer signs the ingresses' certificates with it. Trust the CA once in your browser
 * (`kubectl -n cert-manager get secret local-ca -o jsonpath='{.data.ca\.crt}' | base64 -d`).
 *
 * The ClusterIssuers are cluster-scoped, so this construct belongs in a chart without a
 * namespace, once per cluster: `SelfSignedCaIssuer.getOrCreate(scope)` does that for an App.
 */
export class SelfSignedCaIssuer extends Construct {
  /** The one issuer of `scope`'s App, created on first use in a chart `cluster-issuers` without namespace. */
  public static getOrCreate(scope: Construct, props: SelfSignedCaIssuerProps = {}): SelfSignedCaIssuer {
    const app = App.of(scope);
    const chart = (app.node.tryFindChild('cluster-issuers') as Chart | undefined) ?? new Chart(app, 'cluster-issuers');
    return (chart.node.tryFindChild('SelfSignedCa') as SelfSignedCaIssuer | undefined) ?? new SelfSignedCaIssuer(chart, 'SelfSignedCa', props);
  }

  /** The ClusterIssuer to name in `cert-manager.io/cluster-issuer`. */
  public readonly clusterIssuerName: string;

  constructor(scope: Construct, id: string, props: SelfSignedCaIssuerProps = {}) {
    super(scope, id);
    const name = checkDnsLabel(this, 'name', props.name ?? 'local-ca');
    const namespace = checkDnsLabel(this, 'certManagerNamespace', props.certManagerNamespace ?? 'cert-manager');
    const commonName = checkNonEmpty(this, 'commonName', props.commonName ?? 'microk8s-phoenix local CA');
    if (Chart.of(this).namespace) {
      throw new PropError(this, 'scope', Chart.of(this).namespace, 'ClusterIssuers are cluster-scoped: create this construct in a chart without a namespace (or use SelfSignedCaIssuer.getOrCreate)');
    }
    this.clusterIssuerName = name;
    const bootstrap = new CertManagerClusterIssuer(this, 'Bootstrap', { metadata: { name: `${name}-bootstrap` }, spec: { selfSigned: {} } });
    new CertManagerCertificate(this, 'CaCertificate', {
      metadata: { name, namespace },
      spec: {
        isCA: true,
        commonName,
        secretName: name,
        duration: '87600h',
        // Keep the CA key on renewal, so certificates it signed (and browsers that trust it) stay valid.
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
        issuerRef: { name: bootstrap.name, kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
    new CertManagerClusterIssuer(this, 'CaIssuer', { metadata: { name }, spec: { ca: { secretName: name } } });
  }
}
