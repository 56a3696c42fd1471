#!/usr/bin/env bash
# Prepares this machine for the S3 server and the project image (test/cluster/s3/, image/):
# Debian packages (buildah, debootstrap, runc), then the cached builds: MinIO from the Go module
# proxy (npm run s3:build) and the project image (npm run image:build, which also imports it
# into containerd when the node tier runs). Run after .ci/prepare-cluster.sh (which provides Go).
# Idempotent: on a warm machine it checks the caches and returns in about half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(buildah debootstrap runc tar ca-certificates)
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

export PATH=/usr/local/go/bin:$PATH
go version

echo "== npm run s3:build"
start=$(date +%s)
npm run --silent s3:build
echo "== s3:build took $(( $(date +%s) - start )) s"

echo "== npm run image:build"
start=$(date +%s)
npm run --silent image:build
echo "== image:build took $(( $(date +%s) - start )) s"
