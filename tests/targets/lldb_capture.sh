#!/bin/sh
# lldb_capture.sh - dumps tests/targets/pattern_target with LLDB's minidump writer and writes
# a sidecar (tests/targets/SIDECAR.md) beside each dump.
# SPDX-License-Identifier: MIT
#
# usage: lldb_capture.sh OUTDIR [TARGET-BINARY]
#
# Writes OUTDIR/lldb-one.dmp (the main thread only) and OUTDIR/lldb-threads.dmp (two extra
# threads plus two whose stacks lie in abutting mappings), each with NAME.sidecar. Without
# TARGET-BINARY, pattern_target.c is compiled into OUTDIR with ${CC:-cc}. LLDB is ${LLDB:-lldb-16};
# when it is not installed the script says so and exits 77 (a skip for ctest).
#
# Each variant: start the target with an empty environment (LLDB copies /proc/PID/environ and
# the stack's top into the dump), wait until it has written its report and sleeps, attach
# with `lldb -b -p PID`, `process save-core --plugin-name=minidump --style stack`, detach,
# kill the target. The sidecar then says what the stack style is supposed to keep: every
# thread's stack (the whole mapping holding its stack pointer) and nothing from the heap or
# the executable's data. The checker (tests/test_writers.c) fails when the dump disagrees.
set -u

LLDB=${LLDB:-lldb-16}
WAIT_READY=20   # seconds for the target to report
WAIT_LLDB=120   # seconds for lldb to attach, save and detach

die() {
    echo "lldb_capture.sh: $*" >&2
    exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: lldb_capture.sh OUTDIR [TARGET-BINARY]" >&2
    exit 2
fi
OUTDIR=$1
TARGET=${2:-}

if ! command -v "$LLDB" >/dev/null 2>&1; then
    echo "lldb_capture.sh: SKIPPED: $LLDB not found (Debian/Ubuntu: apt-get install lldb-16)"
    exit 77
fi
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd) || die "cannot enter $OUTDIR"

if [ -z "$TARGET" ]; then
    here=$(cd "$(dirname "$0")" && pwd)
    TARGET=$OUTDIR/pattern_target
    "${CC:-cc}" -std=c11 -O1 -g -pthread -o "$TARGET" "$here/pattern_target.c" ||
        die "cannot compile $here/pattern_target.c"
fi
[ -x "$TARGET" ] || die "target $TARGET is not an executable"
case $TARGET in /*) ;; *) TARGET=$(pwd)/$TARGET ;; esac

if command -v timeout >/dev/null 2>&1; then
    TIMEOUT="timeout -k 5 $WAIT_LLDB"
else
    TIMEOUT=
fi

child=
cleanup() {
    if [ -n "$child" ]; then
        kill -KILL "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        child=
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

pause_briefly() {
    sleep 0.1 2>/dev/null || sleep 1
}

# The state letter of /proc/PID/stat (S when asleep), or nothing.
proc_state() {
    sed -n 's/.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# Waits until the target has renamed its report into place and its main thread sleeps.
wait_ready() {
    report=$1
    tries=$((WAIT_READY * 10))
    while [ "$tries" -gt 0 ]; do
        kill -0 "$child" 2>/dev/null || die "the target (pid $child) exited before reporting"
        if [ -s "$report" ] && [ "$(proc_state "$child")" = S ]; then
            return 0
        fi
        pause_briefly
        tries=$((tries - 1))
    done
    die "the target (pid $child) did not report within ${WAIT_READY}s"
}

# What `--style stack` is supposed to do with a pattern, by where the target put it.
expectation() {
    case $1 in
    adjacent) echo spans ;;
    stack | stack-* | straddle-page) echo captured ;;
    heap | global) echo absent ;;
    *) die "the target reported a pattern '$1' this script has no expectation for" ;;
    esac
}

# capture NAME TARGET-ARGS...
capture() {
    name=$1
    shift
    dump=$OUTDIR/$name.dmp
    report=$OUTDIR/$name.report
    log=$OUTDIR/$name.lldb.log
    rm -f "$dump" "$report" "$report.tmp" "$OUTDIR/$name.sidecar" "$log"

    env -i PATH=/usr/bin:/bin "$TARGET" --out "$report" --timeout $((WAIT_READY + WAIT_LLDB)) \
        "$@" &
    child=$!
    wait_ready "$report"
    pid=$(sed -n 's/^pid //p' "$report")
    [ "$pid" = "$child" ] || die "$report gives pid '$pid', but the target is $child"

    # -x: no ~/.lldbinit; -b: quit after the commands (and stop at the first failing one).
    $TIMEOUT "$LLDB" -x -b -p "$child" \
        -o "process save-core --plugin-name=minidump --style stack $dump" \
        -o "process detach" >"$log" 2>&1
    status=$?
    if [ ! -s "$dump" ] || grep -q '^error:' "$log"; then
        echo "lldb_capture.sh: $LLDB (exit status $status) wrote no dump for $name; its output:" >&2
        sed 's/^/    /' "$log" >&2
        [ "$status" -eq 124 ] && echo "lldb_capture.sh: it timed out after ${WAIT_LLDB}s" >&2
        die "capture of $name failed (is ptrace allowed here? see /proc/sys/kernel/yama)"
    fi
    [ "$(head -c 4 "$dump")" = MDMP ] || die "$dump does not start with MDMP"
    kill -0 "$child" 2>/dev/null || die "the target (pid $child) died while being dumped"
    cleanup

    version=$("$LLDB" --version 2>/dev/null | sed -n '1s/^lldb version //p')
    {
        echo "dmpread-sidecar 1"
        echo "# Written by tests/targets/lldb_capture.sh; see tests/targets/SIDECAR.md."
        echo "dump $name.dmp"
        echo "writer lldb ${version:-?} process save-core --plugin-name=minidump --style stack," \
            "attached to pattern_target${*:+ $*} while it slept"
        grep -E '^(arch|pid|threads|thread|module) ' "$report"
        # LLDB writes an ExceptionStream even for a process that did not crash: the stop
        # reason of the first thread that has one. Attaching stops the process with SIGSTOP
        # (19 on Linux x86 and ARM), reported on the main thread, whose id is the pid.
        echo "exception 0x13 $pid"
        grep '^pattern ' "$report" | while read -r kind pname addr len hex; do
            echo "$kind $pname $addr $len $(expectation "$pname") $hex"
        done
    } >"$OUTDIR/$name.sidecar.tmp" || die "cannot write $OUTDIR/$name.sidecar"
    # A pattern the script had no expectation for ends the subshell above with a message.
    [ "$(grep -c '^pattern ' "$report")" = "$(grep -c '^pattern ' "$OUTDIR/$name.sidecar.tmp")" ] ||
        die "could not classify every pattern of $report"
    mv "$OUTDIR/$name.sidecar.tmp" "$OUTDIR/$name.sidecar"
    rm -f "$report" "$log"
    echo "lldb_capture.sh: wrote $dump ($(wc -c <"$dump") bytes) and $name.sidecar"
}

capture lldb-one
capture lldb-threads --threads 2 --adjacent
