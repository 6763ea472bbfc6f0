#!/bin/sh
# stack_diff.sh - dmpread's stack walks against Breakpad's minidump_stackwalk, over every shared dump.
# SPDX-License-Identifier: MIT
#
# usage: stack_diff.sh [--stackwalk PROG] [--shared DIR] [--symbols DIR] [--expected FILE]
#                      [--allow FILE] [--report FILE] [--keep DIR] [--only GLOB] [--jobs N] DMPREAD
#
# Every dump in --shared (default ../shared/dumps from the source root, listed by its
# MANIFEST.tsv) is walked, every thread, by Breakpad's `minidump_stackwalk DUMP [SYMDIRS]` and by
# `dmpread stack --all --json --registers [--symbols DIR]... [--breakpad] DUMP`, in dmpread's
# default mode and in its --breakpad mode, without symbols and with three symbol folders:
# SYM/breakpad, SYM/rust-minidump (SYM is --symbols, default ../shared/symbols) and a scratch
# folder made here, where SYM/breakpad/linux_inline/<id>/linux_inline.new.sym is copied to the
# name the lookup wants, linux_inline.sym. stack_diff.py (beside this file) compares them frame by
# frame and says what it compares; a difference must be proved to be of a class that --allow
# (default stack_allow.tsv here) lists. It also checks that dmpread's crashing thread of
# breakpad/minidump2.dmp with those symbols reproduces the crashing-thread lines of --expected
# (default ../shared/expected/breakpad/minidump2.stackwalk.machine_readable.out, Breakpad's own
# `minidump_stackwalk -m` output).
#
# minidump_stackwalk is --stackwalk, else $DMPREAD_MINIDUMP_STACKWALK, else the one next to
# $DMPREAD_MINIDUMP_DUMP (tests/differential/get_breakpad.sh builds both into one folder), else
# the one in $DMPREAD_BREAKPAD_BUILD/src/processor, else where get_breakpad.sh puts it by default
# (`get_breakpad.sh --tool minidump_stackwalk` builds it and prints the path). --report FILE
# writes the Markdown report (tests/differential/STACK_REPORT.md); --keep DIR keeps both
# sides' raw outputs; --only GLOB limits the run to matching dump labels (FOLDER/NAME).
#
# Exit 0: every frame agrees or is explained. 1: an unexplained difference, a tool that failed,
# the expected lines not reproduced, or a comparison that could not fail. 77: skipped (no
# python3, no minidump_stackwalk, or the shared dumps, symbols or expected output missing; the
# reason is printed).

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$here/../../..
stackwalk='' shared=$root/shared/dumps symbols=$root/shared/symbols expected=''
allow=$here/stack_allow.tsv report='' keep='' only='' jobs=2
while [ $# -gt 1 ]; do
    case $1 in
    --stackwalk) stackwalk=$2 ;;
    --shared) shared=$2 ;;
    --symbols) symbols=$2 ;;
    --expected) expected=$2 ;;
    --allow) allow=$2 ;;
    --report) report=$2 ;;
    --keep) keep=$2 ;;
    --only) only=$2 ;;
    --jobs) jobs=$2 ;;
    *) break ;;
    esac
    shift 2
done
[ $# -eq 1 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
dmpread=$1
[ -x "$dmpread" ] || { echo "stack_diff.sh: $dmpread is not a program" >&2; exit 2; }
[ -f "$allow" ] || { echo "stack_diff.sh: allow-list $allow not found" >&2; exit 2; }
[ -n "$expected" ] || expected=$symbols/../expected/breakpad/minidump2.stackwalk.machine_readable.out

# ---- What the test needs -------------------------------------------------------------------
skip() {
    echo "SKIPPED: $*"
    exit 77
}
command -v python3 >/dev/null 2>&1 || skip "no python3 (it compares the walks)"
[ -f "$shared/MANIFEST.tsv" ] || skip "no shared dumps ($shared/MANIFEST.tsv is absent)"
for d in "$symbols/breakpad" "$symbols/rust-minidump"; do
    [ -d "$d" ] || skip "no symbol folder $d (see ../shared/symbols/README.md)"
done
inline_sym=$(find "$symbols/breakpad/linux_inline" -name linux_inline.new.sym 2>/dev/null | head -n 1)
[ -n "$inline_sym" ] || skip "no $symbols/breakpad/linux_inline/*/linux_inline.new.sym"
[ -f "$expected" ] || skip "no expected output $expected"
[ -f "$shared/breakpad/minidump2.dmp" ] || skip "no $shared/breakpad/minidump2.dmp"

case $(uname -m) in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
platform=$(uname -s | tr '[:upper:]' '[:lower:]')-$arch
cache=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dmpread/breakpad/node_modules/minidump
sw=
for c in "$stackwalk" "${DMPREAD_MINIDUMP_STACKWALK:-}" \
    "${DMPREAD_MINIDUMP_DUMP:+$(dirname "${DMPREAD_MINIDUMP_DUMP:-.}")/minidump_stackwalk}" \
    "${DMPREAD_BREAKPAD_BUILD:+${DMPREAD_BREAKPAD_BUILD:-}/src/processor/minidump_stackwalk}" \
    "$cache/bin/$platform/minidump_stackwalk"; do
    [ -n "$c" ] && [ -x "$c" ] && [ -f "$c" ] && { sw=$c; break; }
done
[ -n "$sw" ] || skip "no Breakpad minidump_stackwalk (run tests/differential/get_breakpad.sh, or set DMPREAD_MINIDUMP_STACKWALK)"

# The npm package's version, when the program is one get_breakpad.sh built.
bp_version="Breakpad minidump_stackwalk"
for p in "$(dirname "$sw")/../../package.json" "$(dirname "$sw")/../../../../package.json"; do
    if [ -f "$p" ]; then
        v=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("name","") + "@" + d.get("version",""))' "$p" 2>/dev/null)
        case $v in minidump@?*) bp_version="Breakpad minidump_stackwalk from npm $v, built from its bundled source by tests/differential/get_breakpad.sh"; break ;; esac
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-stackdiff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The scratch symbol folder: linux_inline's current-syntax file under the name lookups want.
id=$(basename "$(dirname "$inline_sym")")
mkdir -p "$tmp/symbols/linux_inline/$id" || exit 2
cp "$inline_sym" "$tmp/symbols/linux_inline/$id/linux_inline.sym" || exit 2
[ -n "$keep" ] && { mkdir -p "$keep" || exit 2; }

set -- --stackwalk "$sw" --dmpread "$dmpread" --shared "$shared" \
    --symbols "$symbols/breakpad" --symbols "$symbols/rust-minidump" --symbols "$tmp/symbols" \
    --allow "$allow" --expected "$expected" --expected-dump "$shared/breakpad/minidump2.dmp" \
    --jobs "$jobs" --bp-version "$bp_version"
[ -n "$report" ] && set -- "$@" --report "$report"
[ -n "$keep" ] && set -- "$@" --keep "$keep"
[ -n "$only" ] && set -- "$@" --only "$only"

echo "minidump_stackwalk: $sw"
start=$(date +%s)
python3 "$here/stack_diff.py" "$@"
rc=$?
echo "$(($(date +%s) - start))s"
exit "$rc"
