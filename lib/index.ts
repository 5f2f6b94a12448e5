export * from './postgres';
export { PropError } from './validation/props';
export * from './charts';
export * from './common/backend';
export { appLabels, type AppLabels } from './common/labels';
export { WAIVER_ANNOTATION_PREFIX, waive } from './validation/waivers';
export * from './network';
