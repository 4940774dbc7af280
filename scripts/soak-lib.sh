# Shared helpers of the reliability scripts (soak-kill.sh, readers-during-export.sh,
# disk-full.sh, lock-contention.sh). Source it; it defines functions only.
#
# Every script makes its own small synthetic pipeline (synth → ingest → graph → train → export)
# with soak_manifest, at one of two sizes: "small" (CI: seconds per run with a debug build) and
# "full" (by hand with a release build).

# The accf binary: $ACCF, else the release build, else the debug build of this checkout.
soak_find_accf() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if [[ -n "${ACCF:-}" ]]; then echo "$ACCF"; return; fi
    for candidate in "$root/.build/release/accf" "$root/.build/debug/accf"; do
        if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
    done
    echo "no accf binary: build one (swift build -c release) or set ACCF" >&2
    return 1
}

# soak_manifest FILE SIZE [EXTRA_TRAIN_LINES]: a pipeline manifest whose workdir is "w" beside FILE.
soak_manifest() {
    local file="$1" size="$2"
    local users items interactions dim epochs batch every
    case "$size" in
        small) users=300;  items=200;  interactions=4000;   dim=8;  epochs=2; batch=256;  every=4 ;;
        full)  users=4000; items=2500; interactions=200000; dim=32; epochs=4; batch=1024; every=20 ;;
        *) echo "unknown size $size (small or full)" >&2; return 64 ;;
    esac
    cat > "$file" <<EOF
# Written by scripts/soak-lib.sh (size $size): a small synthetic pipeline for reliability tests.
[pipeline]
name = "soak"
workdir = "w"

[synth]
format = "amazon-json"
users = $users
items = $items
interactions = $interactions
clusters = 6
malformed_fraction = 0.002
seed = 7

[ingest]
format = "amazon-json"
user_core = 3
item_core = 3
seed = 42

[graph]

[train]
model = "accf"
dim = $dim
layers = 2
batch_size = $batch
max_epochs = $epochs
min_epochs = $epochs
checkpoint_every_steps = $every
keep_checkpoints = 2
threads = 2
seed = 2026

[export]
k = 10
threads = 2
EOF
}

# soak_running_stage WORKDIR: the stage the state file marks "running" (empty when none).
soak_running_stage() {
    local state="$1/accf.state.json"
    [[ -f "$state" ]] || return 0
    awk '
        /^  "stages" : \{/ { in_stages = 1; next }
        in_stages && /^  [}]/ { in_stages = 0 }
        in_stages && match($0, /^    "[a-z]+" : \{/) { cur = substr($0, 6); sub(/".*/, "", cur) }
        in_stages && /^      "status" : "running"/ { print cur }
    ' "$state"
}

# soak_status_of WORKDIR STAGE: the stage's status in the state file (empty when none).
soak_status_of() {
    local state="$1/accf.state.json" stage="$2"
    [[ -f "$state" ]] || return 0
    awk -v want="$stage" '
        /^  "stages" : \{/ { in_stages = 1; next }
        in_stages && /^  [}]/ { in_stages = 0 }
        in_stages && match($0, /^    "[a-z]+" : \{/) { cur = substr($0, 6); sub(/".*/, "", cur) }
        in_stages && cur == want && /^      "status" : / { s = $0; sub(/.*: "/, "", s); sub(/".*/, "", s); print s }
    ' "$state"
}

# soak_leftovers DIR: temporary files and staging directories of interrupted writers under DIR.
soak_leftovers() {
    find "$1" \( -name '.*.tmp-*' -o -name '.*.staging-*' -o -name '*.old-*' \) -print 2>/dev/null
}

# soak_sqlite_content FILE: a hash of every table's rows (sqlite3 .dump), without the two meta
# values that name the moment of the export (created_at, run_id).
soak_sqlite_content() {
    sqlite3 -readonly "$1" .dump \
        | grep -v "^INSERT INTO meta VALUES('created_at'" \
        | grep -v "^INSERT INTO meta VALUES('run_id'" \
        | cksum
}

# soak_compare REF WORKDIR: prints one line per difference of the stage outputs; returns their count.
# Byte-identical: every file of synth/, ingest/, graph/graph.accfgraph, train/ (model, best and
# step checkpoints, results.json). Compared without timings: graph.report.json (seconds, peak
# RSS), train/metrics.jsonl (seconds per epoch, and the per-epoch diagnostic monitors, which by
# design cover only the steps since a mid-epoch resume: Train/Contrastive/EpochMonitor.swift). The SQLite export: table contents (its bytes
# differ only in meta.created_at and meta.run_id).
soak_compare() {
    local ref="$1" w="$2" diffs=0 f
    local list_ref list_w
    list_ref="$(cd "$ref" && find synth ingest graph train export -type f 2>/dev/null | sort)"
    list_w="$(cd "$w" && find synth ingest graph train export -type f 2>/dev/null | sort)"
    if [[ "$list_ref" != "$list_w" ]]; then
        echo "file lists differ: $(diff <(echo "$list_ref") <(echo "$list_w") | grep '^[<>]' | tr '\n' ' ')"
        diffs=$((diffs + 1))
    fi
    while IFS= read -r f; do
        [[ -f "$w/$f" ]] || continue
        case "$f" in
            graph/graph.report.json)
                if ! diff -q <(grep -v '_seconds\|peak_resident' "$ref/$f") <(grep -v '_seconds\|peak_resident' "$w/$f") >/dev/null; then
                    echo "differs: $f"; diffs=$((diffs + 1)); fi ;;
            train/metrics.jsonl)
                if ! diff -q <(soak_metrics_without_timings "$ref/$f") <(soak_metrics_without_timings "$w/$f") >/dev/null; then
                    echo "differs: $f"; diffs=$((diffs + 1)); fi ;;
            *.sqlite)
                if [[ "$(soak_sqlite_content "$ref/$f")" != "$(soak_sqlite_content "$w/$f")" ]]; then
                    echo "differs (table contents): $f"; diffs=$((diffs + 1)); fi
                if [[ "$(sqlite3 -readonly "$w/$f" 'PRAGMA integrity_check;')" != "ok" ]]; then
                    echo "integrity_check failed: $f"; diffs=$((diffs + 1)); fi ;;
            *)
                if ! cmp -s "$ref/$f" "$w/$f"; then echo "differs: $f"; diffs=$((diffs + 1)); fi ;;
        esac
    done <<< "$list_ref"
    return $(( diffs > 255 ? 255 : diffs ))
}

# soak_metrics_without_timings FILE: metrics.jsonl without wall-clock seconds and epoch monitors.
soak_metrics_without_timings() {
    sed 's/"seconds":[^,]*,"eval_seconds":[^,]*,//; s/"monitors":{[^}]*},//' "$1"
}
