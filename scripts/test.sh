#!/usr/bin/env bash
# The README's test command: installs missing system packages, then builds and runs every test.
# Tests on the real data in ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests -j 2
swift test --skip-build
