export { LocalRegistry, RegistryHttpSecret, DEFAULT_REGISTRY_IMAGE, hostsToml } from './local-registry';
export type { LocalRegistryProps, RegistryGarbageCollection, RegistryHttpSecretConfig } from './local-registry';
export { RegistryAuth } from './auth';
export type { RegistryAuthConfig } from './auth';
export { renderRegistryCompose } from './compose';
export type { RegistryComposeFiles } from './compose';
