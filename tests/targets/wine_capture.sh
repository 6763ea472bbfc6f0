#!/bin/sh
# wine_capture.sh - dumps written by Wine's dbghelp (MiniDumpWriteDump), each with its sidecar.
# SPDX-License-Identifier: MIT
#
# usage: wine_capture.sh [--exe WIN_TARGET_EXE] [--check PROGRAM] OUTDIR
#
# Builds tests/targets/win_target.c with x86_64-w64-mingw32-gcc (unless --exe names a built
# one), runs it under Wine in a throwaway prefix OUTDIR/wineprefix (removed afterwards; set
# WINE_CAPTURE_KEEP_PREFIX=1 to keep it), and leaves wine-*.dmp and wine-*.sidecar in OUTDIR
# (tests/targets/SIDECAR.md). wine-full.dmp, the small full-memory dump, is gzipped as
# testdata/writers keeps it. With --check, PROGRAM (test_writers) then runs with
# DMPREAD_WRITERS_DIR=OUTDIR and its status is the script's.
#
# Headless: DISPLAY is unset and Mono/Gecko are disabled, so no dialog can wait for a user.
# Exit status: 0 done, 77 wine or mingw-w64 missing (ctest: skipped), 1 anything else.

set -u

me=wine_capture.sh
here=$(cd "$(dirname "$0")" && pwd)
exe=
check=

while [ $# -gt 0 ]; do
    case $1 in
    --exe) [ $# -ge 2 ] || { echo "$me: --exe needs a file" >&2; exit 1; }; exe=$2; shift 2 ;;
    --check) [ $# -ge 2 ] || { echo "$me: --check needs a program" >&2; exit 1; }; check=$2; shift 2 ;;
    -*) echo "$me: unknown option $1" >&2; exit 1 ;;
    *) break ;;
    esac
done
if [ $# -ne 1 ]; then
    echo "usage: $me [--exe WIN_TARGET_EXE] [--check PROGRAM] OUTDIR" >&2
    exit 1
fi

fail() {
    echo "$me: $*" >&2
    exit 1
}

skip() {
    echo "$me: skipped: $*" >&2
    exit 77
}

for tool in wine wineserver; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (Debian: apt-get install wine wine64)"
done
for tool in timeout gzip; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found"
done
cc=x86_64-w64-mingw32-gcc
if [ -z "$exe" ] && ! command -v "$cc" >/dev/null 2>&1; then
    skip "$cc not found (Debian: apt-get install gcc-mingw-w64-x86-64)"
fi

mkdir -p "$1" || fail "cannot create $1"
out=$(cd "$1" && pwd) || fail "cannot enter $1"
case $out in
*\\*) fail "OUTDIR $out: a backslash cannot be turned into a Windows path" ;;
esac
started=$(date +%s)

if [ -z "$exe" ]; then
    exe=$out/win_target.exe
    # -s: the DWARF sections would be mapped into the process and land in full-memory dumps.
    "$cc" -std=c11 -O2 -s -Wall -Wextra -o "$exe" "$here/win_target.c" ||
        fail "cannot build $exe"
fi
[ -f "$exe" ] || fail "no such file: $exe"

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
rm -f "$out"/wine-*.dmp "$out"/wine-*.dmp.gz "$out"/wine-*.sidecar

# The first start creates the prefix: about 10 s, several minutes on a slow machine.
timeout -k 10 300 wine wineboot --init >"$out/wineboot.log" 2>&1
rc=$?
[ $rc -eq 124 ] && fail "wineboot timed out after 300 s (see $out/wineboot.log)"
[ $rc -eq 0 ] || fail "wineboot failed with status $rc (see $out/wineboot.log)"
booted=$(date +%s)

# The target takes a Windows path; a new prefix maps Z: to /.
winout="Z:$(printf '%s' "$out" | tr / '\\')"
timeout -k 10 300 wine "$exe" "$winout"
rc=$?
[ $rc -eq 124 ] && fail "win_target.exe timed out after 300 s"
[ $rc -eq 0 ] || fail "win_target.exe failed with status $rc"

# testdata/writers holds the full-memory dump gzipped (-n: no name or time in the header).
if [ -f "$out/wine-full.dmp" ]; then
    gzip -9 -n -f "$out/wine-full.dmp" || fail "cannot gzip wine-full.dmp"
    sed 's/^dump wine-full\.dmp$/dump wine-full.dmp.gz/' "$out/wine-full.sidecar" \
        >"$out/wine-full.sidecar.tmp" && mv "$out/wine-full.sidecar.tmp" "$out/wine-full.sidecar" ||
        fail "cannot rewrite wine-full.sidecar"
fi

count=0
for sidecar in "$out"/wine-*.sidecar; do
    [ -f "$sidecar" ] || fail "win_target.exe wrote no sidecar"
    dump=$(sed -n 's/^dump //p' "$sidecar")
    [ -n "$dump" ] && [ -f "$out/$dump" ] || fail "$sidecar names a dump that is not there: $dump"
    count=$((count + 1))
done
done_at=$(date +%s)
echo "$me: $count dumps in $out (prefix $((booted - started)) s, dumps $((done_at - booted)) s)"

if [ -n "$check" ]; then
    DMPREAD_WRITERS_DIR=$out "$check"
    exit $?
fi
exit 0
