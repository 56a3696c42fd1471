#!/usr/bin/env bash
# Prepares this machine for the Kafka connector tests (test/services/kafka/, test/connectors/kafka/):
# a JDK and Maven from Debian, then Apache Kafka's jars from Maven Central into
# ${MILLRACE_CACHE_DIR:-~/.cache/millrace}/kafka/<version>/lib (npm run kafka:install).
# Idempotent: on a warm machine it checks the cache and returns in a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install openjdk-17-jre-headless maven

echo "== npm run kafka:install"
start=$(date +%s)
npm run --silent kafka:install
echo "== kafka:install took $(( $(date +%s) - start )) s"
