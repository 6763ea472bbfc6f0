#!/bin/sh
# floor_run.sh - issue 15's measurement: `dmpread --raw FILE ADDR 8` as a whole process against
# dmpbench-floor (map the file, walk the Memory64 descriptors once, copy 8 bytes), in three
# dump shapes of N ranges, round-robin in one run, with the peak RSS of each; then the
# in-process lookups of dmpbench at the largest size. Builds nothing.
# SPDX-License-Identifier: MIT
#
# Usage: bench/floor_run.sh BUILD_DIR [OLD_BUILD_DIR]
#   BUILD_DIR      a -DDMPREAD_BUILD_BENCH=ON Release build (dmpread, bench/dmpbench*)
#   OLD_BUILD_DIR  optional: another build (say of the commit before a change) whose dmpread
#                  and dmpbench run in the same rounds, for a before/after table
# Environment: N (default 1000000), BIG (default 10000000; 0 skips the lookups), RUNS
# (default 21), DUMP_DIR (default /tmp/dmpread-floor; about 50 MB per million ranges of real
# disk: the descriptors and the MemoryInfoList), KEEP=1 keeps the dumps.
#
# The shapes: `high`, 16 thread stacks in a MemoryListStream listed before the Memory64 list
# and placed above every range (0x7ff000000000 and up), plus a MemoryInfoListStream of every
# range, as full dumps of real processes carry; `nostacks`, the same without the stacks list;
# `nomeminfo`, stacks but no MemoryInfoList. The address read is in the last range.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OLD_BUILD_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
old=${2:+$(cd "$2" && pwd)}
n=${N:-1000000}
big=${BIG:-10000000}
runs=${RUNS:-21}
dumps=${DUMP_DIR:-/tmp/dmpread-floor}
gen=$build/bench/dmpbench-gen
floor=$build/bench/dmpbench-floor
mkdir -p "$dumps"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dumps"' EXIT

echo "machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"

last=
for shape in high nostacks nomeminfo; do
    case $shape in
    high) opts="--stacks 16 --stacks-high --meminfo" ;;
    nostacks) opts="--stacks 0 --meminfo" ;;
    nomeminfo) opts="--stacks 16 --stacks-high" ;;
    esac
    # shellcheck disable=SC2086 # the options are split on purpose
    facts=$("$gen" -n "$n" $opts "$dumps/$shape.dmp")
    echo "$shape: $facts"
    last=$(echo "$facts" | tr ' ' '\n' | sed -n 's/^last=//p')
done

echo
echo "== whole process, $runs runs round-robin, reading 8 bytes at $last (load $(cut -d' ' -f1 /proc/loadavg))"
set --
for shape in high nostacks nomeminfo; do
    [ $# -eq 0 ] || set -- "$@" :::
    set -- "$@" "$build/dmpread" --raw "$dumps/$shape.dmp" "$last" 8
    [ -z "$old" ] || set -- "$@" ::: "$old/dmpread" --raw "$dumps/$shape.dmp" "$last" 8
    set -- "$@" ::: "$floor" "$dumps/$shape.dmp" "$last" 8
done
"$build/bench/dmpbench" exec -r "$runs" -- "$@"

echo
echo "== peak RSS (KiB; /usr/bin/time %M), median of 5"
peak() {
    for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p
}
for shape in high nostacks nomeminfo; do
    line="$shape: dmpread $(peak "$build/dmpread" --raw "$dumps/$shape.dmp" "$last" 8)"
    [ -z "$old" ] || line="$line, old $(peak "$old/dmpread" --raw "$dumps/$shape.dmp" "$last" 8)"
    echo "$line, floor $(peak "$floor" "$dumps/$shape.dmp" "$last" 8)"
done

if [ "$big" -gt 0 ]; then
    echo
    echo "== lookups at $big ranges (dmpbench, 5 runs, 262144 lookups and 4096 reads a pass; sorted, and the high shape)"
    "$gen" -n "$big" --stacks 0 "$dumps/sorted-big.dmp" >/dev/null
    "$gen" -n "$big" --stacks 16 --stacks-high "$dumps/high-big.dmp" >/dev/null
    csv=${LOOKUP_CSV:-$dumps/lookups.csv}
    rm -f "$csv"
    for d in sorted-big high-big; do
        for b in "$build" ${old:+"$old"}; do
            "$b/bench/dmpbench" --runs 5 -q 262144 --read-queries 4096 --csv "$csv" \
                "$dumps/$d.dmp" >/dev/null
            echo "$b" >>"$csv.builds"
        done
    done
    # The ratios the issue sets: find and read against a bare load (raw8, loads overlapping)
    # and against a bare load that waits for the one before (raw8_dep, as a read's load waits
    # for its lookup).
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 == "label" { next }
        { getline b < BUILDS
          printf "%-16s %-24s find %7.1f dep %7.1f read8 %7.1f raw8 %6.1f raw8_dep %6.1f  find/raw8 %5.2f read8/raw8 %5.2f read8/raw8_dep %5.2f (load %s)\n",
            $c["label"], b, $c["find_ns"], $c["find_dep_ns"], $c["read8_ns"], $c["raw8_ns"],
            $c["raw8_dep_ns"], $c["find_ns"] / $c["raw8_ns"], $c["read8_ns"] / $c["raw8_ns"],
            $c["read8_ns"] / $c["raw8_dep_ns"], $c["load1"] }' BUILDS="$csv.builds" "$csv"
    rm -f "$csv.builds"
fi
