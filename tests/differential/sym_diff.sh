#!/bin/sh
# sym_diff.sh - dmpread's .sym lookups against Breakpad's resolver, over every shared .sym file.
# SPDX-License-Identifier: MIT
#
# usage: sym_diff.sh [--build DIR] [--symbols DIR] [--allow FILE] [--breakpad-build DIR]
#                    [--keep DIR] [--max N] DMPREAD
#
# Builds the referee, tests/differential/bp_symbolize.cc, against Breakpad's build tree once
# into --build (default: $TMPDIR/dmpread-symdiff; rebuilt when the source or Breakpad is newer).
# Then, for every *.sym under --symbols (default ../shared/symbols from the source root), it
# picks module-relative addresses: each FUNC, PUBLIC, STACK CFI INIT and STACK WIN record's
# start - 1, start, start + 1, last byte and end, each STACK CFI delta's address and the byte
# before it, each line record's start, last byte and end, each INLINE range's bounds as a
# record's, and 2000 pseudo-random addresses (seeded by the file's name) in [0, highest end +
# 0x100]. A file with more than 40000 such addresses (crash-client.sym) is sampled down to
# 18000 of them plus the 2000 random ones. Both `bp_symbolize SYM` and
# `dmpread symbolize --json SYM ADDR...` (in batches) answer for every address, and the
# answers are compared member by member: address, kind, function, function_start,
# param_size, multiple, file, line, line_start, inlines, cfi, win. Members dmpread prints
# beyond these are ignored; its cfi object is rewritten as Breakpad's CFIFrameInfo::Serialize()
# writes a rule set (.cfa, .ra, then the other registers in bytewise order, "name: expr"
# joined by single spaces) before comparing.
#
# Some differences have a known cause, checked on the two answers and named by a class:
# public-at-zero (Breakpad leaves out PUBLIC records at address 0) and inline-nesting
# (Breakpad's inline frames are dmpread's, some left out or nested in another order, with
# every file and line following from that order; see inline_nesting below). A difference is
# explained by a line of --allow (default sym_allow.tsv here): FILE ADDRESS MEMBER REASON,
# tab-separated, FILE the .sym's path under --symbols (globs * and ?), ADDRESS 0x-hex or *,
# MEMBER a member, *, MEMBER:CLASS or *:CLASS. After the run one agreeing answer is compared
# again with Breakpad's function name altered: the comparison must catch it.
#
# Breakpad's build tree is --breakpad-build, else $DMPREAD_BREAKPAD_BUILD, else the one next
# to $DMPREAD_MINIDUMP_DUMP (get_breakpad.sh's layout), else get_breakpad.sh's default place
# (get_breakpad.sh --tool build-dir prints it). --keep DIR keeps the addresses and both
# answers for each file. --max N caps the addresses per file (default 40000, 0: no cap).
#
# Exit 0: every answer agrees or is explained. 1: an unexplained difference, a tool that failed
# or an answer missing, or a comparison that could not fail. 77: skipped (no Breakpad build
# tree, no symbol files, no g++ or no python3; the reason is printed).

set -u

here=$(cd "$(dirname "$0")" && pwd)
build='' symbols=$here/../../../shared/symbols allow=$here/sym_allow.tsv bp_build='' keep='' max=40000
while [ $# -gt 1 ]; do
    case $1 in
    --build) build=$2 ;;
    --symbols) symbols=$2 ;;
    --allow) allow=$2 ;;
    --breakpad-build) bp_build=$2 ;;
    --keep) keep=$2 ;;
    --max) max=$2 ;;
    *) break ;;
    esac
    shift 2
done
[ $# -eq 1 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
dmpread=$1
[ -x "$dmpread" ] || { echo "sym_diff.sh: $dmpread is not a program" >&2; exit 2; }
[ -f "$allow" ] || { echo "sym_diff.sh: allow-list $allow not found" >&2; exit 2; }
[ -n "$build" ] || build=${TMPDIR:-/tmp}/dmpread-symdiff

# ---- What the test needs -------------------------------------------------------------------
skip() {
    echo "SKIPPED: $*"
    exit 77
}
[ -d "$symbols" ] || skip "no symbol files ($symbols is absent; see ../shared/symbols/README.md)"
command -v python3 >/dev/null 2>&1 || skip "no python3 (it compares the answers)"
command -v g++ >/dev/null 2>&1 || skip "no g++ to build the Breakpad referee"

# A build tree holds the processor's objects (or libbreakpad.a) and sits in the npm package
# `minidump` at build/<arch>, the sources at deps/breakpad/src.
usable_tree() {
    [ -d "$1/../../deps/breakpad/src/processor" ] &&
        { [ -f "$1/src/libbreakpad.a" ] || [ -f "$1/src/processor/basic_source_line_resolver.o" ]; }
}
cache=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dmpread/breakpad/node_modules/minidump
case $(uname -m) in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
tree=
for c in "$bp_build" "${DMPREAD_BREAKPAD_BUILD:-}" \
    "${DMPREAD_MINIDUMP_DUMP:+$(dirname "${DMPREAD_MINIDUMP_DUMP:-.}")/../../build/$arch}" \
    "$cache/build/$arch"; do
    [ -n "$c" ] && usable_tree "$c" && { tree=$(cd "$c" && pwd); break; }
done
[ -n "$tree" ] || skip "no Breakpad build tree (run tests/differential/get_breakpad.sh, or set DMPREAD_BREAKPAD_BUILD)"

# ---- The referee, built once ---------------------------------------------------------------
mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)
referee=$build/bp_symbolize
src=$here/bp_symbolize.cc
if [ -f "$tree/src/libbreakpad.a" ]; then
    lib=$tree/src/libbreakpad.a
    stamp=$lib
else
    stamp=$tree/src/processor/basic_source_line_resolver.o
fi
if [ ! -x "$referee" ] || [ -n "$(find "$src" "$stamp" -newer "$referee" 2>/dev/null)" ]; then
    echo "building the referee against $tree"
    if [ -z "${lib:-}" ]; then
        # The objects libbreakpad.a is made of, less the programs' mains: the linker takes
        # only what the referee calls.
        lib=$build/libbreakpad-processor.a
        rm -f "$lib"
        # shellcheck disable=SC2046 # the object list is split on purpose
        ar rcs "$lib" $(find "$tree/src/processor" -maxdepth 1 -name '*.o' \
            ! -name minidump_dump.o ! -name minidump_stackwalk.o | LC_ALL=C sort) || exit 1
    fi
    g++ -std=c++17 -O1 -g -Wall -Wextra -I"$tree/../../deps/breakpad/src" -I"$tree/src" \
        -o "$referee.tmp" "$src" "$lib" -lpthread || { echo "FAIL: the referee does not build"; exit 1; }
    mv "$referee.tmp" "$referee"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmpread-symdiff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
[ -n "$keep" ] && { mkdir -p "$keep" || exit 2; }

# ---- The comparison ------------------------------------------------------------------------
cat >"$tmp/symdiff.py" <<'EOF'
"""Picks the addresses, runs both sides, compares their answers (see sym_diff.sh)."""
import fnmatch
import json
import os
import random
import re
import subprocess
import sys
import zlib

MEMBERS = ["address", "kind", "function", "function_start", "param_size", "multiple",
           "file", "line", "line_start", "inlines", "cfi", "win"]
HEX_MEMBERS = {"address", "function_start", "line_start"}
INLINE_MEMBERS = ["function", "start", "file", "line"]
WIN_MEMBERS = ["type", "start", "size", "prologue_size", "epilogue_size", "param_size",
               "saved_regs_size", "locals_size", "max_stack_size", "program",
               "allocates_base_pointer"]
RANDOM_COUNT = 2000
SAMPLED = 18000
BATCH = 2000
SHOW = 20
HEXNUM = re.compile(rb"[0-9a-fA-F]{1,16}$")


def hexval(tok):
    return int(tok, 16) if HEXNUM.match(tok) else None


def pick_addresses(path, label, cap):
    """The records' boundaries, then the random ones; sorted, unique, below 2^64."""
    spots = set()
    top = 0

    def span(start, size):
        nonlocal top
        if start is None or size is None:
            return
        spots.update((start - 1, start, start + 1))
        if size:
            spots.update((start + size - 1, start + size))
        top = max(top, start + size)

    with open(path, "rb") as f:
        for raw in f:
            t = raw.split()
            if not t:
                continue
            if t[0] in (b"FUNC", b"PUBLIC"):
                if len(t) > 1 and t[1] == b"m":
                    t = t[1:]
                if t[0] == b"FUNC" and len(t) >= 3:
                    span(hexval(t[1]), hexval(t[2]))
                elif len(t) >= 2:
                    span(hexval(t[1]), 0)
            elif t[0] == b"STACK" and len(t) >= 4 and t[1] == b"CFI" and t[2] == b"INIT":
                span(hexval(t[3]), hexval(t[4]) if len(t) > 4 else None)
            elif t[0] == b"STACK" and len(t) >= 3 and t[1] == b"CFI":
                a = hexval(t[2])
                if a is not None:
                    spots.update((a - 1, a))
            elif t[0] == b"STACK" and len(t) >= 5 and t[1] == b"WIN":
                span(hexval(t[3]), hexval(t[4]))
            elif t[0] == b"INLINE":
                # INLINE level line [file] origin (address size)+: the call-site file is
                # there when the token count is odd.
                first = 5 if len(t) % 2 else 4
                for i in range(first, len(t) - 1, 2):
                    span(hexval(t[i]), hexval(t[i + 1]))
            elif len(t) == 4 and hexval(t[0]) is not None:
                start, size = hexval(t[0]), hexval(t[1])
                if size is not None:
                    spots.update((start, start + max(size, 1) - 1, start + size))
                    top = max(top, start + size)
    spots = sorted(a for a in spots if 0 <= a < 1 << 64)
    rng = random.Random(zlib.crc32(label.encode()))
    if cap and len(spots) > cap:
        spots = sorted(rng.sample(spots, SAMPLED))
    hi = min(top + 0x100, (1 << 64) - 1)
    spots = set(spots)
    spots.update(rng.randint(0, hi) for _ in range(RANDOM_COUNT))
    return sorted(spots)


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def loads(data):
    return json.loads(data.decode("utf-8", "surrogateescape"))


def referee_answers(referee, sym, addrs):
    rc, out, err = run([referee, sym], "".join("0x%x\n" % a for a in addrs).encode())
    if rc != 0:
        raise RuntimeError("bp_symbolize exited %d: %s" % (rc, err.decode(errors="replace").strip()[-500:]))
    return [loads(line) for line in out.splitlines() if line.strip()], out


def dmpread_answers(dmpread, sym, addrs):
    answers, raw = [], []
    for i in range(0, len(addrs), BATCH):
        batch = addrs[i:i + BATCH]
        rc, out, err = run([dmpread, "symbolize", "--json", sym] + ["0x%x" % a for a in batch])
        if rc not in (0, 1):
            raise RuntimeError("dmpread symbolize exited %d: %s"
                               % (rc, err.decode(errors="replace").strip()[-500:]))
        try:
            doc = loads(out)
            res = doc["results"]
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError("dmpread symbolize --json printed no results array (%s)" % e)
        if len(res) != len(batch):
            raise RuntimeError("dmpread gave %d results for %d addresses" % (len(res), len(batch)))
        answers.extend(res)
        raw.append(out)
    return answers, b"\n".join(raw)


def canon_hex(v):
    if isinstance(v, str) and re.fullmatch(r"0[xX][0-9a-fA-F]+", v):
        return "0x%x" % int(v, 16)
    return v


def sort_key(name):
    return name.encode("utf-8", "surrogateescape")


def serialize_cfi(v):
    """dmpread's {"start","size","rules":[{"register","expr"}]} as Serialize() writes it."""
    if not isinstance(v, dict):
        return " ".join(v.split()) if isinstance(v, str) else v
    rules = {}
    for r in v.get("rules") or []:
        rules[r.get("register")] = " ".join(str(r.get("expr")).split())
    parts = [k for k in (".cfa", ".ra") if k in rules]
    parts += sorted((k for k in rules if k not in (".cfa", ".ra")), key=sort_key)
    return " ".join("%s: %s" % (k, rules[k]) for k in parts)


def canon(member, v, dmpread_side):
    if member in HEX_MEMBERS:
        return canon_hex(v)
    if member == "inlines" and isinstance(v, list):
        return [{k: canon_hex(x.get(k, "<absent>")) if isinstance(x, dict) else x
                 for k in INLINE_MEMBERS} for x in v]
    if member == "win" and isinstance(v, dict):
        return {k: canon_hex(v.get(k, "<absent>")) for k in WIN_MEMBERS}
    if member == "cfi" and dmpread_side:
        return serialize_cfi(v)
    return v


def compare(dm, bp):
    """[(member, class, dmpread value, Breakpad value)] for every member that differs."""
    if not isinstance(dm, dict):
        dm = {}
    d = {m: canon(m, dm.get(m, "<absent>"), True) for m in MEMBERS}
    b = {m: canon(m, bp.get(m), False) for m in MEMBERS}
    out = [m for m in MEMBERS if d[m] != b[m] or type(d[m]) != type(b[m])]
    cls = classify(d, b, out)
    return [(m, cls.get(m, ""), d[m], b[m]) for m in out]


# ---- Named classes of differences, so that an allow entry can name one and nothing else ------
def classify(d, b, members):
    """{member: class} for the differences a known cause explains completely."""
    if members and b["kind"] is None and d["kind"] == "public" and d["function_start"] == "0x0":
        # Breakpad leaves out PUBLIC records at address 0 (ParsePublicSymbol).
        if set(members) <= {"kind", "function", "function_start", "param_size", "multiple"}:
            return {m: "public-at-zero" for m in members}
    if "inlines" in members and inline_nesting(d, b):
        return {m: "inline-nesting" for m in members if m in ("inlines", "file", "line")}
    return {}


def inline_nesting(d, b):
    """Whether Breakpad's inline frames are dmpread's records, some left out or nested in
    another order, with every file and line following from that order by the rule both use
    (the innermost frame shows the line table's line, every other frame the call site of the
    frame inside it, the function the outermost call site). Breakpad nests INLINE ranges in
    file order in a ContainedRangeMap: equal ranges nest by the order they come in, and a range
    that partly overlaps one stored before it is dropped."""
    if not isinstance(d["inlines"], list) or not isinstance(b["inlines"], list):
        return False
    key = lambda x: (x["function"], x["start"])
    where = lambda x: (x["file"], x["line"])
    dmi, bpi = d["inlines"], b["inlines"]
    keys = [key(x) for x in dmi]
    if len(set(keys)) != len(keys) or not all(key(x) in keys for x in bpi):
        return False
    top = (d["file"], d["line"])
    line_table = where(dmi[0]) if dmi else top
    call_site = {key(x): (where(dmi[i + 1]) if i + 1 < len(dmi) else top)
                 for i, x in enumerate(dmi)}
    shown = line_table
    for x in bpi:
        if where(x) != shown:
            return False
        shown = call_site[key(x)]
    return (b["file"], b["line"]) == shown


def load_allow(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 4 or not cols[3].strip():
                raise SystemExit("FAIL %s line %d: want FILE ADDRESS MEMBER REASON" % (path, n))
            addr = None if cols[1] == "*" else int(cols[1], 16)
            rules.append({"line": n, "file": cols[0], "addr": addr, "member": cols[2],
                          "reason": cols[3], "used": 0})
    return rules


def explained(rules, label, addr, member, cls):
    """MEMBER in an entry is a member, *, MEMBER:CLASS or *:CLASS."""
    for r in rules:
        m, _, c = r["member"].partition(":")
        if (fnmatch.fnmatchcase(label, r["file"]) and r["addr"] in (None, addr)
                and m in ("*", member) and c in ("", cls)):
            r["used"] += 1
            return True
    return False


def show(v):
    return json.dumps(v, ensure_ascii=False)


def main():
    referee, dmpread, symbols, allow, keep, cap = sys.argv[1:7]
    cap = int(cap)
    rules = load_allow(allow)
    files = []
    for root, dirs, names in os.walk(symbols):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".sym")]
    if not files:
        print("SKIPPED: no .sym files under %s" % symbols)
        return 77
    failed = False
    totals = {m: 0 for m in MEMBERS}
    classes = {}
    rows = []
    sample = None
    for path in files:
        label = os.path.relpath(path, symbols)
        addrs = pick_addresses(path, label, cap)
        try:
            bp, bp_raw = referee_answers(referee, path, addrs)
            dm, dm_raw = dmpread_answers(dmpread, path, addrs)
        except RuntimeError as e:
            print("FAIL %s: %s" % (label, e))
            failed = True
            continue
        if keep:
            stem = os.path.join(keep, label.replace(os.sep, "__"))
            with open(stem + ".addresses", "w") as f:
                f.write("".join("0x%x\n" % a for a in addrs))
            with open(stem + ".breakpad.jsonl", "wb") as f:
                f.write(bp_raw)
            with open(stem + ".dmpread.json", "wb") as f:
                f.write(dm_raw)
        if len(bp) != len(addrs):
            print("FAIL %s: bp_symbolize gave %d answers for %d addresses"
                  % (label, len(bp), len(addrs)))
            failed = True
            continue
        per = {m: 0 for m in MEMBERS}
        agree = allowed = 0
        shown = []
        for addr, d, b in zip(addrs, dm, bp):
            diffs = compare(d, b)
            if not diffs:
                agree += 1
                if sample is None and b.get("kind"):
                    sample = (d, b)
                continue
            unexplained = [x for x in diffs if not explained(rules, label, addr, x[0], x[1])]
            if not unexplained:
                allowed += 1
                continue
            for cls in sorted({x[1] for x in unexplained}):
                classes[(label, cls)] = classes.get((label, cls), 0) + 1
            for m, cls, dv, bv in unexplained:
                per[m] += 1
                totals[m] += 1
                if len(shown) < SHOW:
                    shown.append("  0x%x %s%s: dmpread %s, breakpad %s"
                                 % (addr, m, " (%s)" % cls if cls else "", show(dv), show(bv)))
        bad = len(addrs) - agree - allowed
        rows.append((label, len(addrs), agree, allowed, bad, per))
        if bad:
            failed = True
            print("DIFF %s: %d of %d addresses differ; the first %d differences:"
                  % (label, bad, len(addrs), len(shown)))
            print("\n".join(shown))

    # The summary: one row a file, then the differences by member.
    w = max([len(r[0]) for r in rows] + [5])
    print()
    print("%-*s %7s %7s %7s %7s" % (w, "file", "addrs", "agree", "allowed", "differ"))
    for label, n, agree, allowed, bad, _ in rows:
        print("%-*s %7d %7d %7d %7d" % (w, label, n, agree, allowed, bad))
    print()
    print("differences by member (an address may differ in several):")
    print("%-*s %s" % (w, "file", " ".join(MEMBERS[1:])))
    for label, _, _, _, bad, per in rows:
        if bad:
            print("%-*s %s" % (w, label, " ".join("%*d" % (len(m), per[m]) for m in MEMBERS[1:])))
    print("%-*s %s" % (w, "total", " ".join("%*d" % (len(m), totals[m]) for m in MEMBERS[1:])))

    if classes:
        print()
        print("differing addresses by class (\"\" is no known class):")
        for (label, cls), n in sorted(classes.items()):
            print("%-*s %-16s %7d" % (w, label, cls or '""', n))

    # Can the comparison fail? An agreeing answer with Breakpad's function name altered.
    if sample is None:
        print("FAIL: no address where both named a function: nothing was really compared")
        failed = True
    else:
        d, b = sample
        altered = dict(b, function=str(b.get("function")) + "~")
        if [(x[0], x[1]) for x in compare(d, altered)] == [("function", "")]:
            print("self-check: an altered function name in an agreeing answer is caught")
        else:
            print("FAIL: an altered function name in an agreeing answer went unnoticed")
            failed = True
    for r in rules:
        if not r["used"]:
            print("STALE %s line %d (%s %s %s): explains nothing"
                  % (os.path.basename(allow), r["line"], r["file"],
                     "*" if r["addr"] is None else "0x%x" % r["addr"], r["member"]))
    print("%d files, %d addresses" % (len(rows), sum(r[1] for r in rows)))
    print("sym differential: " + ("FAILED" if failed else "OK"))
    return 1 if failed else 0


sys.exit(main())
EOF

start=$(date +%s)
python3 "$tmp/symdiff.py" "$referee" "$dmpread" "$symbols" "$allow" "$keep" "$max"
rc=$?
echo "$(($(date +%s) - start))s"
exit "$rc"
