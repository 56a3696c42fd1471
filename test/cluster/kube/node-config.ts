import { stringify } from 'yaml';
import { networkPlan } from './network-plan.ts';
import { images } from './versions.ts';

// Configuration files of the node tier, as pure functions of the plan and the paths.

export const containerdSocket = '/run/containerd/containerd.sock';

export function containerdConfig(options: { cniConfDir: string }): string {
  // containerd's default socket and root, so `ctr -n k8s.io images import` works unadorned
  // and imported images survive `down` (a warm start imports nothing new).
  return `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "${containerdSocket}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${images.pause}"
  disable_apparmor = true
  # Inside our container even root may not lower oom_score_adj (the kubelet asks -998 for
  # sandboxes): clamp to containerd's own value instead of failing every pod.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${options.cniConfDir}"
`;
}

export function cniConfig(options: { ipamDataDir: string }): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'millrace',
      plugins: [
        {
          type: 'bridge',
          bridge: networkPlan.podBridge,
          isGateway: true,
          // No masquerade: pod traffic is never sent out of this machine.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: options.ipamDataDir,
            ranges: [[{ subnet: networkPlan.nodePodCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(options: { pkiDir: string; resolvConf: string }): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: networkPlan.hostAddress,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: `${options.pkiDir}/ca.crt` } },
    authorization: { mode: 'Webhook' },
    tlsCertFile: `${options.pkiDir}/kubelet-serving.crt`,
    tlsPrivateKeyFile: `${options.pkiDir}/kubelet-serving.key`,
    containerRuntimeEndpoint: `unix://${containerdSocket}`,
    // These machines have cgroup v1 and no systemd; we run inside a container.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    kernelMemcgNotification: false,
    protectKernelDefaults: false,
    clusterDNS: [networkPlan.dnsServiceIp],
    clusterDomain: networkPlan.clusterDomain,
    // Pods get the cluster DNS only, never this machine's resolvers.
    resolvConf: options.resolvConf,
    // A shared test machine: never evict for disk, keep a small memory floor.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'imagefs.available': '0%' },
    imageGCHighThresholdPercent: 100,
    // Pods' volumes (emptyDir) are measured every 5-10 s instead of 1-2 min, so a pod over its
    // local storage limit is evicted within seconds (test/e2e/start-failures.test.ts).
    volumeStatsAggPeriod: '5s',
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    staticPodPath: '',
  });
}

export function kubeProxyConfig(options: { kubeconfig: string }): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: options.kubeconfig },
    hostnameOverride: networkPlan.nodeName,
    clusterCIDR: networkPlan.podCidr,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // NodePorts only on the host address, never on the machine's real interfaces.
    nodePortAddresses: [`${networkPlan.hostAddress}/32`],
    // Inside a container /proc/sys/net/netfilter is not ours to tune.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
