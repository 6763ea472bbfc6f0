#!/bin/sh
# deps.sh - installs the Debian packages dmpread's build, tests and fuzzer need, if missing.
# SPDX-License-Identifier: MIT
#
# Usage: scripts/deps.sh [--build | --peers]
# --build installs only what building the library and the command needs (cmake, make, gcc,
# zlib1g-dev): the quick start's set, without the test and fuzzing tool chain.
# --peers adds the real writers and the independent readers of the writer and differential
# tests (issue #4): lldb-16, Wine with mingw-w64, g++ plus node/npm to build Breakpad's
# minidump_dump, and python3 for the .sym differential test's comparison. Node comes from
# Debian's nodejs/npm only when no node is installed (a NodeSource node already carries npm
# and conflicts with Debian's npm package).
# Needs root (or sudo) only when something is missing; a machine that has everything is
# left alone and nothing is downloaded.
set -eu

packages="cmake make gcc clang libclang-rt-14-dev clang-format clang-tidy zlib1g-dev check
pkg-config valgrind"
if [ "${1:-}" = --build ]; then
    packages="cmake make gcc zlib1g-dev"
elif [ "${1:-}" = --peers ]; then
    packages="$packages lldb-16 wine wine64 gcc-mingw-w64-x86-64 g++ python3"
    command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
fi

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
