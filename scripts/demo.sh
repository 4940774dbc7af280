#!/usr/bin/env bash
# The README's main command: installs missing system packages, builds accf in release, and runs
# the demo pipeline (synthetic data → ingest → graph → train ACCF → export SQLite) end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release -j 2
exec .build/release/accf run pipelines/demo.toml "$@"
