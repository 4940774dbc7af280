#!/usr/bin/env bash
# Runs one libFuzzer harness of Fuzz/ (issue #10, hostile input) for a number of seconds.
#
#   scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags…]
#   TARGET: json | csv | movielens | lightgcn | manifest
#
# Builds the separate Fuzz/ package (release, -sanitize=fuzzer,address; the main build never
# compiles it) into Fuzz/.build, makes a seed corpus from Tests/IngestTests/Fixtures and
# pipelines/*.toml in Fuzz/corpus/TARGET (kept between runs, so later runs start where earlier
# ones stopped), and runs the harness. A crash leaves the input in Fuzz/findings/ and exits 1.
# Memory per input is capped at 2 GB (-rss_limit_mb) and time per input at 10 s (-timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh json|csv|movielens|lightgcn|manifest SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
jobs=${FUZZ_BUILD_JOBS:-2}

case "$target" in json|csv|movielens|lightgcn|manifest) ;; *) echo "unknown target $target" >&2; exit 64 ;; esac

swift build --package-path Fuzz -c release -j "$jobs" --product "fuzz-$target" \
    -Xswiftc -sanitize=fuzzer,address \
    -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address >&2
binary=Fuzz/.build/release/fuzz-$target

corpus=Fuzz/corpus/$target
mkdir -p "$corpus" Fuzz/findings
fx=Tests/IngestTests/Fixtures
seed() { # seed NAME PREFIX-BYTE(octal, or "" for none) FILE
    { if [ -n "$2" ]; then printf "\\$2"; fi; cat "$3"; } > "$corpus/seed-$1"
}
case "$target" in
    json)
        seed yelp 000 $fx/yelp.json; seed yelp-lines 002 $fx/yelp.json
        seed amazon 001 $fx/amazon.json; seed amazon-lines 003 $fx/amazon.json ;;
    csv)
        seed groceries 000 $fx/groceries.csv; seed ratings-csv 000 $fx/ratings.csv
        seed udata-tab 005 $fx/u.data; seed dat 007 $fx/ratings.dat ;;
    movielens)
        for f in u.data ratings.dat ratings.csv small.inter; do seed "$f" "" "$fx/$f"; done ;;
    lightgcn)
        seed train 000 $fx/train.txt; seed test 001 $fx/test.txt ;;
    manifest)
        for f in pipelines/*.toml; do seed "$(basename "$f")" "" "$f"; done ;;
esac

exec "$binary" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
    -artifact_prefix=Fuzz/findings/"$target"- -print_final_stats=1 "$@"
