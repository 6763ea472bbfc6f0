#!/bin/sh
# smoke.sh - runs the benchmarks once at a tiny size so they cannot rot; builds nothing.
# SPDX-License-Identifier: MIT
#
# Usage: bench/smoke.sh BUILD_DIR   (a tree configured with -DDMPREAD_BUILD_BENCH=ON and built)
# Generates a sparse dump with stacks and a small dump with real bytes in a temporary folder,
# measures both with few repetitions, times the CLI through `dmpbench exec`, checks that the
# CSV files have their rows and, when gnuplot is installed, that the plot script draws them.
# Then gen_sym writes a 2 MB .sym (from ../shared/symbols when it is there, else from a small
# sample written here) and sym_bench opens it and looks up 200 addresses, directly and under
# `sym_bench time`. walk_bench walks a 2,000-frame synthetic stack in each mode and sweeps
# `dmpread stack --all` over testdata/triage.dmp once. A few seconds in all. Exits non-zero on
# any failure.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
gen=$build/bench/dmpbench-gen
bench=$build/bench/dmpbench
cli=$build/dmpread
symgen=$build/bench/gen_sym
symbench=$build/bench/sym_bench
walkbench=$build/bench/walk_bench
for f in "$gen" "$bench" "$cli" "$symgen" "$symbench" "$walkbench"; do
    [ -x "$f" ] || { echo "smoke.sh: $f is missing: build with -DDMPREAD_BUILD_BENCH=ON" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

{
    "$gen" -n 2000 --stacks 8 "$tmp/full-2000.dmp"
    "$gen" -n 300 --stacks 0 "$tmp/sorted-300.dmp"
    "$gen" -n 200 --stacks 2 --fill --adjacent 1 --max-size 64K "$tmp/fill-200.dmp"
    "$gen" -n 100 --clusters 3 --stacks 4 --overlap "$tmp/overlap-100.dmp"
} >"$tmp/gen.txt"

"$bench" --runs 3 --queries 4096 --read-queries 1024 --cli "$cli" --csv "$tmp/results.csv" \
    --throughput --tput-csv "$tmp/tput.csv" "$tmp/full-2000.dmp" "$tmp/sorted-300.dmp" \
    "$tmp/fill-200.dmp" "$tmp/overlap-100.dmp"

mid=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^mid=/) print substr($i, 5) }' \
    "$tmp/gen.txt")
"$bench" exec --runs 2 --timeout 30 --csv "$tmp/compare.csv" -- \
    "$cli" "$tmp/full-2000.dmp" "$mid" 8 ::: "$cli" --raw "$tmp/full-2000.dmp" "$mid" 8

rows() { tail -n +2 "$1" | wc -l | tr -d ' '; }
[ "$(rows "$tmp/results.csv")" -eq 4 ] || { echo "smoke.sh: results.csv lacks rows" >&2; exit 1; }
[ "$(rows "$tmp/tput.csv")" -ge 2 ] || { echo "smoke.sh: tput.csv lacks rows" >&2; exit 1; }
[ "$(rows "$tmp/compare.csv")" -eq 2 ] || { echo "smoke.sh: compare.csv lacks rows" >&2; exit 1; }
if awk -F, 'NR > 1 && $5 != 0 { bad = 1 } END { exit !bad }' "$tmp/compare.csv"; then
    echo "smoke.sh: the CLI failed under dmpbench exec" >&2
    exit 1
fi
if command -v gnuplot >/dev/null 2>&1; then
    sh "$here/plot.sh" "$tmp/results.csv" "$tmp/plot.png"
    [ -s "$tmp/plot.png" ] || { echo "smoke.sh: no plot drawn" >&2; exit 1; }
fi

# Symbol files (issue 9): what bench/sym_run.sh does, at 2 MB and once.
shared_syms=$here/../../shared/symbols
if [ -d "$shared_syms" ]; then
    srcs=$(find "$shared_syms" -name '*.sym' ! -name '*.old.sym' | sort)
else
    srcs=$tmp/sample.sym
    cat >"$srcs" <<'EOF'
MODULE Linux x86_64 000000000000000000000000000000000 sample
FILE 0 a.c
FILE 1 b.h
INLINE_ORIGIN 0 inlined
FUNC 0 40 0 f
INLINE 0 12 1 0 10 10
0 10 10 0
10 10 3 1
20 20 14 0
PUBLIC 40 0 g
FUNC m 60 20 4 h
60 20 30 0
STACK CFI INIT 0 40 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK CFI 1 .cfa: $rsp 16 +
STACK WIN 0 40 10 1 0 0 0 0 0 0 1
STACK WIN 4 60 20 4 0 4 0 0 0 1 $T0 $ebp = $eip $T0 4 + ^ =
EOF
fi
# shellcheck disable=SC2086 # the list is split on purpose
facts=$("$symgen" -s 2M --align 16 "$tmp/smoke.sym" $srcs | head -1)
range=$(echo "$facts" | tr ' ' '\n' | sed -n 's/^lo=//p'):$(echo "$facts" | tr ' ' '\n' | sed -n 's/^hi=//p')
"$symbench" -n 200 --range "$range" "$tmp/smoke.sym" >"$tmp/sym.txt"
grep -q ' errors=0 ' "$tmp/sym.txt" || { echo "smoke.sh: sym_bench: $(cat "$tmp/sym.txt")" >&2; exit 1; }
if grep -q ' func=0 ' "$tmp/sym.txt"; then
    echo "smoke.sh: sym_bench found no FUNC" >&2
    exit 1
fi
"$symbench" time -- "$symbench" -n 200 --range "$range" "$tmp/smoke.sym" ';;' wc -l "$tmp/smoke.sym" |
    grep -q ' status=0$' || { echo "smoke.sh: sym_bench time failed" >&2; exit 1; }

# The stack walker (issue 10): what bench/walk_run.sh does, tiny.
for m in fp scan cfi cfi-func; do
    "$walkbench" --mode $m --frames 2000 --reps 3 >"$tmp/walk.txt" ||
        { echo "smoke.sh: walk_bench --mode $m: $(cat "$tmp/walk.txt")" >&2; exit 1; }
done
echo "$here/../testdata/triage.dmp" >"$tmp/walk-list"
"$walkbench" sweep --runs 1 --csv "$tmp/walk-sweep.csv" --dmpread "$cli" "$tmp/walk-list" 2>/dev/null
[ "$(rows "$tmp/walk-sweep.csv")" -eq 8 ] || { echo "smoke.sh: walk-sweep.csv lacks rows" >&2; exit 1; }
if awk -F, 'NR > 1 && $6 != 0 { bad = 1 } END { exit !bad }' "$tmp/walk-sweep.csv"; then
    echo "smoke.sh: dmpread stack failed under walk_bench sweep" >&2
    exit 1
fi
echo "smoke.sh: benchmarks ran"
