#!/usr/bin/env bash
# Concurrency on one workdir: while an `accf run` holds it, a second `accf run` and every stage
# command writing the same workdir's outputs (synth, ingest, graph, train, export; with
# --manifest and with explicit paths) exit 75 at once with one clear line; `accf status` still
# answers; `accf run --wait` waits for the holder and then finds nothing to do; and two runs
# started at the same instant never both run.
#
#   scripts/lock-contention.sh             # CI size
#   scripts/lock-contention.sh --pairs 50  # by hand
#
# Options: --pairs N (simultaneous starts), --dir DIR (kept), --accf BINARY.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/soak-lib.sh"

pairs=5 dir="" keep=0 accf=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pairs) pairs="$2"; shift 2 ;;
        --dir) dir="$2"; keep=1; shift 2 ;;
        --accf) accf="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
[[ -n "$accf" ]] || accf="$(soak_find_accf)"
accf="$(cd "$(dirname "$accf")" && pwd)/$(basename "$accf")"
if [[ -z "$dir" ]]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/accf-lock.XXXXXX")"; fi
mkdir -p "$dir"
holder=""
cleanup() {
    [[ -z "$holder" ]] || kill -9 "$holder" 2>/dev/null || true
    [[ $keep == 1 ]] || rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
echo "lock-contention: accf $accf, $pairs simultaneous pairs, in $dir"
now() { date +%s.%N; }
seconds_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
failures=0
fail() { echo "FAILURE: $*"; failures=$((failures + 1)); }

soak_manifest soak.toml small
rm -rf w
"$accf" run -q soak.toml
# A long training holds the lock: the same pipeline with many more epochs (train and export stale).
sed 's/^max_epochs = .*/max_epochs = 100000/; s/^min_epochs = .*/min_epochs = 100000/' soak.toml > long.toml

# wait_for_stage STAGE: until the run log shows STAGE started after byte OFFSET.
wait_for_stage() {
    local stage="$1" offset="$2" waited=0
    until tail -c +$((offset + 1)) w/accf-run.log | grep -q "\"event\":\"stage_started\".*\"stage\":\"$stage\""; do
        sleep 0.02; waited=$((waited + 1))
        (( waited < 3000 )) || { echo "the holder never started $stage" >&2; exit 1; }
    done
}

# Phase 1: refusals while a run holds the workdir.
offset=$(stat -c %s w/accf-run.log)
"$accf" run -q long.toml 2>/dev/null &
holder=$!
wait_for_stage train "$offset"
refused=0 checks=0 slowest=0
refuse() {
    local name="$1"; shift
    local start status=0 took
    checks=$((checks + 1))
    start=$(now)
    "$@" >/dev/null 2>err.txt || status=$?
    took=$(seconds_since "$start")
    slowest=$(awk -v a="$slowest" -v b="$took" 'BEGIN { print (b > a ? b : a) }')
    if [[ $status == 75 ]] && grep -q 'another accf run is using this workdir' err.txt && [[ $(wc -l < err.txt) -le 2 ]]; then
        refused=$((refused + 1)); echo "refused (75 in ${took} s): $name — $(grep -o 'error: .*' err.txt | head -1 | cut -c1-110)"
    else
        fail "$name: exit $status in ${took} s: $(head -2 err.txt | tr '\n' ' ')"
    fi
}
refuse "a second accf run" "$accf" run soak.toml
refuse "accf run --force export" "$accf" run soak.toml --force export
refuse "accf synth -o <workdir>/synth/raw.jsonl.zst" "$accf" synth -q --users 300 --items 200 --interactions 4000 --seed 7 -o w/synth/raw.jsonl.zst
refuse "accf ingest --manifest" "$accf" ingest -q --manifest soak.toml
refuse "accf ingest -o <workdir>/ingest" "$accf" ingest -q --format amazon-json w/synth/raw.jsonl.zst -o w/ingest
refuse "accf graph --manifest" "$accf" graph -q --manifest soak.toml
refuse "accf graph -o <workdir>/graph/graph.accfgraph" "$accf" graph -q --input w/ingest -o w/graph/graph.accfgraph
refuse "accf train --manifest" "$accf" train -q --manifest soak.toml
refuse "accf train -o <workdir>/train" "$accf" train -q --data w/ingest --graph w/graph/graph.accfgraph -o w/train --model bprmf --max-epochs 1
refuse "accf export --manifest" "$accf" export -q --manifest soak.toml
refuse "accf export --workdir <workdir>" "$accf" export -q --workdir w
refuse "accf export -o <workdir>/export/recommendations.sqlite" "$accf" export -q --ingest w/ingest --model w/train/model.accfmodel -o w/export/recommendations.sqlite
status_out="$("$accf" status soak.toml 2>&1)" && status_rc=0 || status_rc=$?
if [[ $status_rc == 0 ]] && grep -qi 'running' <<< "$status_out"; then echo "accf status answers while the run holds the lock: $(grep -i -m1 'running' <<< "$status_out" | cut -c1-90)"
else fail "accf status exit $status_rc: $(head -3 <<< "$status_out" | tr '\n' ' ')"; fi
kill -0 "$holder" 2>/dev/null || fail "the holder died during the checks"
kill -9 "$holder"; wait "$holder" 2>/dev/null || true; holder=""

# Phase 2: --wait waits for the holder, then has nothing to do.
offset=$(stat -c %s w/accf-run.log)
"$accf" run -q soak.toml 2>/dev/null &
holder=$!
wait_for_stage train "$offset"
start=$(now)
waiter_status=0
"$accf" run -q --wait soak.toml 2>err.txt || waiter_status=$?
holder_status=0; wait "$holder" || holder_status=$?; holder=""
if [[ $holder_status == 0 && $waiter_status == 0 ]] && tail -1 w/accf-run.log | grep -q 'nothing to do'; then
    wait_ok=1; echo "accf run --wait waited $(seconds_since "$start") s for the holder, then had nothing to do"
else
    wait_ok=0; fail "--wait: holder exit $holder_status, waiter exit $waiter_status: $(tail -1 w/accf-run.log | cut -c1-160)"
fi

# Phase 3: two runs started at the same instant (a forced export each): never both at once.
one_each=0 both_ran=0
for i in $(seq 1 "$pairs"); do
    "$accf" run -q soak.toml --force export 2>/dev/null & a=$!
    "$accf" run -q soak.toml --force export 2>/dev/null & b=$!
    sa=0; wait "$a" || sa=$?
    sb=0; wait "$b" || sb=$?
    pair="$(printf '%s\n' "$sa" "$sb" | sort | tr '\n' ' ')"
    case "$pair" in
        "0 75 ") one_each=$((one_each + 1)) ;;
        "0 0 ") both_ran=$((both_ran + 1)) ;;   # the first had finished before the second started: sequential, fine
        *) fail "pair $i: exits $sa and $sb" ;;
    esac
done
echo "simultaneous pairs: $one_each with one run and one exit 75, $both_ran one after the other"
[[ "$(sqlite3 -readonly w/export/recommendations.sqlite 'PRAGMA integrity_check;' 2>&1)" == ok ]] || fail "the export is damaged after the pairs"

echo "LOCK RESULT: refused=$refused checks=$checks slowest_refusal_s=$slowest wait_ok=$wait_ok pairs=$pairs one_each=$one_each both_ran=$both_ran failures=$failures"
(( failures == 0 && refused == checks ))
