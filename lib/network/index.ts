export { PhoenixNetworkPolicies } from './phoenix-network-policies';
export type { PhoenixNetworkPoliciesProps } from './phoenix-network-policies';
export { Connections } from './connections';
export { Peer, PodPeer } from './peers';
export type { INetworkPeer, IPodPeer, NetworkPort, PodPeerProps } from './peers';
