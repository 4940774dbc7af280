#!/usr/bin/env bash
# Installs the Debian packages accf builds and tests with, if any is missing (apt-get, as root or via sudo).
set -euo pipefail
need=()
for pkg in libzstd-dev libsqlite3-dev zlib1g-dev zstd sqlite3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
