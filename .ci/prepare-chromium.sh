#!/usr/bin/env bash
# Prepares this machine for the console's browser tests (test/console/): headless Chromium from
# Debian's packages, driven by playwright-core (an npm dependency that downloads no browser).
# The tests find it at /usr/bin/chromium (or MILLRACE_CHROMIUM). Idempotent: on a warm machine it
# returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

source .ci/apt-install.sh
apt_install chromium fonts-dejavu-core
/usr/bin/chromium --version
