#!/bin/sh
# shared_dumps.sh - runs the dmpread command on the real dumps of ../shared/dumps.
# SPDX-License-Identifier: MIT
#
# usage: shared_dumps.sh DMPREAD DUMPS
#
# (A && B || fail ... below is meant: fail when any of A and B is false.)
#
# On breakpad/minidump2.dmp: `ranges` lists 0x7c90eb14 (256 bytes, MemoryList descriptor 0),
# a hexdump of those 256 bytes succeeds, and --raw gives the file's bytes at 5433, where that
# descriptor's Rva points. On every dump MANIFEST.tsv lists: `ranges` exits 0, the first
# range listed reads back in full (up to 4 KiB of it) with --raw, and the byte below it, which
# no range holds, fails with exit 1. `info` prints a "sys memory:" line for exactly the dumps
# the manifest lists with SystemMemoryInfo. Exits 77 (ctest: skipped) when DUMPS is absent.

set -u

[ $# -eq 2 ] || { echo "usage: shared_dumps.sh DMPREAD DUMPS" >&2; exit 2; }
dmpread=$1
dumps=$2
if [ ! -f "$dumps/MANIFEST.tsv" ]; then
    echo "SKIPPED: $dumps/MANIFEST.tsv not found (the shared dumps are absent)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-dumps.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$*"
}

# ---- minidump2.dmp, checked against its file bytes ------------------------------------
d=$dumps/breakpad/minidump2.dmp
"$dmpread" ranges "$d" >"$tmp/ranges" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "ranges minidump2.dmp: exit $rc"
grep -q '^0x000000007c90eb14 0x000000007c90ec14 *256  stream 2 MemoryListStream *desc 0$' \
    "$tmp/ranges" || fail "ranges minidump2.dmp does not list 0x7c90eb14+256 as descriptor 0"

"$dmpread" "$d" 0x7c90eb14 256 >"$tmp/hex" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "minidump2.dmp 0x7c90eb14 256: exit $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "minidump2.dmp 0x7c90eb14 256: stderr not empty: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/hex" | tr -d ' ')" = 16 ] || fail "minidump2.dmp 0x7c90eb14 256: not 16 lines"
[ "$(head -n 1 "$tmp/hex" | cut -d' ' -f1)" = 0x000000007c90eb14 ] ||
    fail "minidump2.dmp 0x7c90eb14 256: first line not at 0x000000007c90eb14"
[ "$(tail -n 1 "$tmp/hex" | cut -d' ' -f1)" = 0x000000007c90ec04 ] ||
    fail "minidump2.dmp 0x7c90eb14 256: last line not at 0x000000007c90ec04"

"$dmpread" --raw "$d" 0x7c90eb14 0x100 >"$tmp/raw" 2>"$tmp/err" ||
    fail "--raw minidump2.dmp 0x7c90eb14 0x100: exit $?: $(cat "$tmp/err")"
dd if="$d" of="$tmp/want" bs=1 skip=5433 count=256 2>/dev/null
cmp -s "$tmp/raw" "$tmp/want" || fail "--raw minidump2.dmp 0x7c90eb14: not the file's bytes at 5433"

"$dmpread" "$d" 0x7c90eb14 257 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q 'first missing byte at 0x7c90ec14' "$tmp/err" ||
    fail "minidump2.dmp 0x7c90eb14 257: want exit 1 naming 0x7c90ec14, got exit $rc"

# ---- Every dump of the manifest --------------------------------------------------------
n=0
cut -f1 "$dumps/MANIFEST.tsv" | sed 1d >"$tmp/list"
while IFS= read -r file <&3; do
    n=$((n + 1))
    d=$dumps/$file
    "$dmpread" ranges "$d" >"$tmp/ranges" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "ranges $file: exit $rc: $(head -n 1 "$tmp/err")"
        continue
    fi
    [ -s "$tmp/ranges" ] || continue # no memory captured
    # shellcheck disable=SC2046 # split the line into its fields
    set -- $(head -n 1 "$tmp/ranges")
    start=$1 size=$3
    [ "$size" -gt 4096 ] && size=4096
    "$dmpread" --raw "$d" "$start" "$size" >"$tmp/raw" 2>"$tmp/err"
    rc=$?
    got=$(wc -c <"$tmp/raw" | tr -d ' ')
    [ "$rc" -eq 0 ] && [ "$got" = "$size" ] ||
        fail "--raw $file $start $size: exit $rc, $got bytes: $(head -n 1 "$tmp/err")"
    # The first listed range is the lowest: the byte below it is not captured. (Starts of
    # 2^63 and up are past what sh arithmetic holds.)
    case $start in
    0x0000000000000000 | 0x[!0-7]*) continue ;;
    esac
    below=$(printf '0x%x' $((start - 1)))
    "$dmpread" "$d" "$below" 2 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] ||
        fail "$file $below 2: want exit 1 and no output, got exit $rc"
done 3<"$tmp/list"

# ---- SystemMemoryInfo: one `info` line where the manifest lists the stream, none elsewhere ----
m=0
awk -F'\t' 'NR > 1 { print $1 "\t" ($12 ~ /(^|,)SystemMemoryInfo(,|$)/) }' \
    "$dumps/MANIFEST.tsv" >"$tmp/sysmem"
while IFS="$(printf '\t')" read -r file has <&3; do
    "$dmpread" info "$dumps/$file" >"$tmp/out" 2>"$tmp/err"
    lines=$(grep -c '^sys memory:  [0-9.]* [KMGT]iB physical, [0-9.]* [KMGT]iB available, commit ' \
        "$tmp/out")
    [ "$lines" = "$has" ] || fail "info $file: $lines 'sys memory:' lines, want $has"
    m=$((m + has))
done 3<"$tmp/sysmem"
[ "$m" -gt 0 ] || fail "no dump in the manifest lists SystemMemoryInfo"

echo "shared dumps: $n dumps, $failed failures"
[ "$failed" -eq 0 ]
