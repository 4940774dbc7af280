#!/usr/bin/env bash
# Readers during re-export: one process re-exports the SQLite file N times (alternating k = 10
# and 20, a new run_id each time) while another opens it in a loop and checks what it sees.
# Publishing is a rename of a finished file, so every open must see one whole export.
#
#   scripts/readers-during-export.sh                            # CI size: 20 exports
#   scripts/readers-during-export.sh --size full --exports 100  # by hand, release build
#
# Options: --size small|full, --exports N, --dir DIR (kept), --accf BINARY.
#
# Each read opens the file once, in one read transaction, and checks: PRAGMA integrity_check is
# ok; the meta keys are present; users and items rows equal meta user_count and item_count;
# every user has exactly meta k recommendations with ranks 1…k; then `accf export verify`
# recomputes the row checksum against meta content_xxh64. A failed open or integrity check is a
# failure; any count that disagrees with meta is a partial view. Exit 0 only with zero of both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/soak-lib.sh"

size=small exports="" dir="" keep=0 accf=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --exports) exports="$2"; shift 2 ;;
        --dir) dir="$2"; keep=1; shift 2 ;;
        --accf) accf="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
[[ -n "$exports" ]] || { [[ "$size" == full ]] && exports=100 || exports=20; }
[[ -n "$accf" ]] || accf="$(soak_find_accf)"
accf="$(cd "$(dirname "$accf")" && pwd)/$(basename "$accf")"
command -v sqlite3 >/dev/null || { echo "readers-during-export: needs the sqlite3 command-line tool" >&2; exit 69; }
if [[ -z "$dir" ]]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/accf-readers.XXXXXX")"; fi
mkdir -p "$dir"
[[ $keep == 1 ]] || trap 'rm -rf "$dir"' EXIT
cd "$dir"
echo "readers-during-export: accf $accf, size $size, $exports exports, in $dir"

soak_manifest soak.toml "$size"
rm -rf w
"$accf" run -q soak.toml
db="$dir/w/export/recommendations.sqlite"

# One read of $1 (default: the export): prints "ok <run_id>", "partial <what>" or "failure <what>";
# a non-zero exit is a failed open or read.
read_once() {
    sqlite3 -readonly -batch -noheader "${1:-$db}" <<'SQL'
BEGIN;
SELECT CASE
  WHEN (SELECT group_concat(integrity_check) FROM pragma_integrity_check) <> 'ok' THEN 'failure integrity_check'
  WHEN (SELECT count(*) FROM meta WHERE key IN ('schema_version','user_count','item_count','k','content_xxh64','run_id','created_at')) <> 7
    THEN 'partial meta keys missing'
  WHEN (SELECT count(*) FROM users) <> CAST((SELECT value FROM meta WHERE key = 'user_count') AS INTEGER) THEN 'partial users'
  WHEN (SELECT count(*) FROM items) <> CAST((SELECT value FROM meta WHERE key = 'item_count') AS INTEGER) THEN 'partial items'
  WHEN (SELECT count(*) FROM (SELECT user_index FROM recommendations GROUP BY user_index
          HAVING count(*) <> CAST((SELECT value FROM meta WHERE key = 'k') AS INTEGER) OR max(rank) <> count(*)))
       <> 0 THEN 'partial recommendations per user'
  WHEN (SELECT count(DISTINCT user_index) FROM recommendations) <> (SELECT count(*) FROM users) THEN 'partial users without recommendations'
  ELSE 'ok ' || (SELECT value FROM meta WHERE key = 'run_id')
END;
COMMIT;
SQL
}

# The reader: loops until the writer is done, appending one line per read to reads.log.
reader() {
    local n=0 line
    while [[ ! -e "$dir/writer.done" ]]; do
        n=$((n + 1))
        if line="$(read_once 2>&1)"; then
            case "$line" in
                ok\ *)
                    if (( n % 4 == 0 )); then
                        if "$accf" export verify -q "$db" 2>/dev/null; then line="$line verified"; else line="failure export verify: $("$accf" export verify "$db" 2>&1 | tail -1)"; fi
                    fi ;;
            esac
        else
            line="failure open/read: $(echo "$line" | tr '\n' ' ')"
        fi
        echo "$line" >> "$dir/reads.log"
    done
}

# Controls: the checks must catch a torn file and a half-loaded one, or zero failures prove nothing.
head -c $(( $(stat -c %s "$db") / 2 )) "$db" > control-torn.sqlite
cp "$db" control-partial.sqlite
sqlite3 control-partial.sqlite "DELETE FROM recommendations WHERE user_index = (SELECT max(user_index) FROM users);"
for control in torn partial; do
    if verdict="$(read_once "control-$control.sqlite" 2>&1)" && [[ "$verdict" == ok* ]]; then
        echo "control: a $control file passed the reader's checks; the checks are too weak" >&2; exit 1
    fi
    echo "control: a $control file is caught ($(echo "$verdict" | head -1 | cut -c1-60))"
done

rm -f reads.log writer.done
reader &
reader_pid=$!
started=$(date +%s.%N)
export_failures=0
for i in $(seq 1 "$exports"); do
    k=$(( i % 2 == 0 ? 20 : 10 ))
    if ! "$accf" export -q --manifest soak.toml --k "$k" --run-id "reexport-$i" 2>>"$dir/stderr.log"; then
        export_failures=$((export_failures + 1)); echo "export $i failed: $(tail -1 "$dir/stderr.log")"
    fi
done
touch writer.done
wait "$reader_pid"
elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

reads=$(wc -l < reads.log)
ok=$(grep -c '^ok ' reads.log || true)
verified=$(grep -c ' verified$' reads.log || true)
failures=$(grep -c '^failure' reads.log || true)
partial=$(grep -c '^partial' reads.log || true)
versions=$(grep '^ok ' reads.log | awk '{ print $2 }' | sort -u | wc -l)
grep -v '^ok ' reads.log | sort | uniq -c | head -5 | sed 's/^/  /' || true
leftovers="$(soak_leftovers w/export | wc -l)"
echo "READERS RESULT: exports=$exports export_failures=$export_failures reads=$reads ok=$ok verified=$verified failures=$failures partial=$partial versions_seen=$versions leftovers=$leftovers seconds=$elapsed"
(( export_failures == 0 && failures == 0 && partial == 0 && ok == reads && reads > 0 && leftovers == 0 ))
