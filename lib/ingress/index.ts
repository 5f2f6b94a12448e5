export { TlsIngress, IngressController, IngressCertificate } from './tls-ingress';
export type { TlsIngressProps, HstsOptions, AcmeChallenge, IngressCertificateBinding, IngressCertificateConfig } from './tls-ingress';
export { SelfSignedCaIssuer } from './self-signed-ca';
export type { SelfSignedCaIssuerProps } from './self-signed-ca';
