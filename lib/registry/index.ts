export { LocalRegistry, RegistryHttpSecret, DEFAULT_REGISTRY_IMAGE, hostsToml } from './local-registry';
export type { LocalRegistryProps, RegistryGarbageCollection } from './local-registry';
export { RegistryAuth } from './auth';
export { renderRegistryCompose } from './compose';
export type { RegistryComposeFiles } from './compose';
