export { ElixirDeployment, ClusterStrategy, MigrationMode, DEFAULT_DATABASE_WAIT_IMAGE } from './elixir-deployment';
export type { ElixirDeploymentProps, ElixirMigrations, DatabaseUrlSecret } from './elixir-deployment';
export { ElixirSecrets } from './secrets';
export type { ElixirSecretKeys, ElixirSecretValues, ElixirSecretsConfig } from './secrets';
