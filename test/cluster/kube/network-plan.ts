// Addresses of the local cluster. None overlaps a real interface of these machines
// (eth0 is 192.0.2.0/24). Pod traffic never leaves the machine: there is no masquerade
// for it and a FORWARD rule drops anything from the pod range that is not for the bridge.
export const networkPlan = {
  /** Own bridge with no ports, used as a dummy device (the kernel has no dummy module). */
  hostDevice: 'millrace0',
  /** Address of this machine that pods reach: API server, S3 server, test servers. */
  hostAddress: '10.245.0.1',
  podCidr: '10.244.0.0/16',
  /** The node's share of podCidr, handed out by host-local. */
  nodePodCidr: '10.244.0.0/24',
  podBridge: 'cni0',
  serviceCidr: '10.96.0.0/16',
  kubernetesServiceIp: '10.96.0.1',
  dnsServiceIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
  nodeName: 'millrace-node',
  apiServerPort: 6443,
  etcdClientPort: 22379,
  etcdPeerPort: 22380,
} as const;

export function apiServerUrl(): string {
  return `https://${networkPlan.hostAddress}:${networkPlan.apiServerPort}`;
}
