#!/usr/bin/env bash
# Prepares this machine for the Flink SQL oracle (bench/flink-sql, test/sql/flink-oracle/, npm run
# sql:compare): a JDK and Maven from Debian, then Flink's table planner and runtime from Maven
# Central built into one jar cached as
# ${MILLRACE_CACHE_DIR:-~/.cache/millrace}/flink-sql/<flink version>/millrace-flink-sql-oracle-<source hash>.jar.
# Idempotent: on a warm machine it finds the jar and returns in a second.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install openjdk-17-jdk-headless maven

echo "== Flink SQL oracle jar"
start=$(date +%s)
node_modules/.bin/node test/sql/flink-oracle/oracle.ts --build
echo "== Flink SQL oracle took $(( $(date +%s) - start )) s"
