import { POLICY_RULES } from './policy';

/**
 * The rules that refuse, on purpose, what the Kubernetes API server would accept: the secure
 * defaults (policy, waivable) and the cross-references between the objects of one output, which
 * a server that sees one object at a time cannot check. Every other rule agrees with the API
 * server, and the differential test (`__tests__/cluster/differential.integration.test.ts`) holds
 * every rule outside this list to that: no output we accept may be refused by the server, no
 * output we refuse for any other rule may be accepted by it.
 */
// Stryker disable StringLiteral: why a rule is stricter is documentation (the rule ids are keys, tested)
export const STRICTER_THAN_SERVER: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.keys(POLICY_RULES).map(rule => [rule, 'policy: a secure default'])),
  'secret-reference': 'cross-reference: a Secret or key that is not in the output',
  'configmap-reference': 'cross-reference: a ConfigMap or key that is not in the output',
  'pvc-reference': 'cross-reference: a claim that is not in the output',
  'ingress-backend': 'cross-reference: an Ingress backend Service or port that is not in the output',
  'service-selector': 'cross-reference: a Service selecting no pod of the output',
  'service-target-port': 'cross-reference: a named targetPort no selected pod declares',
  'statefulset-service': 'cross-reference: a StatefulSet\'s serviceName that is not a headless Service of the output',
  'networkpolicy-selector': 'cross-reference: a NetworkPolicy selecting no pod of the output',
  'pdb-selector': 'cross-reference: a PodDisruptionBudget selecting no pod of the output',
  'env-expansion': 'cross-reference: $(VAR) naming no variable defined before it (the kubelet would pass it on literally)',
  'unchecked-kind': 'a kind the validator has no schema for (a warning)',
};
// Stryker restore StringLiteral

/**
 * Construct props that refuse, on purpose, values the API server would accept in the field they
 * fill. The differential test feeds generated values through these props too and expects
 * refusals beyond the server's only here.
 */
// Stryker disable StringLiteral: why a prop is stricter is documentation (the prop ids are keys, tested)
export const STRICTER_PROPS: Readonly<Record<string, string>> = {
  'ElixirDeployment.env': 'names as a shell can export them ([A-Za-z_][A-Za-z0-9_]*; the release scripts are shell), none of the variables the construct sets, and no secret-looking names (those come from a Secret)',
  'PostgresStatefulSet.name': 'a DNS-1123 label of at most 52 characters: the StatefulSet controller labels each pod with <name>-<10-character hash>, which must fit a 63-character label value (the server accepts the longer name; the pods then never come)',
  'TlsIngress.hosts': 'real DNS names: every dot-separated part at most 63 characters (the server checks only the whole length; no certificate can name such a host), no IP address, no wildcard with ACME HTTP-01',
};
// Stryker restore StringLiteral
