import { planIptablesRemoval } from './host-network.ts';

const save = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:DOCKER - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A PREROUTING -j DOCKER
-A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-NPX46M4PTMTKRN6Y
COMMIT
*filter
:FORWARD ACCEPT [0:0]
:MILLRACE-FORWARD - [0:0]
-A FORWARD -j MILLRACE-FORWARD
-A FORWARD -s 192.0.2.0/24 -j ACCEPT
-A MILLRACE-FORWARD -s 10.244.0.0/16 ! -o cni0 -m comment --comment "millrace: pod traffic stays on this machine" -j DROP
COMMIT
`;

test('removal deletes only the jumps from built-in or foreign chains into ours, with their exact arguments', () => {
  const { removals } = planIptablesRemoval(save);
  expect(removals).toEqual([
    { table: 'nat', rule: ['-D', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
    { table: 'nat', rule: ['-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT'] },
    { table: 'filter', rule: ['-D', 'FORWARD', '-j', 'MILLRACE-FORWARD'] },
  ]);
});

test('removal takes the chains of kube-proxy, the kubelet, CNI and ours, and no other chain', () => {
  const { chains } = planIptablesRemoval(save);
  expect(chains).toEqual([
    { table: 'nat', chain: 'KUBE-SERVICES' },
    { table: 'nat', chain: 'CNI-HOSTPORT-DNAT' },
    { table: 'filter', chain: 'MILLRACE-FORWARD' },
  ]);
});
