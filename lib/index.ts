export * from './postgres';
export * from './elixir';
export * from './ingress';
export * from './registry';
export * from './charts';
export * from './common/backend';
export { appLabels, type AppLabels } from './common/labels';
export * from './validation';
export * from './network';
