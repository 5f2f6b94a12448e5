// Kubernetes 1.27 L1 bindings.
//
// `cdk8s import k8s@1.27.0` (npm run import, declared in cdk8s.yaml) downloads the
// OpenAPI document and regenerates this file; it needs the network. cdk8s-plus-27 ships
// exactly these generated bindings, so offline we re-export them: the classes are the same
// and objects created from either file synthesize identically.
export * from 'cdk8s-plus-27/lib/imports/k8s';
