#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-queue statistics from one process.

Usage: qstats.py NETNS_A NETNS_B KERNEL_SOURCE

Reads the netdev family's qstats-get (scope queue, and the device
totals) with the kernel's own YNL library (tools/net/ynl/lib of
KERNEL_SOURCE, the netdev.yaml spec of its Documentation) for zca (in
NETNS_A) and zcb (in NETNS_B): both queues 0 are there, the totals agree
with rtnetlink's stats64, and 200 UDP datagrams from zca to zcb move
zca's tx and zcb's rx by the same frames and bytes.

Prints KTAP result lines ("ok DESC", "not ok DESC") and diagnostics for
tests/17-qstats.sh.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import setns  # noqa: E402

N, SIZE, PORT = 200, 1000, 6100
SO_RCVBUFFORCE = 33
KEYS = ("rx-packets", "rx-bytes", "tx-packets", "tx-bytes")
RTNL = {"rx-packets": "rx_packets", "rx-bytes": "rx_bytes",
        "tx-packets": "tx_packets", "tx-bytes": "tx_bytes",
        "rx-hw-drops": "rx_dropped", "tx-hw-drops": "tx_dropped"}


def family(ksrc):
    sys.path.insert(0, os.path.join(ksrc, "tools/net/ynl"))
    from lib import YnlFamily  # noqa: E402
    return YnlFamily(os.path.join(ksrc, "Documentation/netlink/specs/netdev.yaml"))


def snapshot(ns, ifname, ksrc):
    """(qstats per queue, device totals, stats64) of IFNAME in NS, read
    back to back; retried while the device moved between the reads."""
    setns(ns)
    fam = family(ksrc)
    rt = zcnl.Rtnl()
    try:
        index = rt.link(ifname)[0]
        for _ in range(5):
            queues = fam.dump("qstats-get", {"ifindex": index, "scope": "queue"})
            total = fam.dump("qstats-get", {"ifindex": index})
            s64 = rt.stats64(ifname)
            again = fam.dump("qstats-get", {"ifindex": index})
            if total == again:
                break
            time.sleep(0.2)
    finally:
        rt.close()
    return queues, total, s64


def main():
    ns_a, ns_b, ksrc = sys.argv[1:4]
    res = Result()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)

    qa, ta, sa = snapshot(ns_a, "zca", ksrc)
    kinds = sorted((q.get("queue-type"), q.get("queue-id")) for q in qa)
    basic = all(f"{q.get('queue-type')}-{k}" in q for q in qa for k in ("packets", "bytes"))
    res.report(kinds == [("rx", 0), ("tx", 0)] and basic,
               "qstats-get scope queue: zca has rx queue 0 and tx queue 0 with packets and bytes",
               f"queues {qa}")
    total = ta[0] if len(ta) == 1 else {}
    off = {k: (total.get(k), sa[v]) for k, v in RTNL.items() if total.get(k) != sa[v]}
    res.report(len(ta) == 1 and not off,
               "qstats-get device totals equal rtnetlink's stats64 (packets, bytes, drops)",
               f"totals {ta}; stats64 {sa}; differ {off}")

    qb, tb, _ = snapshot(ns_b, "zcb", ksrc)
    setns(ns_b)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Room for all of them: they are read after the last is sent.
    rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    rx.bind(("10.99.0.2", PORT))
    rx.settimeout(5)
    setns(ns_a)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(N):
        tx.sendto(bytes([i % 256]) * SIZE, ("10.99.0.2", PORT))
    got = 0
    try:
        while got < N:
            rx.recv(65536)
            got += 1
    except socket.timeout:
        pass
    tx.close()
    rx.close()
    time.sleep(0.3)
    _, ta2, _ = snapshot(ns_a, "zca", ksrc)
    _, tb2, _ = snapshot(ns_b, "zcb", ksrc)
    da = {k: ta2[0][k] - ta[0][k] for k in KEYS}
    db = {k: tb2[0][k] - tb[0][k] for k in KEYS}
    frame = 14 + 20 + 8 + SIZE
    res.report(got == N and N <= da["tx-packets"] <= N + 4 and da["tx-packets"] == db["rx-packets"] and
               da["tx-bytes"] == db["rx-bytes"] and da["tx-bytes"] >= N * frame,
               f"{N} datagrams of {SIZE} B: zca's tx queue and zcb's rx queue move by the same "
               f"frames and bytes (>= {N} x {frame} B)",
               f"received {got}; zca {da}; zcb {db}")
    setns(home)
    return 1 if res.failed else 0


sys.exit(main())
