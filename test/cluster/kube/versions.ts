// Everything the local cluster runs, pinned. A change here is a cache miss: builds are
// cached under ~/.cache/millrace/<component>/<version>/.
export const versions = {
  /** Latest 1.34 patch on the Go module proxy; 1.35's kubelet refuses cgroup v1. */
  kubernetes: 'v1.34.4',
  /** Release date of that tag (from the module proxy), used as the binaries' build date. */
  kubernetesReleaseDate: '2026-02-10T12:53:36Z',
  /** etcd as pinned by Kubernetes v1.34.4's own go.mod: linked into the same binary. */
  etcd: 'v3.6.4',
  /** CoreDNS whose client-go is 0.34, the line Kubernetes 1.34 ships with. */
  coredns: 'v1.12.4',
  /** Version label of our locally built pause image (the upstream 1.34 pause is 3.10). */
  pause: '3.10',
} as const;

export const images = {
  pause: `millrace.local/pause:${versions.pause}`,
  coredns: `millrace.local/coredns:${versions.coredns}`,
  /** A test image: Debian's static busybox in one layer. */
  busybox: 'millrace.local/busybox:1.35',
} as const;
