// The package entry point: the constructs and the types needed to write their props. The doit
// app that uses them (config, secrets file, stack, output) is in app/, outside the package.
// Each construct folder's index.ts lists what it makes public.
export * from './postgres';
export * from './elixir';
export * from './ingress';
export * from './network';
export * from './registry';
export type { IHttpBackend, HttpExposure } from './common/backend';
export { appLabels } from './common/labels';
export type { AppLabels } from './common/labels';
export * from './validation';
// What the props' `resources` are written with (`Quantity.fromString('256Mi')`), so consumers
// need no import from cdk8s-plus-27's generated bindings.
export { Quantity } from '../imports/k8s';
export type { ResourceRequirements } from '../imports/k8s';
