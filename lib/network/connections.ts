import { INetworkPeer, IPodPeer, NetworkPort } from './peers';
import { connect } from './zone';

/**
 * The connections of a construct's pods, in the style of cdk8s-plus: state each one once,
 * from either end, and the NetworkPolicies of both ends follow (they are rendered once the
 * namespace denies by default, see `PhoenixNetworkPolicies`). The library's own constructs
 * register what they need themselves (an app and its database, migrations, backups, the
 * ingress controller); use these for anything else.
 */
export class Connections {
  constructor(private readonly pods: IPodPeer) {}

  /** Let `peer` open connections to these pods on `ports` (numbers are TCP). */
  public allowFrom(peer: INetworkPeer, ports: readonly (number | NetworkPort)[]): void {
    connect(this.pods, peer, this.pods, ports);
  }

  /** Let these pods open connections to `peer` on `ports` (numbers are TCP). */
  public allowTo(peer: INetworkPeer, ports: readonly (number | NetworkPort)[]): void {
    connect(this.pods, this.pods, peer, ports);
  }
}
