#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Create/traffic/delete cycles of zcpair pairs from one process.

Usage: cycles.py CYCLES NETNS_A NETNS_B

Each cycle creates zca in NETNS_A with its peer zcb in NETNS_B (one
RTM_NEWLINK, the peer's ifinfomsg in ZCPAIR_INFO_PEER, the ring size
varying from cycle to cycle), gives them addresses, sets them up, waits for
both to be operationally up, sends a small and an SG-sized datagram each
way and checks them byte for byte, leaves a burst of datagrams in flight,
then deletes the pair (zca from NETNS_A on even cycles, zcb from NETNS_B on
odd ones) and checks that both ends are gone.

Under QEMU TCG with the debug kernel every process start costs about half
a second, so the cycles run from one process over plain netlink sockets;
the tools' own paths are tested elsewhere. Prints one line per failure and
a summary; exits 0 only if every cycle passed.
"""
import errno
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from zcnl import RTM_DELLINK, Rtnl, ifinfo, setns  # noqa: E402

PORT = 5025
RINGS = (64, 256, 1024, 128, 512)


def one_cycle(i, ns, rt, udp, fd_b):
    ring = RINGS[i % len(RINGS)]
    rt["a"].create_pair("zca", "zcb", fd_b, ring_size=ring)

    index = {}
    for end, dev, addr in (("a", "zca", "10.99.0.1"), ("b", "zcb", "10.99.0.2")):
        found = rt[end].link(dev)
        if found is None:
            raise OSError(errno.ENODEV, f"{dev} not in {ns[end]} after create")
        index[end] = found[0]
        rt[end].add_addr(index[end], addr, 24)
        rt[end].set_up(index[end], True)

    # Carrier comes with the second end up; linkwatch then attaches the
    # qdiscs. Sending before that would drop, so wait for operstate UP.
    for end, dev in (("a", "zca"), ("b", "zcb")):
        rt[end].wait_oper_up(dev)

    # Leftovers from the previous cycle's burst are not this cycle's.
    for s in udp.values():
        s.setblocking(False)
        try:
            while True:
                s.recv(65536)
        except BlockingIOError:
            pass
        s.settimeout(10)

    # A small datagram (copied whole) and one above copybreak (headers
    # copied, payload referenced) each way, checked byte for byte.
    for size in (64, 1400):
        msg = (b"%d:%d:" % (i, size) + bytes(range(256)) * 6)[:size]
        udp["a"].sendto(msg, ("10.99.0.2", PORT))
        got, src = udp["b"].recvfrom(65536)
        if got != msg:
            raise OSError(errno.EIO, f"a->b {size} B datagram differs ({len(got)} B received)")
        udp["b"].sendto(got[::-1], src)
        back = udp["a"].recv(65536)
        if back != msg[::-1]:
            raise OSError(errno.EIO, f"b->a {size} B datagram differs ({len(back)} B received)")

    # Frames in flight (some on the ring, some in the receiver's socket)
    # when the pair goes.
    for _ in range(32):
        udp["a"].sendto(b"burst" * 200, ("10.99.0.2", PORT))
        udp["b"].sendto(b"burst" * 200, ("10.99.0.1", PORT))

    end, dev = ("a", "zca") if i % 2 == 0 else ("b", "zcb")
    rt[end].check(f"delete {dev}", RTM_DELLINK, ifinfo(index[end]))
    for end, dev in (("a", "zca"), ("b", "zcb")):
        if rt[end].link(dev) is not None:
            raise OSError(errno.EEXIST, f"{dev} still in {ns[end]} after deleting the pair")


def main():
    cycles, ns = int(sys.argv[1]), {"a": sys.argv[2], "b": sys.argv[3]}
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = {end: os.open(f"/run/netns/{name}", os.O_RDONLY) for end, name in ns.items()}
    rt, udp = {}, {}
    for end in ("a", "b"):
        setns(fd[end])
        rt[end] = Rtnl()
        udp[end] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp[end].bind(("0.0.0.0", PORT))
    setns(home)

    failures = 0
    start = time.monotonic()
    for i in range(cycles):
        if i % 10 == 0:
            print(f"cycle {i + 1} of {cycles} at {time.monotonic() - start:.0f} s", flush=True)
        try:
            one_cycle(i, ns, rt, udp, fd["b"])
        except OSError as e:
            failures += 1
            print(f"cycle {i + 1}: {e.strerror or e}", flush=True)
            # Start the next cycle from nothing.
            for end, dev in (("a", "zca"), ("b", "zcb")):
                found = rt[end].link(dev)
                if found:
                    rt[end].request(RTM_DELLINK, ifinfo(found[0]))
    print(f"{cycles - failures} of {cycles} cycles passed in {time.monotonic() - start:.0f} s", flush=True)
    return 1 if failures else 0


sys.exit(main())
