export * from './postgres';
export { PropError } from './validation/props';
export * from './charts';
