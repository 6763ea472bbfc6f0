#!/bin/sh
# fuzz.sh - builds the libFuzzer harness with clang and runs it. From the source root:
#   scripts/fuzz.sh [SECONDS]     (default: $FUZZ_SECONDS, else 60)
# SPDX-License-Identifier: MIT
#
# The build goes to build-fuzz/ (override with BUILD_DIR). The corpus is a scratch folder
# in it, kept between runs: generated seeds, testdata/, fuzz/corpus/ and ../shared/dumps are
# copied in, and the fuzzer adds what it finds there; nothing in the repository is written.
# A crash, leak, timeout or OOM leaves its input in $BUILD_DIR/artifacts/ and makes this
# script exit non-zero; minimise it with `fuzz_open -minimize_crash=1` and commit it as
# fuzz/corpus/regress-<what>.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
build=${BUILD_DIR:-$root/build-fuzz}
shared=${DMPREAD_SHARED_DUMPS:-$root/../shared/dumps}
jobs=$(nproc 2>/dev/null || echo 2)

case $seconds in
'' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS]" >&2
    exit 2
    ;;
esac

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DDMPREAD_BUILD_FUZZERS=ON \
    -DDMPREAD_BUILD_TESTS=OFF -DDMPREAD_BUILD_CLI=OFF -DDMPREAD_INSTALL=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_open mkseeds

# Every input goes into one flat folder; shared dumps keep their folder in their name, as
# several folders hold files of the same name.
corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts" "$build/seeds"
"$build/fuzz/mkseeds" "$build/seeds"
cp "$build/seeds"/* "$corpus"/
find testdata -type f \( -name "*.dmp" -o -name "*.gz" \) -exec cp {} "$corpus"/ \;
if [ -d fuzz/corpus ]; then
    cp fuzz/corpus/* "$corpus"/ 2>/dev/null || true
fi
if [ -d "$shared" ]; then
    find "$shared" -type f -name '*.dmp' | while read -r f; do
        name=$(printf '%s' "${f#"$shared"/}" | tr '/' '_')
        cp "$f" "$corpus/shared_$name"
    done
fi
before=$(find "$corpus" -type f | wc -l)

log=$build/fuzz.log
echo "fuzz: $seconds s over $before inputs in $corpus"
status=0
"$build/fuzz/fuzz_open" "$corpus" \
    -dict="$root/fuzz/dmp.dict" \
    -max_len=1114112 \
    -rss_limit_mb=2048 \
    -timeout=10 \
    -max_total_time="$seconds" \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?

after=$(find "$corpus" -type f | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
grep -E '^(#[0-9]+ +DONE|stat::)' "$log" || true
echo "fuzz: ${execs:-?} executions in $seconds s; corpus $before -> $after inputs"
if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz: the fuzzer failed (exit $status); log in $log, inputs in $artifacts/" >&2
    exit 1
fi
