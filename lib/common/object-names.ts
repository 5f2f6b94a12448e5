import { IConstruct } from 'constructs';
import { PropError } from '../validation/props';

const claims = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * Claim the name of an object a construct creates (`kind` in `namespace`), once per App: two
 * constructs that would write the same object (the later apply silently overwriting the
 * earlier, or one app reading the other's Secret) are refused at construction, naming both
 * and the prop that gave the name.
 */
export function claimObjectName(owner: IConstruct, prop: string, kind: string, namespace: string | undefined, name: string): void {
  const root = owner.node.root;
  let byKey = claims.get(root);
  if (!byKey) claims.set(root, byKey = new Map());
  const key = `${kind}/${namespace ?? ''}/${name}`;
  const other = byKey.get(key);
  if (other && other !== owner) {
    throw new PropError(owner, prop, name,
      `${kind} "${name}" in namespace "${namespace ?? '(none)'}" is already created by ${other.node.path}: the later apply would overwrite it; give one of them another name`);
  }
  byKey.set(key, owner);
}
