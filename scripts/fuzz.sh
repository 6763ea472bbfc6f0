#!/bin/sh
# fuzz.sh - builds the libFuzzer harnesses with clang and runs each in turn. From the source root:
#   scripts/fuzz.sh [SECONDS]     (default: $FUZZ_SECONDS, else 60; each harness gets SECONDS)
#   FUZZ_ONLY="fuzz_gzip fuzz_cli_num" scripts/fuzz.sh 300    runs only the harnesses named
# SPDX-License-Identifier: MIT
#
# Harnesses: fuzz_open (dumps), fuzz_sym (Breakpad .sym files), fuzz_eval (the postfix
# evaluator of STACK CFI / STACK WIN rules), fuzz_walk (the stack walker, over dumps),
# fuzz_elf (ELF files and their call frame information) and fuzz_pe (PE headers, exports and
# x64 unwind data), one at a time; the last two get half the time each (small parsers, fast
# executions). Then fuzz_open_fast (every accessor once, no oracle, inputs up to 64 KiB: the
# stream decoders at three times fuzz_open's rate), fuzz_gzip (the gzip paths against
# zlib; half the time) and fuzz_cli_num (the command's number parsers; a quarter, at least 5 s).
# The build goes to build-fuzz/ (override with BUILD_DIR). Each harness has a scratch corpus
# folder in it, kept between runs, into which its seeds are copied and where the fuzzer adds
# what it finds; nothing in the repository is written:
#   corpus/       generated seeds, testdata/, fuzz/corpus/ and ../shared/dumps
#   corpus-sym/   fuzz/sym-seeds/*.sym*, fuzz/corpus-sym/ and a sample of every .sym in
#                 ../shared/symbols (DMPREAD_SHARED_SYMBOLS), under 64 KiB each
#   corpus-eval/  fuzz/sym-seeds/*.expr, fuzz/corpus-eval/, and the STACK WIN programs and
#                 STACK CFI expressions of ../shared/symbols
#   corpus-elf/   the sample program tests/differential/elf_cfi_targets.sh builds for each CPU
#                 the compilers here target, and fuzz/corpus-elf/
#   corpus-pe/    the mingw programs in testdata/writers/, fuzz/corpus-pe/, and Wine's ntdll,
#                 kernel32 and msvcrt when installed
#   corpus-fast/  what corpus/ starts from (read up to -max_len=65536; fuzz_gzip takes 16384)
#   corpus-gzip/  the seeds gzipped by mkseeds (one member, two, zero padding), testdata's .gz,
#                 fuzz/corpus-gzip/, and the shared dumps under 32 KiB gzipped here
#   corpus-cli-num/  fuzz/corpus-cli-num/
#   corpus-walk/  what corpus/ starts from, fuzz/walk-seeds/ and fuzz/corpus-walk/, and each
#                 plain dump again with its crashing thread's context appended in the tail
#                 format fuzz_walk.c reads ([context][mode][u16le length]), plus an arm64 and
#                 an arm context over shared dumps whose modules have .sym files of those CPUs
# A crash, leak, timeout or OOM leaves its input in $BUILD_DIR/artifacts/ (fuzz_sym's,
# fuzz_eval's and fuzz_walk's prefixed with their name), the other harnesses still run, and
# this script exits non-zero; minimise the input with `<harness> -minimize_crash=1` and commit
# it as fuzz/corpus/regress-<what> (fuzz_open), fuzz/corpus-sym/regress-<what> (fuzz_sym),
# fuzz/corpus-eval/regress-<what> (fuzz_eval), fuzz/corpus-walk/regress-<what> (fuzz_walk),
# fuzz/corpus-elf/regress-<what> (fuzz_elf), fuzz/corpus-pe/regress-<what> (fuzz_pe), or
# fuzz/corpus-<name>/regress-<what> for fuzz_open_fast (corpus-fast), fuzz_gzip and fuzz_cli_num.
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
all="fuzz_open fuzz_sym fuzz_eval fuzz_walk fuzz_elf fuzz_pe fuzz_open_fast fuzz_gzip fuzz_cli_num"
only=${FUZZ_ONLY:-$all}
for h in $only; do
    case " $all " in *" $h "*) ;; *)
        echo "fuzz.sh: FUZZ_ONLY names no harness '$h' (harnesses: $all)" >&2
        exit 2
        ;;
    esac
done
# shellcheck disable=SC2086 # the list is split on purpose
cmake --build "$build" -j"$jobs" --target $only mkseeds

# Every input goes into one flat folder; shared dumps keep their folder in their name, as
# several folders hold files of the same name.
corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts" "$build/seeds"
mkdir -p "$build/gz-seeds"
"$build/fuzz/mkseeds" "$build/seeds" "$build/gz-seeds"
copy_dumps() { # DIR: the dump inputs, as fuzz_open and fuzz_walk both start from them
    cp "$build/seeds"/* "$1"/
    find testdata -type f \( -name "*.dmp" -o -name "*.gz" \) -exec cp {} "$1"/ \;
    if [ -d fuzz/corpus ]; then
        cp fuzz/corpus/* "$1"/ 2>/dev/null || true
    fi
    if [ -d "$shared" ]; then
        find "$shared" -type f -name '*.dmp' | while read -r f; do
            name=$(printf '%s' "${f#"$shared"/}" | tr '/' '_')
            cp "$f" "$1/shared_$name"
        done
    fi
}
copy_dumps "$corpus"

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

# Dumps for the walker, and the same dumps with a context in their tail for its
# dmp_walk_context path: [context][mode][u16le context length], mode 1 (with symbols).
# They are made afresh in walk-seeds/ each run, then join what the fuzzer kept.
walk_corpus=$build/corpus-walk
walk_seeds=$build/walk-seeds
rm -rf "$walk_seeds"
mkdir -p "$walk_corpus" "$walk_seeds"
copy_dumps "$walk_seeds"
for d in fuzz/walk-seeds fuzz/corpus-walk; do
    if [ -d "$d" ]; then
        find "$d" -type f ! -name '*.md' -exec cp {} "$walk_seeds"/ \;
    fi
done
le() { # COUNT VALUE: VALUE as COUNT little-endian bytes
    n=$1 v=$2
    while [ "$n" -gt 0 ]; do
        # shellcheck disable=SC2059 # the format is the byte's octal escape
        printf "\\$(printf %03o $((v & 255)))"
        v=$((v >> 8)) n=$((n - 1))
    done
}
zeros() { head -c "$1" /dev/zero; }
# context_of FILE: "SIZE RVA" of the exception's context, else of the first thread's, when the
# file is a dump whose context lies in its first 256 KiB; nothing otherwise. One od and one awk
# a file: spawning a process per field took minutes over the shared dumps.
context_of() {
    od -An -v -tu1 -N 262144 "$1" | awk '
        { for (i = 1; i <= NF; i++) b[n++] = $i }
        function u32(o) {
            if (o < 0 || o + 3 >= n) return -1
            return b[o] + 256 * (b[o + 1] + 256 * (b[o + 2] + 256 * b[o + 3]))
        }
        END {
            if (u32(0) != 1347241037) exit  # "MDMP"
            count = u32(8); dir = u32(12); size = -1
            for (i = 0; i < count && i < 64 && dir >= 0; i++) {
                at = dir + 12 * i; type = u32(at); len = u32(at + 4); rva = u32(at + 8)
                if (rva < 0) break
                if (type == 6) { # MINIDUMP_EXCEPTION_STREAM: the context after the record
                    size = u32(rva + 160); ctx = u32(rva + 164); break
                }
                if (type == 3 && size < 0) { # MINIDUMP_THREAD_LIST, its count padded by some
                    first = (len - 4) % 48 == 0 ? rva + 4 : rva + 8
                    size = u32(first + 40); ctx = u32(first + 44)
                }
            }
            if (size > 0 && size < 4096 && ctx >= 0 && ctx + size <= n) print size, ctx
        }'
}
for f in "$walk_seeds"/*; do
    case $f in *.ctx-*) continue ;; esac # fuzz/walk-seeds/ has its context already
    # shellcheck disable=SC2046 # split into SIZE and RVA
    set -- $(context_of "$f")
    [ $# -eq 2 ] || continue
    { cat "$f"; tail -c +$(($2 + 1)) "$f" | head -c "$1"; le 1 1; le 2 "$1"; } >"$f.ctx-1"
done
# arm64 over linux_inline: pc in libstdc++ (arm64 .sym), x29 and sp in the captured stack.
if [ -f "$walk_seeds/shared_breakpad_linux_inline.dmp" ]; then
    {
        cat "$walk_seeds/shared_breakpad_linux_inline.dmp"
        le 4 $((0x00400002)); le 4 0; zeros 232
        le 8 $((0x7fff1669e480)); le 8 $((0x2161b6)); le 8 $((0x7fff1669d1a0))
        le 8 $((0x7f75576d1000)); zeros 640
        le 1 1; le 2 912
    } >"$walk_seeds/shared_breakpad_linux_inline.dmp.ctx-arm64"
fi
# arm over minidump2: pc in ole32 (arm .sym), sp on the crashing thread's stack.
if [ -f "$walk_seeds/shared_breakpad_minidump2.dmp" ]; then
    {
        cat "$walk_seeds/shared_breakpad_minidump2.dmp"
        le 4 $((0x00200002)); zeros 44; le 4 $((0x12fe88)); zeros 4
        le 4 $((0x12fe84)); le 4 $((0x404200)); le 4 $((0x774e1000)); zeros 348
        le 1 1; le 2 416
    } >"$walk_seeds/shared_breakpad_minidump2.dmp.ctx-arm"
fi
cp "$walk_seeds"/* "$walk_corpus"/

# ELF files: the sample program for each CPU (no binaries are committed), and regressions.
elf_corpus=$build/corpus-elf
mkdir -p "$elf_corpus"
sh tests/differential/elf_cfi_targets.sh "$elf_corpus" >/dev/null
cp fuzz/corpus-elf/* "$elf_corpus"/ 2>/dev/null || true
# PE files: the chain programs, regressions, and a few of Wine's DLLs.
pe_corpus=$build/corpus-pe
mkdir -p "$pe_corpus"
cp testdata/writers/*.exe "$pe_corpus"/
cp fuzz/corpus-pe/* "$pe_corpus"/ 2>/dev/null || true
for dll in ntdll kernel32 msvcrt; do
    f=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/$dll.dll
    if [ -f "$f" ]; then
        cp "$f" "$pe_corpus"/
    fi
done

# The fast harness starts from the dump inputs too; libFuzzer reads each up to -max_len.
fast_corpus=$build/corpus-fast
mkdir -p "$fast_corpus"
copy_dumps "$fast_corpus"
# Gzip: the seeds mkseeds gzipped, testdata's .gz, regressions, and small shared dumps.
gzip_corpus=$build/corpus-gzip
mkdir -p "$gzip_corpus"
cp "$build/gz-seeds"/* "$gzip_corpus"/
find testdata -type f -name "*.gz" -exec cp {} "$gzip_corpus"/ \;
cp fuzz/corpus-gzip/* "$gzip_corpus"/ 2>/dev/null || true
if [ -d "$shared" ]; then
    find "$shared" -type f -name '*.dmp' -size -32k | while read -r f; do
        name=$(printf '%s' "${f#"$shared"/}" | tr '/' '_')
        gzip -9 -n -c "$f" >"$gzip_corpus/shared_$name.gz"
    done
fi
num_corpus=$build/corpus-cli-num
mkdir -p "$num_corpus"
cp fuzz/corpus-cli-num/* "$num_corpus"/

failed=""
summary=""

# run_fuzzer LABEL HARNESS CORPUS DICT MAX_LEN ARTIFACT_PREFIX LOG
run_fuzzer() {
    label=$1 harness=$2 dir=$3 dict=$4 max_len=$5 prefix=$6 log=$7
    case " $only " in *" $harness "*) ;; *) return 0 ;; esac
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
run_fuzzer fuzz_walk fuzz_walk "$walk_corpus" "$root/fuzz/dmp.dict" 1114112 \
    "$artifacts/fuzz_walk-" "$build/fuzz_walk.log"
full_seconds=$seconds
seconds=$(((full_seconds + 1) / 2))
run_fuzzer fuzz_elf fuzz_elf "$elf_corpus" "$root/fuzz/elf.dict" 65536 \
    "$artifacts/fuzz_elf-" "$build/fuzz_elf.log"
run_fuzzer fuzz_pe fuzz_pe "$pe_corpus" "$root/fuzz/pe.dict" 65536 \
    "$artifacts/fuzz_pe-" "$build/fuzz_pe.log"
seconds=$full_seconds
run_fuzzer fuzz_open_fast fuzz_open_fast "$fast_corpus" "$root/fuzz/dmp.dict" 65536 \
    "$artifacts/fuzz_open_fast-" "$build/fuzz_open_fast.log"
seconds=$(((full_seconds + 1) / 2))
run_fuzzer fuzz_gzip fuzz_gzip "$gzip_corpus" "$root/fuzz/dmp.dict" 16384 \
    "$artifacts/fuzz_gzip-" "$build/fuzz_gzip.log"
seconds=$(((full_seconds + 3) / 4))
[ "$seconds" -ge 5 ] || seconds=5
run_fuzzer fuzz_cli_num fuzz_cli_num "$num_corpus" "$root/fuzz/num.dict" 128 \
    "$artifacts/fuzz_cli_num-" "$build/fuzz_cli_num.log"
seconds=$full_seconds

echo "fuzz: executions in $seconds s each:$summary"
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
