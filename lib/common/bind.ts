import { IConstruct } from 'constructs';
import { PropError } from '../validation/props';

/**
 * A union-like prop (`RegistryAuth`, `ElixirSecrets`, `PostgresCredentials`, …) bound to the
 * construct `scope` that takes it: its `bind` checks the choice for that construct and says
 * what the construct needs. Anything without a `bind` (a plain object, undefined) is refused
 * with the accepted factories.
 */
export function bindChoice<T>(scope: IConstruct, prop: string, choice: { bind(scope: IConstruct): T } | undefined, accepted: string): T {
  if (typeof choice?.bind !== 'function') throw new PropError(scope, prop, choice, accepted);
  return choice.bind(scope);
}
