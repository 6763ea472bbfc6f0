#!/usr/bin/env python3
# elf_cfi_diff.py - src/image's CFI rows and symbols against binutils' readelf, over ELF files.
# SPDX-License-Identifier: MIT
#
# usage: elf_cfi_diff.py DUMPER FILE...
#   DUMPER is tests/elf_cfi_dump (built with the library). For each FILE, readelf
#   --debug-dump=frames-interp gives every FDE's rule table; the PCs checked are each row's
#   first and last byte, each FDE's last byte and a few seeded random PCs inside every FDE
#   (PCs inside two FDEs are skipped: which one a lookup finds is not defined). Our row for
#   each PC must start at readelf's LOC and have the same CFA rule and the same rule in every
#   column readelf shows (readelf's "u" is both "no rule" and DW_CFA_undefined). .debug_frame
#   FDEs are checked where no .eh_frame FDE covers the PC, as our lookup only then uses them.
#   Each file with PT_GNU_EH_FRAME is checked again with its section headers removed (CFI then
#   comes from the program headers alone; .debug_frame is gone). Then readelf -n's build id, and readelf -sW's sized function symbols: a lookup at the
#   start and last byte of each must give the innermost sized function symbol covering it.
# Exits 0 when all agree, 1 on a difference (the first ones printed), 77 when readelf is
# missing.
import bisect
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

MAX_COLUMNS = 40  # DMPI_CFI_COLUMNS: higher columns are not kept
PCS_PER_FILE = 40000

# readelf's DWARF register names (binutils dwarf.c), by machine.
X86_64 = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp"] + [
    "r%d" % i for i in range(8, 16)] + ["rip"] + ["xmm%d" % i for i in range(16)]
I386 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags"]
AARCH64 = ["x%d" % i for i in range(31)] + ["sp"]
NAMES = {"amd64": X86_64, "x86": I386, "arm64": AARCH64}

LINE_RE = re.compile(r"^([0-9a-f]{8,16}) ([0-9a-f]+) ([0-9a-f]+) (CIE|FDE)(.*)$")
REG_RULE = re.compile(r"\br(\d+) \(([^)]*)\)")


def readelf_frames(path):
    """Every FDE: (section, start, end, cie ra column, rows [(loc, cfa, {col name: rule})])."""
    out = subprocess.run(["readelf", "--debug-dump=frames-interp", path], capture_output=True,
                         text=True, check=False).stdout
    fdes, cies = [], {}
    section, cur, header = None, None, None
    for raw in out.splitlines():
        line = REG_RULE.sub(r"r\1", raw)
        m = re.match(r"Contents of the (\S+) section", line)
        if m:
            section = m.group(1)
            continue
        m = LINE_RE.match(line)
        if m:
            off, kind, rest = m.group(1), m.group(4), m.group(5)
            if kind == "CIE":
                ra = re.search(r"ra=(\d+)", rest)
                cur = {"rows": [], "ra": int(ra.group(1)) if ra else None}
                cies[(section, int(off, 16))] = cur
            else:
                pm = re.search(r"cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)", rest)
                cie = cies.get((section, int(pm.group(1), 16)))
                cur = {"rows": [], "cie": cie, "section": section,
                       "start": int(pm.group(2), 16), "end": int(pm.group(3), 16)}
                fdes.append(cur)
            header = None
            continue
        toks = line.split()
        if not toks:
            header = None  # a blank line ends the table
        elif toks[:2] == ["LOC", "CFA"]:
            header = toks[2:]
        elif header is not None and cur is not None and re.fullmatch(r"[0-9a-f]+", toks[0]):
            cur["rows"].append((int(toks[0], 16), toks[1], dict(zip(header, toks[2:]))))
    for f in fdes:
        cie = f["cie"] or {"rows": [], "ra": None}
        f["ra"] = cie["ra"]
        if not f["rows"] and cie["rows"]:  # all nops: readelf prints no table
            _, cfa, cols = cie["rows"][-1]
            f["rows"] = [(f["start"], cfa, cols)]
    return [f for f in fdes if f["end"] > f["start"]]


def cpu_of(dumper, path):
    out = subprocess.run([dumper, path, "info"], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit("%s: %s" % (path, out.stderr.strip()))
    info = dict(l.split(" ", 1) if " " in l else (l, "") for l in out.stdout.splitlines())
    return info


def column_number(name, names, ra):
    if name == "ra":
        return ra
    if name in names:
        return names.index(name)
    m = re.fullmatch(r"r(\d+)", name)
    return int(m.group(1)) if m else None


def normal_rule(rule, names):
    """readelf's rule in our notation: register rules by number."""
    if rule not in ("u", "s", "exp", "vexp") and not re.fullmatch(r"[cv][+-]\d+", rule):
        n = column_number(rule, names, None)
        return "r%d" % n if n is not None else rule
    return rule


def normal_cfa(cfa, names):
    if cfa == "exp":
        return "exp"
    m = re.fullmatch(r"(\w+?)([+-]\d+)", cfa)
    if not m:
        return cfa
    n = column_number(m.group(1), names, None)
    return "r%d%+d" % (n, int(m.group(2))) if n is not None else cfa


def expected_rows(fdes, rng, eh_only):
    """{pc: (fde, row index)} for the PCs to check."""
    eh = [f for f in fdes if f["section"] == ".eh_frame"]
    dbg = [f for f in fdes if f["section"] != ".eh_frame" and not eh_only]
    starts = sorted((f["start"], f["end"]) for f in eh)
    eh_starts = [s for s, _ in starts]

    def eh_covers(pc):
        i = bisect.bisect_right(eh_starts, pc)
        return any(s <= pc < e for s, e in starts[max(0, i - 3):i])

    cover = {}
    for group, is_eh in ((eh, True), (dbg, False)):
        for f in group:
            pcs = {f["end"] - 1}
            locs = [r[0] for r in f["rows"]]
            for i, loc in enumerate(locs):
                pcs.add(loc)
                nxt = locs[i + 1] if i + 1 < len(locs) else f["end"]
                pcs.add(nxt - 1)
            for _ in range(3):
                pcs.add(rng.randrange(f["start"], f["end"]))
            for pc in pcs:
                if not f["start"] <= pc < f["end"] or (not is_eh and eh_covers(pc)):
                    continue
                if pc in cover and cover[pc][0] is not f:
                    cover[pc] = None  # two FDEs of one section cover it
                    continue
                if pc in cover and cover[pc] is None:
                    continue
                idx = bisect.bisect_right(locs, pc) - 1
                cover[pc] = (f, idx)
    return {pc: v for pc, v in cover.items() if v is not None and v[1] >= 0}


def check_rows(dumper, path, names, fdes, problems, eh_only=False):
    rng = random.Random(path)
    want = expected_rows(fdes, rng, eh_only)
    pcs = sorted(want)
    if len(pcs) > PCS_PER_FILE:
        pcs = sorted(rng.sample(pcs, PCS_PER_FILE))
    out = subprocess.run([dumper, path, "rows"], input="".join("%x\n" % pc for pc in pcs),
                         capture_output=True, text=True, check=False).stdout.splitlines()
    if len(out) != len(pcs):
        problems.append("%s: the dumper answered %d of %d pcs" % (path, len(out), len(pcs)))
        return 0
    for pc, line in zip(pcs, out):
        f, idx = want[pc]
        loc, cfa, cols = f["rows"][idx]
        toks = line.split()
        where = "%s pc %x (FDE %x..%x)" % (path, pc, f["start"], f["end"])
        if len(toks) < 2 or toks[1] != "ok":
            problems.append("%s: ours %s, readelf row at %x" % (where, " ".join(toks[1:]), loc))
            continue
        ours = dict(t.split("=", 1) for t in toks[3:])
        if int(toks[2], 16) != loc:
            problems.append("%s: row starts at %s, readelf %x" % (where, toks[2], loc))
        if ours.get("cfa") != normal_cfa(cfa, names):
            problems.append("%s: cfa %s, readelf %s" % (where, ours.get("cfa"), cfa))
        ra = int(ours.get("ra", "-1"))
        if f["ra"] is not None and ra != f["ra"]:
            problems.append("%s: ra column %d, readelf %d" % (where, ra, f["ra"]))
        seen = set()
        for name, rule in cols.items():
            col = column_number(name, names, ra)
            if col is None or col >= MAX_COLUMNS:
                continue
            seen.add(col)
            mine = ours.get(str(col), "u")
            if mine != normal_rule(rule, names):
                problems.append("%s: column %s: %s, readelf %s" % (where, name, mine, rule))
        for key, rule in ours.items():
            if key.isdigit() and int(key) not in seen and rule != "u":
                problems.append("%s: column %s has %s, readelf shows none" % (where, key, rule))
    return len(pcs)


def check_build_id(path, info, problems):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True,
                         check=False).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    want = m.group(1) if m else ""
    if info.get("build_id", "") != want:
        problems.append("%s: build id %r, readelf %r" % (path, info.get("build_id"), want))


def check_symbols(dumper, path, problems):
    out = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True,
                         check=False).stdout
    tables, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"Symbol table '(\S+)'", line)
        if m:
            cur = tables.setdefault(m.group(1), [])
            continue
        t = line.split()
        if cur is None or len(t) < 8 or not t[0].endswith(":"):
            continue
        if t[3] not in ("FUNC", "IFUNC") or t[6] in ("UND", "ABS") or t[7].startswith("$"):
            continue
        size = int(t[2], 16) if t[2].startswith("0x") else int(t[2])
        value = int(t[1], 16)
        if size and value:
            cur.append((value, size))
    funcs = tables.get(".symtab") or tables.get(".dynsym") or []
    if not funcs:
        return 0
    funcs = sorted(set(funcs))
    starts = [v for v, _ in funcs]
    rng = random.Random(path + "syms")
    sample = funcs if len(funcs) <= 3000 else rng.sample(funcs, 3000)
    queries = sorted({q for v, s in sample for q in (v, v + s - 1)})

    def innermost(addr):  # the covering symbol with the greatest start
        i = bisect.bisect_right(starts, addr)
        best = None
        for v, s in funcs[max(0, i - 64):i]:
            if v <= addr < v + s and (best is None or v > best):
                best = v
        return best

    res = subprocess.run([dumper, path, "syms"], input="".join("%x\n" % q for q in queries),
                         capture_output=True, text=True, check=False).stdout.splitlines()
    for q, line in zip(queries, res):
        t = line.split()
        got = int(t[1], 16) if len(t) >= 3 else None
        want = innermost(q)
        if got != want:
            problems.append("%s: symbol at %x: ours %s, expected start %s" %
                            (path, q, line, "%x" % want if want is not None else "none"))
    return len(queries)


def without_section_headers(path, tmp):
    """A copy of path with e_shoff, e_shnum and e_shstrndx zeroed (as sstrip leaves a file),
    or None when the file has no PT_GNU_EH_FRAME to find its CFI by."""
    out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                         check=False).stdout
    if "GNU_EH_FRAME" not in out:
        return None
    data = bytearray(open(path, "rb").read())
    if data[4] == 2:  # ELFCLASS64
        data[40:48] = bytes(8)
        data[60:64] = bytes(4)
    else:
        data[32:36] = bytes(4)
        data[48:52] = bytes(4)
    copy = os.path.join(tmp, os.path.basename(path) + ".noshdr")
    with open(copy, "wb") as f:
        f.write(data)
    return copy


def main():
    if len(sys.argv) < 3:
        print("usage: elf_cfi_diff.py DUMPER FILE...", file=sys.stderr)
        return 2
    if not shutil.which("readelf"):
        print("readelf not found (binutils): skipped")
        return 77
    dumper, problems, total = sys.argv[1], [], 0
    tmp = tempfile.mkdtemp(prefix="elf_cfi_diff.")
    for path in sys.argv[2:]:
        info = cpu_of(dumper, path)
        names = NAMES.get(info.get("cpu"), [])
        fdes = readelf_frames(path)
        n = check_rows(dumper, path, names, fdes, problems)
        check_build_id(path, info, problems)
        s = check_symbols(dumper, path, problems)
        print("%s: %s, %d FDEs, %d pcs, %d symbol lookups compared" %
              (path, info.get("cpu"), len(fdes), n, s))
        total += n
        copy = without_section_headers(path, tmp)
        if copy:
            n = check_rows(dumper, copy, names, fdes, problems, eh_only=True)
            print("%s without section headers: %d pcs compared" % (path, n))
            total += n
    shutil.rmtree(tmp, ignore_errors=True)
    for p in problems[:40]:
        print(p)
    if problems:
        print("%d differences" % len(problems))
        return 1
    print("all agree (%d pcs)" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
