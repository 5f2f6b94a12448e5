import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { PhoenixNetworkPolicies, PodPeer, PostgresCredentials, PostgresStatefulSet } from '../../lib';
import { Peer, isPodPeer, podsPeer } from '../../lib/network/peers';
import { NetworkZone, connect } from '../../lib/network/zone';
import { find, synth, testChart } from '../util';

const SEL = { app: 'x' };

describe('peers', () => {
  test('isPodPeer: a construct with a string peerName and a podSelector, nothing less', () => {
    const chart = testChart('a');
    expect(isPodPeer(new PodPeer(chart, 'P', { peerName: 'p', podSelector: SEL }))).toBe(true);
    const plain = { peerName: 'p', podSelector: SEL, peerKey: 'k', toNetworkPolicyPeer: () => ({}) };
    expect(isPodPeer(plain)).toBe(false); // not a construct
    const construct = (extra: object) => Object.assign(new Construct(chart, `C${Math.random()}`), { peerKey: 'k', toNetworkPolicyPeer: () => ({}) }, extra);
    expect(isPodPeer(construct({ peerName: 'p', podSelector: SEL }))).toBe(true);
    expect(isPodPeer(construct({ podSelector: SEL }))).toBe(false);
    expect(isPodPeer(construct({ peerName: 7, podSelector: SEL }))).toBe(false);
    expect(isPodPeer(construct({ peerName: 'p' }))).toBe(false);
    expect(isPodPeer(Peer.namespace('ingress'))).toBe(false);
  });

  test('podsPeer: a pod selector in the same namespace (or none), with the namespace otherwise', () => {
    expect(podsPeer(SEL, 'a', 'a')).toEqual({ podSelector: { matchLabels: SEL } });
    expect(podsPeer(SEL, undefined, 'a')).toEqual({ podSelector: { matchLabels: SEL } });
    expect(podsPeer(SEL, 'b', 'a')).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: SEL } });
  });

  test('Peer.namespace: all its pods, or those labelled; distinct selectors are distinct peers', () => {
    expect(Peer.namespace('mon').toNetworkPolicyPeer('a')).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mon' } }, podSelector: undefined });
    expect(Peer.namespace('mon', { app: 'prom' }).toNetworkPolicyPeer('a'))
      .toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mon' } }, podSelector: { matchLabels: { app: 'prom' } } });
    expect(Peer.namespace('mon').peerKey).not.toBe(Peer.namespace('mon', { app: 'prom' }).peerKey);
    expect(Peer.namespace('mon', { app: 'a' }).peerKey).not.toBe(Peer.namespace('mon', { app: 'b' }).peerKey);
    expect(Peer.namespace('mon').peerKey).toBe(Peer.namespace('mon').peerKey);
    expect(Peer.namespace('mon').peerKey).not.toBe(Peer.namespace('log').peerKey);
  });

  test('Peer.ipBlock: checks the block and each exception; exceptions make a distinct peer', () => {
    expect(Peer.ipBlock('10.0.0.0/8').toNetworkPolicyPeer('a')).toEqual({ ipBlock: { cidr: '10.0.0.0/8', except: undefined } });
    expect(() => Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/33'])).toThrow(/Peer.ipBlock: "10.1.0.0\/33"/);
    expect(Peer.ipBlock('10.0.0.0/8').peerKey).not.toBe(Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16']).peerKey);
    expect(Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16']).peerKey).not.toBe(Peer.ipBlock('10.0.0.0/8', ['10.2.0.0/16']).peerKey);
    expect(Peer.ipBlock('10.0.0.0/8').peerKey).not.toBe(Peer.ipBlock('11.0.0.0/8').peerKey);
  });

  test('PodPeer: each construct its own identity, so two with one selector are two peers', () => {
    const chart = testChart('a');
    PhoenixNetworkPolicies.of(chart);
    const db = new PostgresStatefulSet(chart, 'Db', { credentials: PostgresCredentials.fromExistingSecret('db') });
    const one = new PodPeer(chart, 'One', { peerName: 'one', podSelector: SEL });
    const two = new PodPeer(chart, 'Two', { peerName: 'two', podSelector: SEL });
    expect(one.peerKey).not.toBe(two.peerKey);
    db.addClient(one);
    db.addClient(two);
    expect(find(synth(chart), 'NetworkPolicy', 'two-egress')).toBeDefined();
    expect(find(synth(chart), 'NetworkPolicy', 'postgres-ingress').spec.ingress).toHaveLength(2);
    expect(one.toNetworkPolicyPeer('b')).toEqual(podsPeer(SEL, 'a', 'b'));
  });
});

describe('the zone of a namespace', () => {
  test('a construct registered twice is still one peer; another of that name is refused', () => {
    const chart = testChart('a');
    const p = new PodPeer(chart, 'P', { peerName: 'p', podSelector: SEL });
    const zone = NetworkZone.of(chart);
    zone.registerPeer(p);
    zone.registerPeer(p);
    expect(() => zone.registerPeer(new PodPeer(chart, 'Q', { peerName: 'p', podSelector: SEL }), 'peerName'))
      .toThrow(expect.objectContaining({ prop: 'peerName', message: expect.stringMatching(/test\/Q.*test\/P/s) }));
  });

  test('one port with two protocols is two rules; the same connection twice is one', () => {
    const chart = testChart('a');
    PhoenixNetworkPolicies.of(chart);
    const p = new PodPeer(chart, 'P', { peerName: 'p', podSelector: SEL });
    connect(chart, p, Peer.ipBlock('10.0.0.0/8'), [{ port: 53, protocol: 'TCP' }]);
    connect(chart, p, Peer.ipBlock('10.0.0.0/8'), [{ port: 53, protocol: 'UDP' }]);
    connect(chart, p, Peer.ipBlock('10.0.0.0/8'), [53]); // TCP again
    const egress = find(synth(chart), 'NetworkPolicy', 'p-egress').spec.egress;
    expect(egress.map((r: any) => r.ports)).toEqual([[{ protocol: 'TCP', port: 53 }], [{ protocol: 'UDP', port: 53 }]]);
  });

  test('policies are children of their peer, named by direction', () => {
    const chart = testChart('a');
    PhoenixNetworkPolicies.of(chart);
    const p = new PodPeer(chart, 'P', { peerName: 'p', podSelector: SEL });
    connect(chart, Peer.namespace('ingress'), p, [80]);
    connect(chart, p, Peer.ipBlock('0.0.0.0/0'), [443]);
    expect((p.node.findChild('IngressPolicy') as any).name).toBe('p-ingress');
    expect((p.node.findChild('EgressPolicy') as any).name).toBe('p-egress');
  });

  test('a connection needs pods of a construct at one end at least', () => {
    const chart = testChart('a');
    expect(() => connect(chart, Peer.namespace('a'), Peer.ipBlock('0.0.0.0/0'), [80]))
      .toThrow(expect.objectContaining({ prop: 'peer', message: expect.stringMatching(/one end of a connection must be pods/) }));
  });

  test('without a namespace: the default deny of the chart, named without a suffix', () => {
    const chart = new Chart(Testing.app(), 'plain');
    const policies = PhoenixNetworkPolicies.of(chart);
    expect(policies.node.id).toBe('PhoenixNetworkPolicies');
    expect(policies.policyNames).toEqual(['default-deny', 'allow-dns']);
    expect(PhoenixNetworkPolicies.of(new Chart(chart.node.scope as Construct, 'plain2'))).toBe(policies);
  });
});
