#!/bin/sh
# plot.sh - draws dmpbench's CSV as a PNG with gnuplot (Debian: gnuplot-nox).
# SPDX-License-Identifier: MIT
# Usage: bench/plot.sh RESULTS.csv OUT.png
# Rows labelled sorted-N.dmp (Memory64 list only) and full-N.dmp (plus a MemoryListStream of
# stacks), as run.sh names them, become the two series; other rows are not drawn.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 RESULTS.csv OUT.png" >&2; exit 2; }
command -v gnuplot >/dev/null 2>&1 || { echo "plot.sh: gnuplot is not installed" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-plot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
for kind in sorted full; do
    awk -F, -v k="$kind-" 'NR == 1 || index($1, k) == 1' "$1" >"$tmp/$kind.csv"
done
gnuplot -e "sorted_csv='$tmp/sorted.csv'; full_csv='$tmp/full.csv'; png='$2'" \
    "$(dirname "$0")/plot.gp"
