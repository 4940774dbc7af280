#!/bin/sh
# Renders every SVG of a study report folder with rsvg-convert (librsvg2-bin), so a chart a
# browser or code forge would refuse fails here. Usage: scripts/check-report-svgs.sh REPORT_DIR
set -eu
dir=${1:?usage: $0 REPORT_DIR (e.g. runs/study-ml-100k/report)}
command -v rsvg-convert >/dev/null || { echo "rsvg-convert not installed (apt-get install librsvg2-bin)" >&2; exit 69; }
n=0
for svg in "$dir"/*.svg; do
    [ -e "$svg" ] || { echo "no SVG files in $dir" >&2; exit 66; }
    out=$(mktemp)
    if ! rsvg-convert -o "$out" "$svg"; then rm -f "$out"; echo "FAILED: $svg" >&2; exit 1; fi
    [ -s "$out" ] || { rm -f "$out"; echo "EMPTY: $svg" >&2; exit 1; }
    rm -f "$out"; n=$((n + 1))
done
echo "rendered $n SVG files in $dir"
