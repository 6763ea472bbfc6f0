#!/usr/bin/env python3
"""lldb_bt.py - LLDB's backtrace of a minidump's threads, one normalised line per frame.

SPDX-License-Identifier: MIT

usage: lldb_bt.py [--lldb PROG] [--images DIR]... [--thread TID] DUMP

Runs `lldb -x -b` on DUMP (a .dmp, or a gzip-compressed one, inflated to a temporary file)
with the folders given by --images as `target.exec-search-paths`, and prints LLDB's
`thread backtrace all`, or only thread TID's (decimal or 0x hex), as:

    thread TID                         (decimal; once per thread, before its frames)
    INDEX PC SP MODULE FILE FUNCTION   one line per frame, innermost first

PC and SP are 0x and lower-case hex without zero padding; MODULE is the file name of the
module LLDB places PC in (the part after the last / or \\ of its path), `-` for none; FILE is
the file on disk LLDB read the module from, `-` when it read none (a placeholder module made
from the dump's module list: LLDB then knows nothing of the module but its range); FUNCTION
is LLDB's name for the frame, `-` for none (it may hold spaces: it is the rest of the line).
Spaces and percent signs in FILE are written %20 and %25. Lines starting with # are comments
(LLDB's version, the dump, the search paths).

How LLDB 16 finds a minidump's module files (measured; tests/differential/IMAGES_REPORT.md):
its minidump plugin asks the target for each module by the path the dump records, and the
target looks for it at that path, then by its file name in each folder of
target.exec-search-paths, to which `target create --core` appends the core file's own
folder. It checks the file against the module only by the UUID the dump records (an ELF build
id, a PE's CodeView GUID+age); a PE module without a CodeView record (mingw -s builds, all of
Wine's DLLs) gets whatever file of that name it finds first. So this script hands LLDB the dump
from a fresh temporary folder (a symbolic link, or the inflated copy) so that only the given
folders are searched, and leaves checking the files' identity to its caller (bt_diff.py).

Exit status: 0 done, 1 LLDB failed or printed no backtrace, 2 usage, 77 no LLDB found.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 120

# Marked lines, tab-separated, so they cannot be mistaken for anything else LLDB prints. The
# braces make a part optional: without them LLDB drops the whole format for a frame with no
# module or function and prints its default line instead.
FRAME_FORMAT = ("@@frame\\t${frame.index}\\t${frame.pc}\\t${frame.sp}\\t"
                "{${module.file.fullpath}}\\t{${function.name}}\\n")
THREAD_FORMAT = "@@thread\\t${thread.id}\\n"


def find_lldb(given):
    """The LLDB to run: --lldb, else $DMPREAD_LLDB, else lldb-16 or lldb on PATH; None if none."""
    for cand in (given, os.environ.get("DMPREAD_LLDB"), "lldb-16", "lldb"):
        if not cand:
            continue
        path = shutil.which(cand)
        if path:
            return path
    return None


def lldb_version(lldb):
    try:
        out = subprocess.run([lldb, "--version"], capture_output=True, text=True,
                             timeout=TIMEOUT).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.splitlines()[0].strip() if out else "?"


def quote(arg):
    """An LLDB command argument in double quotes."""
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def basename(path):
    """The file name of a path in either style: LLDB shows a placeholder by the dump's path."""
    return re.split(r"[\\/]", path)[-1] if path else ""


class LLDBError(Exception):
    pass


def backtrace(lldb, dump, images, thread=None):
    """Runs LLDB; returns (threads, transcript): threads a list of (tid, frames) in LLDB's
    order, each frame a dict index, pc, sp (ints), module, file (None when LLDB read no file),
    function (None when it has no name), path (LLDB's path for the module, even a
    placeholder's)."""
    tmp = tempfile.mkdtemp(prefix="dmpread-lldbbt.")
    try:
        with open(dump, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        core = os.path.join(tmp, re.sub(r"\.gz$", "", os.path.basename(dump)))
        if gz:
            with gzip.open(dump, "rb") as src, open(core, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        else:
            os.symlink(os.path.abspath(dump), core)
        cmd = [lldb, "-x", "-b",
               "-O", 'settings set frame-format "%s"' % FRAME_FORMAT,
               "-O", 'settings set thread-stop-format "%s"' % THREAD_FORMAT,
               "-O", 'settings set thread-format "%s"' % THREAD_FORMAT]
        if images:
            cmd += ["-O", "settings set target.exec-search-paths " +
                    " ".join(quote(os.path.abspath(d)) for d in images)]
        cmd += ["-c", core, "-o", "thread backtrace all"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise LLDBError("%s timed out after %d s on %s" % (lldb, TIMEOUT, dump))
        transcript = proc.stdout + proc.stderr
        threads = []
        for line in proc.stdout.splitlines():
            # "* " marks the selected thread and frame; LLDB echoes its commands after "(lldb)".
            m = re.match(r"^[ *]*(@@.*)$", line)
            if not m:
                continue
            fields = m.group(1).split("\t")
            if fields[0] == "@@thread" and len(fields) == 2:
                threads.append((int(fields[1], 0), []))
            elif fields[0] == "@@frame" and len(fields) == 6 and threads:
                path, function = fields[4], fields[5]
                threads[-1][1].append({
                    "index": int(fields[1]),
                    "pc": int(fields[2], 16),
                    "sp": int(fields[3], 16),
                    "module": basename(path) or None,
                    "path": path or None,
                    "file": os.path.realpath(path) if path and os.path.isfile(path) else None,
                    "function": function or None,
                })
            else:
                raise LLDBError("cannot read LLDB's line %r" % line)
        if proc.returncode != 0 or not threads:
            raise LLDBError("%s exited with status %d and %s; its output:\n%s" % (
                lldb, proc.returncode, "no backtrace" if not threads else "a backtrace",
                transcript))
        if thread is not None:
            threads = [t for t in threads if t[0] == thread]
            if not threads:
                raise LLDBError("LLDB lists no thread %d in %s" % (thread, dump))
        return threads, transcript
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def esc(text):
    return text.replace("%", "%25").replace(" ", "%20")


def frame_line(fr):
    return "%d 0x%x 0x%x %s %s %s" % (fr["index"], fr["pc"], fr["sp"], fr["module"] or "-",
                                      esc(fr["file"]) if fr["file"] else "-",
                                      fr["function"] or "-")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lldb")
    ap.add_argument("--images", action="append", default=[], metavar="DIR")
    ap.add_argument("--thread", type=lambda s: int(s, 0))
    ap.add_argument("dump")
    args = ap.parse_args(argv)
    lldb = find_lldb(args.lldb)
    if not lldb:
        print("lldb_bt.py: SKIPPED: no LLDB (lldb-16 or lldb on PATH, or DMPREAD_LLDB; "
              "Debian/Ubuntu: apt-get install lldb-16)")
        return 77
    for d in args.images:
        if not os.path.isdir(d):
            print("lldb_bt.py: --images %s is not a folder" % d, file=sys.stderr)
            return 2
    try:
        threads, _ = backtrace(lldb, args.dump, args.images, args.thread)
    except (LLDBError, OSError) as e:
        print("lldb_bt.py: %s" % e, file=sys.stderr)
        return 1
    print("# %s" % lldb_version(lldb))
    print("# dump %s" % args.dump)
    print("# exec-search-paths %s" % (" ".join(esc(d) for d in args.images) or "-"))
    for tid, frames in threads:
        print("thread %d" % tid)
        for fr in frames:
            print(frame_line(fr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
