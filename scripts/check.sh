#!/bin/sh
# check.sh - the whole test suite, as CI runs it. From the source root: scripts/check.sh
# SPDX-License-Identifier: MIT
#
# 0. the packages (scripts/deps.sh --peers) and Breakpad's minidump_dump, built once into
#    ${XDG_CACHE_HOME:-~/.cache}/dmpread/breakpad, for the writer and differential tests.
#    DMPREAD_NO_PEERS=1 skips both; those tests then report themselves skipped.
# 1. gcc, optimised, -Werror: build (with bench/), then every ctest suite and a tiny bench run.
#    Among them `install` (tests/install/run.sh: install into a temporary prefix, nm -D of
#    the shared library, the installed command, examples/ built against the install with
#    CMake and pkg-config, static and shared) and `docs_api`/`docs_man` (docs/API.md against
#    the header; the man page renders without warnings and covers the CLI's options).
#    Then scripts/valgrind.sh: the Check suites of that build (all but test_api and test_gz,
#    the slow ones) under valgrind --leak-check=full, CK_FORK=no, two at a time.
# 2. clang, ASan+UBSan (no recovery), -Werror: build, then every ctest suite again.
# 3. ThreadSanitizer: tests/tsan_threads.c and the library built with clang -fsanitize=thread
#    (build-check/clang-tsan, that target only); one dump read, walked and queried from four
#    threads at once, failing on the first report.
# 4. the libFuzzer harnesses under ASan+UBSan for FUZZ_SECONDS (default 60) each (some get a
#    half or a quarter, see scripts/fuzz.sh) over corpora of testdata/, generated seeds and
#    ../shared/dumps.
# 5. clang-format and clang-tidy (clang-analyzer-*) over the sources, warnings as errors.
# Build trees go in build-check/ (override with BUILD_ROOT). Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
out=${BUILD_ROOT:-$root/build-check}
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n== %s\n' "$*"; }

peer_args=""
if [ "${DMPREAD_NO_PEERS:-0}" = 1 ]; then
    scripts/deps.sh
else
    scripts/deps.sh --peers
    step "Breakpad's minidump_dump (built once, then cached)"
    bp=$(sh tests/differential/get_breakpad.sh)
    echo "$bp"
    peer_args="-DDMPREAD_MINIDUMP_DUMP=$bp"
fi

build_and_test() { # NAME CMAKE-ARGS...
    name=$1
    shift
    step "$name: build"
    cmake -S . -B "$out/$name" -DDMPREAD_WERROR=ON -DDMPREAD_BUILD_TESTS=ON "$@" >/dev/null
    cmake --build "$out/$name" -j"$jobs"
    step "$name: ctest"
    ctest --test-dir "$out/$name" --output-on-failure -j"$jobs" --no-tests=error
}

build_and_test gcc-release -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDMPREAD_BUILD_BENCH=ON $peer_args
step "bench: smoke run at a tiny size"
sh bench/smoke.sh "$out/gcc-release"
step "valgrind: the Check suites of the gcc build under memcheck"
scripts/valgrind.sh "$out/gcc-release"
build_and_test clang-asan-ubsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    "-DDMPREAD_SANITIZE=address;undefined" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON $peer_args

step "ThreadSanitizer: tsan_threads (one dump, four threads at once)"
# Only the test and the library, with clang -fsanitize=thread; halt_on_error turns the first
# report into a failure (TSan's exit status 66), as the other sanitizers run without recovery.
cmake -S . -B "$out/clang-tsan" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDMPREAD_WERROR=ON -DDMPREAD_BUILD_TESTS=ON -DDMPREAD_BUILD_CLI=OFF -DDMPREAD_INSTALL=OFF \
    -DDMPREAD_SANITIZE=thread >/dev/null
cmake --build "$out/clang-tsan" -j"$jobs" --target tsan_threads
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir "$out/clang-tsan" -R '^tsan_threads$' --output-on-failure --no-tests=error

step "fuzz: ${FUZZ_SECONDS:-60} s"
BUILD_DIR="$out/fuzz" scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

step "clang-format"
# shellcheck disable=SC2046 # the file list is split on purpose
clang-format --dry-run --Werror $(git ls-files '*.c' '*.h')
echo "formatted"

step "clang-tidy (clang-analyzer-*)"
# The Debug build's compile commands keep assert(), which states invariants the analyzer
# cannot derive. insecureAPI.* only asks for Annex K functions (memset_s and the like);
# clang 14's valist.Uninitialized does not see va_start in a function that forwards its
# arguments to vsnprintf and flags every such call; optin.performance.Padding is a layout
# opinion on static tables, not a defect.
# shellcheck disable=SC2046
clang-tidy --quiet -p "$out/clang-asan-ubsan" \
    --checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-valist.Uninitialized,-clang-analyzer-optin.performance.Padding' \
    --warnings-as-errors='*' $(git ls-files 'src/*.c' 'cli/*.c')

step "all checks passed"
