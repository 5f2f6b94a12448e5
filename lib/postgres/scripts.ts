import { shippedScript } from '../common/shipped-scripts';

/** The shell scripts in `scripts/` (shipped as files in the package). */
export type PostgresScript = 'backup.sh' | 'restore.sh' | 'create-app-role.sh' | 'check-data-dir.sh' | 'ensure-databases.sh';

export function postgresScript(name: PostgresScript): string {
  return shippedScript(__dirname, name);
}
