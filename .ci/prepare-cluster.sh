#!/usr/bin/env bash
# Prepares this machine for the local Kubernetes tiers (test/cluster/): Debian packages for
# the node, a Go toolchain, and the cached build of Kubernetes, CoreDNS, pause and the local
# images (npm run cluster:build). Idempotent: on a warm machine it checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(containerd runc containernetworking-plugins busybox-static iptables conntrack ethtool socat iproute2 kmod openssl tar)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5; do
    if apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; then break; fi
    [[ $attempt == 5 ]] && exit 1
    sleep 10 # another apt may hold the lock
  done
fi

# Kubernetes 1.34 needs Go >= 1.24. Debian's golang is older: without /usr/local/go, fetch the
# toolchain as the Go module it is published as (golang.org/toolchain), as `go` itself does.
GO_TOOLCHAIN=go1.24.6
if ! /usr/local/go/bin/go version >/dev/null 2>&1; then
  echo "== Go toolchain ${GO_TOOLCHAIN} from the Go module proxy"
  tmp=$(mktemp -d)
  curl -fsSL -o "$tmp/go.zip" "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-${GO_TOOLCHAIN}.linux-amd64.zip"
  (cd "$tmp" && python3 -m zipfile -e go.zip .)
  mv "$tmp/golang.org/toolchain@v0.0.1-${GO_TOOLCHAIN}.linux-amd64" /usr/local/go
  chmod +x /usr/local/go/bin/* /usr/local/go/pkg/tool/*/*
  rm -rf "$tmp"
fi
export PATH=/usr/local/go/bin:$PATH
go version

echo "== npm run cluster:build"
start=$(date +%s)
npm run --silent cluster:build
echo "== cluster:build took $(( $(date +%s) - start )) s"
