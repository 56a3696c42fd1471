#!/usr/bin/env bash
# Prepares this machine for the local Kubernetes tiers (test/cluster/): Debian packages for
# the node, a Go toolchain, and the cached build of Kubernetes, CoreDNS, pause and the local
# images (npm run cluster:build). Idempotent: on a warm machine it checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install containerd runc containernetworking-plugins busybox-static iptables ipset conntrack ethtool socat iproute2 kmod openssl tar

# Kubernetes 1.34 needs Go >= 1.24 (machines of this kind have it in /usr/local/go). An older
# go.mod `toolchain` line is handled by Go itself (GOTOOLCHAIN=auto fetches it as a module).
if ! PATH=/usr/local/go/bin:$PATH command -v go >/dev/null; then
  echo "MR_ERR_NO_GO: Go >= 1.24 is needed to build Kubernetes; install it and re-run" >&2
  exit 1
fi
export PATH=/usr/local/go/bin:$PATH
go version

echo "== npm run cluster:build"
start=$(date +%s)
npm run --silent cluster:build
echo "== cluster:build took $(( $(date +%s) - start )) s"
