export { PostgresStatefulSet, SUPPORTED_POSTGRES_MAJORS, DEFAULT_POSTGRES_VERSION } from './postgres-statefulset';
export type { PostgresStatefulSetProps } from './postgres-statefulset';
export { PostgresCredentials } from './credentials';
export type { PostgresCredentialValues, PostgresExistingSecretOptions, PostgresSecretKeys, PostgresCredentialsConfig } from './credentials';
export { PostgresBackup, PostgresRestoreJob } from './backup';
export type { PostgresBackupProps, PostgresRestoreJobProps } from './backup';
export type { IPostgresDatabase } from './database';
export { PostgresDatabase, PostgresDatabaseCredentials } from './postgres-database';
export type { PostgresDatabaseProps, PostgresDatabaseCredentialsConfig } from './postgres-database';
