#!/bin/sh
# get_breakpad.sh - builds Google Breakpad's tools for the differential tests.
# SPDX-License-Identifier: MIT
#
# usage: get_breakpad.sh [--tool NAME] [DIR]
#
# Installs the npm package `minidump` (Electron's node-minidump, which bundles Breakpad's
# source) into DIR without running its install scripts, deletes the prebuilt binaries it ships
# for this platform, and builds Breakpad's tools from the bundled source with its own build.js
# (Breakpad's configure + make: needs node, npm, g++ and make). Prints the path of
# minidump_dump on stdout; point DMPREAD_MINIDUMP_DUMP (environment or cmake cache) at it.
# DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/dmpread/breakpad, which run.sh also looks
# in. Running it again reuses a finished build. The package version is pinned below.
#
# --tool NAME prints another thing the same build made instead of minidump_dump's path:
# minidump_stackwalk or dump_syms (the programs), or build-dir (Breakpad's configured build
# tree, whose src/processor/*.o are libbreakpad's objects and ../../deps/breakpad/src its
# sources: what tests/differential/sym_diff.sh links its referee against).

set -eu

version=${DMPREAD_MINIDUMP_NPM_VERSION:-0.26.0}
want=minidump_dump
if [ "${1:-}" = --tool ]; then
    [ $# -ge 2 ] || { echo "get_breakpad.sh: --tool needs a NAME" >&2; exit 2; }
    want=$2
    shift 2
fi
case $want in
minidump_dump | minidump_stackwalk | dump_syms | build-dir) ;;
*) echo "get_breakpad.sh: --tool $want? (minidump_dump, minidump_stackwalk, dump_syms, build-dir)" >&2; exit 2 ;;
esac
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/dmpread/breakpad}

for tool in node npm g++ make; do
    command -v "$tool" >/dev/null 2>&1 || { echo "get_breakpad.sh: $tool is needed" >&2; exit 2; }
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pkg=$dir/node_modules/minidump
platform=$(node -p 'process.platform + "-" + (process.env.MINIDUMP_BUILD_ARCH || process.arch)')
tool=$pkg/bin/$platform/minidump_dump
marker=$dir/built-$version-$platform

# What --tool asked for; build.js builds in build/<arch> and copies the programs to bin/.
print_wanted() {
    case $want in
    build-dir) wanted=$pkg/build/${platform#*-} ;;
    *) wanted=$pkg/bin/$platform/$want ;;
    esac
    [ -e "$wanted" ] || { echo "get_breakpad.sh: the build has no $wanted" >&2; exit 1; }
    echo "$wanted"
}

if [ -f "$marker" ] && [ -x "$tool" ]; then
    print_wanted
    exit 0
fi

cd "$dir"
[ -f package.json ] || echo '{ "private": true }' >package.json
echo "get_breakpad.sh: npm install minidump@$version into $dir" >&2
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "minidump@$version" >&2

# build.js does nothing when the binaries are there already: drop the prebuilt ones so that
# what we run is built here, from the source in the package.
rm -rf "$pkg/build" "$pkg/bin/$platform"
echo "get_breakpad.sh: building Breakpad from $pkg/deps/breakpad (a few minutes)" >&2
(cd "$pkg" && node build.js) >"$dir/build.log" 2>&1 || {
    echo "get_breakpad.sh: the build failed; the end of $dir/build.log:" >&2
    tail -n 30 "$dir/build.log" >&2
    exit 1
}
[ -x "$tool" ] || { echo "get_breakpad.sh: the build did not produce $tool" >&2; exit 1; }
echo "minidump@$version, built from source on $(uname -sm)" >"$marker"
print_wanted
