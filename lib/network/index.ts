export * from './phoenix-network-policies';
