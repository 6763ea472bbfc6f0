#!/bin/sh
# bt_diff.sh - the LLDB referee of `dmpread stack --images` over a folder of .chain files, for
# ctest (tests/differential.cmake): checks what bt_diff.py needs, then runs it.
# SPDX-License-Identifier: MIT
#
# usage: bt_diff.sh DMPREAD FOLDER GLOB [--images DIR]... [BT_DIFF_OPTION]...
#
# Runs `python3 bt_diff.py --dmpread DMPREAD [OPTION]... FOLDER/GLOB...` (bt_diff.py beside
# this file says what it compares and when it fails; the options, --images DIR, --lldb PROG,
# --bare MODE, --foreign-files MODE, --markdown FILE, are its own). Skipped (exit 77, with the
# reason) without python3, without FOLDER (its capture test was skipped), when GLOB matches
# nothing in it, or when an --images DIR is absent (e.g. no Wine PE DLLs: Debian's wine64 puts
# them in /usr/lib/x86_64-linux-gnu/wine/x86_64-windows).
set -u

here=$(cd "$(dirname "$0")" && pwd)
skip() {
    echo "bt_diff.sh: SKIPPED: $*"
    exit 77
}

[ $# -ge 3 ] || { sed -n '6p' "$0" >&2; exit 2; }
dmpread=$1 folder=$2 glob=$3
shift 3
prev=
for a in "$@"; do
    [ "$prev" = --images ] && { [ -d "$a" ] || skip "no module folder $a"; }
    prev=$a
done

command -v python3 >/dev/null 2>&1 || skip "no python3 (bt_diff.py compares the walks)"
[ -x "$dmpread" ] || { echo "bt_diff.sh: $dmpread is not a program" >&2; exit 2; }
[ -d "$folder" ] || skip "no captures in $folder (their capture test was skipped)"
cases=$(find "$folder" -maxdepth 1 -name "$glob" | LC_ALL=C sort)
[ -n "$cases" ] || skip "no $glob in $folder"
start=$(date +%s)
# shellcheck disable=SC2086 # the case paths hold no spaces: they are build-tree or testdata paths
python3 "$here/bt_diff.py" --dmpread "$dmpread" "$@" $cases
rc=$?
echo "$(($(date +%s) - start))s"
exit "$rc"
