export * from './props';
export * from './waivers';
export * from './report';
export { validate, validateManifests, expectValid } from './validate';
export { POLICY_RULES } from './policy';
export { CLUSTER_SCOPED_KINDS } from './references';
export * from './declarations';
export { Microk8sPhoenixValidation } from './plugin';
export * from './receipt';
