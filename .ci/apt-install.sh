#!/usr/bin/env bash
# Installs the Debian packages given as arguments that are not installed yet; retries because
# another apt may hold the lock. Sourced by the prepare scripts.
apt_install() {
  local missing=() p attempt
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5; do
    if apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; then return 0; fi
    [[ $attempt == 5 ]] && return 1
    sleep 10
  done
}
