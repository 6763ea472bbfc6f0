#!/bin/sh
# valgrind.sh - runs Check suites of a build under Valgrind's memcheck. From the source root:
#   scripts/valgrind.sh BUILD_DIR [SUITE...]
# SPDX-License-Identifier: MIT
#
# Each suite (BUILD_DIR/tests/SUITE) runs with CK_FORK=no, so that its tests run in the
# process Valgrind watches, under `valgrind --error-exitcode=1 --leak-check=full`: an invalid
# read or write, a use of uninitialised memory, or a leak fails it. The build must be without
# sanitizers (check.sh uses the gcc one). Without SUITE, the default list below: every suite
# but test_api and test_gz, which took 78 s and 83 s each under Valgrind (Debug build, loaded
# two-core machine), where the other 22 took 93 s together (two at a time, optimised build); the
# ASan+UBSan build runs those two, and every suite, under its sanitizers.
# Suites run as many at a time as there are processors. Prints each suite's seconds; exits
# non-zero when any suite fails or is missing.
set -eu
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: scripts/valgrind.sh BUILD_DIR [SUITE...]" >&2
    exit 2
fi
build=$1
shift
[ "$build" = --one ] || [ -d "$build" ] || {
    echo "valgrind.sh: $build is not a build folder" >&2
    exit 2
}
if [ "$build" != --one ] && [ $# -eq 0 ]; then
    set -- test_bigtier test_bytes test_cli_json test_context test_contract test_corpus \
        test_directory test_elf test_exception test_extras test_images test_memindex \
        test_meminfo test_model test_modules test_pe test_sym test_sysinfo test_threads \
        test_triage_corpus test_walk test_walk_writers test_writers
fi
jobs=$(nproc 2>/dev/null || echo 2)
command -v valgrind >/dev/null 2>&1 || {
    echo "valgrind.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
    exit 1
}
# One suite: "--one BUILD_DIR SUITE", as xargs below runs it; prints "valgrind: SUITE N s".
if [ "$build" = --one ]; then
    build=$1 suite=$2
    exe=$build/tests/$suite
    if [ ! -x "$exe" ]; then
        echo "valgrind.sh: $exe is not built" >&2
        exit 1
    fi
    start=$(date +%s)
    status=0
    CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full "$exe" \
        >"$build/$suite.valgrind.log" 2>&1 || status=$?
    echo "valgrind: $suite $(($(date +%s) - start)) s (exit $status)"
    # 77: the suite skipped itself (no shared dumps); anything else non-zero is a failure.
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
        tail -n 40 "$build/$suite.valgrind.log" >&2
        echo "valgrind: $suite failed; log in $build/$suite.valgrind.log" >&2
        exit 1
    fi
    exit 0
fi
start=$(date +%s)
status=0
printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$(pwd)/scripts/valgrind.sh" --one "$build" || status=$?
echo "valgrind: $# suites in $(($(date +%s) - start)) s, $jobs at a time"
exit "$status"
