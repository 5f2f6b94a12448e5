/**
 * The recommended `app.kubernetes.io/*` labels
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
 *
 * `selector` is the stable subset used in selectors (never changes across releases, so a
 * Deployment or StatefulSet selector, which is immutable, stays valid); `all` adds the
 * descriptive ones and the caller's extra labels for metadata.
 */
export interface AppLabels {
  readonly selector: Record<string, string>;
  readonly all: Record<string, string>;
}

export function appLabels(name: string, instance: string, component: string,
  extra: Record<string, string> = {}): AppLabels {
  const selector = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
  };
  return {
    selector,
    all: {
      ...extra,
      ...selector,
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/managed-by': 'cdk8s',
    },
  };
}
