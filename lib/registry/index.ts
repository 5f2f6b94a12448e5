export * from './config';
export * from './compose';
export * from './local-registry';
export * from './auth';
