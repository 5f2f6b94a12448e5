export * from './credentials';
export * from './postgres-statefulset';
export * from './backup';
export * from './scripts';
