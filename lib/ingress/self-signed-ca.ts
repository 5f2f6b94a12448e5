import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDnsLabel, checkNonEmpty, PropError } from '../validation/props';
import { CertManagerCertificate, CertManagerIssuer } from './custom-resources';

/** cert-manager duration: hours, minutes, seconds ("8760h", "90m"), as Go's time.ParseDuration without fractions. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export interface SelfSignedCaIssuerProps {
  /**
   * Name of the CA Issuer that ingresses use (also the CA Certificate and its Secret).
   * @default "local-ca"
   */
  readonly name?: string;
  /** @default "<namespace> local CA (microk8s-phoenix)" */
  readonly commonName?: string;
  /**
   * Lifetime of the CA certificate. cert-manager renews it `renewBefore` its end with a new key;
   * browsers that trust it need the new `ca.crt` then.
   * @default "8760h" (one year)
   */
  readonly duration?: string;
  /** @default "720h" (30 days) */
  readonly renewBefore?: string;
}

/**
 * A local certificate authority for development, run by cert-manager inside one namespace: a
 * self-signed Issuer signs a CA Certificate (one year, renewed with a new key), and a CA Issuer
 * signs the ingresses' certificates with it. Both are namespaced `Issuer`s, so only Certificates
 * and Ingresses in this namespace can use it.
 *
 * No X.509 name constraints: cert-manager supports them only behind an alpha feature gate
 * (NameConstraints) that the MicroK8s addon does not enable. So trusting its `ca.crt` in a
 * browser (see the README) means: whoever can read Secret `<name>` or create Certificates or
 * Ingresses in this namespace can impersonate any site to that browser, for up to a year.
 */
export class SelfSignedCaIssuer extends Construct {
  /** The chart's issuer, created on first use as child `SelfSignedCa` of `scope`'s chart. */
  public static getOrCreate(scope: Construct, props: SelfSignedCaIssuerProps = {}): SelfSignedCaIssuer {
    const chart = Chart.of(scope);
    return (chart.node.tryFindChild('SelfSignedCa') as SelfSignedCaIssuer | undefined) ?? new SelfSignedCaIssuer(chart, 'SelfSignedCa', props);
  }

  /** The Issuer to name in `cert-manager.io/issuer`. */
  public readonly issuerName: string;
  /** Its namespace (Ingresses must be in it). */
  public readonly namespace: string;
  /** The Secret holding the CA (`ca.crt`, `tls.crt`, `tls.key`). */
  public readonly caSecretName: string;

  constructor(scope: Construct, id: string, props: SelfSignedCaIssuerProps = {}) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new PropError(this, 'scope', 'a chart without a namespace', 'create SelfSignedCaIssuer in the chart (with a namespace) of the Ingresses it serves: its Issuers are namespaced, so no other namespace can use the CA');
    }
    const name = checkDnsLabel(this, 'name', props.name ?? 'local-ca');
    const commonName = checkNonEmpty(this, 'commonName', props.commonName ?? `${namespace} local CA (microk8s-phoenix)`);
    const duration = checkDuration(this, 'duration', props.duration ?? '8760h');
    const renewBefore = checkDuration(this, 'renewBefore', props.renewBefore ?? '720h');
    if (hours(renewBefore) >= hours(duration)) {
      throw new PropError(this, 'renewBefore', renewBefore, `expected less than duration (${duration})`);
    }
    this.namespace = namespace;
    this.issuerName = name;
    this.caSecretName = name;

    const bootstrap = new CertManagerIssuer(this, 'Bootstrap', { metadata: { name: `${name}-bootstrap` }, spec: { selfSigned: {} } });
    new CertManagerCertificate(this, 'CaCertificate', {
      metadata: { name },
      spec: {
        isCA: true,
        commonName,
        secretName: name,
        duration,
        renewBefore,
        // A new key at each renewal: a leaked key is good for a year at most.
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { name: bootstrap.name, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    new CertManagerIssuer(this, 'CaIssuer', { metadata: { name }, spec: { ca: { secretName: name } } });
  }
}

function checkDuration(scope: Construct, prop: string, value: string): string {
  if (typeof value !== 'string' || value === '' || !DURATION.test(value) || hours(value) < 1) {
    throw new PropError(scope, prop, value, 'expected a cert-manager duration of at least an hour in h/m/s, e.g. "8760h" or "2160h"');
  }
  return value;
}

function hours(duration: string): number {
  const [, h = '0', m = '0', s = '0'] = DURATION.exec(duration) ?? [];
  return Number(h) + Number(m) / 60 + Number(s) / 3600;
}
