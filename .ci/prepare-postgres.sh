#!/usr/bin/env bash
# Prepares this machine for the PostgreSQL connector tests (test/services/postgres/,
# test/connectors/postgres/): Debian's PostgreSQL server (bookworm ships 15). The tests start their
# own server (npm run postgres:up) on 127.0.0.1:15432 with a data directory under
# ${MILLRACE_CACHE_DIR:-~/.cache/millrace}/run/postgres; the system's own cluster is not used.
# Idempotent: on a warm machine it returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install postgresql
# The Debian package creates and starts a system cluster on port 5432; the tests never touch it.
ls -d /usr/lib/postgresql/*/bin/postgres
