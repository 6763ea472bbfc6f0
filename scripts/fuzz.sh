#!/bin/sh
# fuzz.sh - builds the libFuzzer harnesses with clang and runs each in turn. From the source root:
#   scripts/fuzz.sh [SECONDS]     (default: $FUZZ_SECONDS, else 60; each harness gets SECONDS)
# SPDX-License-Identifier: MIT
#
# Harnesses: fuzz_open (dumps), fuzz_sym (Breakpad .sym files), fuzz_eval (the postfix
# evaluator of STACK CFI / STACK WIN rules), one at a time.
# The build goes to build-fuzz/ (override with BUILD_DIR). Each harness has a scratch corpus
# folder in it, kept between runs, into which its seeds are copied and where the fuzzer adds
# what it finds; nothing in the repository is written:
#   corpus/       generated seeds, testdata/, fuzz/corpus/ and ../shared/dumps
#   corpus-sym/   fuzz/sym-seeds/*.sym*, fuzz/corpus-sym/ and a sample of every .sym in
#                 ../shared/symbols (DMPREAD_SHARED_SYMBOLS), under 64 KiB each
#   corpus-eval/  fuzz/sym-seeds/*.expr, fuzz/corpus-eval/, and the STACK WIN programs and
#                 STACK CFI expressions of ../shared/symbols
# A crash, leak, timeout or OOM leaves its input in $BUILD_DIR/artifacts/ (fuzz_sym's and
# fuzz_eval's prefixed with their name), the other harnesses still run, and this script exits
# non-zero; minimise the input with `<harness> -minimize_crash=1` and commit it as
# fuzz/corpus/regress-<what> (fuzz_open), fuzz/corpus-sym/regress-<what> (fuzz_sym) or
# fuzz/corpus-eval/regress-<what> (fuzz_eval).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
build=${BUILD_DIR:-$root/build-fuzz}
shared=${DMPREAD_SHARED_DUMPS:-$root/../shared/dumps}
symbols=${DMPREAD_SHARED_SYMBOLS:-$shared/../symbols}
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
cmake --build "$build" -j"$jobs" --target fuzz_open fuzz_sym fuzz_eval mkseeds

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

# Symbol files. A real one is sampled rather than cut, as its head is mostly FILE records: its
# MODULE and INFO lines and the first records of every kind (each FUNC with the first of its
# line and INLINE records, each STACK CFI INIT with its deltas), within fuzz_sym's -max_len.
sym_corpus=$build/corpus-sym
sym_max_len=65536
mkdir -p "$sym_corpus"
cp fuzz/sym-seeds/*.sym* "$sym_corpus"/
if [ -d fuzz/corpus-sym ]; then
    cp fuzz/corpus-sym/* "$sym_corpus"/ 2>/dev/null || true
fi
sample_sym() { # FILE
    awk '/^(MODULE|INFO) / { print; next }
         /^FILE / { if (nfile++ < 40) print; next }
         /^INLINE_ORIGIN / { if (norigin++ < 40) print; next }
         /^FUNC / { keep = nfunc++ < 24; under = 0; if (keep) print; next }
         /^PUBLIC / { if (npublic++ < 40) print; next }
         /^STACK CFI INIT / { keepcfi = ncfi++ < 40; if (keepcfi) print; next }
         /^STACK CFI / { if (keepcfi) print; next }
         /^STACK WIN / { if (nwin++ < 60) print; next }
         { if (keep && under++ < 40) print }' "$1" | head -c "$sym_max_len"
}
if [ -d "$symbols" ]; then
    find "$symbols" -type f -name '*.sym' | while read -r f; do
        name=$(printf '%s' "${f#"$symbols"/}" | tr '/' '_')
        sample_sym "$f" >"$sym_corpus/shared_$name"
    done
fi

# Expressions: a selector byte ('0' x86, '1' amd64), the expression, a newline.
eval_corpus=$build/corpus-eval
mkdir -p "$eval_corpus"
cp fuzz/sym-seeds/*.expr "$eval_corpus"/
if [ -d fuzz/corpus-eval ]; then
    cp fuzz/corpus-eval/* "$eval_corpus"/ 2>/dev/null || true
fi
if [ -d "$symbols" ]; then
    find "$symbols" -type f -name '*.sym' -exec grep -h '^STACK WIN 4 \([^ ]* \)\{8\}1 ' {} + |
        cut -d' ' -f13- | tr -d '\r' | sort -u | head -n 40 | {
        n=0
        while IFS= read -r e; do
            n=$((n + 1))
            printf '0%s\n' "$e" >"$eval_corpus/shared_win_$n"
        done
    }
    find "$symbols" -type f -name '*.sym' -exec grep -h '^STACK CFI ' {} + | tr -d '\r' |
        awk '{ e = ""; for (i = $3 == "INIT" ? 6 : 4; i <= NF; i++)
                   if ($i ~ /:$/) { if (e != "") print e; e = "" } else e = e == "" ? $i : e " " $i
               if (e != "") print e }' | grep ' ' | sort -u | head -n 40 | {
        n=0
        while IFS= read -r e; do
            n=$((n + 1))
            printf '1%s\n' "$e" >"$eval_corpus/shared_cfi_$n"
        done
    }
fi

failed=""
summary=""

# run_fuzzer LABEL HARNESS CORPUS DICT MAX_LEN ARTIFACT_PREFIX LOG
run_fuzzer() {
    label=$1 harness=$2 dir=$3 dict=$4 max_len=$5 prefix=$6 log=$7
    before=$(find "$dir" -type f | wc -l)
    echo "$label: $seconds s over $before inputs in $dir"
    status=0
    "$build/fuzz/$harness" "$dir" \
        -dict="$dict" \
        -max_len="$max_len" \
        -rss_limit_mb=2048 \
        -timeout=10 \
        -max_total_time="$seconds" \
        -print_final_stats=1 \
        -artifact_prefix="$prefix" >"$log" 2>&1 || status=$?
    after=$(find "$dir" -type f | wc -l)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    grep -E '^(#[0-9]+ +DONE|stat::)' "$log" || true
    echo "$label: ${execs:-?} executions in $seconds s; corpus $before -> $after inputs"
    summary="$summary $harness ${execs:-?};"
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "$label: the fuzzer failed (exit $status); log in $log, inputs in $artifacts/" >&2
        failed="$failed $harness"
    fi
}

run_fuzzer fuzz fuzz_open "$corpus" "$root/fuzz/dmp.dict" 1114112 "$artifacts/" \
    "$build/fuzz.log"
run_fuzzer fuzz_sym fuzz_sym "$sym_corpus" "$root/fuzz/sym.dict" "$sym_max_len" \
    "$artifacts/fuzz_sym-" "$build/fuzz_sym.log"
run_fuzzer fuzz_eval fuzz_eval "$eval_corpus" "$root/fuzz/sym.dict" 16384 \
    "$artifacts/fuzz_eval-" "$build/fuzz_eval.log"

echo "fuzz: executions in $seconds s each:$summary"
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
