#!/bin/sh
# sym_run.sh - the symbol-file benchmark behind BENCHMARKS.md's "Symbol files" section.
# SPDX-License-Identifier: MIT
#
# Usage: bench/sym_run.sh BUILD_DIR [OUT_DIR]      (OUT_DIR defaults to ./bench-results)
# BUILD_DIR is a tree configured with -DDMPREAD_BUILD_BENCH=ON and built; this builds nothing.
# Environment: SIZE of the generated .sym (default 500M); RUNS per median (default 11);
# LOOKUPS per sym_bench run (default 1000); SYM_DIR for the generated file (default
# /tmp/dmpread-sym, never the repository), KEEP=1 keeps it; SHARED the shared data (default
# ../shared beside the repository); STACKWALK Breakpad's minidump_stackwalk (default: the one
# tests/differential/get_breakpad.sh builds in ~/.cache/dmpread/breakpad; without it the
# comparison is skipped); SYMBOLIZE=cli|bench: resolve frames with `dmpread symbolize` (cli,
# the default when the command exists) or with `sym_bench --addrs` (bench).
#
# One run, interleaved: each repetition times, as whole processes, `wc -l` over the generated
# file, sym_bench on it (dmp_sym_open plus LOOKUPS random lookups), and for each dump of the
# comparison Breakpad's `minidump_stackwalk -m DUMP SYMDIR` and dmpread resolving the crashing
# thread's frames (one process per module with a symbol file; times summed, peak RSS the
# largest). Repetition 0 is a warm-up, kept in the raw CSV and left out of the medians. The
# page cache is warm throughout: nothing is dropped. Writes sym-machine.txt, sym-gen.txt,
# sym-raw.csv, sym-summary.csv, sym-targets.csv and sym-frames-*.txt to OUT_DIR. For scale,
# each repetition also times `true` (what starting a process costs here) and the two floors of
# `sym_bench floor` (a bare line-by-line pass through read() and over a mapping).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=${2:-bench-results}
here=$(cd "$(dirname "$0")" && pwd)
size=${SIZE:-500M}
runs=${RUNS:-11}
lookups=${LOOKUPS:-1000}
symdir=${SYM_DIR:-/tmp/dmpread-sym}
shared=${SHARED:-$here/../../shared}
gen=$build/bench/gen_sym
sb=$build/bench/sym_bench
cli=$build/dmpread
stackwalk=${STACKWALK:-$HOME/.cache/dmpread/breakpad/node_modules/minidump/bin/linux-x64/minidump_stackwalk}
for f in "$gen" "$sb" "$cli"; do
    [ -x "$f" ] || { echo "sym_run.sh: $f is missing: build with -DDMPREAD_BUILD_BENCH=ON" >&2; exit 1; }
done
[ -d "$shared/symbols" ] || { echo "sym_run.sh: no $shared/symbols (set SHARED)" >&2; exit 1; }
shared=$(cd "$shared" && pwd)
mkdir -p "$out" "$symdir"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-symrun.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

step() { printf '\n== %s (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
# The value of key=VALUE in a line of key=value pairs.
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel: $(uname -srm)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
    echo "memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
    echo "compiler: $(grep -m1 CMAKE_C_COMPILER: "$build/CMakeCache.txt" | cut -d= -f2) $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
    echo "source: $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo '?'), src/sym $(cat "$here"/../src/sym/*.[ch] 2>/dev/null | cksum | cut -d' ' -f1)"
    echo "page cache: warm (nothing dropped; the file is read once before the runs)"
    echo "load at start: $(cat /proc/loadavg)"
} >"$out/sym-machine.txt"
cat "$out/sym-machine.txt"

# The mix: every shared .sym once per round, except linux_inline.old.sym (its INLINE_ORIGIN
# syntax cannot share a file with the newer one that the other files use).
s=$shared/symbols
sources="$s/rust-minidump/crash-client/509C0610949836F7B70BD88BCF03E5400/crash-client.sym
$s/breakpad/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym
$s/breakpad/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym
$s/breakpad/libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym
$s/breakpad/overflow/B0E1FC01EF48E39CAF5C881D2DF0C3840/overflow.sym
$s/breakpad/null_read_av/7B7D1968FF0D47AE4366E9C3A7E1B6750/null_read_av.sym
$s/breakpad/libgcc_s.so.1/18B180F90887D8F8B5C35D185444AF4C0/libgcc_s.so.1.sym
$s/breakpad/ld-2.13.so/C32AD7E235EA6112E02A5B9D6219C4850/ld-2.13.so.sym
$s/breakpad/linux_inline/BBA6FA10B8AAB33D00000000000000000/linux_inline.new.sym"
big=$symdir/big-$size.sym
step "generating $big"
# shellcheck disable=SC2086 # the list is split on purpose (no spaces in these paths)
"$gen" -s "$size" "$big" $sources | sed "s|$shared/||g" >"$out/sym-gen.txt"
cat "$out/sym-gen.txt"
facts=$(head -1 "$out/sym-gen.txt")
range="$(kv lo "$facts"):$(kv hi "$facts")"
cat "$big" >/dev/null # warm the page cache

# ---- the Breakpad comparison: which frames to resolve -------------------------------------

symbolize=${SYMBOLIZE:-}
if [ -z "$symbolize" ]; then
    symbolize=bench
    printf 'MODULE Linux x86_64 0 x\nFUNC 10 10 0 f\n' >"$tmp/probe.sym"
    "$cli" symbolize "$tmp/probe.sym" 0x10 >/dev/null 2>&1 && symbolize=cli
fi

# frames CASE DUMP SYMDIR: writes $tmp/CASE.cmd (the argv of the dmpread side, one word a
# line, ';;' between processes) and $out/sym-frames-CASE.txt (each frame: module, absolute
# and module-relative address, symbol file, Breakpad's function names for it).
frames() {
    name=$1 dump=$2 sdir=$3
    printf '%s\n' "$stackwalk" -m "$dump" "$sdir" >"$tmp/$name.swcmd"
    "$stackwalk" "$dump" "$sdir" >"$tmp/$name.human" 2>/dev/null
    "$stackwalk" -m "$dump" "$sdir" >"$tmp/$name.m" 2>/dev/null
    crashed=$(awk -F'|' '$1 == "Crash" { print $4 }' "$tmp/$name.m")
    # The crashing thread's frames that carry an instruction pointer (inline frames have none:
    # they share the address of the frame below them), and how each was found.
    awk -v t="$crashed" '
        $0 ~ "^Thread " t "( |$)" { on = 1; next }
        on && /^(Thread |Loaded modules)/ { on = 0 }
        !on { next }
        /^ *[0-9]+  / { f = $1; mod = $2; sub(/[!].*/, "", mod); ip = "" }
        / (eip|rip|pc) = 0x/ { for (i = 1; i < NF; i++) if ($i == "eip" || $i == "rip" || $i == "pc") ip = $(i + 2) }
        /Found by:/ { if (ip != "") print f, mod, ip, ($0 ~ /given as instruction pointer/) ? "context" : "caller" }
    ' "$tmp/$name.human" >"$tmp/$name.frames"
    : >"$tmp/$name.cmd"
    : >"$out/sym-frames-$name.txt"
    # shellcheck disable=SC2013 # module names have no spaces
    for mod in $(cut -d' ' -f2 "$tmp/$name.frames" | awk '!seen[$0]++'); do
        line=$(awk -F'|' -v m="$mod" '$1 == "Module" && $2 == m { print; exit }' "$tmp/$name.m")
        [ -n "$line" ] || continue
        dfile=$(echo "$line" | cut -d'|' -f4)
        did=$(echo "$line" | cut -d'|' -f5)
        base=$(echo "$line" | cut -d'|' -f6)
        symfile=$sdir/$dfile/$did/${dfile%.pdb}.sym
        [ -f "$symfile" ] || continue
        [ -s "$tmp/$name.cmd" ] && echo ';;' >>"$tmp/$name.cmd"
        if [ "$symbolize" = cli ]; then
            printf '%s\nsymbolize\n%s\n' "$cli" "$symfile" >>"$tmp/$name.cmd"
        else
            printf '%s\n--addrs\n%s\n%s\n' "$sb" "$tmp/$name-$mod.addrs" "$symfile" >>"$tmp/$name.cmd"
        fi
        : >"$tmp/$name-$mod.addrs"
        awk -v m="$mod" '$2 == m' "$tmp/$name.frames" | while read -r f _ ip how; do
            # Breakpad looks a caller up at its return address less one.
            rel=$((ip - base))
            [ "$how" = caller ] && rel=$((rel - 1))
            rel=$(printf '0x%x' "$rel")
            [ "$symbolize" = cli ] && echo "$rel" >>"$tmp/$name.cmd"
            echo "$rel" >>"$tmp/$name-$mod.addrs"
            echo "frame $f $mod ip=$ip base=$base rel=$rel ($how) ${symfile#"$shared"/}" \
                >>"$out/sym-frames-$name.txt"
        done
    done
    {
        echo "# Breakpad's crashing thread (minidump_stackwalk -m: thread|frame|module|function|file|line|offset):"
        awk -F'|' -v t="$crashed" '$1 == t' "$tmp/$name.m"
    } >>"$out/sym-frames-$name.txt"
}

cases=""
if [ -x "$stackwalk" ]; then
    step "frames of the crashing threads, from $stackwalk"
    frames inlines "$shared/dumps/rust-minidump/pipeline-inlines-macos-segv.dmp" \
        "$shared/symbols/rust-minidump"
    frames minidump2 "$shared/dumps/breakpad/minidump2.dmp" "$shared/symbols/breakpad"
    cases="inlines minidump2"
    for c in $cases; do
        echo "-- $c: dmpread resolves with ($symbolize):"
        tr '\n' ' ' <"$tmp/$c.cmd" | sed 's/ ;; /\n/g'
        echo
        # What dmpread says, once, next to Breakpad's names (sym-frames-*.txt).
        set --
        while read -r w; do
            if [ "$w" = ';;' ]; then
                "$@" >>"$tmp/$c.dmpread.out" 2>&1 || echo "(exit $?)" >>"$tmp/$c.dmpread.out"
                set --
            else
                set -- "$@" "$w"
            fi
        done <"$tmp/$c.cmd"
        "$@" >>"$tmp/$c.dmpread.out" 2>&1 || echo "(exit $?)" >>"$tmp/$c.dmpread.out"
        {
            echo "# dmpread's answers:"
            sed "s|$shared/||g" "$tmp/$c.dmpread.out"
        } >>"$out/sym-frames-$c.txt"
        # Every function name Breakpad gives the crashing thread in a module with symbols
        # must appear in dmpread's answers.
        crashed=$(awk -F'|' '$1 == "Crash" { print $4 }' "$tmp/$c.m")
        awk -F'|' -v t="$crashed" '$1 == t && $4 != "" { print $4 }' "$tmp/$c.m" >"$tmp/$c.names"
        total=$(wc -l <"$tmp/$c.names" | tr -d ' ')
        found=0
        while read -r fn; do
            grep -qF -- "$fn" "$tmp/$c.dmpread.out" && found=$((found + 1))
        done <"$tmp/$c.names"
        echo "names Breakpad gives the crashing thread that dmpread's answers contain: $found of $total" |
            tee -a "$out/sym-frames-$c.txt"
    done
else
    echo "sym_run.sh: no $stackwalk: the Breakpad comparison is skipped" >&2
fi

# ---- the interleaved runs ------------------------------------------------------------------

raw=$out/sym-raw.csv
echo "run,label,wall_ms,maxrss_kb,status,anon_kb,peak_anon_kb,open_ms,lookup_ms,file_bytes,load1" >"$raw"
# timed LABEL RUN [--out FILE] -- CMD...: one sample, appended to the raw CSV.
timed() {
    label=$1 run=$2
    shift 2
    res=$("$sb" time --err "$tmp/stderr.txt" "$@") || echo "sym_run.sh: $label failed in run $run: $res" >&2
    extra=",,,"
    if [ "$label" = sym_bench ]; then
        b=$(tail -1 "$tmp/sb.out")
        extra="$(kv anon_kb "$b"),$(kv peak_anon_kb "$b"),$(kv open_ms "$b"),$(kv lookup_ms "$b")"
        [ "$(kv errors "$b")" = 0 ] || echo "sym_run.sh: sym_bench reported errors: $b" >&2
    fi
    echo "$run,$label,$(kv wall_ms "$res"),$(kv maxrss_kb "$res"),$(kv status "$res"),$extra,$(kv bytes "$facts"),$(cut -d' ' -f1 /proc/loadavg)" >>"$raw"
}
# timed_file LABEL RUN FILE: the same for the argv in FILE (one word a line, ';;' between
# processes).
timed_file() {
    label=$1 run=$2 file=$3
    set --
    while read -r w; do set -- "$@" "$w"; done <"$file"
    timed "$label" "$run" -- "$@"
}

step "$runs runs (+1 warm-up), interleaved: wc -l, sym_bench, floors; per dump minidump_stackwalk, dmpread"
r=0
while [ $r -le "$runs" ]; do
    timed true $r -- true
    timed wc_l $r -- wc -l "$big"
    timed floor_read $r -- "$sb" floor read "$big"
    timed floor_mmap $r -- "$sb" floor mmap "$big"
    : >"$tmp/sb.out"
    timed sym_bench $r --out "$tmp/sb.out" -- "$sb" -n "$lookups" --range "$range" \
        --seed $((r + 1)) "$big"
    for c in $cases; do
        timed_file "stackwalk_$c" $r "$tmp/$c.swcmd"
        timed_file "dmpread_$c" $r "$tmp/$c.cmd"
    done
    printf 'run %d done (load %s)\n' $r "$(cut -d' ' -f1 /proc/loadavg)"
    r=$((r + 1))
done
tail -1 "$tmp/sb.out"

# ---- medians and the targets ---------------------------------------------------------------

# med LABEL COLUMN: the median of a raw column over runs 1.. (the warm-up left out).
med() {
    awk -F, -v l="$1" -v c="$2" 'NR > 1 && $1 > 0 && $2 == l && $c != "" { print $c }' "$raw" |
        sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "";
            else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mn() { awk -F, -v l="$1" -v c="$2" 'NR > 1 && $1 > 0 && $2 == l { print $c }' "$raw" | sort -g | head -1; }
div() { awk -v a="$1" -v b="$2" -v s="${3:-1}" 'BEGIN { if (b + 0 == 0) print ""; else printf "%.4f\n", a * s / b }'; }
ok() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v + 0 <= l + 0) ? "met" : "missed" }'; }

summary=$out/sym-summary.csv
echo "label,runs,median_wall_ms,min_wall_ms,median_maxrss_kb,median_anon_kb,median_peak_anon_kb,median_open_ms,median_lookup_ms,failures" >"$summary"
for l in true wc_l floor_read floor_mmap sym_bench $(for c in $cases; do echo "stackwalk_$c dmpread_$c"; done); do
    fails=$(awk -F, -v l="$l" 'NR > 1 && $1 > 0 && $2 == l && $5 != 0' "$raw" | wc -l | tr -d ' ')
    echo "$l,$runs,$(med "$l" 3),$(mn "$l" 3),$(med "$l" 4),$(med "$l" 6),$(med "$l" 7),$(med "$l" 8),$(med "$l" 9),$fails" >>"$summary"
done
bytes=$(kv bytes "$facts")
targets=$out/sym-targets.csv
{
    echo "target,measured,limit,status"
    v=$(div "$(med sym_bench 3)" "$(med wc_l 3)")
    echo "sym_bench time / wc -l time,$v,2,$(ok "$v" 2)"
    for l in floor_read floor_mmap; do
        v=$(div "$(med $l 3)" "$(med wc_l 3)")
        echo "(for reference) $l time / wc -l time,$v,,"
    done
    v=$(div "$(med sym_bench 6)" "$bytes" 102400)
    echo "RssAnon % of file size,$v,2,$(ok "$v" 2)"
    v=$(div "$(med sym_bench 7)" "$bytes" 102400)
    echo "peak anon (VmHWM - RssFile) % of file size,$v,2,$(ok "$v" 2)"
    for c in $cases; do
        v=$(div "$(med "dmpread_$c" 3)" "$(med "stackwalk_$c" 3)")
        echo "$c: dmpread time / minidump_stackwalk time,$v,0.1,$(ok "$v" 0.1)"
        v=$(div "$(med "dmpread_$c" 4)" "$(med "stackwalk_$c" 4)")
        echo "$c: dmpread peak RSS / minidump_stackwalk peak RSS,$v,0.25,$(ok "$v" 0.25)"
    done
} >"$targets"
echo "load at end: $(cat /proc/loadavg)" >>"$out/sym-machine.txt"
step "medians ($summary)"
column -s, -t "$summary" 2>/dev/null || cat "$summary"
echo
column -s, -t "$targets" 2>/dev/null || cat "$targets"
[ "${KEEP:-0}" = 1 ] || rm -f "$big"
step "done: results in $out"
