export { PhoenixNetworkPolicies } from './phoenix-network-policies';
export type { PhoenixNetworkPoliciesProps, NetworkPolicyApp, NetworkPolicyServer } from './phoenix-network-policies';
