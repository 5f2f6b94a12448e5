export * from './custom-resources';
export * from './self-signed-ca';
export * from './tls-ingress';
