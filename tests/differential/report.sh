#!/bin/sh
# report.sh - writes REPORT.md from a run of the differential test (called by run.sh --report).
# SPDX-License-Identifier: MIT
#
# usage: report.sh RESULTS VERDICT ALLOW   (LLDB_VERSION, BP_VERSION, SHARED_NOTE from the
# environment). RESULTS: "DUMP PEER stat|kind ..." rows from dmpdiff; VERDICT: run.sh's
# EXPLAINED/UNEXPLAINED/STALE rows. Writes Markdown on stdout.

set -u
[ $# -eq 3 ] || { echo "usage: report.sh RESULTS VERDICT ALLOW" >&2; exit 2; }
results=$1 verdict=$2

cat <<EOF
# Differential report: dmpread against LLDB and Breakpad

Written by \`tests/differential/run.sh --report\` (issue #4, "independent readers as
referee"); do not edit by hand. Every dump in \`testdata/\` (with \`testdata/writers/\`) and
in the shared corpus (\`../shared/dumps\`: ${SHARED_NOTE:-?}), plus one dump derived at run
time (\`breakpad/minidump2.dmp\` cut in the middle of its last range, so that a truncated
range meets real peers), was read by dmpread and by each peer:

- **LLDB**: ${LLDB_VERSION:-not run}. One \`lldb -x -b -c DUMP -s CMDFILE\` per dump; the
  command file (written by \`dmpdiff lldb-plan\`) asks \`memory region --all\`, then
  \`memory read --force --binary --outfile F -c N ADDR\` for every probe.
- **Breakpad**: ${BP_VERSION:-not run}, built from source by
  \`tests/differential/get_breakpad.sh\`. \`minidump_dump DUMP\`: its MinidumpMemoryList
  (descriptor start, size, rva, and every region's bytes in hex) is parsed.

What is compared (\`tests/differential/dmpdiff.c\`, README.md beside it):

- **ranges**: entries of dmpread's memory index (\`dmp_range_get\`). One agrees when the peer
  lists memory that holds it and the peer's first and last bytes of it (up to 16 at each end)
  equal dmpread's (\`dmp_read_memory\`).
- **bytes**: distinct bytes compared that way (at most 32 per entry), and how many are equal.
- **peer ranges**: what the peer lists: Breakpad's MemoryList descriptors, LLDB's \`r??\`
  regions (LLDB builds those from the memory lists only when the dump has neither LinuxMaps
  nor MemoryInfoList). One agrees when dmpread's index holds exactly it, from the same
  descriptor, and (Breakpad) at the same file offset.
- **probes** (LLDB): the byte just below and just above each run of abutting entries, which
  dmpread does not hold and LLDB must not read either, and a 16-byte read across each boundary
  between abutting entries, which dmpread stitches.

A difference is named by a kind and explained only by a line of
\`tests/differential/allow.tsv\` (dump glob, peer, kind, reason); anything else fails the test.
After the run, one agreeing dump per peer is compared again with one byte of dmpread's answer
flipped, and the run fails unless that is caught.

EOF

echo "## Totals"
echo
echo "| peer | dumps | ranges | agree | bytes | agree | peer ranges | agree | probes | agree | unexplained |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -F '\t' 'FILENAME == ARGV[1] { if ($1 == "UNEXPLAINED") u[$3]++; next }
    $3 == "stat" { seen[$2] = 1; d[$2]++; for (i = 4; i <= 11; i++) t[$2, i] += $i }
    END { for (p in seen) {
        printf "| %s | %d", p, d[p]
        for (i = 4; i <= 11; i++) printf " | %d", t[p, i]
        printf " | %d |\n", u[p] } }' "$verdict" "$results" | LC_ALL=C sort
echo

echo "## Explained differences, by reason"
echo
echo "Observations: entries of dmpread's index, peer ranges (or, for a whole dump, one note)"
echo "and probes, as counted in the per-dump table."
echo
echo "| peer | kind | observations | dumps | reason (allow.tsv) |"
echo "|---|---|---:|---:|---|"
awk -F '\t' '$1 == "EXPLAINED" { k = $3 SUBSEP $4 SUBSEP $7; n[k] += $5; d[k]++ }
    END { for (k in n) { split(k, a, SUBSEP); printf "| %s | %s | %d | %d | %s |\n", a[1], a[2], n[k], d[k], a[3] } }' \
    "$verdict" | LC_ALL=C sort
echo

echo "## Unexplained differences"
echo
if grep -q '^UNEXPLAINED' "$verdict"; then
    echo "| dump | peer | kind | observations | example |"
    echo "|---|---|---|---:|---|"
    awk -F '\t' '$1 == "UNEXPLAINED" { printf "| %s | %s | %s | %d | %s |\n", $2, $3, $4, $5, $6 }' "$verdict"
else
    echo "None."
fi
echo

echo "## Stale allow-list entries"
echo
if grep -q '^STALE' "$verdict"; then
    echo "Not failures. Some kinds depend on the machine: \`module-file\` appears only where the"
    echo "module files a dump names exist (the writers' test programs, while they are built)."
    echo
    awk -F '\t' '$1 == "STALE" { printf "- line %s: `%s` %s %s: %s\n", $2, $3, $4, $5, $6 }' "$verdict"
else
    echo "None: every entry of allow.tsv explains something in this run."
fi
echo

echo "## Per dump"
echo
echo "Columns as in the totals; *differences* gives kind ×observations (E explained, U not)."
echo
echo "| dump | peer | ranges | agree | bytes | agree | peer ranges | agree | probes | agree | differences |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
awk -F '\t' 'FILENAME == ARGV[1] {
        if ($1 == "EXPLAINED" || $1 == "UNEXPLAINED") {
            k = $2 SUBSEP $3
            diffs[k] = diffs[k] (diffs[k] == "" ? "" : ", ") $4 " ×" $5 " " substr($1, 1, 1)
        }
        next }
    $3 == "stat" { k = $1 SUBSEP $2
        printf "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |\n", $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, diffs[k] }' \
    "$verdict" "$results"
echo

cat <<'EOF'
## Regenerate

```sh
cmake -S . -B build -DDMPREAD_BUILD_TESTS=ON && cmake --build build -j
BP=$(sh tests/differential/get_breakpad.sh)        # npm + g++ + make; prints minidump_dump
sh tests/differential/run.sh --shared ../shared/dumps --breakpad "$BP" \
    --report tests/differential/REPORT.md build/tests/dmpdiff
```

The ctests `differential_lldb` and `differential_breakpad` run the same comparison, one peer
each (`DMPREAD_MINIDUMP_DUMP=$BP` in the environment or the cmake cache for Breakpad).
EOF
