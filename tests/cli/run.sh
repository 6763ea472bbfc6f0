#!/bin/sh
# run.sh - runs the dmpread command on testdata/ and compares with tests/cli/expected/.
# SPDX-License-Identifier: MIT
#
# usage: run.sh [--update] [--mkbytes MKBYTES] [--jsoncheck JSONCHECK] DMPREAD TESTDATA EXPECTED
#
# Every case runs `dmpread ARGS` in a scratch directory holding copies of the fixtures of
# TESTDATA plus a few inputs made here (empty.dmp, notadump.txt, cut.dmp.gz, and two damaged
# copies of triage.dmp: triage-bad.dmp, triage-cut.dmp), so file names on stderr are bare
# relative names and the expectations hold on any machine. A case's exit status, stdout and
# stderr are written into one text file, EXPECTED/NAME.txt:
#
#     $ dmpread ARGS
#     exit N
#     --- stdout
#     ...
#     --- stderr
#     ...
#
# Cases made with `raw` show stdout as hex bytes, 16 a line; `rawsum` cases as a byte count
# and cksum. With --mkbytes, the bytes of `hd` (hexdump), `raw`, `rawsum` and `jb` (a --json
# read's "bytes") cases are also compared with what tests/mkdump wrote at those addresses
# (tests/cli/mkbytes.c), bytes that never went through the library. With --jsoncheck, every
# case given --json must print one valid JSON document with dmpread's envelope
# (tests/cli/jsoncheck.c --dmpread) when it exits 0 or 1; when it exits 2, nothing on stdout
# (a usage error) or such a document holding "error" (a FILE that did not open); `jl` cases
# (several FILEs) one such document on each line (docs/json.md).
#
# A mismatch prints a unified diff (expected, then actual); the script exits 1 when any case
# fails or an expected file belongs to no case. --update rewrites the expected files that
# differ, writes missing ones and deletes orphans instead of failing. Review every file it
# touches by eye: the expected files are the CLI's specification.
#
# From the source root: sh tests/cli/run.sh --update --mkbytes build/tests/cli_mkbytes \
#                           --jsoncheck build/tests/cli_jsoncheck build/dmpread testdata \
#                           tests/cli/expected

set -u

usage() {
    echo "usage: run.sh [--update] [--mkbytes MKBYTES] [--jsoncheck JSONCHECK] DMPREAD TESTDATA" \
        "EXPECTED" >&2
    exit 2
}

update=0
mkbytes=
jsoncheck=
while [ $# -gt 0 ]; do
    case $1 in
    --update) update=1 ;;
    --mkbytes) [ $# -ge 2 ] || usage; mkbytes=$2; shift ;;
    --jsoncheck) [ $# -ge 2 ] || usage; jsoncheck=$2; shift ;;
    -*) usage ;;
    *) break ;;
    esac
    shift
done
[ $# -eq 3 ] || usage

# Cases run in another directory: make every path absolute first.
absolute() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}
dmpread=$(absolute "$1")
testdata=$(absolute "$2")
expected=$(absolute "$3")
[ -n "$mkbytes" ] && mkbytes=$(absolute "$mkbytes")
[ -n "$jsoncheck" ] && jsoncheck=$(absolute "$jsoncheck")

for f in "$dmpread" ${mkbytes:+"$mkbytes"} ${jsoncheck:+"$jsoncheck"}; do
    [ -x "$f" ] || { echo "run.sh: $f is not an executable" >&2; exit 2; }
done
[ -d "$testdata" ] || { echo "run.sh: $testdata is not a directory" >&2; exit 2; }
if [ ! -d "$expected" ] && { [ "$update" = 0 ] || ! mkdir -p "$expected"; }; then
    echo "run.sh: $expected is not a directory" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The scratch directory the cases run in.
work=$tmp/work
mkdir "$work" || exit 2
for f in "$testdata"/*.dmp "$testdata"/*.gz; do
    cp "$f" "$work/" || exit 2
done
: >"$work/empty.dmp"
printf 'This is a text file, not a minidump.\n' >"$work/notadump.txt"
# The first 1000 bytes of the 41 KiB gzip stream: inflating it runs out of input.
dd if="$testdata/full.dmp.gz" of="$work/cut.dmp.gz" bs=1000 count=1 2>/dev/null || exit 2
# triage.dmp with the directory's DataSize of SystemInfoStream (entry 7, at 32 + 12 * 7 + 4)
# made 10 and of ExceptionStream (entry 6) 100: both too short for their structures.
cp "$testdata/triage.dmp" "$work/triage-bad.dmp" || exit 2
printf '\012\000\000\000' | dd of="$work/triage-bad.dmp" bs=1 seek=120 conv=notrunc 2>/dev/null &&
    printf '\144\000\000\000' | dd of="$work/triage-bad.dmp" bs=1 seek=108 conv=notrunc \
        2>/dev/null || exit 2
# Its first 8000 bytes, as a writer that died would leave it: MiscInfoStream (at 0x1bec) runs
# past the end, the streams after it start past it.
dd if="$testdata/triage.dmp" of="$work/triage-cut.dmp" bs=8000 count=1 2>/dev/null || exit 2
# A Wine dump of tests/targets/chain_target.c (frame-pointer-less mingw -O2) with its .exe in
# a folder of module images: the exe's exception directory gives the chain, then the walk
# scans in ntdll and kernel32, which the folder does not hold.
mkdir "$work/images" || exit 2
cp "$testdata/writers/chain-wine-normal-O2-nofp.dmp.gz" "$work/wine-chain.dmp.gz" || exit 2
cp "$testdata/writers/chain-wine-O2-nofp.exe" "$work/images/" || exit 2

# Wine's dumps of processes that did not crash: no exception, so registers are the first
# thread's; wine-normal.dmp's one thread has no context.
cp "$testdata/writers/wine-normal.dmp" "$work/wine-normal.dmp" || exit 2
cp "$testdata/writers/wine-child.dmp" "$work/wine-child.dmp" || exit 2
# basic.dmp with 0x100 zero bytes at 0x10040 (its first range's bytes start at file offset
# 108): sixteen equal lines for --squeeze.
cp "$testdata/basic.dmp" "$work/basic-zeros.dmp" || exit 2
dd if=/dev/zero of="$work/basic-zeros.dmp" bs=1 seek=172 count=256 conv=notrunc 2>/dev/null ||
    exit 2
# triage.dmp whose stack words at rsp (0xa1b2cffe80, file offset 4376 + 0x80) point into
# crashme.exe (0x7ff6a1b21234), ntdll.dll (0x7ffe2c89d3f4) and the unloaded oldhook.dll
# (0x7ffe19000010), for --words.
cp "$testdata/triage.dmp" "$work/triage-words.dmp" || exit 2
printf '\064\022\262\241\366\177\000\000\364\323\211\054\376\177\000\000\020\000\000\031\376\177\000\000' |
    dd of="$work/triage-words.dmp" bs=1 seek=4504 conv=notrunc 2>/dev/null || exit 2

ncases=0
nfailed=0
njson=0
: >"$tmp/names"

# A command line as it would be typed: arguments quoted when empty or holding odd characters.
show_command() {
    printf '$ dmpread'
    for arg in "$@"; do
        case $arg in
        '' | *[!A-Za-z0-9_./=:+-]*) printf " '%s'" "$arg" ;;
        *) printf ' %s' "$arg" ;;
        esac
    done
    printf '\n'
}

# Text output as is; a missing final newline is made visible rather than lost.
show_text() {
    [ -s "$1" ] || return 0
    cat "$1"
    if [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" != 0a ]; then
        printf '\n\\ no newline at end of output\n'
    fi
}

# Lines of one hex byte each, 16 to a line.
by_sixteen() {
    awk '{ printf "%s%s", (n % 16 ? " " : ""), $1; if (++n % 16 == 0) printf "\n" }
         END { if (n % 16) printf "\n" }'
}

# Hex bytes, 16 a line, however the local od lays them out.
show_hex() {
    od -An -v -tx1 "$1" | awk '{ for (i = 1; i <= NF; i++) print $i }' | by_sixteen
}

# The bytes of a hexdump, laid out as show_hex does: the fields between the address and
# the |...| column.
hexdump_bytes() {
    awk '{ for (i = 2; i <= NF && substr($i, 1, 1) != "|"; i++) print $i }' "$1" | by_sixteen
}

byte_count() {
    wc -c <"$1" | tr -d ' '
}

# Whether the arguments hold --json as an option (before any "--").
wants_json() {
    for arg in "$@"; do
        case $arg in
        --) return 1 ;;
        --json) return 0 ;;
        esac
    done
    return 1
}

fail_case() {
    nfailed=$((nfailed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

# The bytes of a --json read's "bytes" member, laid out as show_hex does.
json_bytes() {
    sed -n 's/^  "bytes": "\([0-9a-f]*\)",$/\1/p' "$1" | fold -w 2 | by_sixteen
}

# check KIND NAME SPEC ARGS...: runs one case. KIND is text, hexdump, json, raw or rawsum; SPEC is
# what mkbytes takes (TAG:ADDR:LEN pieces), or empty.
check() {
    kind=$1 name=$2 spec=$3
    shift 3
    if grep -qx "$name" "$tmp/names"; then
        echo "run.sh: case $name is defined twice" >&2
        exit 2
    fi
    echo "$name" >>"$tmp/names"
    ncases=$((ncases + 1))

    (cd "$work" && exec "$dmpread" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    {
        show_command "$@"
        echo "exit $rc"
        case $kind in
        text | hexdump | json | jsonl)
            echo '--- stdout'
            show_text "$tmp/out"
            ;;
        raw)
            echo "--- stdout ($(byte_count "$tmp/out") bytes, hex)"
            show_hex "$tmp/out"
            ;;
        rawsum)
            sum=$(cksum <"$tmp/out" | cut -d' ' -f1)
            echo "--- stdout ($(byte_count "$tmp/out") bytes, cksum $sum)"
            ;;
        esac
        echo '--- stderr'
        show_text "$tmp/err"
    } >"$tmp/actual"

    # The library never made these bytes: a wrong byte here fails even under --update.
    if [ -n "$spec" ] && [ -n "$mkbytes" ]; then
        # shellcheck disable=SC2086 # SPEC is a list of words
        "$mkbytes" $spec >"$tmp/want" || { fail_case "$name" "mkbytes $spec failed"; return; }
        show_hex "$tmp/want" >"$tmp/want.hex"
        if [ "$kind" = hexdump ]; then
            hexdump_bytes "$tmp/out" >"$tmp/got.hex"
        elif [ "$kind" = json ]; then
            json_bytes "$tmp/out" >"$tmp/got.hex"
        else
            show_hex "$tmp/out" >"$tmp/got.hex"
        fi
        if ! cmp -s "$tmp/got.hex" "$tmp/want.hex"; then
            fail_case "$name" "stdout is not the bytes mkdump wrote (mkbytes $spec)"
            diff -u "$tmp/want.hex" "$tmp/got.hex"
            return
        fi
    fi

    # Likewise a --json case whose stdout is not one valid document fails even under --update.
    if [ -n "$jsoncheck" ] && wants_json "$@"; then
        njson=$((njson + 1))
        if [ "$kind" = jsonl ]; then
            # Several FILEs: one document a line, each valid on its own.
            : >"$tmp/jsonerr"
            while IFS= read -r line; do
                printf '%s\n' "$line" | "$jsoncheck" --dmpread 2>>"$tmp/jsonerr" ||
                    break
            done <"$tmp/out"
            if [ -s "$tmp/jsonerr" ] || [ "$(wc -l <"$tmp/out")" -eq 0 ]; then
                fail_case "$name" "stdout is not JSON lines: $(cat "$tmp/jsonerr")"
                return
            fi
        elif [ "$rc" -eq 2 ] && [ -s "$tmp/out" ] && ! grep -q '^  "error": {$' "$tmp/out"; then
            fail_case "$name" "--json with exit 2 wrote a document without \"error\""
            return
        elif [ -s "$tmp/out" ] || [ "$rc" -ne 2 ]; then
            if ! "$jsoncheck" --dmpread "$tmp/out" 2>"$tmp/jsonerr"; then
                fail_case "$name" "stdout is not valid JSON: $(cat "$tmp/jsonerr")"
                return
            fi
        fi
    fi

    exp=$expected/$name.txt
    if [ -f "$exp" ] && cmp -s "$exp" "$tmp/actual"; then
        return
    fi
    if [ "$update" = 1 ]; then
        [ -f "$exp" ] && echo "updated $name" || echo "created $name"
        cp "$tmp/actual" "$exp"
    elif [ -f "$exp" ]; then
        fail_case "$name" "output differs from $name.txt"
        diff -u "$exp" "$tmp/actual"
    else
        fail_case "$name" "no $name.txt (run with --update, then review it)"
        cat "$tmp/actual"
    fi
}

t() {
    name=$1
    shift
    check text "$name" '' "$@"
}

hd() {
    name=$1 spec=$2
    shift 2
    check hexdump "$name" "$spec" "$@"
}

jb() {
    name=$1 spec=$2
    shift 2
    check json "$name" "$spec" "$@"
}

jl() {
    name=$1
    shift
    check jsonl "$name" '' "$@"
}

raw() {
    name=$1 spec=$2
    shift 2
    check raw "$name" "$spec" "$@"
}

rawsum() {
    name=$1 spec=$2
    shift 2
    check rawsum "$name" "$spec" "$@"
}

# ---- Cases ----------------------------------------------------------------------------
# Ranges of each fixture: testdata/README.md. Tags (for mkbytes): basic.dmp 1 (MemoryList)
# and 2 (Memory64List), padded 9, truncated 3 and 4, overlap 0x11, 0x22, 0x33, malformed
# 0x55 and 0x66, full.dmp.gz 7.

# Help and version: stdout, exit 0.
t help --help
t help_short -h
t version --version

# Hexdumps, their bytes also checked against tests/mkdump's pattern.
hd read_inside '1:0x10000:0x20' basic.dmp 0x10000 0x20
hd read_decimal '1:0x10000:0x20' basic.dmp 65536 32
hd read_hex_upper '1:0x10000:0x20' basic.dmp 0X10000 0X20
hd read_mixed_bases '1:0x10000:0x20' basic.dmp 0x10000 32
hd read_unaligned '1:0x10003:0x25' basic.dmp 0x10003 0x25
hd read_one_byte '1:0x20000:1' basic.dmp 0x20000 1
hd read_range_end '1:0x200f0:0x10' basic.dmp 0x200f0 0x10
hd read_adjacent '1:0x10ff0:0x20' basic.dmp 0x10ff0 0x20
hd read_list_overlap '1:0x117f0:0x10 2:0x11800:0x10' basic.dmp 0x117f0 0x20
hd read_padded '9:0x1000078:0x10' padded.dmp 0x1000078 0x10
hd read_overlap_seams '0x11:0x1000f8:0x88 0x22:0x100180:8' overlap.dmp 0x1000f8 0x90
hd read_gz '7:0x7ff612340ff0:0x20' full.dmp.gz 0x7ff612340ff0 0x20
hd read_top '0x66:0xffffffffffffffe0:0x20' malformed.dmp 0xffffffffffffffe0 0x20
hd truncated_kept '4:0x61000:0x40' truncated.dmp 0x61000 0x40

# Raw bytes, also checked against tests/mkdump's pattern.
raw raw_inside '1:0x10000:16' --raw basic.dmp 0x10000 16
raw raw_adjacent '1:0x10ff8:16' --raw basic.dmp 0x10ff8 16
raw raw_list_overlap '1:0x117f8:8 2:0x11800:8' --raw basic.dmp 0x117f8 0x10
raw raw_padded '9:0x1000078:16' --raw padded.dmp 0x1000078 16
raw raw_truncated_kept '4:0x61000:0x40' --raw truncated.dmp 0x61000 0x40
raw raw_top '0x66:0xffffffffffffff80:0x80' --raw malformed.dmp 0xffffffffffffff80 0x80
raw raw_gz '7:0x401ff0:0x20' --raw full.dmp.gz 0x401ff0 0x20
raw raw_len0 '1:0x10000:0' --raw basic.dmp 0x10000 0
raw raw_option_last '1:0x10000:8' basic.dmp 0x10000 8 --raw
rawsum raw_overlap_all '0x33:0xffe00:0x100 0x22:0xfff00:0x100 0x11:0x100000:0x180
    0x22:0x100180:0x280 0x11:0x100400:0x100 0x22:0x100500:0x80' --raw overlap.dmp 0xffe00 0x780
rawsum raw_adjacent_three '2:0x303f8:0x410' --raw basic.dmp 0x303f8 0x410
rawsum raw_gz_pages '7:0x7ff612340000:0x4000' --raw full.dmp.gz 0x7ff612340000 0x4000

# LEN 0 succeeds anywhere, printing nothing.
t len0 basic.dmp 0x10000 0
t len0_uncaptured basic.dmp 0 0
t len0_top basic.dmp 0xffffffffffffffff 0

# Not (fully) captured: exit 1, nothing on stdout, the first missing byte and the nearest
# captured ranges on stderr.
t partial basic.dmp 0x11900 0x200
t partial_raw --raw basic.dmp 0x11900 0x200
t partial_gap_inside basic.dmp 0x30000 0x10200
t uncaptured_below_all basic.dmp 0 1
t uncaptured_between basic.dmp 0x25000 0x10
t uncaptured_above_all basic.dmp 0x50000 4
t uncaptured_huge_len basic.dmp 0x10000 0xffffffffffff
t uncaptured_to_2_64 basic.dmp 1 0xffffffffffffffff
t uncaptured_gz full.dmp.gz 0x402ff8 0x10
t overlap_end overlap.dmp 0xffe00 0x781
t truncated_past_eof truncated.dmp 0x61000 0x41
t truncated_dropped truncated.dmp 0x62000 0x10
t malformed_dropped malformed.dmp 0xfffffffffffff000 1
t malformed_below_top malformed.dmp 0xffffffffffffff00 0x81

# The index and the open diagnostics.
t ranges_basic ranges basic.dmp
t ranges_padded ranges padded.dmp
t ranges_truncated ranges truncated.dmp
t ranges_overlap ranges overlap.dmp
t ranges_malformed ranges malformed.dmp
t ranges_full_gz ranges full.dmp.gz
t ranges_max_heap_enough ranges --max-heap=65536 full.dmp.gz

# Bad arguments: exit 2, one line on stderr.
t no_args
t missing_addr_len basic.dmp
t missing_len basic.dmp 0x10000
t too_many_args basic.dmp 0x10000 1 2
t ranges_no_file ranges
t unknown_option --hexdump basic.dmp 0x10000 1
t raw_with_ranges --raw ranges basic.dmp
t max_heap_no_value --max-heap ranges full.dmp.gz
t max_heap_zero --max-heap=0 ranges full.dmp.gz
t bad_addr basic.dmp 0xzz 1
t bad_addr_bare_prefix basic.dmp 0x 1
t bad_addr_empty basic.dmp '' 1
t bad_len_suffix basic.dmp 0x10000 16k
t negative_len basic.dmp 0x10000 -1
t addr_too_large basic.dmp 18446744073709551616 1
t len_too_large basic.dmp 0x10000 0x10000000000000000
t len_too_large_decimal basic.dmp 0x10000 99999999999999999999
t wrap basic.dmp 0xffffffffffffffff 2
t wrap_huge_len basic.dmp 0x10000 0xffffffffffffffff
t wrap_past_top malformed.dmp 0xfffffffffffffff0 0x11

# Files that are not dumps, or not readable: exit 2, one line on stderr.
t missing_file nosuch.dmp 0 1
t ranges_missing_file ranges nosuch.dmp
t directory_file . 0 1
t not_a_dump notadump.txt 0 1
t empty_file ranges empty.dmp
t max_heap_too_small --max-heap=4096 ranges full.dmp.gz

# A gzip stream cut short: served as far as it inflated, a diagnostic naming the offset.
t gz_cut ranges cut.dmp.gz
t gz_cut_json ranges --json cut.dmp.gz
hd gz_cut_read '7:0x400000:0x40' cut.dmp.gz 0x400000 0x40
t gz_cut_quiet -q info cut.dmp.gz

# ---- Triage commands -------------------------------------------------------------------
# triage.dmp (testdata/README.md) holds every triage stream; the other fixtures hold memory
# lists only, so their sections are absent and must say so.

t info_triage info triage.dmp
t info_triage_json info --json triage.dmp
t threads_triage threads triage.dmp
t threads_triage_json threads --json triage.dmp
t stack_triage stack triage.dmp
t stack_triage_json stack --json --registers triage.dmp
t stack_all stack --all triage.dmp
t stack_no_thread stack --thread 99999 triage.dmp
t stack_bad_option stack --frobnicate triage.dmp
t stack_no_file stack
t stack_missing_file stack no-such.dmp
t stack_images stack --images images wine-chain.dmp.gz
t stack_images_json stack --json --images images wine-chain.dmp.gz
t stack_no_images stack --no-images wine-chain.dmp.gz
t stack_images_breakpad stack --breakpad --images images wine-chain.dmp.gz
t symbolize_demo symbolize demo.sym 0x1000 0x1015 0x1045 0x1200 0x10 0x1006
t symbolize_demo_json symbolize --json demo.sym 0x1015 0x1045 0x1006
t symbolize_bad_addr symbolize demo.sym zz
t symbolize_missing symbolize no-such.sym 0x10
t modules_triage modules triage.dmp
t modules_triage_json modules --json triage.dmp
t memory_info_triage memory-info triage.dmp
t memory_info_triage_json memory-info --json triage.dmp
t streams_triage streams triage.dmp
t streams_triage_json streams --json triage.dmp
t ranges_triage_json ranges --json triage.dmp
hd read_triage_stack '0x72:0xa1b2cffe00:0x40' triage.dmp 0xa1b2cffe00 0x40
hd read_triage_code '0x74:0x7ff6a1b21224:0x20' triage.dmp 0x7ff6a1b21224 0x20

# crashpad.dmp: Crashpad's ids, process annotations and module annotations (list, simple,
# a string and a binary annotation object).
t info_crashpad info crashpad.dmp
t info_crashpad_json info --json crashpad.dmp

# linux.dmp: Breakpad's eight Linux streams, one damaged maps line, no MemoryInfoList, an
# unknown stream type twice (testdata/README.md).
t linux linux linux.dmp
t linux_json linux --json linux.dmp
t linux_none linux basic.dmp
t linux_none_json linux --json basic.dmp
t linux_none_windows linux triage.dmp
t info_linux info linux.dmp
t info_linux_json info --json linux.dmp
t memory_info_linux memory-info linux.dmp
t memory_info_linux_json memory-info --json linux.dmp
t memory_info_neither memory-info basic.dmp

# stream: one stream's bytes (raw, since stdout is no terminal here, or --hex).
raw stream_by_name '' stream linux.dmp LinuxCmdLine
raw stream_by_full_name '' stream linux.dmp linuxenvironstream
raw stream_by_number '' stream linux.dmp 0x47670005
raw stream_by_decimal '' stream linux.dmp 1197932550
raw stream_by_index '' stream linux.dmp '#14'
t stream_hex stream --hex linux.dmp LinuxAuxvStream
t stream_hex_unknown_type stream --hex linux.dmp '#13'
t stream_ambiguous stream linux.dmp 0x7777
t stream_absent stream linux.dmp CommentStreamA
t stream_absent_number stream linux.dmp 0x12345
t stream_unknown_name stream linux.dmp Nonsense
t stream_bad_index stream linux.dmp '#15'
t stream_bad_index_form stream linux.dmp '#x1'
t stream_type_too_big stream linux.dmp 0x100000000
t stream_missing_type stream linux.dmp
t stream_missing_file stream
t stream_too_many stream linux.dmp 5 6
t stream_raw_and_hex stream --raw --hex linux.dmp 5
t stream_unknown_option stream --json linux.dmp 5
t stream_not_a_dump stream notadump.txt 5

# Without triage streams.
t info_basic info basic.dmp
t info_basic_json info --json basic.dmp
t threads_basic threads basic.dmp
t threads_basic_json threads --json basic.dmp
t modules_basic modules basic.dmp
t modules_basic_json modules --json basic.dmp
t memory_info_basic memory-info basic.dmp
t memory_info_basic_json memory-info --json basic.dmp
t streams_basic streams basic.dmp
t streams_basic_json streams --json basic.dmp
t info_gz info full.dmp.gz
t info_malformed info malformed.dmp
t info_malformed_json info --json malformed.dmp
t streams_malformed streams malformed.dmp
t streams_malformed_json streams --json malformed.dmp
t threads_truncated_json threads --json truncated.dmp

# Damaged triage streams: a section that is unusable says so; diagnostics tell why.
t info_triage_bad info triage-bad.dmp
t info_triage_bad_json info --json triage-bad.dmp
t info_triage_cut info triage-cut.dmp
t streams_triage_cut streams triage-cut.dmp
t memory_info_triage_cut_json memory-info --json triage-cut.dmp

# --json on ranges and reads: every output is also validated by jsoncheck.
t ranges_basic_json ranges --json basic.dmp
t ranges_truncated_json ranges --json truncated.dmp
t ranges_malformed_json ranges --json malformed.dmp
jb read_json '0x72:0xa1b2cffff0:8' --json triage.dmp 0xa1b2cffff0 8
jb read_json_option_last '0x72:0xa1b2cffff0:8' triage.dmp 0xa1b2cffff0 8 --json
jb read_json_gz '7:0x7ff612340ff0:0x20' --json full.dmp.gz 0x7ff612340ff0 0x20
jb read_json_top '0x66:0xffffffffffffffe0:0x20' --json malformed.dmp 0xffffffffffffffe0 0x20
jb read_json_seams '0x11:0x1000f8:0x88 0x22:0x100180:8' --json overlap.dmp 0x1000f8 0x90
t read_json_len0 --json basic.dmp 0 0
t read_json_uncaptured --json triage.dmp 0xa1b2cffff0 0x20
t read_json_uncaptured_below --json basic.dmp 0 1
t read_json_uncaptured_above --json basic.dmp 0x50000 4
t read_json_truncated --json truncated.dmp 0x61000 0x41

# Their errors: exit 2, one line on stderr, nothing on stdout even with --json.
t info_no_file info
t modules_raw --raw modules triage.dmp
t read_json_raw --json --raw basic.dmp 0x10000 16
t read_json_bad_addr --json basic.dmp 0xzz 1
t read_json_wrap --json basic.dmp 0xffffffffffffffff 2
t info_json_missing_file info --json nosuch.dmp
t info_json_not_a_dump info --json notadump.txt
t info_json_max_heap --json --max-heap=4096 info full.dmp.gz
t file_named_info -- info 0 1

# The edges a new user hits: a mistyped command, help, --max-heap's forms, stdin.
t command_typo thread triage.dmp
t command_typo_prefix mem triage.dmp
t command_unknown frobnicate triage.dmp
t help_command help
t max_heap_space --max-heap 64K ranges full.dmp.gz
t max_heap_suffix_small --max-heap=1K ranges full.dmp.gz
t max_heap_bad_suffix --max-heap=1X ranges full.dmp.gz

# Several FILEs: a header line per dump (text) or one JSON document a line, a dump that
# does not open gets its error and the run goes on; the status is the worst of them.
t many_ranges ranges basic.dmp overlap.dmp
t many_threads_failing threads basic.dmp nosuch.dmp triage.dmp
t many_info_bad info triage-bad.dmp notadump.txt cut.dmp.gz
jl many_streams_json streams --json basic.dmp nosuch.dmp triage.dmp
jl many_modules_json --json modules triage.dmp basic.dmp
t many_read_rejected basic.dmp overlap.dmp 0x10000 1
t many_symbols_stay_single stack triage.dmp basic.dmp
# -q: the dump's diagnostics are counted in one line, errors still said.
t quiet_ranges -q ranges malformed.dmp
t quiet_many --quiet ranges malformed.dmp overlap.dmp nosuch.dmp
t quiet_none -q ranges basic.dmp
t quiet_json -q --json ranges truncated.dmp
t quiet_stack stack -q triage-bad.dmp
# --json and status 2: a FILE that does not open gets an error document; usage errors none.
t read_json_missing_file --json nosuch.dmp 0 1
t ranges_json_not_a_dump ranges --json empty.dmp
t stack_json_missing_file stack --json nosuch.dmp

# --squeeze: a run of equal lines becomes one "*"; the read's last line is always shown.
t squeeze_run -s basic-zeros.dmp 0x10000 0x200
t squeeze_at_end --squeeze basic-zeros.dmp 0x10040 0x100
t squeeze_unaligned -s basic-zeros.dmp 0x10038 0x110
hd squeeze_no_repeats '1:0x10000:0x40' -s basic.dmp 0x10000 0x40
t squeeze_json --json -s basic.dmp 0x10000 16
t squeeze_raw --raw -s basic.dmp 0x10000 16
t squeeze_ranges ranges -s basic.dmp
t squeeze_off basic-zeros.dmp 0x10030 0x30

# ADDR as a register of the crash context or as MODULE+OFFSET; stderr says what it came to.
t addr_register triage.dmp rsp 0x20
t addr_register_offset triage.dmp rsp+0x10 0x10
t addr_register_generic triage.dmp PC 16
raw addr_register_raw '0x72:0xa1b2cfff00:4' --raw triage.dmp sp+0x80 4
t addr_register_quiet -q triage.dmp rip 16
t addr_register_first_thread wine-child.dmp rsp 16
t addr_register_no_context wine-normal.dmp rsp 16
t addr_register_no_threads basic.dmp rsp 16
t addr_register_wrap triage.dmp r8+2 1
t addr_register_json --json triage.dmp rsp+8 8
t addr_module triage.dmp crashme.exe+0x1224 0x20
t addr_module_case_stem triage.dmp CRASHME+0x1224 0x20
t addr_module_path_part triage.dmp 'plügin.dll+0x10' 16
t addr_module_json --json triage.dmp ntdll.dll+0x9d3f4 8
t addr_unknown_name triage.dmp nosuchmodule+0x10 16
t addr_bad_offset triage.dmp rsp+zz 16
t addr_empty_name triage.dmp +0x10 16

# --words: pointer-size words, each with the module it points into.
t words_triage --words triage-words.dmp rsp 0x20
t words_triage_json --json --words triage-words.dmp rsp 0x18
t words_wine --words wine-chain.dmp.gz rsp 0x40
t words_bad_len --words triage.dmp rsp 12
t words_no_cpu --words basic.dmp 0x10000 16
t words_uncaptured --words triage.dmp 0xa1b2cffff8 0x10
t words_squeeze --words -s triage.dmp rsp 16
t words_raw --raw --words triage.dmp rsp 16

# "-" is standard input: the same report as the file's, but for the name.
ncases=$((ncases + 1))
echo stdin_dump >>"$tmp/names"
(cd "$work" && "$dmpread" info triage.dmp) 2>&1 | sed 1d >"$tmp/file_out"
(cd "$work" && "$dmpread" info - <triage.dmp) 2>&1 | sed 1d >"$tmp/stdin_out"
if ! cmp -s "$tmp/file_out" "$tmp/stdin_out" || ! [ -s "$tmp/file_out" ]; then
    fail_case stdin_dump "info - <triage.dmp differs from info triage.dmp"
fi

# ---- Results ----------------------------------------------------------------------------
for exp in "$expected"/*.txt; do
    [ -f "$exp" ] || continue
    name=${exp##*/}
    name=${name%.txt}
    grep -qx "$name" "$tmp/names" && continue
    if [ "$update" = 1 ]; then
        echo "deleted $name (no such case)"
        rm -f "$exp"
    else
        fail_case "$name" "$name.txt belongs to no case (delete it, or run with --update)"
    fi
done

summary="cli: $ncases cases, $nfailed failed"
[ -n "$mkbytes" ] && summary="$summary, raw bytes checked with mkbytes"
[ -n "$jsoncheck" ] && summary="$summary, $njson JSON outputs validated"
echo "$summary"
[ "$nfailed" -eq 0 ] || exit 1
exit 0
