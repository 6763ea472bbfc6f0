#!/bin/sh
# chain_wine.sh - dumps of tests/targets/chain_target.c built with mingw-w64 and crashed in c
# under Wine: MiniDumpWriteDump from the program's own exception handler, the call chain
# main -> a -> b -> c recorded by the program itself.
# SPDX-License-Identifier: MIT
#
# usage: chain_wine.sh [--gzip] [--check PROGRAM]... OUTDIR
#
# Builds chain_target.c with x86_64-w64-mingw32-gcc in four variants (-O0 and -O2, each with
# -fno-omit-frame-pointer (fp) and -fomit-frame-pointer (nofp); -s, so no DWARF is mapped into
# the process) and runs each under Wine in a throwaway prefix OUTDIR/wineprefix (removed
# afterwards; WINE_CAPTURE_KEEP_PREFIX=1 keeps it). Its handler writes two dumps of the access
# violation in c, with MINIDUMP_EXCEPTION_INFORMATION: MiniDumpNormal (about 200 KB) and
# MiniDumpWithFullMemory (about 100 MB). For each variant V (O0-fp, O0-nofp, O2-fp, O2-nofp)
# OUTDIR then holds chain-wine-normal-V and chain-wine-full-V, each as .dmp (the normal one as
# .dmp.gz with --gzip, as testdata keeps it), .sidecar (tests/targets/SIDECAR.md) and .chain
# (the format is in tests/test_walk_writers.c), and the program both dumps were taken of,
# chain-wine-V.exe: it is built and run in OUTDIR, so the dumps name it by its path there
# (Z:\...\chain-wine-V.exe) and it stays beside them. Each .chain says so with `images .`:
# its own folder holds the module files (the .exe) to walk with, `dmpread stack --images`
# (issue 11). The Windows DLLs are Wine's own PE files, not in OUTDIR: Wine's x86_64-windows
# library folder (Debian: /usr/lib/x86_64-linux-gnu/wine/x86_64-windows), of the same Wine
# build the sidecar's writer line names.
#
# With i686-w64-mingw32-gcc and a Wine that runs 32-bit programs, the same is done for x86
# (variants x86-O0-fp, ...); without either the script says why and goes on with amd64.
#
# --check PROGRAM (repeatable) runs PROGRAM with DMPREAD_WRITERS_DIR and
# DMPREAD_WALK_WRITERS_DIR set to OUTDIR (test_writers, test_walk_writers); the script's status
# is then the first failing one's. When every check passes, the full-memory dumps and their
# sidecar and chain files are deleted (CHAIN_WINE_KEEP_FULL=1 keeps them): 400 MB of build
# tree for nothing. Headless: DISPLAY is unset and Mono/Gecko are disabled.
# Exit status: 0 done, 77 wine or mingw-w64 missing (ctest: skipped), 1 anything else.
set -u

me=chain_wine.sh
here=$(cd "$(dirname "$0")" && pwd)
gzip_normal=0
checks=

fail() {
    echo "$me: $*" >&2
    exit 1
}

skip() {
    echo "$me: SKIPPED: $*"
    exit 77
}

while [ $# -gt 0 ]; do
    case $1 in
    --gzip) gzip_normal=1; shift ;;
    --check)
        [ $# -ge 2 ] || fail "--check needs a program"
        case $2 in *' '*) fail "--check $2: a path with spaces is not supported" ;; esac
        checks="$checks $2"
        shift 2
        ;;
    -*) fail "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $me [--gzip] [--check PROGRAM]... OUTDIR" >&2; exit 2; }

for tool in wine wineserver; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (Debian: apt-get install wine wine64)"
done
cc64=x86_64-w64-mingw32-gcc
cc32=i686-w64-mingw32-gcc
command -v "$cc64" >/dev/null 2>&1 || skip "$cc64 not found (Debian: apt-get install gcc-mingw-w64-x86-64)"
for tool in timeout gzip sed; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found"
done

mkdir -p "$1" || fail "cannot create $1"
out=$(cd "$1" && pwd) || fail "cannot enter $1"
case $out in
*\\*) fail "OUTDIR $out: a backslash cannot be turned into a Windows path" ;;
esac

WINEPREFIX=$out/wineprefix
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
WINEARCH=win64
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES WINEARCH
unset DISPLAY WAYLAND_DISPLAY

cleanup() {
    timeout 30 wineserver -k >/dev/null 2>&1
    timeout 30 wineserver -w >/dev/null 2>&1
    if [ "${WINE_CAPTURE_KEEP_PREFIX:-0}" != 1 ]; then
        rm -rf "$WINEPREFIX"
    fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

rm -rf "$WINEPREFIX"
# chain-wine-* is every file this script writes (the programs were chain-V.exe before they
# were kept beside the dumps).
rm -f "$out"/chain-wine-* "$out"/chain-O[02]-*.exe "$out"/chain-x86-O[02]-*.exe
timeout -k 10 300 wine wineboot --init >"$out/wineboot.log" 2>&1
rc=$?
[ $rc -eq 124 ] && fail "wineboot timed out after 300 s (see $out/wineboot.log)"
[ $rc -eq 0 ] || fail "wineboot failed with status $rc (see $out/wineboot.log)"
host=$(wine --version 2>/dev/null)
winout="Z:$(printf '%s' "$out" | tr / '\\')"

# sidecar KIND: the v1 sidecar of chain-wine-KIND-$stem from the report.
sidecar() {
    kind=$1
    case $kind in
    normal) how=MiniDumpNormal ;;
    *) how=MiniDumpWithFullMemory ;;
    esac
    echo "dmpread-sidecar 1"
    echo "# Written by tests/targets/chain_wine.sh; see tests/targets/SIDECAR.md."
    echo "dump $dumpname"
    echo "writer ${host:-Wine} dbghelp MiniDumpWriteDump $how on itself from a vectored" \
        "exception handler, with MINIDUMP_EXCEPTION_INFORMATION for the access violation in c" \
        "of chain_target ($build)"
    grep -E '^(arch|pid|thread|module|exception) ' "$report"
    sed -n 's/^pattern \(stack-[^ ]*\) \([^ ]*\) \([^ ]*\) \([^ ]*\)$/pattern \1 \2 \3 captured \4/p' \
        "$report"
}

# chain KIND: the .chain file of chain-wine-KIND-$stem.
chain() {
    echo "dmpread-chain 1"
    echo "# Written by tests/targets/chain_wine.sh; the format is in tests/test_walk_writers.c."
    echo "variant wine-$1-$stem"
    echo "build $build"
    echo "dump $dumpname"
    echo "images ."
    echo "thread $(sed -n 's/^thread //p' "$report")"
    sed -n '/^module /{p;q}' "$report"
    sed -n 's/^chain /frame /p' "$report"
}

# capture STEM CC OPT FP: builds and runs one variant, then writes both dumps' files.
capture() {
    stem=$1 cc=$2 opt=$3 fp=$4
    case $fp in
    fp) fpflag=-fno-omit-frame-pointer ;;
    *) fpflag=-fomit-frame-pointer ;;
    esac
    exe=$out/chain-wine-$stem.exe
    build="$cc -std=c11 -$opt $fpflag -s"
    # shellcheck disable=SC2086 # the flags are words
    $build -o "$exe" "$here/chain_target.c" || fail "cannot build $exe"
    report=$out/chain-wine-$stem.report
    # Under load Wine now and then ends a program with status 1 and no word before it runs
    # (seen once in CI, with another Wine test running beside it): one more try, after the
    # wineserver has settled, before calling it a failure.
    for try in 1 2; do
        rm -f "$report"
        timeout -k 10 120 wine "$exe" "$winout" "chain-wine-$stem" >"$out/chain-wine-$stem.log" 2>&1
        rc=$?
        [ $rc -eq 124 ] && fail "chain-wine-$stem.exe timed out after 120 s"
        [ $rc -eq 0 ] && [ -s "$report" ] && break
        [ "$try" = 2 ] ||
            echo "$me: chain-wine-$stem.exe failed with status $rc; trying once more" >&2
        timeout 30 wineserver -w >/dev/null 2>&1
    done
    [ $rc -eq 0 ] && [ -s "$report" ] ||
        fail "chain-wine-$stem.exe failed with status $rc: $(cat "$out/chain-wine-$stem.log")"
    [ "$(grep -c '^chain ' "$report")" = 4 ] || fail "$report does not hold the chain"
    for kind in normal full; do
        name=chain-wine-$kind-$stem
        mv "$out/chain-wine-$stem-$kind.dmp" "$out/$name.dmp" || fail "no $kind dump for $stem"
        dumpname=$name.dmp
        if [ "$kind" = normal ] && [ "$gzip_normal" = 1 ]; then
            gzip -9 -n -f "$out/$name.dmp" || fail "cannot gzip $name.dmp"
            dumpname=$name.dmp.gz
        fi
        sidecar "$kind" >"$out/$name.sidecar" || fail "cannot write $name.sidecar"
        chain "$kind" >"$out/$name.chain" || fail "cannot write $name.chain"
        echo "$me: wrote $dumpname ($(wc -c <"$out/$dumpname") bytes), $name.sidecar, $name.chain"
    done
    echo "$me: kept chain-wine-$stem.exe ($(wc -c <"$exe") bytes), the module file of both dumps"
    rm -f "$report" "$out/chain-wine-$stem.log"
}

for opt in O0 O2; do
    for fp in fp nofp; do
        capture "$opt-$fp" "$cc64" "$opt" "$fp"
    done
done

# x86, when both a compiler and a 32-bit Wine are there.
if ! command -v "$cc32" >/dev/null 2>&1; then
    echo "$me: x86 skipped: $cc32 not found (Debian: apt-get install gcc-mingw-w64-i686)"
elif ! printf 'int main(void){return 0;}\n' >"$out/probe32.c" ||
    ! "$cc32" -o "$out/probe32.exe" "$out/probe32.c" ||
    ! timeout -k 10 60 wine "$out/probe32.exe" >"$out/probe32.log" 2>&1; then
    echo "$me: x86 skipped: this Wine does not run 32-bit programs" \
        "($(head -c 200 "$out/probe32.log" 2>/dev/null); Debian: the wine32:i386 package)"
else
    for opt in O0 O2; do
        for fp in fp nofp; do
            capture "x86-$opt-$fp" "$cc32" "$opt" "$fp"
        done
    done
fi
rm -f "$out/probe32.c" "$out/probe32.exe" "$out/probe32.log"

[ -n "$checks" ] || exit 0
for program in $checks; do
    DMPREAD_WRITERS_DIR=$out DMPREAD_WALK_WRITERS_DIR=$out "$program" || exit $?
done
if [ "${CHAIN_WINE_KEEP_FULL:-0}" != 1 ]; then
    rm -f "$out"/chain-wine-full-*
    echo "$me: checks passed; the full-memory dumps are deleted (CHAIN_WINE_KEEP_FULL=1 keeps them)"
fi
exit 0
