export * from './credentials';
export * from './postgres-statefulset';
