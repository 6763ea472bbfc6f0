#!/bin/sh
# walk_run.sh - the stack-walker benchmark behind BENCHMARKS.md's "Stack walking" section.
# SPDX-License-Identifier: MIT
#
# Usage: bench/walk_run.sh BUILD_DIR [OUT_DIR]      (OUT_DIR defaults to ./bench-results)
# BUILD_DIR is a tree configured with -DDMPREAD_BUILD_BENCH=ON and built; this builds nothing.
# Environment: RUNS of the whole-process sweep (default 7, plus a warm-up); INPROC rounds of
# the in-process walks (default 3); SIZES of the in-process stacks (default "1000 10000
# 100000"); SHARED the shared data (default ../shared beside the repository); STACKWALK
# Breakpad's minidump_stackwalk (default: the one tests/differential/get_breakpad.sh builds
# in ~/.cache/dmpread/breakpad; without it the comparison is skipped); SKIP_SWEEP=1 or
# SKIP_INPROC=1 to run one half only.
#
# 1. In process: `walk_bench --mode M --frames N --reps 11` for every mode (fp, scan, cfi,
#    cfi-func) and size, each in a fresh process (its memory growth is that walk's alone),
#    modes and sizes interleaved, INPROC rounds. walk-inproc.csv holds every line.
# 2. Whole processes: `walk_bench sweep` over every dump MANIFEST.tsv lists: per dump
#    `true`, `dmpread --version`, `minidump_stackwalk -h` (what starting each costs), then
#    `dmpread stack --all` and `minidump_stackwalk` without and with the shared symbols
#    (breakpad, rust-minidump), in a rotating order. Run 0 is a warm-up, left out of the
#    medians. Per run the dumps' times are summed; the medians are of those sums. Peak RSS:
#    per dump the median over the runs, then the largest and the median over the dumps.
# Writes walk-machine.txt, walk-inproc.csv, walk-inproc-summary.csv, walk-sweep-raw.csv,
# walk-sweep-sums.csv, walk-sweep-summary.csv, walk-sweep-perdump.csv and walk-targets.csv.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=${2:-bench-results}
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-7}
inproc=${INPROC:-3}
sizes=${SIZES:-1000 10000 100000}
shared=${SHARED:-$here/../../shared}
wb=$build/bench/walk_bench
cli=$build/dmpread
stackwalk=${STACKWALK:-$HOME/.cache/dmpread/breakpad/node_modules/minidump/bin/linux-x64/minidump_stackwalk}
for f in "$wb" "$cli"; do
    [ -x "$f" ] || { echo "walk_run.sh: $f is missing: build with -DDMPREAD_BUILD_BENCH=ON" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-walkrun.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

step() { printf '\n== %s (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "";
        else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print ""; else printf "%.4f\n", a / b }'; }
ok() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v + 0 <= l + 0) ? "met" : "missed" }'; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel: $(uname -srm)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
    echo "memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
    echo "compiler: $(grep -m1 CMAKE_C_COMPILER: "$build/CMakeCache.txt" | cut -d= -f2) $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
    echo "source: $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo '?'), src/walk $(cat "$here"/../src/walk/*.[ch] 2>/dev/null | cksum | cut -d' ' -f1)"
    echo "stackwalk: $stackwalk"
    echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?')"
    echo "load at start: $(cat /proc/loadavg)"
} >"$out/walk-machine.txt"
cat "$out/walk-machine.txt"

# ---- 1. in process -------------------------------------------------------------------------

if [ "${SKIP_INPROC:-0}" != 1 ]; then
    step "in process: modes fp scan cfi cfi-func x sizes $sizes, $inproc rounds"
    csv=$out/walk-inproc.csv
    echo "round,mode,frames,walked,end,reps,median_ms,min_ms,first_ms,ns_per_frame,ns_per_frame_min,ns_per_frame_first,reads_per_frame,grow_kb,bytes_per_frame,peak_grow_kb,load1" >"$csv"
    r=1
    while [ $r -le "$inproc" ]; do
        for n in $sizes; do
            for m in fp scan cfi cfi-func; do
                l=$("$wb" --mode $m --frames "$n" --reps 11) || echo "walk_run.sh: walk_bench $m $n failed: $l" >&2
                peak=$(($(kv hwm_after_kb "$l") - $(kv hwm_before_kb "$l")))
                echo "$r,$m,$n,$(kv walked "$l"),$(kv end "$l" | tr -d ,),11,$(kv median_ms "$l"),$(kv min_ms "$l"),$(kv first_ms "$l"),$(kv ns_per_frame "$l"),$(kv ns_per_frame_min "$l"),$(kv ns_per_frame_first "$l"),$(kv reads_per_frame "$l"),$(kv grow_kb "$l"),$(kv bytes_per_frame "$l"),$peak,$(cut -d' ' -f1 /proc/loadavg)" >>"$csv"
            done
        done
        printf 'round %d done (load %s)\n' $r "$(cut -d' ' -f1 /proc/loadavg)"
        r=$((r + 1))
    done
    sum=$out/walk-inproc-summary.csv
    echo "mode,frames,rounds,ns_per_frame_median,ns_per_frame_min,ns_per_frame_first_median,reads_per_frame,grow_kb_median,bytes_per_frame_median,peak_grow_kb_median" >"$sum"
    for n in $sizes; do
        for m in fp scan cfi cfi-func; do
            col() { awk -F, -v m=$m -v n="$n" -v c="$1" 'NR > 1 && $2 == m && $3 == n { print $c }' "$csv"; }
            echo "$m,$n,$inproc,$(col 10 | median),$(col 11 | sort -g | head -1),$(col 12 | median),$(col 13 | median),$(col 14 | median),$(col 15 | median),$(col 16 | median)" >>"$sum"
        done
    done
    column -s, -t "$sum" 2>/dev/null || cat "$sum"
fi

# ---- 2. whole processes ----------------------------------------------------------------------

[ "${SKIP_SWEEP:-0}" != 1 ] || exit 0
[ -f "$shared/dumps/MANIFEST.tsv" ] || { echo "walk_run.sh: no $shared/dumps/MANIFEST.tsv (set SHARED)" >&2; exit 1; }
shared=$(cd "$shared" && pwd)
tail -n +2 "$shared/dumps/MANIFEST.tsv" | cut -f1 | sed "s|^|$shared/dumps/|" >"$tmp/list"
ndumps=$(wc -l <"$tmp/list" | tr -d ' ')
swopt=""
[ -x "$stackwalk" ] && swopt="--stackwalk $stackwalk"
[ -n "$swopt" ] || echo "walk_run.sh: no $stackwalk: the Breakpad comparison is skipped" >&2
step "whole processes: $ndumps dumps, $runs runs (+1 warm-up)"
raw=$out/walk-sweep-raw.csv
# shellcheck disable=SC2086 # swopt is two words or none
"$wb" sweep --runs "$runs" --csv "$raw" --dmpread "$cli" $swopt \
    --symbols "$shared/symbols/breakpad" --symbols "$shared/symbols/rust-minidump" "$tmp/list"
sed -i "s|$shared/dumps/||" "$raw"

labels="true floor_dmpread floor_stackwalk dmpread_nosym stackwalk_nosym dmpread_sym stackwalk_sym"
# Per run and label: the sum over all dumps, and over the dumps Breakpad reads (exit 0 in every
# run, without symbols).
awk -F, 'NR > 1 && $3 == "stackwalk_nosym" && $6 != 0 { bad[$2] = 1 }
    END { for (d in bad) print d }' "$raw" | sort >"$tmp/sw-fails"
sums=$out/walk-sweep-sums.csv
echo "run,label,sum_ms_all,sum_ms_breakpad_ok,failures,load1_mean" >"$sums"
awk -F, -v fails="$tmp/sw-fails" '
    BEGIN { while ((getline d < fails) > 0) bad[d] = 1 }
    NR > 1 { k = $1 "," $3; all[k] += $4; if (!($2 in bad)) okd[k] += $4; n[k]++; ld[k] += $7;
             if ($6 != 0) f[k]++ }
    END { for (k in all) printf "%s,%.3f,%.3f,%d,%.2f\n", k, all[k], okd[k], f[k] + 0, ld[k] / n[k] }
' "$raw" | sort -t, -k1,1n -k2,2 >>"$sums"
perdump=$out/walk-sweep-perdump.csv
echo "dump,label,median_wall_ms,median_maxrss_kb,failures" >"$perdump"
awk -F, 'NR > 1 && $1 > 0 { print $2 "," $3 "," $4 "," $5 "," $6 }' "$raw" | sort -t, -k1,1 -k2,2 |
    awk -F, '
    function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function flush() { if (key != "") printf "%s,%.3f,%d,%d\n", key, med(w, n), med(r, n), fl }
    { k = $1 "," $2; if (k != key) { flush(); key = k; n = 0; fl = 0 } n++; w[n] = $3 + 0; r[n] = $4 + 0; if ($5 != 0) fl++ }
    END { flush() }' >>"$perdump"

summary=$out/walk-sweep-summary.csv
echo "label,runs,dumps,median_sum_ms,min_sum_ms,median_sum_ms_breakpad_ok,max_peak_rss_kb,median_peak_rss_kb,dumps_failing" >"$summary"
for l in $labels; do
    col() { awk -F, -v l="$l" -v c="$1" 'NR > 1 && $1 > 0 && $2 == l { print $c }' "$sums"; }
    [ -n "$(col 3)" ] || continue
    rss() { awk -F, -v l="$l" 'NR > 1 && $2 == l { print $4 }' "$perdump"; }
    fails=$(awk -F, -v l="$l" 'NR > 1 && $2 == l && $5 > 0' "$perdump" | wc -l | tr -d ' ')
    echo "$l,$runs,$ndumps,$(col 3 | median),$(col 3 | sort -g | head -1),$(col 4 | median),$(rss | sort -g | tail -1),$(rss | median),$fails" >>"$summary"
done
med_of() { awk -F, -v l="$1" -v c="$2" '$1 == l { print $c }' "$summary"; }
targets=$out/walk-targets.csv
{
    echo "target,measured,limit,status"
    for s in nosym sym; do
        v=$(div "$(med_of dmpread_$s 4)" "$(med_of stackwalk_$s 4)")
        echo "dmpread stack --all / minidump_stackwalk time ($s; all $ndumps dumps),$v,0.2,$(ok "$v" 0.2)"
        v=$(div "$(med_of dmpread_$s 6)" "$(med_of stackwalk_$s 6)")
        echo "(the same over the dumps Breakpad reads) ($s),$v,0.2,$(ok "$v" 0.2)"
        v=$(div "$(med_of true 4)" "$(med_of dmpread_$s 4)")
        echo "(share of dmpread's sum that is starting a process: true) ($s),$v,,"
        v=$(div "$(med_of floor_dmpread 4)" "$(med_of dmpread_$s 4)")
        echo "(share of dmpread's sum that is dmpread --version) ($s),$v,,"
        v=$(div "$(med_of floor_stackwalk 4)" "$(med_of stackwalk_$s 4)")
        echo "(share of minidump_stackwalk's sum that is minidump_stackwalk -h) ($s),$v,,"
        v=$(awk -v a="$(med_of dmpread_$s 4)" -v fa="$(med_of floor_dmpread 4)" \
            -v b="$(med_of stackwalk_$s 4)" -v fb="$(med_of floor_stackwalk 4)" \
            'BEGIN { if (b - fb > 0) printf "%.4f\n", (a - fa) / (b - fb) }')
        echo "(time beyond each tool's own start: dmpread / minidump_stackwalk) ($s),$v,,"
        v=$(div "$(med_of dmpread_$s 7)" "$(med_of stackwalk_$s 7)")
        echo "(peak RSS of the largest dump: dmpread / minidump_stackwalk) ($s),$v,,"
    done
} >"$targets"
echo "load at end: $(cat /proc/loadavg)" >>"$out/walk-machine.txt"
step "medians ($summary)"
column -s, -t "$summary" 2>/dev/null || cat "$summary"
echo
column -s, -t "$targets" 2>/dev/null || cat "$targets"
step "done: results in $out"
