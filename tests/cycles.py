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
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from zcnl import (  # noqa: E402
    IF_OPER_UP, IFF_UP, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO,
    IFLA_NET_NS_FD, NLM_F_CREATE, NLM_F_EXCL, RTM_DELLINK, RTM_NEWLINK, Rtnl, attr, ifinfo,
    setns, uapi,
)

RTM_NEWADDR = 20
IFA_ADDRESS, IFA_LOCAL = 1, 2
PORT = 5025
RINGS = (64, 256, 1024, 128, 512)


def check(err, what):
    if err:
        raise OSError(err, f"{what}: {os.strerror(err)}")


def one_cycle(i, ns, rt, udp, fd_b):
    ring = RINGS[i % len(RINGS)]
    peer = ifinfo() + attr(IFLA_IFNAME, "zcb") + attr(IFLA_NET_NS_FD, fd_b)
    data = attr(uapi.ZCPAIR_INFO_PEER, peer) + attr(uapi.ZCPAIR_INFO_RING_SIZE, ring)
    linkinfo = attr(IFLA_INFO_KIND, "zcpair") + attr(IFLA_INFO_DATA, data)
    err, _, _ = rt["a"].request(RTM_NEWLINK, ifinfo() + attr(IFLA_IFNAME, "zca") +
                                attr(IFLA_LINKINFO, linkinfo), NLM_F_CREATE | NLM_F_EXCL)
    check(err, f"create (ring {ring})")

    index = {}
    for end, dev, addr in (("a", "zca", "10.99.0.1"), ("b", "zcb", "10.99.0.2")):
        found = rt[end].link(dev)
        if found is None:
            raise OSError(errno.ENODEV, f"{dev} not in {ns[end]} after create")
        index[end] = found[0]
        ip = socket.inet_aton(addr)
        err, _, _ = rt[end].request(RTM_NEWADDR,
                                    struct.pack("BBBBI", socket.AF_INET, 24, 0, 0, index[end]) +
                                    attr(IFA_LOCAL, ip) + attr(IFA_ADDRESS, ip),
                                    NLM_F_CREATE | NLM_F_EXCL)
        check(err, f"address on {dev}")
        err, _, _ = rt[end].request(RTM_NEWLINK, ifinfo(index[end], IFF_UP, IFF_UP))
        check(err, f"{dev} up")

    # Carrier comes with the second end up; linkwatch then attaches the
    # qdiscs. Sending before that would drop, so wait for operstate UP.
    deadline = time.monotonic() + 10
    while True:
        states = [rt[end].link(dev) for end, dev in (("a", "zca"), ("b", "zcb"))]
        if all(s and s[1] == IF_OPER_UP for s in states):
            break
        if time.monotonic() > deadline:
            raise OSError(errno.ETIMEDOUT, f"not operationally up after 10 s: {states}")
        time.sleep(0.02)

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
    err, _, _ = rt[end].request(RTM_DELLINK, ifinfo(index[end]))
    check(err, f"delete {dev}")
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
            print(f"cycle {i + 1}: {e.strerror}", flush=True)
            # Start the next cycle from nothing.
            for end, dev in (("a", "zca"), ("b", "zcb")):
                found = rt[end].link(dev)
                if found:
                    rt[end].request(RTM_DELLINK, ifinfo(found[0]))
    print(f"{cycles - failures} of {cycles} cycles passed in {time.monotonic() - start:.0f} s", flush=True)
    return 1 if failures else 0


sys.exit(main())
