#!/usr/bin/env bash
# The README's test command: installs missing system packages, then runs every test.
# Tests on the real data in ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libzstd-dev libsqlite3-dev zlib1g-dev zstd sqlite3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
swift build --build-tests -j 2
swift test --skip-build
