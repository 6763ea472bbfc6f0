#!/bin/sh
# elf_cfi_diff.sh - runs elf_cfi_diff.py over the system's libc, ld.so and libstdc++, the dumper
# itself, and elf_cfi_sample.c built every way this machine can (see elf_cfi_targets.sh).
#   sh elf_cfi_diff.sh DUMPER WORKDIR
# SPDX-License-Identifier: MIT
set -eu
here=$(dirname "$0")
dumper=$1
work=$2
if ! command -v readelf >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    echo "readelf (binutils) or python3 missing: skipped"
    exit 77
fi
targets=$(sh "$here/elf_cfi_targets.sh" "$work")
files=""
for f in /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 \
    /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib/aarch64-linux-gnu/libc.so.6 \
    /lib/ld-linux-aarch64.so.1; do
    [ -f "$f" ] && files="$files $f"
done
# shellcheck disable=SC2086 # lists of paths without spaces
exec python3 "$here/elf_cfi_diff.py" "$dumper" $files "$dumper" $targets
