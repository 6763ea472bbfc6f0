"""dmpread's stack walks against Breakpad's minidump_stackwalk, frame by frame (stack_diff.sh).

SPDX-License-Identifier: MIT

For every dump in the shared MANIFEST.tsv, without symbols and with the symbol folders:
Breakpad's `minidump_stackwalk DUMP [SYMDIRS]` (its human output) once, and
`dmpread stack --all --json --registers [--symbols DIR]... DUMP` twice, by default and with
--breakpad. Threads are paired in order, leaving out the ones dmpread marks skipped (Breakpad
drops the dump-writing thread from its list), frames by index after dmpread's inline frames
are flattened (innermost first, before the frame that holds them, as Breakpad numbers them).
Compared per frame: instruction and stack_pointer (the rip/eip/pc and rsp/esp/sp register
lines Breakpad prints), trust (its "Found by" text), module, module_offset, function,
function_offset (where Breakpad prints one), file (basename), line and the registers Breakpad
prints (dmpread's JSON "eflags" is Breakpad's "efl"); per thread the crashed marker and, for
the whole dump, the thread count. A frame one side has and the other lacks differs in its
member "frame".

A difference gets a class when its cause is proved from the two outputs and the dump (see
classify_*), and is explained by an entry of the allow-list (stack_allow.tsv): DUMP THREAD
FRAME MEMBER CLASS REASON, tab-separated; DUMP a label (FOLDER/NAME, globs * and ?), THREAD
and FRAME numbers or *, MEMBER a member or *, CLASS a class. Classes are checked for the mode
they are valid in (the improvements only in the default mode: --breakpad turns them off), so
an entry naming one cannot explain a --breakpad difference. A frame counts as explained when
every difference in it is.

With --expected (Breakpad's `minidump_stackwalk -m` output for a dump, e.g.
../shared/expected/breakpad/minidump2.stackwalk.machine_readable.out) and --expected-dump,
dmpread's crashing thread of that dump with the symbols must reproduce the file's
crashing-thread lines exactly: thread|frame|module|function|file|line|offset.

After the run, one agreeing frame is compared again with Breakpad's instruction and function
altered: the comparison must catch both. Exit 0 when everything agrees or is explained, 1
otherwise.
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import subprocess
import sys
import time

MEMBERS = ["frame", "instruction", "stack_pointer", "trust", "module", "module_offset",
           "function", "function_offset", "file", "line", "registers"]
THREAD_MEMBERS = ["threads", "crashed", "dump"]
TRUST = {
    "given as instruction pointer in context": "context",
    "call frame info": "cfi",
    "call frame info with scanning": "cfi_scan",
    "previous frame's frame pointer": "frame_pointer",
    "stack scanning": "scan",
    "simulating a return from leaf function": "leaf",
    "inline record": "inline",
    "recovered by external stack walker": "prewalked",
    "unknown": "none",
}
IP_REG = ["eip", "rip", "pc", "srr0"]
SP_REG = ["esp", "rsp", "sp"]
# dmpread's JSON register names that Breakpad's text prints otherwise (its text says "efl").
REG_TEXT_NAME = {"eflags": "efl"}
MODES = ["breakpad", "default"]
SHOW = 40
TIMEOUT = 120
FP_END = "end of the frame-pointer chain"

# Classes: name -> (modes it may explain, what it means). A classifier names a class only
# with the evidence the comment at its function gives.
CLASSES = {
    "peer-rejected-dump": (("breakpad", "default"),
                           "Breakpad refused the whole dump (its message is kept); dmpread read it"),
    "memory64-stack": (("default",),
                       "the thread's stack is only in the Memory64List, which Breakpad does not "
                       "read: it stops after frame 0"),
    "fp-chain-end": (("default",),
                     "dmpread ended the walk where the frame-pointer chain ends; Breakpad "
                     "rejected that record and went on scanning"),
    "return-checked": (("default",),
                       "dmpread refused a CFI or scanned return address (not in a module nor "
                       "in executable memory, or non-canonical); Breakpad walked through it"),
    "lldb-context": (("breakpad", "default"),
                     "a 720-byte LLDB AMD64 context Breakpad cannot read; dmpread walks it"),
    "xsave-context": (("breakpad", "default"),
                      "an x86 context with an XSAVE area after it (CONTEXT_XSTATE, 1147 bytes) "
                      "Breakpad cannot read; dmpread reads the CONTEXT part and walks it"),
}


def hexint(s):
    if s is None:
        return None
    if isinstance(s, int):
        return s
    return int(s, 16)


def basename(path):
    """PathnameStripper::File: the part after the last / or \\."""
    if path is None:
        return None
    return re.split(r"[/\\]", path)[-1]


# ---- Breakpad's human output --------------------------------------------------------------
THREAD_RE = re.compile(r"^Thread (\d+)(?: \((.*)\))?$")
FRAME_RE = re.compile(r"^ ?(\d+)  (.*)$")
REG_RE = re.compile(r"([a-z][a-z0-9]*) = 0x([0-9a-f]+)")
MODLINE_RE = re.compile(r"^0x([0-9a-f]+) - 0x([0-9a-f]+)  (.*)$")
SOURCE_RE = re.compile(r"^(.*) \[(.*) : (\d+) \+ 0x([0-9a-f]+)\]$")
OFFSET_RE = re.compile(r"^(.*) \+ 0x([0-9a-f]+)$")


def parse_module_line(rest):
    """'NAME  VERSION[  (note)]...' -> NAME. Names may hold spaces, versions do not."""
    while True:
        m = re.match(r"^(.*)  \([^()]*\)$", rest)
        if not m:
            break
        rest = m.group(1)
    i = rest.rfind("  ")
    return rest[:i] if i >= 0 else rest


def parse_breakpad(text):
    """{'threads': [{'index','crashed','frames':[...]}], 'modules': [(base, end, name)]}."""
    lines = text.split("\n")
    modules = []
    in_modules = False
    for line in lines:
        if line == "Loaded modules:":
            in_modules = True
            continue
        if in_modules:
            m = MODLINE_RE.match(line)
            if m:
                modules.append((int(m.group(1), 16), int(m.group(2), 16),
                                parse_module_line(m.group(3))))
    names = sorted({m[2] for m in modules}, key=len, reverse=True)
    threads = []
    cur = None
    frame = None
    for line in lines:
        if line == "Loaded modules:":
            break
        m = THREAD_RE.match(line)
        if m:
            cur = {"index": int(m.group(1)), "crashed": m.group(2) == "crashed",
                   "note": m.group(2), "frames": []}
            threads.append(cur)
            frame = None
            continue
        if cur is None:
            continue
        m = FRAME_RE.match(line)
        if m:
            frame = parse_frame_header(int(m.group(1)), m.group(2), names)
            cur["frames"].append(frame)
            continue
        if frame is None:
            continue
        s = line.strip()
        if s.startswith("Found by: "):
            t = s[len("Found by: "):]
            frame["trust"] = TRUST.get(t, "?" + t)
        elif REG_RE.search(s):
            for name, val in REG_RE.findall(s):
                frame["registers"][name] = int(val, 16)
    threads.sort(key=lambda t: t["index"])
    for t in threads:
        for f in t["frames"]:
            regs = f["registers"]
            f["instruction"] = next((regs[r] for r in IP_REG if r in regs), None)
            # r1 is the stack pointer only on PowerPC (srr0 its instruction pointer).
            sp_names = SP_REG + (["r1"] if "srr0" in regs else [])
            f["stack_pointer"] = next((regs[r] for r in sp_names if r in regs), None)
            if f["instruction"] is not None and f["module"] is not None and f["module_offset"] is None:
                f["module_offset"] = module_offset(modules, f["module"], f["instruction"])
    return {"threads": threads, "modules": modules}


def module_offset(modules, name, addr):
    for base, end, n in modules:
        if n == name and base <= addr <= end:
            return addr - base
    return None


def parse_frame_header(num, rest, names):
    """PrintFrameHeader: 'MODULE!FUNCTION [FILE : LINE + 0xOFF]', 'MODULE!FUNCTION + 0xOFF',
    'MODULE + 0xOFF' or '0xADDRESS'. The module is the longest loaded module name that fits."""
    f = {"frame": num, "module": None, "module_offset": None, "function": None,
         "function_offset": None, "file": None, "line": None, "line_offset": None,
         "trust": None, "registers": {}, "header": rest}
    module = None
    for n in names:
        if rest.startswith(n + "!") or re.fullmatch(re.escape(n) + r" \+ 0x[0-9a-f]+", rest):
            module = n
            break
    if module is None:
        if re.fullmatch(r"0x[0-9a-f]+", rest):
            f["address"] = int(rest, 16)
            return f
        m = re.match(r"^([^!]*?)(?:!| \+ 0x)", rest)  # a module the list did not name
        module = m.group(1) if m else rest
    f["module"] = module
    tail = rest[len(module):]
    if tail.startswith(" + 0x"):
        f["module_offset"] = int(tail[5:], 16)
        return f
    tail = tail[1:]
    m = SOURCE_RE.match(tail)
    if m:
        f["function"], f["file"] = m.group(1), m.group(2)
        f["line"], f["line_offset"] = int(m.group(3)), int(m.group(4), 16)
        return f
    m = OFFSET_RE.match(tail)
    if m:
        f["function"], f["function_offset"] = m.group(1), int(m.group(2), 16)
    else:
        f["function"] = tail
    return f


# ---- dmpread's JSON -------------------------------------------------------------------------
def flatten(frames):
    """dmpread's frames with their inlines before them, innermost first, numbered as Breakpad."""
    out = []
    for f in frames:
        for inl in f.get("inlines") or []:
            out.append({"frame": len(out), "outer": f["frame"], "trust": "inline",
                        "instruction": None, "stack_pointer": None,
                        "module": f.get("module"), "module_offset": None,
                        "function": inl.get("function"), "function_offset": None,
                        "file": inl.get("file"), "line": inl.get("line"), "registers": None})
        g = dict(f)
        g["outer"] = f["frame"]
        g["frame"] = len(out)
        out.append(g)
    return out


# ---- Comparison -------------------------------------------------------------------------------
def compare_frame(d, b):
    """[(member, dmpread value, Breakpad value)]."""
    diffs = []
    inline = b["trust"] == "inline" or d["trust"] == "inline"

    def cmp(member, dv, bv):
        if dv != bv:
            diffs.append((member, dv, bv))

    if not inline:
        cmp("instruction", hexint(d.get("instruction")), b["instruction"])
        cmp("stack_pointer", hexint(d.get("stack_pointer")), b["stack_pointer"])
    cmp("trust", d.get("trust"), b["trust"])
    cmp("module", d.get("module"), b["module"])
    if not inline and b["module"] is not None and d.get("module") == b["module"]:
        cmp("module_offset", hexint(d.get("module_offset")), b["module_offset"])
    if b["module"] is None and b.get("address") is not None and d.get("module") is None:
        cmp("instruction", hexint(d.get("instruction")), b["address"])
    cmp("function", d.get("function"), b["function"])
    if b["function_offset"] is not None and d.get("function") == b["function"]:
        cmp("function_offset", hexint(d.get("function_offset")), b["function_offset"])
    cmp("file", basename(d.get("file")), b["file"])
    cmp("line", d.get("line"), b["line"])
    if not inline and b["registers"]:
        dr = {REG_TEXT_NAME.get(k, k): hexint(v) for k, v in (d.get("registers") or {}).items()}
        br = b["registers"]
        if dr != br:
            only_d = {k: "0x%x" % v for k, v in dr.items() if k not in br}
            only_b = {k: "0x%x" % v for k, v in br.items() if k not in dr}
            changed = {k: ("0x%x" % dr[k], "0x%x" % br[k]) for k in dr
                       if k in br and dr[k] != br[k]}
            dv = {"only_dmpread": only_d, "differ": {k: v[0] for k, v in changed.items()}}
            bv = {"only_breakpad": only_b, "differ": {k: v[1] for k, v in changed.items()}}
            diffs.append(("registers", dv, bv))
    return diffs


def fmt(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return "0x%x" % v
    return json.dumps(v, ensure_ascii=False)


class Dump:
    """What the classifiers need to know about a dump, read from dmpread once when asked."""

    def __init__(self, dmpread, path):
        self.dmpread, self.path = dmpread, path
        self._ranges = self._threads = None

    def _json(self, cmd):
        p = subprocess.run([self.dmpread, cmd, "--json", self.path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        try:
            return json.loads(p.stdout.decode("utf-8", "surrogateescape"))
        except ValueError:
            return {}

    def ranges(self):
        if self._ranges is None:
            self._ranges = self._json("ranges").get("ranges") or []
        return self._ranges

    def threads(self):
        if self._threads is None:
            self._threads = self._json("threads").get("threads") or []
        return self._threads

    def read(self, addr, size):
        """size bytes at addr as dmpread reads them, or None."""
        p = subprocess.run([self.dmpread, "--raw", self.path, "0x%x" % addr, str(size)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.stdout if p.returncode == 0 and len(p.stdout) == size else None

    def range_stream(self, addr):
        """The type of the stream whose range holds addr (5 MemoryListStream, 9
        Memory64ListStream), or None when no range does."""
        for r in self.ranges():
            start = hexint(r.get("start"))
            size = r.get("size")
            if start is not None and size is not None and start <= addr < start + size:
                return r.get("stream_type")
        return None


# ---- Classifiers ----------------------------------------------------------------------------
# Each takes the thread's context (ctx: both frame lists, dmpread flattened, the thread's JSON,
# the dump) and returns (class, first frame it explains) or None. Frames from that index on,
# every member, are then put in the class; frames before it must agree on their own.

def classify_context_size(ctx):
    """Breakpad prints no frames for the thread and logged that it could not read a context of
    N bytes ('MinidumpContext CPU size mismatch, N != M'), and dmpread reports the thread's
    context as N bytes and walks it: LLDB's 720-byte AMD64 layout (lldb-context) or a Windows
    context with an XSAVE area after it (xsave-context)."""
    dm, bp = ctx["dm"], ctx["bp"]
    if bp or not dm:
        return None
    sizes = {int(n) for n in re.findall(r"MinidumpContext \S+ size mismatch, (\d+) != \d+",
                                        ctx["bp_err"])}
    if "cannot read context" not in ctx["bp_err"] or not sizes:
        return None
    tid = ctx["thread"].get("thread_id")
    for t in ctx["dump"].threads():
        if t.get("id") == tid and t.get("context_size") in sizes:
            cpu = (t.get("context") or {}).get("cpu")
            if t.get("context_size") == 720 and cpu == "amd64":
                return ("lldb-context", 0)
            return ("xsave-context", 0)
    return None


def classify_memory64(ctx):
    """Breakpad has exactly frame 0 (the context), dmpread more; the stack pointer of frame 0
    lies in a range dmpread took from the Memory64ListStream, none from the MemoryList."""
    dm, bp = ctx["dm"], ctx["bp"]
    if len(bp) != 1 or len(dm) <= 1 or bp[0]["trust"] != "context":
        return None
    sp = bp[0]["stack_pointer"]
    if sp is None:
        return None
    if ctx["dump"].range_stream(sp) == 9:
        return ("memory64-stack", 1)
    return None


def frame_pointer(frame):
    regs = frame.get("registers") or {}
    for name in ("rbp", "ebp", "fp", "x29"):
        if name in regs:
            return regs[name]
    return None


def canonical(addr):
    return (addr >> 47) in (0, (1 << 17) - 1)


def classify_return_checked(ctx):
    """dmpread names the return address it refused (bad_return) and stopped there; Breakpad's
    frame at that index has exactly that instruction, and the address is non-canonical or in
    no module Breakpad lists."""
    dm, bp, t = ctx["dm"], ctx["bp"], ctx["thread"]
    bad = t.get("bad_return")
    if bad is None or len(bp) <= len(dm):
        return None
    bad_addr = hexint(bad.get("address") if isinstance(bad, dict) else bad)
    k = len(dm)
    if bp[k]["instruction"] != bad_addr:
        return None
    in_module = any(base <= bad_addr <= end for base, end, _ in ctx["bp_modules"])
    if not canonical(bad_addr) or not in_module:
        return ("return-checked", k)
    return None


def outermost_record(ctx, frame):
    """Whether the frame record at frame's frame pointer is [saved FP 0, return address below
    4096]: the record _start / thread_start push, which ends every chain."""
    fp = hexint(frame_pointer(frame))
    if not fp:
        return False
    width = 4 if ctx["x86"] else 8
    record = ctx["dump"].read(fp, 2 * width)
    if record is None:
        return False
    saved = int.from_bytes(record[:width], "little")
    ret = int.from_bytes(record[width:], "little")
    return saved == 0 and ret < 4096


def context_frame_is_main(ctx):
    """Whether the symbols name the function of the thread's context frame `main`, in this run
    or in the run of the same dump with symbols."""
    for t in (ctx["thread"], ctx.get("thread_sym")):
        frames = (t or {}).get("frames") or []
        if frames and frames[0].get("function") == "main":
            return True
    return False


def classify_fp_chain_end(ctx):
    """dmpread ended the walk where the frame-pointer chain ends, and Breakpad, from that frame
    on, found nothing but scanned frames. Breakpad's frame-pointer step refuses a caller frame
    pointer below the caller's stack pointer (GetCallerByFramePointerRecovery), 0 included, so
    it scans there. dmpread's end is proved by one of:

    (a) its last frame k was found by frame pointer, returns into a module and recovered a
        frame pointer of 0 (Linux's __libc_start_main), and the frame pointer followed was
        itself recovered (frame k-1 found by frame pointer or CFI);
    (b) its last frame was found by frame pointer or CFI (so its frame pointer was recovered,
        not the context's, which may belong to any outer frame) and the record there is
        [0, below 4096], the one _start or thread_start pushes (frame k is then the first one
        dmpread lacks);
    (c) its walk is the context frame and the caller the context's frame pointer gives, whose
        saved frame pointer links no further; the symbols name the context frame's function
        `main` (so the frame pointer is main's own) and that caller is in the C library
        (libc's start routine, which kept its own value in the register)."""
    dm, bp, t = ctx["dm"], ctx["bp"], ctx["thread"]
    if not dm or t.get("end") not in (FP_END, "instruction pointer below 4096"):
        return None
    last = dm[-1]
    k = None
    if (t.get("end") == FP_END and last.get("trust") == "frame_pointer"
            and last.get("module") is not None and hexint(frame_pointer(last)) == 0):
        below = dm[-2] if len(dm) >= 2 else None
        if below is not None and below.get("trust") in ("frame_pointer", "cfi"):
            k = len(dm) - 1
    if k is None and last.get("trust") in ("frame_pointer", "cfi") and outermost_record(ctx, last):
        k = len(dm)
    if k is None and t.get("end") == FP_END:
        outer = [f for f in dm if f.get("trust") != "inline"]
        if (len(outer) == 2 and outer[0].get("trust") == "context"
                and outer[1].get("trust") == "frame_pointer"
                and re.match(r"libc[.-]", outer[1].get("module") or "")
                and context_frame_is_main(ctx)):
            k = len(dm) - 1
    if k is None or k >= len(bp) or any(f["trust"] not in ("scan", "cfi_scan") for f in bp[k:]):
        return None
    return ("fp-chain-end", k)


CLASSIFIERS = [classify_context_size, classify_memory64, classify_return_checked,
               classify_fp_chain_end]


# ---- Breakpad's machine-readable output for one dump ----------------------------------------
LINE_OFFSET_RE = re.compile(r"^ ?(\d+)  .* : (\d+) \+ 0x([0-9a-f]+)\]$")


def expected_lines(path):
    """The crashing thread's frame lines of `minidump_stackwalk -m` output: the thread is the
    last field of the Crash line."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().splitlines()
    crash = next((l for l in lines if l.startswith("Crash|")), None)
    if crash is None:
        return None, []
    thread = crash.split("|")[-1]
    return int(thread), [l for l in lines if l.startswith(thread + "|")]


def dmpread_machine_lines(dmpread, dump, symbols, thread_index):
    """dmpread's crashing thread as Breakpad's -m lines: thread|frame|module|function|file|line|
    offset, module the module's file name, offset (hex) from the line's start when there is a
    line, else from the function's, else from the module's base. The JSON gives everything but
    the line's start; the text output's `[file : line + 0xoff]` gives that offset."""
    symargs = [a for s in symbols for a in ("--symbols", s)]
    rc, out, err = run([dmpread, "stack", "--json"] + symargs + [dump])
    if rc != 0:
        return None, "dmpread stack --json exited %d: %s" % (rc, err.strip()[-300:])
    rc, text, err = run([dmpread, "stack"] + symargs + [dump])
    if rc != 0:
        return None, "dmpread stack exited %d: %s" % (rc, err.strip()[-300:])
    doc = json.loads(out)
    threads = [t for t in doc.get("threads") or [] if not t.get("skipped")]
    crashed = next((t for t in threads if t.get("crashed")), None)
    if crashed is None:
        return None, "dmpread found no crashing thread"
    line_offsets = {}
    for l in text.split("\n"):
        m = LINE_OFFSET_RE.match(l)
        if m:
            line_offsets[int(m.group(1))] = int(m.group(3), 16)
    rows = []
    for f in flatten(crashed.get("frames") or []):
        module = basename(f.get("module")) or ""
        if f.get("line") is not None:
            if f["frame"] not in line_offsets:
                return None, "frame %d: no 'file : line + 0xoff' in the text output" % f["frame"]
            off = line_offsets[f["frame"]]
        elif f.get("function") is not None:
            off = hexint(f.get("function_offset"))
        else:
            off = hexint(f.get("module_offset"))
        rows.append("%d|%d|%s|%s|%s|%s|%s" % (
            thread_index, f["frame"], module, f.get("function") or "", f.get("file") or "",
            "" if f.get("line") is None else f["line"], "" if off is None else "0x%x" % off))
    return rows, None


def check_expected(dmpread, expected, dump, symbols):
    """[(expected line, dmpread line)] that differ (None for a missing line), or an error."""
    thread, want = expected_lines(expected)
    if not want:
        return None, "%s has no crashing-thread lines" % expected
    got, err = dmpread_machine_lines(dmpread, dump, symbols, thread)
    if err:
        return None, err
    diffs = [(want[i] if i < len(want) else None, got[i] if i < len(got) else None)
             for i in range(max(len(want), len(got)))
             if i >= len(want) or i >= len(got) or want[i] != got[i]]
    return {"want": want, "got": got, "diffs": diffs}, None


# ---- Running ------------------------------------------------------------------------------
def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), \
            p.stderr.decode("utf-8", "surrogateescape")
    except subprocess.TimeoutExpired:
        return -999, "", "timed out after %ds" % TIMEOUT


def load_allow(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 6 or not cols[5].strip():
                raise SystemExit("FAIL %s line %d: want DUMP THREAD FRAME MEMBER CLASS REASON"
                                 % (path, n))
            dump, thread, frame, member, cls = cols[:5]
            if member != "*" and member not in MEMBERS + THREAD_MEMBERS:
                raise SystemExit("FAIL %s line %d: no member %r" % (path, n, member))
            if cls not in CLASSES:
                raise SystemExit("FAIL %s line %d: no class %r" % (path, n, cls))
            rules.append({"line": n, "dump": dump, "thread": thread, "frame": frame,
                          "member": member, "class": cls, "reason": cols[5].strip(), "used": 0})
    return rules


def explained(rules, label, mode, thread, frame, member, cls):
    if not cls or mode not in CLASSES[cls][0]:
        return None
    for r in rules:
        if (fnmatch.fnmatchcase(label, r["dump"]) and r["thread"] in ("*", str(thread))
                and r["frame"] in ("*", str(frame)) and r["member"] in ("*", member)
                and r["class"] == cls):
            r["used"] += 1
            return r
    return None


class Stats:
    """Counts for one mode and symbols setting. Every compared frame is exactly one of agree,
    allowed (by its class) or unexplained."""

    def __init__(self):
        self.dumps = set()
        self.threads = 0
        self.frames = 0
        self.agree = 0
        self.allowed = {}
        self.unexplained = 0
        self.thread_level = 0  # thread-count, crashed-marker differences not explained


def describe(d):
    return "%s %s+%s %s" % (d.get("trust"), d.get("module"), d.get("module_offset"),
                            d.get("function") or "")


def compare_dump(c):
    """Compares one dmpread walk (c["mode"]) of a dump with Breakpad's; returns the difference
    rows, (thread, frame, member, dmpread value, Breakpad value, class), and the frames compared
    [(thread, frame)] (a dump Breakpad refused: dmpread's frames)."""
    rows, compared = [], []
    dm_threads = [t for t in (c["doc"].get("threads") or []) if not t.get("skipped")]
    sym_threads = [t for t in ((c["doc_sym"] or {}).get("threads") or []) if not t.get("skipped")]
    if c["bp_rc"] != 0:
        # Its ERROR lines, less their time stamps ("2024-01-01 12:00:00: minidump.cc:...").
        msg = " ".join(re.sub(r"^[0-9-]+ [0-9:]+: ", "", l)
                       for l in c["bp_err"].splitlines() if "ERROR" in l)
        msg = msg.replace(os.path.join(c["shared"], ""), "")[-300:]
        cls = "peer-rejected-dump" if "could not be read" in c["bp_err"] else ""
        for ti, t in enumerate(dm_threads):
            for f in flatten(t.get("frames") or []):
                compared.append((ti, f["frame"]))
                rows.append((ti, f["frame"], "frame", describe(f),
                             "exit %d: %s" % (c["bp_rc"], msg), cls))
        return rows, compared, len(dm_threads)
    bp_threads = c["bp"]["threads"]
    if len(dm_threads) != len(bp_threads):
        rows.append((None, None, "threads", len(dm_threads), len(bp_threads), ""))
    dcrash = next((i for i, t in enumerate(dm_threads) if t.get("crashed")), None)
    bcrash = next((i for i, t in enumerate(bp_threads) if t["crashed"]), None)
    if dcrash != bcrash:
        rows.append((None, None, "crashed", dcrash, bcrash, ""))
    paired = min(len(dm_threads), len(bp_threads))
    for ti in range(paired):
        t = dm_threads[ti]
        dm = flatten(t.get("frames") or [])
        bp = bp_threads[ti]["frames"]
        per_frame = []
        for fi in range(max(len(dm), len(bp))):
            compared.append((ti, fi))
            if fi >= len(dm):
                per_frame.append((fi, [("frame", None, bp[fi]["header"])]))
            elif fi >= len(bp):
                per_frame.append((fi, [("frame", describe(dm[fi]), None)]))
            else:
                per_frame.append((fi, compare_frame(dm[fi], bp[fi])))
        first = next((fi for fi, d in per_frame if d), None)
        if first is None:
            continue
        ctx = {"dm": dm, "bp": bp, "thread": t, "dump": c["dump"], "mode": c["mode"],
               "thread_sym": sym_threads[ti] if ti < len(sym_threads) else None,
               "x86": c["x86"], "bp_modules": c["bp"]["modules"], "bp_err": c["bp_err"]}
        cls, since = "", None
        for classify in CLASSIFIERS:
            r = classify(ctx)
            if r and c["mode"] in CLASSES[r[0]][0] and r[1] <= first:
                cls, since = r
                break
        for fi, diffs in per_frame:
            k = cls if since is not None and fi >= since else ""
            rows.extend((ti, fi, m, dv, bv, k) for m, dv, bv in diffs)
    return rows, compared, paired


def tally(label, mode, sym, rows, compared, rules, stats, examples, out):
    """Counts each compared frame once: agreeing, allowed (every difference in it explained)
    or unexplained; keeps the first example of each class and every unexplained row."""
    by_frame = {}
    for ti, fi, m, dv, bv, cls in rows:
        by_frame.setdefault((ti, fi), []).append((m, dv, bv, cls))
    for key in compared:
        stats.frames += 1
        diffs = by_frame.pop(key, None)
        if not diffs:
            stats.agree += 1
            continue
        ti, fi = key
        rs = [explained(rules, label, mode, ti, fi, m, cls) for m, dv, bv, cls in diffs]
        if all(rs):
            cls = diffs[0][3]
            stats.allowed[cls] = stats.allowed.get(cls, 0) + 1
            if cls not in examples:
                m, dv, bv, _ = diffs[0]
                examples[cls] = {"dump": label, "mode": mode, "symbols": sym, "thread": ti,
                                 "frame": fi, "member": m, "dmpread": dv, "breakpad": bv,
                                 "reason": rs[0]["reason"]}
            continue
        stats.unexplained += 1
        for (m, dv, bv, cls), r in zip(diffs, rs):
            if not r:
                out.append({"dump": label, "mode": mode, "symbols": sym, "thread": ti,
                            "frame": fi, "member": m, "dmpread": dv, "breakpad": bv,
                            "class": cls})
    # What is left differs for the thread or dump as a whole (thread count, crashed marker).
    for (ti, fi), diffs in by_frame.items():
        for m, dv, bv, cls in diffs:
            if not explained(rules, label, mode, "*", "*", m, cls):
                stats.thread_level += 1
                out.append({"dump": label, "mode": mode, "symbols": sym, "thread": ti,
                            "frame": fi, "member": m, "dmpread": dv, "breakpad": bv,
                            "class": cls})


def self_check(pairs):
    """An agreeing frame with Breakpad's instruction, then its function, altered must differ
    in exactly that member: the comparison can fail."""
    for d, b in pairs:
        if b["instruction"] is None or b["function"] is None or compare_frame(d, b):
            continue
        bad_ip = dict(b, instruction=b["instruction"] + 1)
        bad_fn = dict(b, function=b["function"] + "~")
        return ([m for m, _, _ in compare_frame(d, bad_ip)] == ["instruction"] and
                [m for m, _, _ in compare_frame(d, bad_fn)] == ["function"])
    return False


def by_thread(rows):
    """Unexplained rows grouped by (dump, thread), in order."""
    groups = {}
    for r in rows:
        groups.setdefault((r["dump"], r["thread"]), []).append(r)
    return groups


def thread_line(label, ti, rows):
    frames = sorted({r["frame"] for r in rows if r["frame"] is not None})
    r = rows[0]
    where = "thread %s" % ti if ti is not None else "the dump"
    return "%s %s: frames differing %d (%s); first, frame %s %s%s: dmpread %s, breakpad %s" % (
        label, where, len(frames), span(frames), r["frame"], r["member"],
        " (%s)" % r["class"] if r["class"] else "", fmt(r["dmpread"])[:200],
        fmt(r["breakpad"])[:200])


def span(frames):
    if not frames:
        return "-"
    return str(frames[0]) if len(frames) == 1 else "%d-%d" % (frames[0], frames[-1])


def setting(sym):
    return "symbols" if sym else "no symbols"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stackwalk", required=True)
    ap.add_argument("--dmpread", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--symbols", action="append", default=[])
    ap.add_argument("--allow", required=True)
    ap.add_argument("--expected")
    ap.add_argument("--expected-dump")
    ap.add_argument("--report")
    ap.add_argument("--keep")
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", type=int, default=SHOW)
    ap.add_argument("--bp-version", default="")
    a = ap.parse_args()

    rules = load_allow(a.allow)
    labels = []
    with open(os.path.join(a.shared, "MANIFEST.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i == 0 or not line.strip():
                continue
            labels.append(line.split("\t")[0])
    if a.only:
        labels = [l for l in labels if fnmatch.fnmatchcase(l, a.only)]
    symargs = [x for s in a.symbols for x in ("--symbols", s)]

    jobs = []
    for label in labels:
        path = os.path.join(a.shared, label)
        for sym in (False, True):
            jobs.append((label, sym, "bp", [a.stackwalk, path] + (a.symbols if sym else [])))
            for mode in MODES:
                cmd = [a.dmpread, "stack", "--all", "--json", "--registers"]
                if mode == "breakpad":
                    cmd.append("--breakpad")
                jobs.append((label, sym, mode, cmd + (symargs if sym else []) + [path]))
    results = {}
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(run, j[3]): j for j in jobs}
        for fu in concurrent.futures.as_completed(futs):
            label, sym, kind, _ = futs[fu]
            results[(label, sym, kind)] = fu.result()
    elapsed = time.time() - start

    failed = False
    keys = [(m, s) for m in MODES for s in (False, True)]
    stats = {k: Stats() for k in keys}
    out = {k: [] for k in keys}
    examples = {}
    tool_fail = []
    samples = []
    docs = {}
    for (label, sym, kind), (rc, so, se) in results.items():
        if kind == "bp":
            continue
        # Exit status 0 with one JSON document, or a failure (a sanitizer's report included).
        try:
            docs[(label, sym, kind)] = json.loads(so)
        except ValueError:
            rc = rc or "0 with no JSON document"
        if rc != 0:
            tool_fail.append("%s (%s): dmpread stack (%s mode) exited %s: %s"
                             % (label, setting(sym), kind, rc, se.strip()[-300:]))
    for label in labels:
        dump = Dump(a.dmpread, os.path.join(a.shared, label))
        for sym in (False, True):
            bp_rc, bp_out, bp_err = results[(label, sym, "bp")]
            if bp_rc < 0:
                tool_fail.append("%s (%s): minidump_stackwalk %s" % (
                    label, setting(sym), bp_err.strip()[-200:] or "killed by signal %d" % -bp_rc))
                continue
            if a.keep:
                stem = os.path.join(a.keep, label.replace("/", "__") + (".sym" if sym else ""))
                with open(stem + ".breakpad.txt", "w", encoding="utf-8",
                          errors="surrogateescape") as f:
                    f.write(bp_out + bp_err)
                for mode in MODES:
                    with open(stem + ".dmpread-%s.json" % mode, "w", encoding="utf-8",
                              errors="surrogateescape") as f:
                        f.write(results[(label, sym, mode)][1])
            bp = parse_breakpad(bp_out) if bp_rc == 0 else None
            for mode in MODES:
                doc = docs.get((label, sym, mode))
                if doc is None:
                    continue
                c = {"doc": doc, "doc_sym": docs.get((label, True, mode)), "bp": bp,
                     "shared": a.shared,
                     "bp_rc": bp_rc, "bp_err": bp_err, "mode": mode, "dump": dump,
                     "x86": '"eip"' in json.dumps(doc.get("threads") or [])[:200000]}
                rows, compared, threads = compare_dump(c)
                st = stats[(mode, sym)]
                st.dumps.add(label)
                st.threads += threads
                tally(label, mode, sym, rows, compared, rules, st, examples, out[(mode, sym)])
                if bp is not None and sym and len(samples) < 20:
                    for t, bt in zip([t for t in doc.get("threads") or [] if not t.get("skipped")],
                                     bp["threads"]):
                        samples.extend((d, b) for d, b in zip(flatten(t.get("frames") or []),
                                                             bt["frames"])
                                       if b["function"] is not None and b["instruction"] is not None)

    # minidump2 with the symbols against Breakpad's own -m output.
    expected = None
    if a.expected:
        expected, err = check_expected(a.dmpread, a.expected, a.expected_dump, a.symbols)
        if err:
            tool_fail.append("expected output: " + err)
        elif expected["diffs"]:
            failed = True
            print("\n%s: dmpread's crashing thread differs from %s:"
                  % (os.path.basename(a.expected_dump), a.expected))
            for want, got in expected["diffs"]:
                print("  expected %s\n  dmpread  %s" % (want, got))

    checked = self_check(samples)
    if not checked:
        print("FAIL: the self-check found no agreeing frame with a function, or an altered "
              "instruction or function went unnoticed")
        failed = True
    for t in sorted(tool_fail):
        print("FAIL " + t)
        failed = True
    for k in keys:
        groups = by_thread(out[k])
        if groups:
            failed = True
            print("\n%s mode, %s: unexplained differences in %d threads (%d rows); the first %d:"
                  % (k[0], setting(k[1]), len(groups), len(out[k]), min(a.show, len(groups))))
            for (label, ti), rows in list(groups.items())[:a.show]:
                print("  " + thread_line(label, ti, rows))
    print()
    for k in keys:
        s = stats[k]
        print("%-8s mode, %-10s: %d dumps, %d threads, %d frames: %d agree, %d allowed, "
              "%d unexplained (%d thread-level)"
              % (k[0], setting(k[1]), len(s.dumps), s.threads, s.frames, s.agree,
                 sum(s.allowed.values()), s.unexplained, s.thread_level))
        for c, n in sorted(s.allowed.items()):
            print("           allowed %-20s %d" % (c, n))
    if expected is not None:
        print("%s: %d crashing-thread lines, %s" % (
            os.path.basename(a.expected), len(expected["want"]),
            "all reproduced" if not expected["diffs"] else "%d differ" % len(expected["diffs"])))
    print("self-check: %s" % ("an altered instruction and function are caught" if checked
                              else "FAILED"))
    for r in rules:
        if not r["used"]:
            print("STALE %s line %d (%s %s %s %s %s): explains nothing"
                  % (os.path.basename(a.allow), r["line"], r["dump"], r["thread"], r["frame"],
                     r["member"], r["class"]))
    print("%.0fs running the tools" % elapsed)
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write(report(a, labels, keys, stats, out, examples, expected, checked, failed))
    print("stack differential: " + ("FAILED" if failed else "OK"))
    return 1 if failed else 0


def describe_symbols(shared, symbols):
    """The symbol folders as the report names them: ../shared/... for the shared ones, the
    files of any other (the scratch folder stack_diff.sh makes)."""
    root = os.path.dirname(os.path.abspath(shared))
    names = []
    for s in symbols:
        p = os.path.abspath(s)
        if p.startswith(root + os.sep):
            names.append("`../shared/%s`" % os.path.relpath(p, root))
        else:
            files = []
            for d, _, fs in os.walk(p):
                files += [os.path.relpath(os.path.join(d, n), p) for n in fs]
            names.append("a scratch folder holding %s" % ", ".join("`%s`" % x for x in sorted(files)))
    return names


def report(a, labels, keys, stats, out, examples, expected, checked, failed):
    rc, ver, _ = run([a.dmpread, "--version"])
    L = []
    w = L.append
    w("# Stack differential report: dmpread against Breakpad's minidump_stackwalk")
    w("")
    w("Written by `tests/differential/stack_diff.sh --report` (issue #10, \"How it is checked\");")
    w("do not edit by hand. Every dump in the shared corpus (`../shared/dumps`, %d dumps listed in"
      % len(labels))
    w("MANIFEST.tsv) was walked, every thread, by")
    w("")
    w("- **Breakpad**: `minidump_stackwalk DUMP [SYMBOL DIRS]` (%s), its human output parsed;"
      % (a.bp_version or "minidump_stackwalk"))
    w("- **dmpread** (%s): `dmpread stack --all --json --registers [--symbols DIR]... DUMP`, once"
      % ver.strip())
    w("  in its default mode and once with `--breakpad` (Breakpad's rules: only the thread's stack")
    w("  memory, no return-address checks, no chain end);")
    w("")
    w("each without symbols and with these symbol folders: %s."
      % "; ".join(describe_symbols(a.shared, a.symbols)))
    w("")
    w("Threads are paired in order (dmpread's skipped dump-writing thread left out, as Breakpad")
    w("leaves it out), frames by index after dmpread's inline frames are put before the frame")
    w("holding them. Compared per frame: instruction, stack pointer, trust (Breakpad's \"Found by\"),")
    w("module, module offset, function, function offset (where Breakpad prints one), source file")
    w("(basename) and line, and every register Breakpad prints; per dump the thread count and")
    w("which thread crashed. A frame agrees when every member does. A difference is allowed only")
    w("when `stack_diff.py` proves its class from the outputs and the dump and")
    w("`tests/differential/stack_allow.tsv` lists that class with its reason; anything else fails")
    w("the test. The improvements over Breakpad are proved only in the default mode.")
    w("")
    w("## Totals")
    w("")
    w("| mode | symbols | dumps | threads | frames | agree | allowed | unexplained |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    for k in keys:
        s = stats[k]
        w("| %s | %s | %d | %d | %d | %d | %d | %d |" % (
            "`--breakpad`" if k[0] == "breakpad" else "default", "yes" if k[1] else "no",
            len(s.dumps), s.threads, s.frames, s.agree, sum(s.allowed.values()),
            s.unexplained + s.thread_level))
    w("")
    w("Frames: the longer of the two walks of each paired thread (a frame only one side has is a")
    w("difference), and for a dump Breakpad refused, dmpread's frames.")
    w("")
    w("## Allowed differences, by class")
    w("")
    classes = sorted({c for k in keys for c in stats[k].allowed})
    if not classes:
        w("None.")
    else:
        w("| class | " + " | ".join("%s, %s" % ("`--breakpad`" if m == "breakpad" else "default",
                                              "symbols" if s else "no symbols")
                                    for m, s in keys) + " | reason (stack_allow.tsv) |")
        w("|---|" + "---:|" * len(keys) + "---|")
        for c in classes:
            w("| `%s` | %s | %s |" % (c, " | ".join(str(stats[k].allowed.get(c, 0)) for k in keys),
                                     examples[c]["reason"].replace("|", "\\|")))
        w("")
        w("One example of each (the first frame of the class in the run):")
        w("")
        for c in classes:
            e = examples[c]
            w("- `%s`: %s (%s mode, %s), thread %s frame %s, %s: dmpread %s, Breakpad %s" % (
                c, e["dump"], e["mode"], setting(e["symbols"]), e["thread"], e["frame"],
                e["member"], md(fmt(e["dmpread"])), md(fmt(e["breakpad"])[:200])))
    w("")
    w("## Breakpad's expected output for minidump2.dmp")
    w("")
    if expected is None:
        w("Not checked in this run.")
    else:
        w("`../shared/expected/breakpad/%s` is Breakpad's `minidump_stackwalk -m` output for"
          % os.path.basename(a.expected))
        w("`breakpad/minidump2.dmp` with the shared symbols. dmpread's crashing thread, written as")
        w("its lines (thread|frame|module|function|file|line|offset), must equal them:")
        w("")
        w("```")
        L.extend(expected["want"])
        w("```")
        w("")
        w("Result: %s." % ("all %d lines reproduced" % len(expected["want"])
                           if not expected["diffs"] else "%d lines differ" % len(expected["diffs"])))
    w("")
    w("## Unexplained differences")
    w("")
    groups = [(k, key, rows) for k in keys for key, rows in by_thread(out[k]).items()]
    if not groups:
        w("None.")
    else:
        w("%d threads (mode, symbols) with a difference no entry explains; per thread its frames" % len(groups))
        w("that differ and the first difference:")
        w("")
        w("| mode | symbols | dump, thread: first difference |")
        w("|---|---|---|")
        for k, (label, ti), rows in groups[:80]:
            w("| %s | %s | %s |" % (k[0], "yes" if k[1] else "no",
                                    thread_line(label, ti, rows).replace("|", "\\|")))
    w("")
    w("Self-check: %s." % ("an agreeing frame with Breakpad's instruction or function altered "
                          "is caught" if checked else "FAILED"))
    w("")
    w("Verdict: **%s**." % ("FAILED" if failed else "OK"))
    return "\n".join(L) + "\n"


def md(s):
    return "`%s`" % s.replace("`", "'").replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
