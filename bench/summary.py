#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Headline tables for docs/performance.md from daxdev-bench's results.csv.

    bench/summary.py BUILD/bench/results.csv > summary.md

Speedup = t_reference / t_candidate, the median over the interleaved rounds
of the per-round ratio (as daxdev-bench computes it): above 1 means libdaxdev
is faster.  The targets are those of issue 7.
"""
import csv
import sys
from collections import defaultdict


def size_str(n):
    n = int(n)
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} MiB"
    if n >= 1 << 10 and n % (1 << 10) == 0:
        return f"{n >> 10} KiB"
    return f"{n} B"


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    by = defaultdict(dict)  # (backing, workload, size) -> impl -> row
    for r in rows:
        by[(r["backing"], r["workload"], int(r["size"]))][r["impl"]] = r

    def cell(b, w, s, impl):
        r = by.get((b, w, s), {}).get(impl)
        if not r or not r["speedup_vs_reference_median"]:
            return "—"
        return "%.2f [%.2f–%.2f]" % (float(r["speedup_vs_reference_median"]),
                                     float(r["speedup_min"]), float(r["speedup_max"]))

    def med(b, w, s, impl):
        r = by.get((b, w, s), {}).get(impl)
        return float(r["median_ns"]) if r else None

    sizes = sorted({k[2] for k in by if k[1] == "copy-seq"})
    lines = []
    out = lines.append
    for b in ("anon", "shm"):
        if not any(k[0] == b for k in by):
            continue
        out(f"\n#### Speedup over libpmem, {b} (median [min–max] of per-round ratios)\n")
        cols = [("copy-seq", "daxdev_write"), ("copy-seq", "daxdev_memcpy"),
                ("copy-rand", "daxdev_memcpy"), ("flush-seq", "daxdev_flush"),
                ("flush-rand", "daxdev_flush"), ("fill-seq", "daxdev_zero"),
                ("fill-seq", "daxdev_memset")]
        if b == "anon":
            cols.insert(2, ("copy-seq", "daxdev_memcpy [DAXDEV_NT_THRESHOLD=64]"))
        out("| size | " + " | ".join(f"{w} {i}" for w, i in cols) + " |")
        out("|---:|" + "---:|" * len(cols))
        for s in sizes:
            out(f"| {size_str(s)} | " + " | ".join(cell(b, w, s, i) for w, i in cols) + " |")

    out("\n#### Large copies against the streaming loop (same rounds)\n")
    out("| backing | size | daxdev_memcpy | daxdev NT loop (DAXDEV_F_NONTEMPORAL) | "
        "daxdev_memcpy / NT loop throughput |")
    out("|---|---:|---:|---:|---:|")
    for b in ("anon", "shm"):
        for s in (2 << 20, 64 << 20):
            a, n = med(b, "copy-seq", s, "daxdev_memcpy"), med(b, "copy-seq", s, "daxdev NT loop")
            if a and n:
                out(f"| {b} | {size_str(s)} | {a / 1e3:.1f} us | {n / 1e3:.1f} us | {100 * n / a:.0f} % |")

    out("\n#### Volatile device (write cache off) against memcpy\n")
    out("| size | daxdev_write / memcpy | daxdev_memcpy / memcpy |")
    out("|---:|---:|---:|")
    for s in sizes:
        out(f"| {size_str(s)} | {cell('volatile', 'volatile-seq', s, 'daxdev_write')} | "
            f"{cell('volatile', 'volatile-seq', s, 'daxdev_memcpy')} |")

    out("\n#### Log append, plog over pmemlog_append\n")
    out("| size | pmemlog_append | plog append | speedup |")
    out("|---:|---:|---:|---:|")
    for s in (64, 1024, 4096):
        p, q = med("log", "log-append", s, "pmemlog_append"), med("log", "log-append", s, "plog append")
        if p and q:
            out(f"| {size_str(s)} | {p:.0f} ns | {q:.0f} ns | {cell('log', 'log-append', s, 'plog append')} |")

    out("\n#### Pointer API per call (volatile device, hot line, 8 bytes)\n")
    out("| call | median ns |")
    out("|---|---:|")
    for impl in ("memcpy via pointer", "daxdev_memcpy", "daxdev_flush (no-op)", "daxdev_drain (no-op)"):
        m = med("volatile", "overhead-hot", 8, impl)
        if m is not None:
            out(f"| {impl} | {m:.1f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
