#!/bin/sh
# chain_lldb.sh - dumps tests/targets/chain_target, crashed in c under LLDB 16, with the call
# chain main -> a -> b -> c known from the program itself and from LLDB's live backtrace.
# SPDX-License-Identifier: MIT
#
# usage: chain_lldb.sh [--dump-syms PROGRAM] [--gzip] OUTDIR
#
# Builds chain_target.c with ${CC:-gcc} -g in eight variants: -O0 and -O2, each with
# -fno-omit-frame-pointer (fp) and -fomit-frame-pointer (nofp), each linked as usual and with
# -Wl,-z,noseparate-code (nsc: one R+X segment from the ELF header on, see below). For each
# variant V it launches the program under ${LLDB:-lldb-16} and, when it stops at the SIGSEGV in
# c, records `thread backtrace` and runs `process save-core --plugin-name=minidump --style
# stack`. It leaves in OUTDIR:
#   chain-lldb-V.dmp      the dump (chain-lldb-V.dmp.gz with --gzip, as testdata keeps them)
#   chain-lldb-V.sidecar  what the process said about itself (tests/targets/SIDECAR.md)
#   chain-lldb-V.chain    the call chain: the program's own record and LLDB's live backtrace
#                         (the format is in tests/test_walk_writers.c)
#   chain-lldb-V.syms/    Breakpad's dump_syms on the binary, in the store layout
#                         chain_target/ID/chain_target.sym
#   V/chain_target        the binary itself, which the dump names by this path; the .chain
#                         points at its folder with `images V` (for `dmpread stack --images`,
#                         with the system's libc folder beside it)
# V is O0-fp, O0-nofp, O2-fp, O2-nofp, nsc-O0-fp, ... The checks are test_writers
# (DMPREAD_WRITERS_DIR=OUTDIR) and test_walk_writers (DMPREAD_WALK_WRITERS_DIR=OUTDIR).
#
# Why nsc: LLDB 16 gives each module of the dump the size of the ELF segment holding the
# file's start (the first PT_LOAD). With GNU ld's default -z separate-code that segment is the
# headers alone, so no code address lies inside any module of the dump; with
# -z noseparate-code it holds the code too. The nsc variants show what the walker does once a
# module's range covers its code; the others show what it does with LLDB's dumps as they are.
#
# dump_syms is PROGRAM, else $DUMP_SYMS, else the one tests/differential/get_breakpad.sh built
# (next to $DMPREAD_MINIDUMP_DUMP, or in ~/.cache/dmpread/breakpad). Without lldb-16, the
# compiler or dump_syms the script says so and exits 77 (a skip for ctest); 1 on any failure.
set -u

me=chain_lldb.sh
LLDB=${LLDB:-lldb-16}
CC=${CC:-gcc}
WAIT_LLDB=120 # seconds for lldb to run the target to its fault, save and kill it
dump_syms=${DUMP_SYMS:-}
gzip_dumps=0

die() {
    echo "$me: $*" >&2
    exit 1
}

skip() {
    echo "$me: SKIPPED: $*"
    exit 77
}

while [ $# -gt 0 ]; do
    case $1 in
    --dump-syms) [ $# -ge 2 ] || die "--dump-syms needs a program"; dump_syms=$2; shift 2 ;;
    --gzip) gzip_dumps=1; shift ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $me [--dump-syms PROGRAM] [--gzip] OUTDIR" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
# The variants' expectations (tests/test_walk_writers.c) are for amd64.
[ "$(uname -m)" = x86_64 ] || skip "the chain variants are x86_64 builds; this host is $(uname -m)"
command -v "$LLDB" >/dev/null 2>&1 ||
    skip "$LLDB not found (Debian/Ubuntu: apt-get install lldb-16)"
command -v "$CC" >/dev/null 2>&1 || skip "$CC not found"
if [ -z "$dump_syms" ]; then
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/dmpread/breakpad
    for cand in "$(dirname "${DMPREAD_MINIDUMP_DUMP:-/nonexistent/x}")/dump_syms" \
        "$cache"/node_modules/minidump/bin/linux-*/dump_syms; do
        [ -x "$cand" ] && { dump_syms=$cand; break; }
    done
fi
[ -n "$dump_syms" ] && [ -x "$dump_syms" ] ||
    skip "Breakpad's dump_syms not found (build it: sh tests/differential/get_breakpad.sh" \
        "--tool dump_syms; or set DUMP_SYMS)"
for tool in gzip sed timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done

mkdir -p "$1" || die "cannot create $1"
out=$(cd "$1" && pwd) || die "cannot enter $1"
version=$("$LLDB" --version 2>/dev/null | sed -n '1s/^lldb version //p')

# LLDB's backtrace, one line per frame, in a form the sed below turns into `live` records.
cat >"$out/chain.lldb-start" <<'EOF'
settings set frame-format "frame #${frame.index}: pc=${frame.pc} sp=${frame.sp} ${module.file.basename} ${function.name}\n"
EOF
cat >"$out/chain.lldb-crash" <<'EOF'
thread backtrace
process save-core --plugin-name=minidump --style stack CHAIN_DUMP
process kill
EOF

# Strips the zero padding LLDB gives addresses: 0x0000555555555595 -> 0x555555555595.
unpad() {
    sed 's/0x0*\([0-9a-f]\)/0x\1/g'
}

# capture STEM OPT FP LINK: builds the variant, dumps it, writes its sidecar, chain and symbols.
capture() {
    stem=$1 opt=$2 fp=$3 link=$4
    name=chain-lldb-$stem
    dir=$out/$stem
    exe=$dir/chain_target
    report=$out/$name.report
    log=$out/$name.lldb.log
    dump=$out/$name.dmp
    rm -rf "$dir" "$out/$name".* "$report.tmp"
    mkdir -p "$dir" || die "cannot create $dir"
    case $fp in
    fp) fpflag=-fno-omit-frame-pointer ;;
    *) fpflag=-fomit-frame-pointer ;;
    esac
    ldflag=
    [ "$link" = nsc ] && ldflag=-Wl,-z,noseparate-code
    build="$CC -std=c11 -$opt $fpflag -g${ldflag:+ $ldflag}"
    # shellcheck disable=SC2086 # the flags are words
    $build -o "$exe" "$here/chain_target.c" || die "cannot build $exe"

    sed "s|CHAIN_DUMP|$dump|" "$out/chain.lldb-crash" >"$out/$name.lldb-crash"
    # An empty environment: LLDB copies the process's environment into the dump. -x: no
    # ~/.lldbinit; -b: batch; -K: the commands to run when the process crashes (only after a
    # top-level -o command, not one from a -s file).
    timeout -k 5 $WAIT_LLDB env -i PATH=/usr/bin:/bin "$LLDB" -x -b -s "$out/chain.lldb-start" \
        -o run -K "$out/$name.lldb-crash" -- "$exe" "$report" >"$log" 2>&1
    status=$?
    rm -f "$out/$name.lldb-crash"
    if [ ! -s "$dump" ] || [ ! -s "$report" ] || grep -q '^error:' "$log"; then
        echo "$me: $LLDB (exit status $status) wrote no dump for $name; its output:" >&2
        sed 's/^/    /' "$log" >&2
        die "capture of $name failed (is ptrace allowed here? see /proc/sys/kernel/yama)"
    fi
    grep -q 'stop reason = signal SIGSEGV' "$log" || die "$name did not stop at its SIGSEGV (see $log)"
    [ "$(head -c 4 "$dump")" = MDMP ] || die "$dump does not start with MDMP"

    "$dump_syms" "$exe" >"$out/$name.sym" 2>"$out/$name.dump_syms.log" ||
        die "dump_syms failed on $exe (see $out/$name.dump_syms.log)"
    # MODULE Linux x86_64 ID chain_target
    id=$(sed -n '1s/^MODULE [^ ]* [^ ]* \([0-9A-F]*\) chain_target$/\1/p' "$out/$name.sym")
    [ -n "$id" ] || die "$out/$name.sym does not start with a MODULE line for chain_target"
    mkdir -p "$out/$name.syms/chain_target/$id" &&
        mv "$out/$name.sym" "$out/$name.syms/chain_target/$id/chain_target.sym" ||
        die "cannot store $name's symbols"
    rm -f "$out/$name.dump_syms.log"

    dumpname=$name.dmp
    if [ "$gzip_dumps" = 1 ]; then
        gzip -9 -n -f "$dump" || die "cannot gzip $dump"
        dumpname=$name.dmp.gz
    fi
    tid=$(sed -n 's/^thread //p' "$report")
    {
        echo "dmpread-sidecar 1"
        echo "# Written by tests/targets/chain_lldb.sh; see tests/targets/SIDECAR.md."
        echo "dump $dumpname"
        echo "writer lldb ${version:-?} process save-core --plugin-name=minidump --style stack," \
            "chain_target ($build) launched under lldb and stopped at its SIGSEGV in c"
        grep -E '^(arch|pid|threads|thread|module) ' "$report"
        echo "exception 0xb $tid"
        sed -n 's/^pattern \(stack-[^ ]*\) \([^ ]*\) \([^ ]*\) \([^ ]*\)$/pattern \1 \2 \3 captured \4/p' \
            "$report"
    } >"$out/$name.sidecar" || die "cannot write $name.sidecar"
    {
        echo "dmpread-chain 1"
        echo "# Written by tests/targets/chain_lldb.sh; the format is in tests/test_walk_writers.c."
        echo "variant lldb-$stem"
        echo "build $build"
        echo "dump $dumpname"
        echo "symbols $name.syms"
        echo "images $stem"
        echo "thread $tid"
        sed -n 's/^module \(0x[0-9a-f]*\) \(chain_target\)$/module \1 \2/p' "$report"
        sed -n 's/^chain /frame /p' "$report"
        # frame #N: pc=0x... sp=0x... MODULE FUNCTION, from `thread backtrace` (the stop
        # before it shows frame 0 too).
        sed -n '/^(lldb) thread backtrace/,$p' "$log" |
            sed -n 's/^ *\*\{0,1\} *frame #\([0-9]*\): pc=\(0x[0-9a-f]*\) sp=\(0x[0-9a-f]*\) \([^ ]*\) \([^ ]*\)$/live \1 \2 \3 \4 \5/p' |
            unpad
    } >"$out/$name.chain" || die "cannot write $name.chain"
    [ "$(grep -c '^frame ' "$out/$name.chain")" = 4 ] || die "$report does not hold the chain"
    grep -q '^live 3 ' "$out/$name.chain" || die "no backtrace of 4 frames in $log"
    grep -q '^module ' "$out/$name.chain" || die "$report names no chain_target module"
    rm -f "$report" "$log"
    echo "$me: wrote $dumpname ($(wc -c <"$out/$dumpname") bytes), $name.sidecar, $name.chain," \
        "$name.syms"
}

for link in default nsc; do
    for opt in O0 O2; do
        for fp in fp nofp; do
            stem=$opt-$fp
            [ "$link" = nsc ] && stem=nsc-$stem
            capture "$stem" "$opt" "$fp" "$link"
        done
    done
done
rm -f "$out/chain.lldb-start" "$out/chain.lldb-crash"
exit 0
