#!/usr/bin/env bash
# The README's main command: installs missing system packages, builds accf in release, and runs
# the demo pipeline (synthetic data → ingest → graph → train ACCF → export SQLite) end to end.
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
swift build -c release -j 2
exec .build/release/accf run pipelines/demo.toml "$@"
