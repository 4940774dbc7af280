#!/usr/bin/env bash
# Disk full: each stage (synth, ingest, graph, train, export) re-run with too little room for its
# outputs must fail with exit 74 and a message naming the file, leave the previous outputs
# byte-identical and no temporary file behind; the next run with room then ends like a good run.
#
#   scripts/disk-full.sh                     # CI: a file-size limit (ulimit -f), unprivileged
#   scripts/disk-full.sh --fs tmpfs          # by hand as root: a real ENOSPC on a small tmpfs
#   scripts/disk-full.sh --size full --fs both
#
# Options: --fs fsize|tmpfs|both, --size small|full, --dir DIR (kept), --accf BINARY.
#
# fsize: the stage runs under RLIMIT_FSIZE = half its largest output file, so that file's write
# fails with EFBIG (accf ignores SIGXFSZ for exactly this: an error, not a core dump). tmpfs: the
# workdir is a tmpfs holding the good outputs plus half of the stage's largest file of free
# space, so the new output's write fails with ENOSPC (SQLite: SQLITE_FULL).
# "Previous outputs" are every file of synth/ ingest/ graph/ train/ export/, except that a train
# run that starts over discards the old run's training state (train/checkpoints, best.ckpt,
# metrics.jsonl) by design; its published model.accfmodel and results.json must stay.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/soak-lib.sh"

size=small fs=fsize dir="" keep=0 accf=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --fs) fs="$2"; shift 2 ;;
        --dir) dir="$2"; keep=1; shift 2 ;;
        --accf) accf="$2"; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
[[ -n "$accf" ]] || accf="$(soak_find_accf)"
accf="$(cd "$(dirname "$accf")" && pwd)/$(basename "$accf")"
command -v sqlite3 >/dev/null || { echo "disk-full: needs the sqlite3 command-line tool" >&2; exit 69; }
if [[ -z "$dir" ]]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/accf-diskfull.XXXXXX")"; fi
mkdir -p "$dir"
cleanup() {
    mountpoint -q "$dir/w" 2>/dev/null && umount "$dir/w"
    [[ $keep == 1 ]] || rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
modes=("$fs"); [[ "$fs" == both ]] && modes=(fsize tmpfs)
stages=(synth ingest graph train export)
echo "disk-full: accf $accf, size $size, limits ${modes[*]}, in $dir"

soak_manifest soak.toml "$size"
rm -rf w good
"$accf" run -q soak.toml
cp -a w good

# The files whose bytes must not change when STAGE fails (see the header).
protected_files() {
    (cd "$1" && find synth ingest graph train export -type f 2>/dev/null | sort) | if [[ "$2" == train ]]; then
        grep -v '^train/checkpoints/\|^train/best.ckpt$\|^train/metrics.jsonl$'; else cat; fi
}
fingerprint() { (cd "$1" && protected_files . "$2" | xargs -r cksum); }
largest_output() {
    local path
    case "$1" in synth) path=synth ;; ingest) path=ingest ;; graph) path=graph ;; train) path=train ;; export) path=export ;; esac
    find "good/$path" -type f -printf '%s\n' | sort -n | tail -1
}

tmpfs_ran=0 cases=0 exit74=0 named=0 intact=0 clean=0 recovered=0 failures=0
for mode in "${modes[@]}"; do
    if [[ "$mode" == tmpfs ]]; then
        if ! { mkdir -p tmpfs-probe && mount -t tmpfs -o size=1m tmpfs tmpfs-probe 2>/dev/null && umount tmpfs-probe; }; then
            echo "tmpfs: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN); skipped"
            rmdir tmpfs-probe 2>/dev/null || true
            continue
        fi
        rmdir tmpfs-probe
        tmpfs_ran=1
    fi
    for stage in "${stages[@]}"; do
        cases=$((cases + 1))
        mountpoint -q w 2>/dev/null && umount w
        rm -rf w && mkdir w
        big=$(largest_output "$stage")
        if [[ "$mode" == tmpfs ]]; then
            # A tmpfs with the good outputs and a filler file, leaving half the stage's output of
            # free space (train: 16 KiB, since starting over first frees the old training state).
            mount -t tmpfs -o "size=$(( $(du -s --block-size=1 good | cut -f1) + 4 * 1024 * 1024 ))" tmpfs w
            cp -a good/. w/
            want=$(( $(du -s --block-size=1 "good/$stage" | cut -f1) / 2 ))
            [[ "$stage" == train ]] && want=16384
            avail=$(( $(df -B1 --output=avail w | tail -1) ))
            head -c $(( avail > want ? avail - want : 0 )) /dev/zero > w/filler 2>/dev/null || true
        else
            cp -a good/. w/
        fi
        before="$(fingerprint w "$stage")"
        status=0
        if [[ "$mode" == fsize ]]; then
            limit_kb=$(( big / 2 / 1024 )); (( limit_kb >= 8 )) || limit_kb=8
            ( ulimit -f "$limit_kb"; exec "$accf" run -q --log-format text soak.toml --force "$stage" ) 2> err.txt || status=$?
            how="ulimit -f ${limit_kb}k"
        else
            "$accf" run -q --log-format text soak.toml --force "$stage" 2> err.txt || status=$?
            how="tmpfs with $(( want / 1024 ))k free"
        fi
        message="$(grep -o 'FAILED at .*' err.txt | head -1 | cut -c1-220 || true)"
        leftovers="$(soak_leftovers w)"
        after="$(fingerprint w "$stage")"
        verdict=""
        [[ $status == 74 ]] && exit74=$((exit74 + 1)) || verdict+=" exit $status (want 74)"
        [[ "$message" == *"$dir/w/"* ]] && named=$((named + 1)) || verdict+=" message names no file"
        [[ "$before" == "$after" ]] && intact=$((intact + 1)) || verdict+=" previous outputs changed: $(diff <(echo "$before") <(echo "$after") | grep '^>' | awk '{ print $4 }' | tr '\n' ' ')"
        # Room again: the next run must finish, clean up and end like the good run.
        if [[ "$mode" == tmpfs ]]; then
            rm -f w/filler && rm -rf w.roomy && cp -a w w.roomy && umount w && rm -rf w && mv w.roomy w
        fi
        again=0; "$accf" run -q soak.toml 2>>err.txt || again=$?
        if [[ -z "$(soak_leftovers w)" ]]; then clean=$((clean + 1)); else verdict+=" leftovers: $(soak_leftovers w | tr '\n' ' ')"; fi
        if [[ $again == 0 ]] && soak_compare good w >/dev/null; then recovered=$((recovered + 1)); else verdict+=" the run with room did not end like the good run (exit $again)"; fi
        left_note=""; [[ -z "$leftovers" ]] || left_note=" (left $(echo "$leftovers" | wc -l) temporary file(s), removed by the next run)"
        if [[ -z "$verdict" ]]; then
            echo "$mode $stage ($how): exit 74, previous outputs intact$left_note — ${message#FAILED at }"
        else
            failures=$((failures + 1))
            echo "FAILURE $mode $stage ($how):$verdict — $message"
        fi
    done
done
# No free inode (tmpfs nr_inodes): creating the output's folder itself fails (ENOSPC on mkdir);
# that is a full disk too (74, retry), not a path a human must fix (73).
if [[ $tmpfs_ran == 1 ]]; then
    mountpoint -q w 2>/dev/null && umount w
    rm -rf w && mkdir w
    if mount -t tmpfs -o "size=$(( $(du -s --block-size=1 good | cut -f1) + 4 * 1024 * 1024 )),nr_inodes=$(( $(find good | wc -l) + 16 ))" tmpfs w 2>/dev/null; then
        cases=$((cases + 1))
        cp -a good/. w/
        n=0; while touch "w/filler-$n" 2>/dev/null; do n=$((n + 1)); done
        before="$(fingerprint w graph)"
        status=0; "$accf" graph -q --input w/ingest -o w/graph-new/graph.accfgraph 2> err.txt || status=$?
        message="$(grep -o 'error: .*' err.txt | head -1 | cut -c1-200 || true)"
        verdict=""
        [[ $status == 74 ]] && exit74=$((exit74 + 1)) || verdict+=" exit $status (want 74)"
        [[ "$message" == *"w/graph-new"* ]] && named=$((named + 1)) || verdict+=" message names no file"
        [[ "$before" == "$(fingerprint w graph)" ]] && intact=$((intact + 1)) || verdict+=" previous outputs changed"
        [[ -z "$(soak_leftovers w)" ]] && clean=$((clean + 1)) || verdict+=" leftovers"
        recovered=$((recovered + 1))   # nothing to recover: no stage state was touched
        if [[ -z "$verdict" ]]; then echo "tmpfs inodes (no free inode, accf graph into a new folder): exit 74 — $message"
        else failures=$((failures + 1)); echo "FAILURE tmpfs inodes:$verdict — $message"; fi
        umount w
    fi
fi
echo "DISK-FULL RESULT: cases=$cases exit74=$exit74 named=$named intact=$intact clean=$clean recovered=$recovered failures=$failures"
(( failures == 0 && cases > 0 ))
