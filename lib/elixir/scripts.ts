import { shippedScript } from '../common/shipped-scripts';

/** The shell scripts in `scripts/` (shipped as files in the package). */
export type ElixirScript = 'wait-for-database.sh';

export function elixirScript(name: ElixirScript): string {
  return shippedScript(__dirname, name);
}
