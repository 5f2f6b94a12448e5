// The package entry point: the constructs and the types needed to write their props. The doit
// app that uses them (config, secrets file, stack, output) is in app/, outside the package.
export {
  PostgresStatefulSet, SUPPORTED_POSTGRES_MAJORS, DEFAULT_POSTGRES_VERSION, PostgresCredentials, PostgresBackup, PostgresRestoreJob,
} from './postgres';
export type {
  PostgresStatefulSetProps, PostgresCredentialValues, PostgresExistingSecretOptions, PostgresSecretKeys, PostgresBackupProps, PostgresRestoreJobProps,
} from './postgres';
export { ElixirDeployment, ClusterStrategy, MigrationMode, DEFAULT_DATABASE_WAIT_IMAGE, ElixirSecrets } from './elixir';
export type { ElixirDeploymentProps, ElixirMigrations, DatabaseUrlSecret, ElixirSecretKeys, ElixirSecretValues } from './elixir';
export { TlsIngress, IngressController, IngressCertificate, SelfSignedCaIssuer } from './ingress';
export type { TlsIngressProps, HstsOptions, AcmeChallenge, SelfSignedCaIssuerProps } from './ingress';
export { PhoenixNetworkPolicies } from './network';
export type { PhoenixNetworkPoliciesProps, NetworkPolicyApp, NetworkPolicyServer } from './network';
export { LocalRegistry, RegistryHttpSecret, DEFAULT_REGISTRY_IMAGE, hostsToml, RegistryAuth, renderRegistryCompose } from './registry';
export type { LocalRegistryProps, RegistryGarbageCollection, RegistryComposeFiles, RegistryAuthConfig, RegistryHttpSecretConfig } from './registry';
export type { IHttpBackend } from './common/backend';
export { appLabels } from './common/labels';
export type { AppLabels } from './common/labels';
export {
  validate, validateManifests, expectValid, PropError, waive, WAIVER_ANNOTATION_PREFIX, ValidationReport,
  declareExternalSecret, declareExternalPods, EXTERNAL_SECRETS_ANNOTATION, EXTERNAL_PODS_ANNOTATION,
  POLICY_RULES, STRICTER_PROPS, STRICTER_THAN_SERVER, SERVER_PARITY_RULES, CLUSTER_SCOPED_KINDS, Microk8sPhoenixValidation,
} from './validation';
export type { Finding, Manifest, Severity, SourcedManifest, Waiver, ServerParityOptions } from './validation';
// What the props' `resources` are written with (`Quantity.fromString('256Mi')`), so consumers
// need no import from cdk8s-plus-27's generated bindings.
export { Quantity } from '../imports/k8s';
export type { ResourceRequirements } from '../imports/k8s';
