#!/bin/sh
# shared_dumps_json.sh - every command, in text and in --json, on every dump of ../shared/dumps.
# SPDX-License-Identifier: MIT
#
# usage: shared_dumps_json.sh DMPREAD JSONCHECK DUMPS
#
# For each dump MANIFEST.tsv lists, and each of info, threads, modules, memory-info, streams
# and ranges: the text form exits 0 and prints something; the --json form exits 0, prints
# one valid document with dmpread's envelope (JSONCHECK --dmpread) and nothing on stderr,
# since its diagnostics go into the document. A --json read of the first captured range
# exits 0 and one of the byte below it exits 1, both valid documents. Where the manifest
# records them, info --json agrees on the thread and module counts and the first exception
# code. (A && B || fail ... below is meant: fail when any of A and B is false.)
# Exits 77 (ctest: skipped) when DUMPS is absent.

set -u

[ $# -eq 3 ] || { echo "usage: shared_dumps_json.sh DMPREAD JSONCHECK DUMPS" >&2; exit 2; }
dmpread=$1
jsoncheck=$2
dumps=$3
if [ ! -f "$dumps/MANIFEST.tsv" ]; then
    echo "SKIPPED: $dumps/MANIFEST.tsv not found (the shared dumps are absent)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-json.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
runs=0

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$*"
}

# run WANT_RC ARGS...: runs dmpread; with --json among ARGS also validates stdout and wants
# stderr empty.
run() {
    want=$1
    shift
    runs=$((runs + 1))
    "$dmpread" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "dmpread $*: exit $rc, want $want: $(head -n 1 "$tmp/err")"
        return 1
    fi
    case " $* " in
    *" --json "*)
        "$jsoncheck" --dmpread "$tmp/out" 2>"$tmp/jsonerr" ||
            { fail "dmpread $*: invalid JSON: $(cat "$tmp/jsonerr")"; return 1; }
        [ -s "$tmp/err" ] && { fail "dmpread $*: stderr not empty: $(head -n 1 "$tmp/err")"; return 1; }
        ;;
    esac
    return 0
}

# The number after "KEY": on the first line of the --json output indented by INDENT spaces.
json_number() {
    sed -n "s/^$1\"$2\": \\([0-9]*\\),*\$/\\1/p" "$tmp/out" | head -n 1
}

# Manifest columns: 1 file, 19 threads, 20 modules, 21 exc_code.
n=0
sed 1d "$dumps/MANIFEST.tsv" | cut -f1,19,20,21 >"$tmp/list"
while IFS="$(printf '\t')" read -r file threads modules exc <&3; do
    n=$((n + 1))
    d=$dumps/$file
    for cmd in info threads modules memory-info streams ranges; do
        run 0 "$cmd" "$d" && [ "$cmd" != ranges ] && [ ! -s "$tmp/out" ] &&
            fail "dmpread $cmd $file: no output"
        run 0 "$cmd" --json "$d"
    done

    run 0 info --json "$d" || continue
    got=$(json_number '    ' threads)
    case $threads in
    '' | *[!0-9]*) ;;
    *) [ "$got" = "$threads" ] || fail "info --json $file: $got threads, manifest says $threads" ;;
    esac
    got=$(json_number '    ' modules)
    case $modules in
    '' | *[!0-9]*) ;;
    *) [ "$got" = "$modules" ] || fail "info --json $file: $got modules, manifest says $modules" ;;
    esac
    case $exc in
    0x*)
        want=$(printf '0x%x' "$exc")
        got=$(sed -n 's/^      "code": "\(0x[0-9a-f]*\)",$/\1/p' "$tmp/out" | head -n 1)
        [ "$got" = "$want" ] || fail "info --json $file: exception code $got, manifest says $want"
        ;;
    esac

    "$dmpread" ranges "$d" >"$tmp/ranges" 2>/dev/null
    [ -s "$tmp/ranges" ] || continue
    # shellcheck disable=SC2046 # split the line into its fields
    set -- $(head -n 1 "$tmp/ranges")
    start=$1 size=$3
    [ "$size" -gt 4096 ] && size=4096
    run 0 --json "$d" "$start" "$size"
    case $start in
    0x0000000000000000 | 0x[!0-7]*) continue ;;
    esac
    below=$(printf '0x%x' $((start - 1)))
    run 1 --json "$d" "$below" 2 && ! grep -q '^  "bytes": null,$' "$tmp/out" &&
        fail "--json $file $below 2: \"bytes\" is not null"
done 3<"$tmp/list"

echo "shared dumps, JSON: $n dumps, $runs runs, $failed failures"
[ "$failed" -eq 0 ]
