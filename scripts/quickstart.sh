#!/bin/sh
# quickstart.sh - installs what is missing to build (cmake, make, gcc, zlib; not the test and
# fuzzing tool chain), builds dmpread and reads a dump from testdata/.
# SPDX-License-Identifier: MIT
set -eu
cd "$(dirname "$0")/.."

scripts/deps.sh --build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDMPREAD_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

echo "\$ build/dmpread ranges testdata/basic.dmp"
build/dmpread ranges testdata/basic.dmp
echo
echo "\$ build/dmpread testdata/basic.dmp 0x10ff0 0x20    # spans two adjacent ranges"
build/dmpread testdata/basic.dmp 0x10ff0 0x20
