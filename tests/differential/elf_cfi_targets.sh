#!/bin/sh
# elf_cfi_targets.sh - builds tests/differential/elf_cfi_sample.c into small freestanding ELF
# files, one per CPU and flag set this machine's compilers manage, and prints their paths:
#   sh elf_cfi_targets.sh OUTDIR
# amd64 with gcc (-O2, -O0 with frame pointers, .debug_frame only, no .eh_frame_hdr, PIE);
# i386 with clang and GNU ld; arm64 with clang and ld.lld (plain, and with pointer
# authentication, which puts DW_CFA_AARCH64_negate_ra_state in the CFI). What a compiler or
# linker cannot build is left out. Used by the differential ctest and by the fuzz seeds.
# SPDX-License-Identifier: MIT
set -u
src=$(cd "$(dirname "$0")" && pwd)/elf_cfi_sample.c
out=$1
mkdir -p "$out"
build() { # NAME COMPILER FLAGS...
    name=$1
    shift
    if "$@" -nostdlib -static -Wl,--build-id -o "$out/$name" "$src" >/dev/null 2>&1; then
        echo "$out/$name"
    fi
}
build amd64-O2 gcc -O2
build amd64-O0 gcc -O0 -fno-omit-frame-pointer
build amd64-debug-frame gcc -O2 -g -fno-asynchronous-unwind-tables -fno-unwind-tables
build amd64-no-hdr gcc -O2 -Wl,--no-eh-frame-hdr
build amd64-pie gcc -O2 -fpie -static-pie
build i386-O2 clang --target=i386-linux-gnu -O2 -fasynchronous-unwind-tables
if command -v ld.lld >/dev/null 2>&1; then
    build arm64-O2 clang --target=aarch64-linux-gnu -O2 -fuse-ld=lld -fasynchronous-unwind-tables
    build arm64-pac clang --target=aarch64-linux-gnu -O2 -fuse-ld=lld \
        -fasynchronous-unwind-tables -mbranch-protection=standard
fi
exit 0
