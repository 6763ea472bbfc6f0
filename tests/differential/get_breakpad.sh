#!/bin/sh
# get_breakpad.sh - builds Google Breakpad's minidump_dump for the differential test.
# SPDX-License-Identifier: MIT
#
# usage: get_breakpad.sh [DIR]
#
# Installs the npm package `minidump` (Electron's node-minidump, which bundles Breakpad's
# source) into DIR without running its install scripts, deletes the prebuilt binaries it ships
# for this platform, and builds Breakpad's tools from the bundled source with its own build.js
# (Breakpad's configure + make: needs node, npm, g++ and make). Prints the path of
# minidump_dump on stdout; point DMPREAD_MINIDUMP_DUMP (environment or cmake cache) at it.
# DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/dmpread/breakpad, which run.sh also looks
# in. Running it again reuses a finished build. The package version is pinned below.

set -eu

version=${DMPREAD_MINIDUMP_NPM_VERSION:-0.26.0}
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

if [ -f "$marker" ] && [ -x "$tool" ]; then
    echo "$tool"
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
echo "$tool"
