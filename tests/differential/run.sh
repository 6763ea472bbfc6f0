#!/bin/sh
# run.sh - the differential test: dmpread's memory index against LLDB and Breakpad.
# SPDX-License-Identifier: MIT
#
# usage: run.sh [--peer lldb|breakpad|all] [--testdata DIR] [--shared DIR] [--allow FILE]
#               [--lldb PROG] [--breakpad PROG] [--report FILE] [--keep DIR] DMPDIFF
#
# Every *.dmp and *.dmp.gz under --testdata (testdata/ and testdata/writers/) and every dump
# listed in --shared's MANIFEST.tsv is given to each peer (gzip ones inflated to a temporary
# file) and compared with dmpread by DMPDIFF (tests/differential/dmpdiff.c, which says what is
# compared). Each difference has a kind; allow.tsv (dump glob, peer, kind, reason) says which
# are explained. Exit 0: everything agrees or is explained. 1: an unexplained difference, a
# peer that crashed or timed out without an entry for it, or a comparison that could not fail
# (after the run, one agreeing dump is compared again with a byte of dmpread's answer flipped:
# that must be caught). 77: the peer(s) asked for are not installed (reason printed).
# Allow-list entries that explain nothing are printed as STALE (not a failure).
#
# Peers: LLDB is --lldb, else $DMPREAD_LLDB, else lldb-16 or lldb on PATH. Breakpad's
# minidump_dump is --breakpad, else $DMPREAD_MINIDUMP_DUMP, else the default place
# get_breakpad.sh builds it in. --report FILE writes the Markdown report (REPORT.md);
# --keep DIR keeps every peer's output there.

set -u

here=$(cd "$(dirname "$0")" && pwd)
peer_opt=all testdata= shared= allow=$here/allow.tsv lldb_opt= bp_opt= report= keep=
while [ $# -gt 1 ]; do
    case $1 in
    --peer) peer_opt=$2 ;;
    --testdata) testdata=$2 ;;
    --shared) shared=$2 ;;
    --allow) allow=$2 ;;
    --lldb) lldb_opt=$2 ;;
    --breakpad) bp_opt=$2 ;;
    --report) report=$2 ;;
    --keep) keep=$2 ;;
    *) break ;;
    esac
    shift 2
done
[ $# -eq 1 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
dmpdiff=$1
[ -n "$testdata" ] || testdata=$here/../../testdata
case $peer_opt in lldb | breakpad | all) ;; *) echo "run.sh: --peer $peer_opt?" >&2; exit 2 ;; esac
[ -f "$allow" ] || { echo "run.sh: allow-list $allow not found" >&2; exit 2; }

# ---- The peers ----------------------------------------------------------------------------
lldb=
if [ "$peer_opt" != breakpad ]; then
    for c in "$lldb_opt" "${DMPREAD_LLDB:-}" lldb-16 lldb; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { lldb=$(command -v "$c"); break; }
    done
fi
bp=
if [ "$peer_opt" != lldb ]; then
    for c in "$bp_opt" "${DMPREAD_MINIDUMP_DUMP:-}" \
        "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dmpread/breakpad/node_modules/minidump/bin/linux-x64/minidump_dump"; do
        [ -n "$c" ] && [ -x "$c" ] && [ -f "$c" ] && { bp=$c; break; }
    done
fi
peers=
[ -n "$lldb" ] && peers="$peers lldb"
[ -n "$bp" ] && peers="$peers breakpad"
if [ -z "$peers" ]; then
    case $peer_opt in
    lldb) echo "SKIPPED: no LLDB (set DMPREAD_LLDB or install lldb-16)" ;;
    breakpad) echo "SKIPPED: no Breakpad minidump_dump (run tests/differential/get_breakpad.sh and set DMPREAD_MINIDUMP_DUMP)" ;;
    *) echo "SKIPPED: neither LLDB nor Breakpad's minidump_dump is installed" ;;
    esac
    exit 77
fi
lldb_version= bp_version=
[ -n "$lldb" ] && lldb_version=$("$lldb" --version 2>/dev/null | head -n 1)
if [ -n "$bp" ]; then
    pkgjson=$(dirname "$bp")/../../package.json
    bp_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkgjson" 2>/dev/null | head -n 1)
    bp_version="Breakpad minidump_dump${bp_version:+ from npm minidump@$bp_version}"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-diff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
[ -n "$keep" ] && { mkdir -p "$keep" || exit 2; }

# ---- The dumps: "LABEL<TAB>PATH" -----------------------------------------------------------
: >"$tmp/dumps"
find "$testdata" \( -name '*.dmp' -o -name '*.dmp.gz' \) -type f | LC_ALL=C sort |
    while IFS= read -r p; do printf 'testdata/%s\t%s\n' "${p#"$testdata"/}" "$p"; done >>"$tmp/dumps"
shared_note="absent"
if [ -n "$shared" ] && [ -f "$shared/MANIFEST.tsv" ]; then
    sed 1d "$shared/MANIFEST.tsv" | cut -f1 |
        while IFS= read -r f; do printf 'shared/%s\t%s\n' "$f" "$shared/$f"; done >>"$tmp/dumps"
    shared_note="$(sed 1d "$shared/MANIFEST.tsv" | wc -l | tr -d ' ') dumps"
else
    echo "note: the shared dumps (${shared:-not given}) are absent: testdata only"
fi

# One dump derived at run time, so that a truncated range meets real peers (the fixtures with
# truncation have no SystemInfo, and LLDB refuses them): breakpad/minidump2.dmp, whose last
# range in the file ends at EOF, cut in the middle of that range (dmpread clips it, rule 3).
src=$shared/breakpad/minidump2.dmp
if [ "$shared_note" != absent ] && [ -f "$src" ]; then
    size=$(wc -c <"$src" | tr -d ' ')
    cut=$("$dmpdiff" ranges "$src" | awk -F '\t' -v s="$size" '$3 + $2 == s { print $3 + int($2 / 2) }')
    if [ -n "$cut" ]; then
        mkdir -p "$tmp/derived"
        head -c "$cut" "$src" >"$tmp/derived/minidump2-cut.dmp"
        printf 'derived/breakpad/minidump2.dmp:cut-at-%s\t%s\n' "$cut" "$tmp/derived/minidump2-cut.dmp" >>"$tmp/dumps"
    else
        echo "note: $src has no range ending at EOF: no truncated dump derived"
    fi
fi

# ---- Running a peer on one dump: appends "LABEL<TAB>PEER<TAB>line" to $tmp/results ----------
# $1 label, $2 dmpread's path, $3 the peer's path, $4 peer, $5 work dir. Returns dmpdiff's status.
run_peer() {
    w=$5
    mkdir -p "$w" || return 2
    if [ "$4" = lldb ]; then
        "$dmpdiff" lldb-plan "$2" "$w" || return 2
        DEBUGINFOD_URLS= timeout 300 "$lldb" -x -b \
            -O 'settings set interpreter.stop-command-source-on-error false' \
            -c "$3" -s "$w/lldb.cmd" >"$w/log" 2>&1 </dev/null
        prc=$?
        "$dmpdiff" lldb "$2" "$w" "$w/log" >"$w/result" || return 2
    else
        timeout 120 "$bp" "$3" >"$w/out" 2>"$w/err" </dev/null
        prc=$?
        "$dmpdiff" breakpad "$2" "$w/out" "$w/err" >"$w/result" || return 2
    fi
    # A peer killed by a signal or the timeout is a difference of its own kind.
    [ "$prc" -ge 124 ] && printf 'kind\tpeer-crashed\t0\t1\t0\t%s exited with status %s\n' \
        "$4" "$prc" >>"$w/result"
    awk -v l="$1" -v p="$4" '{ print l "\t" p "\t" $0 }' "$w/result" >>"$tmp/results"
    return 0
}

start=$(date +%s)
: >"$tmp/results"
failed=0
n=0
while IFS="$(printf '\t')" read -r label path <&3; do
    n=$((n + 1))
    peer_path=$path
    case $path in
    *.gz)
        gunzip -c "$path" >"$tmp/inflated.dmp" || { echo "FAIL $label: cannot gunzip"; failed=1; continue; }
        peer_path=$tmp/inflated.dmp
        ;;
    esac
    for peer in $peers; do
        w=$tmp/work/$n-$peer
        if ! run_peer "$label" "$path" "$peer_path" "$peer" "$w"; then
            echo "FAIL $label ($peer): dmpdiff failed"
            failed=1
        fi
        [ -n "$keep" ] && { mkdir -p "$keep/$n-$peer" && cp -R "$w/." "$keep/$n-$peer/" &&
            echo "$label" >"$keep/$n-$peer/LABEL"; }
        rm -rf "$w"
    done
done 3<"$tmp/dumps"
elapsed=$(($(date +%s) - start))

# ---- Can the comparison fail? One agreeing dump again, with a byte of dmpread's answer flipped.
for peer in $peers; do
    pick=$(awk -F '\t' -v p="$peer" '$2 == p && $3 == "stat" && $7 > 0 { print $1; exit }' "$tmp/results")
    if [ -z "$pick" ]; then
        echo "FAIL ($peer): no dump where any byte was compared"
        failed=1
        continue
    fi
    ppath=$(awk -F '\t' -v l="$pick" '$1 == l { print $2; exit }' "$tmp/dumps")
    peer_path=$ppath
    case $ppath in *.gz) gunzip -c "$ppath" >"$tmp/inflated.dmp" && peer_path=$tmp/inflated.dmp ;; esac
    cp "$tmp/results" "$tmp/results.keep"
    DMPDIFF_CORRUPT=1 run_peer "$pick" "$ppath" "$peer_path" "$peer" "$tmp/work/selfcheck-$peer"
    if grep -q '^kind	byte-mismatch' "$tmp/work/selfcheck-$peer/result"; then
        echo "self-check ($peer): a flipped byte of dmpread's answer on $pick is caught"
    else
        echo "FAIL ($peer): a flipped byte of dmpread's answer on $pick went unnoticed"
        failed=1
    fi
    mv "$tmp/results.keep" "$tmp/results"
done

# ---- The allow-list, the summary, the report -------------------------------------------------
# Each "kind" row is looked up in allow.tsv (dump glob, peer, kind); the first match explains it.
awk -F '\t' -v peers="$peers" -v dumps="$tmp/dumps" -v shared_present="$([ "$shared_note" = absent ] && echo 0 || echo 1)" \
    -v out="$tmp/verdict" '
function glob_re(g,    r, i, c) {
    r = "^"
    for (i = 1; i <= length(g); i++) {
        c = substr(g, i, 1)
        if (c == "*") r = r ".*"
        else if (c == "?") r = r "."
        else if (index("\\^$.[]|()+{}", c)) r = r "\\" c
        else r = r c
    }
    return r "$"
}
FILENAME == ARGV[1] {
    if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/) next
    if (NF < 4) { printf "BADALLOW\t%d\t%s\n", FNR, $0 > out; next }
    na++; ad[na] = $1; ap[na] = $2; ak[na] = $3; ar[na] = $4; are[na] = glob_re($1); aline[na] = FNR
    next
}
FILENAME == dumps { nd++; dl[nd] = $1; next }
$3 == "kind" {
    why = ""
    for (i = 1; i <= na; i++)
        if (ap[i] == $2 && ak[i] == $4 && $1 ~ are[i]) { used[i]++; why = ar[i]; break }
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (why == "" ? "UNEXPLAINED" : "EXPLAINED"), $1, $2, $4, $5 + $6 + $7, $8, why, $5 "/" $6 "/" $7 > out
}
END {
    split(peers, pl, " ")
    for (i = 1; i <= na; i++) {
        ran = 0
        for (j in pl) if (pl[j] == ap[i]) ran = 1
        if (!ran || used[i]) continue
        hit = 0
        for (j = 1; j <= nd; j++) if (dl[j] ~ are[i]) { hit = 1; break }
        if (hit || shared_present)
            printf "STALE\t%d\t%s\t%s\t%s\t%s\n", aline[i], ad[i], ap[i], ak[i], (hit ? "explains nothing" : "matches no dump") > out
    }
}' "$allow" "$tmp/dumps" "$tmp/results"
[ -f "$tmp/verdict" ] || : >"$tmp/verdict"

for peer in $peers; do
    awk -F '\t' -v p="$peer" '$2 == p && $3 == "stat" {
        d++; r += $4; ra += $5; b += $6; ba += $7; pr += $8; pa += $9; q += $10; qa += $11 }
    END { printf "%s: %d dumps; ranges %d (%d agree); bytes %d (%d agree); peer ranges %d (%d agree); probes %d (%d agree)\n",
          p, d, r, ra, b, ba, pr, pa, q, qa }' "$tmp/results"
    awk -F '\t' -v p="$peer" '$1 == "EXPLAINED" && $3 == p { n[$4] += $5; d[$4]++ }
        END { for (k in n) printf "  explained %-24s %6d observations in %d dumps\n", k, n[k], d[k] }' \
        "$tmp/verdict" | LC_ALL=C sort
done
if grep -q '^UNEXPLAINED' "$tmp/verdict"; then
    failed=1
    awk -F '\t' '$1 == "UNEXPLAINED" { printf "FAIL %s (%s): %s x%d: %s\n", $2, $3, $4, $5, $6 }' "$tmp/verdict"
fi
if grep -q '^BADALLOW' "$tmp/verdict"; then
    failed=1
    awk -F '\t' '$1 == "BADALLOW" { printf "FAIL allow.tsv line %s has fewer than 4 fields: %s\n", $2, $3 }' "$tmp/verdict"
fi
awk -F '\t' '$1 == "STALE" { printf "STALE allow.tsv line %s (%s %s %s): %s\n", $2, $3, $4, $5, $6 }' "$tmp/verdict"
echo "$n dumps, peers:$peers, ${elapsed}s"

if [ -n "$report" ]; then
    LLDB_VERSION=$lldb_version BP_VERSION=$bp_version SHARED_NOTE=$shared_note \
        sh "$here/report.sh" "$tmp/results" "$tmp/verdict" "$allow" >"$report" || failed=1
    echo "report: $report"
fi
[ "$failed" -eq 0 ] && echo "differential: OK" || echo "differential: FAILED"
exit "$failed"
