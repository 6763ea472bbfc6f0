#!/bin/sh
# run.sh - installs a build into a temporary prefix, moves the prefix (everything installed
# must be relocatable), and uses it as an embedder would (issue #13):
#  - the files are where README.md says; libdmpread.so exports exactly the DMP_API functions
#    of include/dmpread.h (nm -D), nothing else;
#  - the installed `dmpread --version` and `dmpread info` run from the moved prefix (the
#    command finds the shared library through its $ORIGIN RPATH, no LD_LIBRARY_PATH);
#  - examples/ builds against the prefix with CMake (find_package, shared and static) and with
#    pkg-config (`cc triage.c $(pkg-config --cflags --libs dmpread)`, and --static -static),
#    and the four programs print the same triage of testdata/triage.dmp.
# Usage: run.sh BUILD_DIR SOURCE_DIR C_COMPILER [SKIP_REASON]
# Exit 0 pass, 1 fail, 77 skipped (a tool is missing, or SKIP_REASON is given).
# SPDX-License-Identifier: MIT
set -eu
build=$1
src=$2
cc=$3

skip() {
    echo "install: skipped: $*"
    exit 77
}
fail() {
    echo "install: FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }

[ -z "${4:-}" ] || skip "$4"
for tool in cmake pkg-config nm "$cc"; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
unset LD_LIBRARY_PATH PKG_CONFIG_PATH CMAKE_PREFIX_PATH || true

step "cmake --install into a temporary prefix, then move the prefix"
cmake --install "$build" --prefix "$tmp/staged" >"$tmp/install.log" || {
    cat "$tmp/install.log"
    fail "cmake --install failed"
}
mv "$tmp/staged" "$tmp/prefix"
prefix=$tmp/prefix
pc=$(find "$prefix" -name dmpread.pc)
[ -n "$pc" ] || fail "no dmpread.pc installed"
libdir=$(dirname "$(dirname "$pc")")
version=$(sed -n 's/^Version: //p' "$pc")
for f in include/dmpread.h bin/dmpread share/man/man1/dmpread.1 \
    share/bash-completion/completions/dmpread; do
    [ -f "$prefix/$f" ] || fail "$f is not installed"
done
for f in libdmpread.a libdmpread.so "libdmpread.so.${version%%.*}" "libdmpread.so.$version" \
    cmake/dmpread/dmpreadConfig.cmake cmake/dmpread/dmpreadConfigVersion.cmake \
    cmake/dmpread/dmpreadTargets.cmake; do
    [ -e "$libdir/$f" ] || fail "${libdir#"$prefix"/}/$f is not installed"
done
echo "installed $version: header, static and shared library, command, man page, completion,"
echo "CMake package, dmpread.pc"

step "libdmpread.so exports the header's DMP_API functions and nothing else (nm -D)"
nm -D --defined-only "$libdir/libdmpread.so" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/exports"
sed -n 's/^DMP_API[^(]*[ *]\(dmp_[a-z0-9_]*\)(.*/\1/p' "$src/include/dmpread.h" | sort -u >"$tmp/api"
if ! cmp -s "$tmp/exports" "$tmp/api"; then
    echo "exported (>) against declared DMP_API (<):"
    diff "$tmp/api" "$tmp/exports" || true
    fail "libdmpread.so's exports differ from the header"
fi
echo "$(wc -l <"$tmp/exports") symbols, all dmp_*, all declared"

step "the installed command runs from the moved prefix"
out=$("$prefix/bin/dmpread" --version) || fail "installed dmpread --version failed"
[ "$out" = "dmpread $version" ] || fail "dmpread --version says '$out', want 'dmpread $version'"
if command -v ldd >/dev/null 2>&1; then
    ldd "$prefix/bin/dmpread" | grep -q "libdmpread.so.* => $prefix/" ||
        fail "the installed command does not load the prefix's libdmpread.so: $(ldd "$prefix/bin/dmpread")"
fi
"$prefix/bin/dmpread" info "$src/testdata/triage.dmp" >/dev/null ||
    fail "installed dmpread info failed"
echo "$out, with ${libdir#"$prefix"/}/libdmpread.so from the prefix"

# Runs a triage build on the fixtures and keeps its output; every build must print the same.
check_triage() { # NAME BINARY
    "$2" "$src/testdata/triage.dmp" >"$tmp/$1.out" || fail "$1: triage exited $?"
    grep -q "crash:    EXCEPTION_ACCESS_VIOLATION (0xc0000005) at crashme.exe+0x1234" \
        "$tmp/$1.out" || fail "$1: no crash line: $(cat "$tmp/$1.out")"
    grep -q "^backtrace of thread 6676:" "$tmp/$1.out" || fail "$1: no backtrace"
    "$2" "$src/testdata/writers/wine-exception.dmp" >>"$tmp/$1.out" || fail "$1: triage exited $?"
    grep -q "^  1  " "$tmp/$1.out" || fail "$1: the Wine dump's backtrace has one frame"
    set +e
    "$2" "$src/testdata/basic.dmp" >>"$tmp/$1.out"
    rc=$?
    set -e
    [ $rc -eq 1 ] || fail "$1: a dump without an exception exits $rc, want 1"
    if [ -f "$tmp/first.out" ]; then
        cmp -s "$tmp/first.out" "$tmp/$1.out" || fail "$1 prints differently from the first build"
    else
        cp "$tmp/$1.out" "$tmp/first.out"
    fi
    echo "$1: ok"
}

# Whether BINARY loads libdmpread.so (want: yes or no); without ldd, not checked.
check_linkage() { # NAME BINARY WANT
    command -v ldd >/dev/null 2>&1 || return 0
    if ldd "$2" 2>/dev/null | grep -q libdmpread; then got=yes; else got=no; fi
    [ "$got" = "$3" ] || fail "$1: loads libdmpread.so: $got, want $3"
}

step "examples/ with CMake: find_package(dmpread), shared and static"
for kind in shared static; do
    static=OFF
    [ $kind = static ] && static=ON
    cmake -S "$src/examples" -B "$tmp/cmake-$kind" -DCMAKE_C_COMPILER="$cc" \
        -DCMAKE_PREFIX_PATH="$prefix" -Ddmpread_USE_STATIC_LIBS=$static -DEXAMPLES_WERROR=ON \
        >"$tmp/cmake-$kind.log" 2>&1 || {
        cat "$tmp/cmake-$kind.log"
        fail "cmake-$kind: configure failed"
    }
    cmake --build "$tmp/cmake-$kind" >>"$tmp/cmake-$kind.log" 2>&1 || {
        cat "$tmp/cmake-$kind.log"
        fail "cmake-$kind: build failed"
    }
    [ $kind = shared ] && want=yes || want=no
    check_linkage "cmake-$kind" "$tmp/cmake-$kind/triage" "$want"
    check_triage "cmake-$kind" "$tmp/cmake-$kind/triage"
done

step "examples/ with pkg-config: shared, and --static -static"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
case $(pkg-config --cflags dmpread) in
"-I$prefix/"*) ;;
*) fail "pkg-config --cflags dmpread: '$(pkg-config --cflags dmpread)' is not in the prefix" ;;
esac
[ "$(pkg-config --modversion dmpread)" = "$version" ] || fail "pkg-config --modversion"
# The issue's command, word for word.
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
"$cc" "$src/examples/triage.c" $(pkg-config --cflags --libs dmpread) -o "$tmp/pc-shared" ||
    fail "cc triage.c \$(pkg-config --cflags --libs dmpread) failed"
check_linkage pc-shared "$tmp/pc-shared" yes
LD_LIBRARY_PATH="$libdir" check_triage pc-shared "$tmp/pc-shared"
# shellcheck disable=SC2046
if "$cc" "$src/examples/triage.c" $(pkg-config --static --cflags --libs dmpread) -static \
    -o "$tmp/pc-static" 2>"$tmp/pc-static.log"; then
    check_linkage pc-static "$tmp/pc-static" no
    check_triage pc-static "$tmp/pc-static"
elif grep -q -- "-lc\b\|libc.a\|cannot find -l" "$tmp/pc-static.log"; then
    echo "pc-static: not checked: this system cannot link fully static programs"
    cat "$tmp/pc-static.log"
else
    cat "$tmp/pc-static.log"
    fail "cc triage.c \$(pkg-config --static --cflags --libs dmpread) -static failed"
fi

step "install: all passed"
