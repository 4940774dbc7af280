#!/usr/bin/env bash
# Builds and runs the whole test suite under a sanitizer (issue #10); by hand, not in CI.
#
#   scripts/sanitize.sh address|thread [swift test flags, e.g. --filter IngestTests]
#
# Uses its own build directory (.build-asan / .build-tsan) so the normal build stays untouched.
# Expect several minutes to build and 10–30 minutes to run on 2 cores (thread is the slower).
# Leak checking stays on, with the third-party leaks of TOMLKit 0.6.0 suppressed
# (scripts/lsan-suppressions.txt; see docs/operations.md, "Hostile input and sanitizers").
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/sanitize.sh address|thread [swift test flags]}
shift
case "$kind" in
    address) dir=.build-asan ;;
    thread) dir=.build-tsan ;;
    *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 64 ;;
esac
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="detect_stack_use_after_return=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
swift build --build-tests -j "${SANITIZE_BUILD_JOBS:-2}" -Xswiftc "-sanitize=$kind" --build-path "$dir"
log=$dir/sanitize-$kind.log
set +e
swift test --skip-build --build-path "$dir" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
reports=$(grep -c -E "^(==[0-9]+==)?ERROR: AddressSanitizer|^WARNING: ThreadSanitizer|^SUMMARY: (Address|Thread|Leak)Sanitizer" "$log" || true)
echo "sanitize $kind: swift test exit $status, $reports sanitizer report line(s); log in $log" >&2
exit "$status"
