#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the iperf3 server-side JSON files of `make bench` and print results.

    bench-report.py one FILE BENCH      one run, one line
    bench-report.py table DIR KINDS...  the median of each cell, as a table

The files are DIR/KIND.BENCH.ROUND.json, the JSON of `iperf3 -s -1 -J` in
the receiving namespace, so every number is what the receiver got. BENCH is
tcp (Gbit/s), udp64 (64-byte datagrams received per second) or udp64k
(Gbit/s of 65000-byte datagrams received).
"""
import glob
import json
import os
import statistics
import sys

BENCHES = [
    ("tcp", "TCP stream, Gbit/s"),
    ("udp64", "UDP 64 B, kpps received"),
    ("udp64k", "UDP 64 KB, Gbit/s received"),
]
UDP64_LEN = 64


def measure(path, bench):
    """(value, loss percent or None) of one run, or None if it has none."""
    try:
        with open(path) as f:
            rcv = json.load(f)["end"]["sum_received"]
    except (OSError, ValueError, KeyError):
        return None
    if not rcv.get("seconds"):
        return None
    loss = rcv.get("lost_percent") if bench != "tcp" else None
    if bench == "udp64":
        return rcv["bytes"] / UDP64_LEN / rcv["seconds"] / 1e3, loss
    return rcv["bits_per_second"] / 1e9, loss


def fmt(value, bench):
    return f"{value:.1f}" if bench == "udp64" else f"{value:.3f}"


def one(path, bench):
    m = measure(path, bench)
    if m is None:
        print("no result (see the iperf3 output above)")
        return
    value, loss = m
    unit = "kpps" if bench == "udp64" else "Gbit/s"
    extra = f", loss {loss:.1f}%" if loss is not None else ""
    print(f"{fmt(value, bench)} {unit}{extra}")


def table(rdir, kinds):
    cells = {}
    for bench, _ in BENCHES:
        for kind in kinds:
            runs = [measure(p, bench) for p in
                    sorted(glob.glob(os.path.join(rdir, f"{kind}.{bench}.*.json")))]
            runs = [r for r in runs if r is not None]
            if runs:
                losses = [r[1] for r in runs if r[1] is not None]
                cells[bench, kind] = (statistics.median(r[0] for r in runs),
                                      statistics.median(losses) if losses else None,
                                      len(runs))
    ratios = [(k, "zcpair/" + k) for k in kinds if k != "zcpair" and "zcpair" in kinds]
    head = ["benchmark (median)"] + list(kinds) + [name for _, name in ratios]
    rows = []
    for bench, label in BENCHES:
        row = [label]
        for kind in kinds:
            c = cells.get((bench, kind))
            row.append(fmt(c[0], bench) if c else "n/a")
        for other, _ in ratios:
            a, b = cells.get((bench, "zcpair")), cells.get((bench, other))
            row.append(f"{a[0] / b[0]:.2f}" if a and b and b[0] else "n/a")
        rows.append(row)
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |"
    print(line(head))
    print("| " + " | ".join("-" * (w - 1) + ("-" if i == 0 else ":")
                            for i, w in enumerate(widths)) + " |")
    for r in rows:
        print(line(r))
    # Loss of the UDP cells and the number of runs behind each median.
    print()
    for bench, label in BENCHES:
        parts = []
        for kind in kinds:
            c = cells.get((bench, kind))
            if c is None:
                parts.append(f"{kind} no run")
                continue
            loss = f", loss {c[1]:.1f}%" if c[1] is not None else ""
            parts.append(f"{kind} {c[2]} run(s){loss}")
        print(f"{label}: " + "; ".join(parts))


def main(argv):
    if len(argv) == 4 and argv[1] == "one":
        one(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "table":
        table(argv[2], argv[3:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
