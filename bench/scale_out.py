#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scale_out.py: what splitting costs (issue 25), as ratios measured in one run.

For each capture and each mode it times, as whole processes, in turn (one
round runs every command once; the figure is the median over the rounds):

  read   traceflow_read_records CAPTURE         (a single-thread read() of every record: the floor)
  j1     traceflow -q --json -j 1 CAPTURE
  j2     traceflow -q --json -j 2 CAPTURE
  jN     traceflow -q --json -j N CAPTURE        (N = the cores, when more than 2)
  split  traceflow map -q --range B:E CAPTURE PART, for 8 equal ranges one after
         another, then traceflow merge -q --json PART... (merge timed on its own too)

and prints j2/j1, j2/read, split/j1 (each ratio taken round by round, then
the median), the merge time, the parts' bytes per flow, and every command's
peak resident memory. Every command's listing is compared with j1's: a
difference stops the bench (exit 1). Modes: the default, and
--bidirectional --lifecycle tcp --stats.

Usage: bench/scale_out.py [--rounds R] [--cli PATH] [--read PATH] CAPTURE...
  --cli   the traceflow tool (default build/release/tools/traceflow)
  --read  traceflow_read_records (default build/release/bench/traceflow_read_records)
Times are wall seconds from start to exit; peak memory is GNU time's %M
(Debian package `time`).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODES = [("default", []), ("bidirectional tcp stats", ["--bidirectional", "--lifecycle", "tcp", "--stats"])]
PIECES = 8


def run(argv, out_path=None):
    """Runs argv to its end; returns (wall seconds, peak KiB). Its stdout goes to out_path or nowhere."""
    with tempfile.NamedTemporaryFile(prefix="scale_out.peak.") as peak:
        out = open(out_path, "wb") if out_path else subprocess.DEVNULL
        try:
            start = time.monotonic()
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name] + argv, stdout=out,
                                  stderr=subprocess.PIPE)
            wall = time.monotonic() - start
        finally:
            if out_path:
                out.close()
        if proc.returncode != 0:
            sys.exit(f"scale_out: {' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode().strip()}")
        return wall, int(open(peak.name).read().split()[-1])


def same(a, b, what):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        if fa.read() != fb.read():
            sys.exit(f"scale_out: {what}: the listing differs from one -j 1 run ({a} vs {b})")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench(capture, mode_name, mode, args, work):
    cli, cores = args.cli, os.cpu_count() or 1
    size = os.path.getsize(capture)
    cuts = [size * k // PIECES for k in range(PIECES + 1)]
    threads = [1, 2] + ([cores] if cores > 2 else [])
    times = {k: [] for k in ["read", "split", "merge"] + [f"j{n}" for n in threads]}
    peaks = {k: 0 for k in times}
    part_bytes = 0
    reference = os.path.join(work, "j1.json")
    for _ in range(args.rounds):
        t, m = run([args.read, capture])
        times["read"].append(t)
        peaks["read"] = max(peaks["read"], m)
        for n in threads:
            listing = os.path.join(work, f"j{n}.json")
            t, m = run([cli, "-q", "--json", "-j", str(n)] + mode + [capture], listing)
            times[f"j{n}"].append(t)
            peaks[f"j{n}"] = max(peaks[f"j{n}"], m)
            if n != 1:
                same(listing, reference, f"{mode_name}, -j {n}")
        parts, total, map_peak = [], 0.0, 0
        for k in range(PIECES):
            part = os.path.join(work, f"part{k}")
            t, m = run([cli, "map", "-q"] + mode + ["--range", f"{cuts[k]}:{cuts[k + 1]}", capture, part])
            total += t
            map_peak = max(map_peak, m)
            parts.append(part)
        part_bytes = sum(os.path.getsize(p) if os.path.isfile(p) else
                         sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(p) for f in fs)
                         for p in parts)
        merged = os.path.join(work, "merged.json")
        t, m = run([cli, "merge", "-q", "--json"] + parts, merged)
        same(merged, reference, f"{mode_name}, map x{PIECES} + merge")
        times["merge"].append(t)
        times["split"].append(total + t)
        peaks["split"] = max(peaks["split"], map_peak, m)
        peaks["merge"] = max(peaks["merge"], m)
        for p in parts:
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    with open(reference, "rb") as f:
        flows = sum(1 for _ in f)

    def ratio(a, b):
        return median([x / y for x, y in zip(times[a], times[b])])

    print(f"\n{os.path.basename(capture)} ({size / 1e6:.0f} MB, {flows} flows), {mode_name}, "
          f"{args.rounds} rounds, medians:")
    for k in times:
        print(f"  {k:6} {median(times[k]):7.3f} s  peak {peaks[k] / 1024:7.1f} MiB")
    print(f"  j2/j1 {ratio('j2', 'j1'):.2f}   j2/read {ratio('j2', 'read'):.2f}   "
          f"split/j1 {ratio('split', 'j1'):.2f}   merge/j1 {ratio('merge', 'j1'):.2f}"
          + (f"   j{cores}/j1 {ratio(f'j{cores}', 'j1'):.2f}" if cores > 2 else ""))
    print(f"  parts: {part_bytes / 1e6:.1f} MB, {part_bytes / max(flows, 1):.0f} bytes per flow; "
          f"merge {1e6 * median(times['merge']) / max(flows, 1):.2f} us per flow")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cli", default="build/release/tools/traceflow")
    p.add_argument("--read", default="build/release/bench/traceflow_read_records")
    p.add_argument("captures", nargs="+")
    args = p.parse_args()
    for tool in (args.cli, args.read, "/usr/bin/time"):
        if not os.access(tool, os.X_OK):
            sys.exit(f"scale_out: {tool} is not built (cmake --build build/release)")
    with tempfile.TemporaryDirectory(prefix="scale_out.") as work:
        for capture in args.captures:
            for name, mode in MODES:
                bench(capture, name, mode, args, work)


if __name__ == "__main__":
    main()
