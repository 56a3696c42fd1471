#!/usr/bin/env bash
# Prepares this machine for the S3 server and the project image (test/cluster/s3/, image/):
# Debian packages (buildah, debootstrap, runc), then the cached builds: MinIO from the Go module
# proxy (npm run s3:build) and the project image (npm run image:build, which also imports it
# into containerd when the node tier runs). Run after .ci/prepare-cluster.sh (which provides Go).
# Idempotent: on a warm machine it checks the caches and returns in about half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install buildah debootstrap runc tar ca-certificates

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
