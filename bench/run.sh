#!/bin/sh
# run.sh - the full benchmark run behind BENCHMARKS.md. Builds nothing.
# SPDX-License-Identifier: MIT
#
# Usage: bench/run.sh BUILD_DIR [OUT_DIR]      (OUT_DIR defaults to ./bench-results)
# Environment: DUMP_DIR (default /tmp/dmpread-bench) holds the generated dumps, never the
# repository; SIZES the range counts; RUNS the repetitions per median (default 11);
# KEEP=1 keeps the dumps afterwards; COMPARE=0 skips lldb-16 and obj2yaml-16;
# CALLGRIND=0 skips the instruction counts; THP=1 adds a rerun with glibc's hugetlb tunable
# (the library already asks for huge pages for its index arrays; this shows what is left).
#
# Writes to OUT_DIR: machine.txt, gen.txt, results.csv (one row per dump), tput.csv (large
# reads), results-thp.csv, compare.csv (whole-process times against lldb and obj2yaml),
# callgrind.txt (instruction counts) and bench.png (bench/plot.sh).
# The sparse dumps take almost no disk: 10 million ranges is a 1.9 TB file using 160 MB.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=${2:-bench-results}
here=$(cd "$(dirname "$0")" && pwd)
dumps=${DUMP_DIR:-/tmp/dmpread-bench}
sizes=${SIZES:-10 100 1000 10000 100000 1000000 10000000}
runs=${RUNS:-11}
gen=$build/bench/dmpbench-gen
bench=$build/bench/dmpbench
cli=$build/dmpread
mkdir -p "$out" "$dumps"
out=$(cd "$out" && pwd)
largest=$(echo "$sizes" | tr ' ' '\n' | sort -n | tail -1)

step() { printf '\n== %s (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
# The mid= address the generator printed for a dump.
mid_of() { awk -v f="file=$1" '$NF == f { for (i = 1; i <= NF; i++) if ($i ~ /^mid=/) print substr($i, 5) }' \
    "$out/gen.txt"; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel: $(uname -srm)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
    echo "memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
    echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo n/a)"
    echo "compiler: $(grep -m1 CMAKE_C_COMPILER: "$build/CMakeCache.txt" | cut -d= -f2) $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
    echo "load at start: $(cat /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

step "generating dumps in $dumps"
: >"$out/gen.txt"
for n in $sizes; do
    for kind in sorted full; do
        f=$dumps/$kind-$n.dmp
        stacks=16
        [ $kind = sorted ] && stacks=0
        echo "$("$gen" -n "$n" --stacks $stacks "$f") file=$f" >>"$out/gen.txt"
    done
done
{
    echo "$("$gen" -n "$largest" --stacks 0 --clusters 4 "$dumps/clustered-$largest.dmp") file=$dumps/clustered-$largest.dmp"
    echo "$("$gen" -n 4096 --adjacent 1 --stacks 0 --fill "$dumps/fill-mixed.dmp") file=$dumps/fill-mixed.dmp"
    echo "$("$gen" -n 65536 --adjacent 1 --stacks 0 --min-size 4K --max-size 4K --fill "$dumps/fill-4k.dmp") file=$dumps/fill-4k.dmp"
} >>"$out/gen.txt"
cat "$out/gen.txt"

step "open, lookups, memory, CLI: $runs runs each"
rm -f "$out/results.csv" "$out/tput.csv" "$out/results-thp.csv" "$out/compare.csv"
list=""
for n in $sizes; do list="$list $dumps/sorted-$n.dmp $dumps/full-$n.dmp"; done
list="$list $dumps/clustered-$largest.dmp" # lookups when addresses bunch up: 4 far-apart clusters
# shellcheck disable=SC2086 # the list is split on purpose
"$bench" --runs "$runs" --cli "$cli" --csv "$out/results.csv" $list

step "large reads against memcpy"
"$bench" --runs "$runs" --queries 64K --read-queries 16K --throughput --tput-csv "$out/tput.csv" \
    "$dumps/fill-mixed.dmp" "$dumps/fill-4k.dmp"

if [ "${THP:-0}" = 1 ]; then
    step "the largest two sizes again, with glibc.malloc.hugetlb=1 (transparent huge pages)"
    thp_list=$(echo "$sizes" | tr ' ' '\n' | sort -n | tail -2 | while read -r n; do
        printf '%s ' "$dumps/sorted-$n.dmp" "$dumps/full-$n.dmp"; done)
    # shellcheck disable=SC2086
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$bench" --runs "$runs" --cli "$cli" \
        --csv "$out/results-thp.csv" $thp_list
fi

if [ "${COMPARE:-1}" = 1 ] && command -v lldb-16 >/dev/null 2>&1; then
    for n in $(echo 1000000 "$largest" | tr ' ' '\n' | sort -nu); do
        for kind in sorted full; do
            f=$dumps/$kind-$n.dmp
            [ -f "$f" ] || continue
            a=$(mid_of "$f")
            r=$runs
            [ "$n" -gt 1000000 ] && r=5
            step "side by side on $kind-$n: dmpread, lldb-16, obj2yaml-16 ($r runs, round-robin)"
            set -- "$cli" "$f" "$a" 8 ::: lldb-16 -b -c "$f" -o "memory read -s8 -fx -c1 $a"
            command -v obj2yaml-16 >/dev/null 2>&1 && set -- "$@" ::: obj2yaml-16 "$f"
            "$bench" exec --runs "$r" --timeout 300 --csv "$out/compare.csv" -- "$@"
        done
    done
fi

if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    # Valgrind cannot map the multi-TiB sparse files, and instruction counts do not depend on
    # range sizes: these dumps have the same descriptors' count with every range 4 KiB.
    step "instruction counts (callgrind, on dumps of 4 KiB ranges)"
    : >"$out/callgrind.txt"
    for n in $(echo 1000000 "$largest" | tr ' ' '\n' | sort -nu); do
        for kind in sorted full; do
            stacks=16
            [ $kind = sorted ] && stacks=0
            f=$dumps/cg-$kind-$n.dmp
            "$gen" -n "$n" --stacks $stacks --min-size 4K --max-size 4K "$f" >/dev/null
            ir=$(valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "$cli" "$f" 0x10000 8 \
                2>&1 >/dev/null | awk '/Collected/ { print $NF }')
            echo "dmpread $kind-$n ADDR 8: ${ir:-?} instructions" \
                "($(awk -v i="${ir:-0}" -v n="$n" 'BEGIN { printf "%.1f", i / n }') per range)" |
                tee -a "$out/callgrind.txt"
            if [ "$n" = 1000000 ] && [ $kind = sorted ]; then cg_lookup=$f; else rm -f "$f"; fi
        done
    done
    # Instructions per lookup: the bench's loops alone, 64 Ki queries x 2 passes.
    if [ -n "${cg_lookup:-}" ]; then
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" --collect-atstart=no \
            '--toggle-collect=loop_*' "$bench" --runs 1 --queries 64K --read-queries 64K \
            "$cg_lookup" >/dev/null 2>&1 || true
        callgrind_annotate --inclusive=yes "$out/cg.out" 2>/dev/null | awk '/loop_/ {
            gsub(",", "", $1); fn = $0; sub(/.*loop_/, "loop_", fn); sub(/[ (.].*/, "", fn);
            calls = fn == "loop_lib_read8" ? 262144 : 131072; # it serves read8 and miss8
            printf "sorted-1000000 %s: %.1f instructions per call\n", fn, $1 / calls }' |
            tee -a "$out/callgrind.txt"
        rm -f "$cg_lookup"
    fi
    rm -f "$out/cg.out"
fi

if command -v gnuplot >/dev/null 2>&1; then
    sh "$here/plot.sh" "$out/results.csv" "$out/bench.png"
fi
echo "load at end: $(cat /proc/loadavg)" >>"$out/machine.txt"

if [ "${KEEP:-0}" != 1 ]; then
    for n in $sizes; do rm -f "$dumps/sorted-$n.dmp" "$dumps/full-$n.dmp"; done
    rm -f "$dumps/fill-mixed.dmp" "$dumps/fill-4k.dmp" "$dumps/clustered-$largest.dmp"
fi
step "done: results in $out"
