#!/usr/bin/env bash
# Crash-resume soak: kill -9 `accf run` at seeded random moments in every stage of a small
# synthetic pipeline (synth → ingest → graph → train → export), re-run until it finishes, and
# check that the outputs equal those of an uninterrupted run — every time.
#
#   scripts/soak-kill.sh                          # CI size: ≥ 20 kills (a debug build is fine)
#   scripts/soak-kill.sh --size full --kills 200  # by hand, with a release build
#
# Options: --size small|full, --kills N (minimum; whole rounds run), --seed S, --dir DIR (kept),
# --accf BINARY (default: $ACCF, else .build/release/accf, else .build/debug/accf).
#
# One round = a fresh workdir; for each stage in order, start `accf run`, wait until the run log
# says the stage started, sleep a random fraction of the stage's reference duration, SIGKILL
# (sometimes twice in train, sometimes right at process start); then run to the end and compare
# with the reference (scripts/soak-lib.sh, soak_compare), check that a further run has nothing to
# do and that no temporary file is left. The stage each kill actually hit is read from the state
# file (the stage marked "running"; "between" when none was). Exit 0 only when every round is
# identical, nothing is left over, and every stage was hit at least once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/soak-lib.sh"

size=small kills_wanted="" seed=1 dir="" keep=0 accf=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --kills) kills_wanted="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --dir) dir="$2"; keep=1; shift 2 ;;
        --accf) accf="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
[[ -n "$kills_wanted" ]] || { [[ "$size" == full ]] && kills_wanted=100 || kills_wanted=20; }
[[ -n "$accf" ]] || accf="$(soak_find_accf)"
accf="$(cd "$(dirname "$accf")" && pwd)/$(basename "$accf")"
command -v sqlite3 >/dev/null || { echo "soak-kill: needs the sqlite3 command-line tool" >&2; exit 69; }
if [[ -z "$dir" ]]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/accf-soak.XXXXXX")"; fi
mkdir -p "$dir"
[[ $keep == 1 ]] || trap 'rm -rf "$dir"' EXIT
cd "$dir"
RANDOM=$seed
stages=(synth ingest graph train export)
echo "soak-kill: accf $accf, size $size, seed $seed, at least $kills_wanted kills, in $dir"

soak_manifest "$dir/soak.toml" "$size"
rm -rf w ref
"$accf" run -q soak.toml
declare -A duration
while IFS=' ' read -r stage seconds; do duration[$stage]=$seconds; done < <(
    grep '"event":"stage_finished"' w/accf-run.log \
        | sed 's/.*"duration_s":\([0-9.]*\).*"stage":"\([a-z]*\)".*/\2 \1/')
echo "reference run: $(for s in "${stages[@]}"; do printf '%s %s s, ' "$s" "${duration[$s]}"; done | sed 's/, $//')"
mv w ref

declare -A hits=([startup]=0 [between]=0)
for s in "${stages[@]}"; do hits[$s]=0; done
kills=0 rounds=0 identical=0 failures=0 runs=0

# A pipe nobody writes: `read -t` on it sleeps without forking a process (the stage watch below
# polls every 2 ms, and graph takes tens of milliseconds at the small size).
exec {never_fd}<> <(:)
nap() { read -r -t "$1" -u "$never_fd" _ || true; }

# kill_run TARGET: one `accf run`, SIGKILLed a random fraction of TARGET's reference duration
# after the run log says TARGET started (TARGET=startup: 0–60 ms after the process starts).
# Sets last_status, last_hit, last_delay.
kill_run() {
    local target="$1" pid delay log_fd="" line="" partial="" offset=0
    if [[ -f w/accf-run.log ]]; then
        offset=$(stat -c %s w/accf-run.log)
        exec {log_fd}< w/accf-run.log
        while IFS= read -r -u "$log_fd" line; do :; done   # skip earlier runs' lines
    fi
    # Drawn before the watch, so that no process start (awk) delays the kill after the stage starts.
    if [[ "$target" == startup ]]; then
        delay="0.0$(( RANDOM % 6 ))$(( RANDOM % 10 ))"
    else
        local draw=$(( RANDOM % 10000 ))   # in this shell: $RANDOM in a $(…) subshell would not advance the seeded sequence
        delay="$(awk -v f="$draw" -v d="${duration[$target]}" 'BEGIN { printf "%.3f", f / 10000 * d }')"
    fi
    "$accf" run -q soak.toml >/dev/null 2>>"$dir/stderr.log" &
    pid=$!
    runs=$((runs + 1))
    if [[ "$target" != startup ]]; then
        while kill -0 "$pid" 2>/dev/null; do
            if [[ -z "$log_fd" ]]; then
                [[ -f w/accf-run.log ]] && exec {log_fd}< w/accf-run.log
            fi
            if [[ -n "$log_fd" ]]; then
                while IFS= read -r -u "$log_fd" line; do
                    line="$partial$line"; partial=""
                    [[ "$line" == *'"event":"stage_started"'*'"stage":"'"$target"'"'* ]] && break 2
                done
                partial="$partial$line"
            fi
            nap 0.002
        done
    fi
    nap "$delay"
    kill -9 "$pid" 2>/dev/null || true
    last_status=0
    wait "$pid" 2>/dev/null || last_status=$?
    [[ -z "$log_fd" ]] || exec {log_fd}<&-
    last_hit="$(soak_running_stage w)"
    if [[ -z "$last_hit" ]]; then
        if tail -c +$((offset + 1)) w/accf-run.log 2>/dev/null | grep -q '"event":"stage_started"'; then last_hit=between; else last_hit=startup; fi
    fi
    last_delay="$delay"
}

# Stages no kill has landed in yet (rounds go on until every stage was hit, within a bound).
unhit_stages() {
    local s out=""
    for s in "${stages[@]}"; do (( ${hits[$s]} > 0 )) || out+=" $s"; done
    echo "$out"
}
max_rounds=$(( kills_wanted / 2 + 10 ))
while (( kills < kills_wanted )) || [[ -n "$(unhit_stages)" ]] && (( rounds < max_rounds )); do
    rounds=$((rounds + 1))
    rm -rf w
    plan=()
    (( RANDOM % 4 == 0 )) && plan+=(startup)
    for s in "${stages[@]}"; do
        plan+=("$s")
        [[ "$s" == train ]] && (( RANDOM % 2 == 0 )) && plan+=(train)
    done
    round_kills=0
    for target in "${plan[@]}"; do
        # A target already finished in this workdir cannot be hit any more (an earlier kill landed late).
        if [[ "$target" != startup && "$(soak_status_of w "$target")" == finished ]]; then continue; fi
        kill_run "$target"
        if [[ $last_status == 137 ]]; then
            kills=$((kills + 1)); round_kills=$((round_kills + 1))
            hits[$last_hit]=$(( ${hits[$last_hit]:-0} + 1 ))
            echo "kill $kills (round $rounds): aimed at $target, +${last_delay} s → hit $last_hit"
        elif [[ $last_status == 0 ]]; then
            echo "round $rounds: the run finished before the kill aimed at $target"
            break
        else
            echo "FAILURE round $rounds: accf run exited $last_status (aimed at $target); stderr:"; tail -3 "$dir/stderr.log"
            failures=$((failures + 1)); break
        fi
    done
    # Run to the end (a run that was not killed must succeed), then compare.
    final=0
    "$accf" run -q soak.toml 2>>"$dir/stderr.log" || final=$?
    runs=$((runs + 1))
    if [[ $final != 0 ]]; then
        echo "FAILURE round $rounds: the resuming run exited $final"; tail -3 "$dir/stderr.log"; failures=$((failures + 1)); continue
    fi
    report="$(soak_compare ref w)" && same=1 || same=0
    leftovers="$(soak_leftovers w)"
    again=0; "$accf" run -q soak.toml 2>>"$dir/stderr.log" || again=$?
    runs=$((runs + 1))
    if ! tail -1 w/accf-run.log | grep -q 'nothing to do'; then again="ran something: $(tail -1 w/accf-run.log | grep -o '"msg":"[^"]*"')"; fi
    if [[ $same == 1 && -z "$leftovers" && "$again" == 0 ]]; then
        identical=$((identical + 1))
        echo "round $rounds: $round_kills kills; outputs identical to the uninterrupted run; no leftovers; next run: nothing to do"
    else
        failures=$((failures + 1))
        echo "FAILURE round $rounds: $round_kills kills"
        [[ $same == 1 ]] || echo "$report" | sed 's/^/  /'
        [[ -z "$leftovers" ]] || echo "$leftovers" | sed 's/^/  leftover: /'
        [[ "$again" == 0 ]] || echo "  next run: $again"
        [[ $keep == 1 ]] && cp -a w "w.failed-round-$rounds"
    fi
done

per_stage="startup=${hits[startup]}"
for s in "${stages[@]}"; do per_stage+=" $s=${hits[$s]}"; done
per_stage+=" between=${hits[between]}"
unhit="$(unhit_stages)"
echo "SOAK-KILL RESULT: kills=$kills ($per_stage) rounds=$rounds runs=$runs identical=$identical/$rounds failures=$failures"
if [[ -n "$unhit" ]]; then echo "no kill landed in:$unhit" >&2; exit 1; fi
(( failures == 0 && identical == rounds ))
