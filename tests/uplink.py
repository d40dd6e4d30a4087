#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The uplink and its cross-talk detector, from one process.

Usage: uplink.py NETNS_A NETNS_B NETNS_R

End ua (NETNS_A, 10.77.0.1, fd77::1) and its peer ub (NETNS_B, 10.77.0.2,
fd77::2); a veth upa (NETNS_A, no address) to upr in NETNS_R, the
"router" standing in for the physical network (10.77.0.100, fd77::100).
ua gets upa as its uplink. Checked: frames for the peer cross the ring,
frames for the router leave through the uplink and its answers come
back, byte for byte, v4 and v6, and the counters agree with what a packet
socket on upr saw; with ub down, frames for it follow the uplink
(remapped) and return to the ring when it is up, and under a numbered
stream nothing is lost or reordered at the switch-over; every refusal's errno
and extack; an uplink given at creation, shared by two ends, following
the uplink's MTU, and deleted under traffic (ua detaches and says so).
Prints KTAP result lines for tests/19-uplink.sh.
"""
import ctypes
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from mmsg import Iovec, Mmsghdr, libc  # noqa: E402
from zcnl import attr, attrs, ifinfo, setns, uapi  # noqa: E402

IFLA_ADDRESS, IFLA_MASTER = 1, 10
VETH_INFO_PEER = 1
RTM_DELLINK = 17
ETH_P_ALL = 3
RTM_GETNEIGH, AF_BRIDGE, NDA_LLADDR = 30, 7, 2
PACKET_OUTGOING = 4
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33
N = 40
PORT = 7100


def mac(a):
    return ":".join(f"{b:02x}" for b in a)


class Side:
    def __init__(self, ns):
        setns(ns)
        self.ns = ns
        self.fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        self.rt = zcnl.Rtnl()
        self.genl = zcnl.Genl("zcpair")

    def index(self, name):
        found = self.rt.getlink(name)
        return found[0] if found else None

    def mac(self, name):
        return self.rt.getlink(name)[1][IFLA_ADDRESS][:6]

    def mtu(self, name):
        return zcnl.u32(self.rt.getlink(name)[1][zcnl.IFLA_MTU])

    def up(self, name, on=True):
        self.rt.set_up(self.index(name), on)

    def newlink(self, name, kind, data=b"", extra=b""):
        info = attr(zcnl.IFLA_INFO_KIND, kind) + (attr(zcnl.IFLA_INFO_DATA, data) if data else b"")
        return self.rt.check(f"create {name}", zcnl.RTM_NEWLINK,
                             ifinfo() + attr(zcnl.IFLA_IFNAME, name) + extra +
                             attr(zcnl.IFLA_LINKINFO, info), zcnl.NLM_F_CREATE | zcnl.NLM_F_EXCL)

    def veth(self, name, peer, peer_fd):
        self.newlink(name, "veth", attr(VETH_INFO_PEER, ifinfo() + attr(zcnl.IFLA_IFNAME, peer) +
                                        attr(zcnl.IFLA_NET_NS_FD, peer_fd)))

    def dellink(self, name):
        return self.rt.request(RTM_DELLINK, ifinfo(self.index(name)))[:2]

    def pair(self, name):
        """pair-get of NAME: (uplink ifindex, uplink name, {stats attr: value})."""
        err, msg, replies = self.genl.call(uapi.ZCPAIR_CMD_PAIR_GET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, name))
        if err or not replies:
            raise zcnl.NetlinkError(err, msg, f"pair-get {name}")
        r = replies[0]
        stats = {k: zcnl.uint(v) for k, v in attrs(r[uapi.ZCPAIR_A_PAIR_STATS]).items()}
        name = r.get(uapi.ZCPAIR_A_PAIR_UPLINK_IFNAME, b"").rstrip(b"\0").decode()
        return zcnl.u32(r[uapi.ZCPAIR_A_PAIR_UPLINK]), name, stats

    def unicast(self, index):
        """The unicast addresses on device INDEX's list (`dev_uc_add`), as
        the bridge family's fdb dump reports them ("self" entries of a
        device that is no bridge port)."""
        err, msg, replies = self.rt.request(RTM_GETNEIGH, struct.pack("BxxxiHBB", AF_BRIDGE, 0, 0, 0, 0),
                                            zcnl.NLM_F_DUMP)
        if err:
            raise zcnl.NetlinkError(err, msg, "fdb dump")
        out = []
        for r in replies:
            if struct.unpack_from("i", r, 4)[0] != index:
                continue
            lladdr = attrs(r[12:]).get(NDA_LLADDR, b"")[:6]
            if len(lladdr) == 6 and not lladdr[0] & 1:
                out.append(lladdr)
        return out

    def set_uplink(self, name, ifindex):
        err, msg, _ = self.genl.call(uapi.ZCPAIR_CMD_PAIR_SET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, name) +
                                     attr(uapi.ZCPAIR_A_PAIR_UPLINK, ifindex))
        return err, msg

    def udp(self, family, ip, port=PORT):
        setns(self.ns)
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((ip, port))
        s.settimeout(5)
        return s


def payload(i, size=700):
    return struct.pack("!I", i) + bytes((i + k) % 253 for k in range(size - 4))


def exchange(tx, rx, dst, n=N, first=0):
    """Sends N datagrams from TX to DST; returns how many RX got intact."""
    for i in range(first, first + n):
        tx.sendto(payload(i), dst)
    good = 0
    try:
        for _ in range(n):
            d = rx.recv(65536)
            good += d == payload(struct.unpack_from("!I", d)[0])
    except socket.timeout:
        pass
    return good


def wire(sock, src=None, dst=None):
    """Drains the packet socket on upr: frames upr received, with source
    SRC or destination DST (6-byte MACs), until a second passes without
    one (a frame's way through the veth's backlog under TCG can take a
    few hundred milliseconds)."""
    n = 0
    while select.select([sock], [], [], 1.0)[0]:
        frame, addr = sock.recvfrom(65536)
        if addr[2] == PACKET_OUTGOING:
            continue
        if (src is None or frame[6:12] == src) and (dst is None or frame[0:6] == dst):
            n += 1
    return n


def settle(side, name, sock, **match):
    """NAME's counters once every frame they count has reached the packet
    socket: drains it until the counters stop moving between two reads.
    Returns (counters, frames matching MATCH (see `wire`) drained
    meanwhile)."""
    seen, stats = 0, side.pair(name)[2]
    while True:
        seen += wire(sock, **match)
        again = side.pair(name)[2]
        if again == stats:
            return stats, seen
        stats = again


def delta(after, before, key):
    return after[key] - before[key]


def send_burst(sock, first, k, size=200):
    """Datagrams FIRST..FIRST+K-1 (`payload`) in one sendmmsg(2) on the
    connected SOCK; returns how many were sent."""
    bufs = [ctypes.create_string_buffer(payload(first + j, size), size) for j in range(k)]
    iovs = (Iovec * k)(*[Iovec(ctypes.cast(b, ctypes.c_void_p), size) for b in bufs])
    msgs = (Mmsghdr * k)()
    for j in range(k):
        msgs[j].hdr.iov = ctypes.pointer(iovs[j])
        msgs[j].hdr.iovlen = 1
    n = libc.sendmmsg(sock.fileno(), msgs, k, 0)
    if n < 0:
        raise OSError(ctypes.get_errno(), f"sendmmsg: {os.strerror(ctypes.get_errno())}")
    return n


def seq_of(frame, port):
    """The sequence number of a datagram of `switch_over`'s stream in an
    Ethernet frame (IPv4, UDP to PORT), or None."""
    if len(frame) < 46 or frame[12:14] != b"\x08\x00" or frame[23] != socket.IPPROTO_UDP:
        return None
    udp = 14 + (frame[14] & 15) * 4
    if struct.unpack_from("!H", frame, udp + 2)[0] != port:
        return None
    return struct.unpack_from("!I", frame, udp + 8)[0]


def switch_over(a, b, ns_b, ub_mac):
    """Section 4b of main(); returns (ok, name, details)."""
    port = PORT + 1
    # ub's polls deferred by the stack (napi_defer_hard_irqs, its timer
    # gro_flush_timeout 1 s): the poll that read the first frame of a
    # burst leaves ub's queue masked and the stack polls again a second
    # later, so the rest of the burst is still unread in the ring when ub
    # goes down right after it (left to its own pace, under TCG ub's poll
    # keeps up with a stream: it reads each frame as it comes).
    defer = "echo {} > /sys/class/net/ub/napi_defer_hard_irqs; echo {} > /sys/class/net/ub/gro_flush_timeout"
    subprocess.run(["ip", "netns", "exec", ns_b, "sh", "-ec", defer.format(1000, 1_000_000_000)],
                   check=True, capture_output=True)
    rx = b.udp(socket.AF_INET, "10.77.0.2", port)
    rx.setblocking(False)
    # The order is checked where ua hands frames to the uplink (upa's
    # outgoing tap): on their way to upr, frames ua sent from two CPUs
    # cross two backlogs (veth's netif_rx()), which the lower may reorder.
    setns(a.ns)
    snoop = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    snoop.bind(("upa", 0))
    snoop.setblocking(False)
    # Room for every frame of the stream while the collector waits for
    # its turn (SO_RCVBUFFORCE: root may pass rmem_max).
    for sock in (rx, snoop):
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    a0, b0 = a.pair("ua")[2], b.pair("ub")[2]
    ring, wire_seqs, out_upa, done = [], [], [0], threading.Event()

    def collect():
        quiet_since = None
        while True:
            ready = select.select([rx, snoop], [], [], 0.2)[0]
            for sock in ready:
                while True:
                    try:
                        data, addr = sock.recvfrom(65536)
                    except BlockingIOError:
                        break
                    if sock is rx:
                        ring.append(struct.unpack_from("!I", data)[0])
                    elif addr[2] == PACKET_OUTGOING and data[0:6] == ub_mac:
                        out_upa[0] += 1
                        n = seq_of(data, port)
                        if n is not None:
                            wire_seqs.append(n)
            if done.is_set():
                if ready:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since > 1.5:
                    return

    sent, stop, before_down = [0], threading.Event(), [0]
    tx = a.udp(socket.AF_INET, "10.77.0.1", port + 1)
    tx.connect(("10.77.0.2", port))
    # Blocking, with room for what the deferred polls hold (a frame's
    # socket memory comes back when the reader releases it).
    tx.setblocking(True)
    tx.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 16 << 20)

    def stream():
        # Bursts of 32 by sendmmsg(2): under TCG one datagram per Python
        # call is too slow to leave frames waiting at the switch-over.
        while not stop.is_set():
            sent[0] += send_burst(tx, sent[0], 32)
            time.sleep(0.002)

    threads = [threading.Thread(target=collect), threading.Thread(target=stream)]
    threads[0].start()
    # A burst while ub is up, ub down at once, then a stream, during which
    # ub comes up again.
    sent[0] += send_burst(tx, 0, 32)
    before_down[0] = sent[0]
    b.up("ub", False)
    threads[1].start()
    time.sleep(0.4)
    # ub's polls at its own pace again before it comes up (deferred, the
    # stream would fill the ring).
    subprocess.run(["ip", "netns", "exec", ns_b, "sh", "-ec", defer.format(0, 0)], check=True,
                   capture_output=True)
    b.up("ub")
    b.rt.wait_oper_up("ub")
    time.sleep(0.4)
    stop.set()
    threads[1].join()
    done.set()
    threads[0].join()
    rx.close()
    tx.close()
    snoop.close()
    a1, b1 = a.pair("ua")[2], b.pair("ub")[2]
    n = sent[0]
    got = set(ring) | set(wire_seqs)
    missing = [i for i in range(n) if i not in got]
    both = set(ring) & set(wire_seqs)
    stack = delta(b1, b0, uapi.ZCPAIR_A_STATS_RX_PACKETS) - len(ring)
    in_order = ring == sorted(ring) and wire_seqs == sorted(wire_seqs)
    inversions = [(x, y) for seqs in (ring, wire_seqs) for x, y in zip(seqs, seqs[1:]) if y < x]
    after = [i for i in ring if wire_seqs and i > wire_seqs[-1]]
    # The burst sent while ub was up and unread when it went down: taken
    # back and sent through the uplink ahead of what followed.
    taken_back = [i for i in wire_seqs if i < before_down[0]]
    remapped = delta(a1, a0, uapi.ZCPAIR_A_STATS_TX_UPLINK_REMAPPED)
    drops = (delta(a1, a0, uapi.ZCPAIR_A_STATS_TX_DROPPED), delta(b1, b0, uapi.ZCPAIR_A_STATS_RX_DROPPED),
             delta(a1, a0, uapi.ZCPAIR_A_STATS_TX_UPLINK_DROPPED))
    ok = (taken_back and after and in_order and not both and len(missing) <= max(stack, 0) and
          drops == (0, 0, 0) and remapped == out_upa[0] and len(ring) + len(wire_seqs) == len(got))
    return (ok, "peer down right after a burst, then up, under a numbered stream: what ub left unread is "
            "taken back to the uplink first; every datagram reaches ub or leaves through the uplink once, "
            "in order on each path, none skipped (ua tx_dropped, ub rx_dropped, tx_uplink_dropped +0; "
            "tx_uplink_remapped = frames for ub's MAC out of upa)",
            f"sent {n} ({before_down[0]} before ub went down); through the ring {len(ring)}, out of upa "
            f"{len(wire_seqs)} (seqs {wire_seqs[:3]}..{wire_seqs[-1:]}; unread at the switch-over, taken back: "
            f"{len(taken_back)}), both {len(both)}, after the switch back {len(after)}; "
            f"in order {in_order} {inversions[:4]}; "
            f"missing {len(missing)} {missing[:8]} (ub's stack dropped up to {stack}); drops {drops}; "
            f"remapped +{remapped}, frames for ub out of upa {out_upa[0]}")


def main():
    ns_a, ns_b, ns_r = sys.argv[1:4]
    res = Result()
    r = Side(ns_r)
    b = Side(ns_b)
    a = Side(ns_a)
    # Quiet ends: no router solicitations from the v6 stack's own timers;
    # and in NETNS_A, where two ends will share the uplink, each answers
    # ARP for its own address only (arp_ignore 1), so the router reaches
    # each end by that end's MAC.
    for side in (a, b, r):
        setns(side.ns)
        with open("/proc/sys/net/ipv6/conf/default/router_solicitations", "w") as f:
            f.write("0\n")
    setns(ns_a)
    with open("/proc/sys/net/ipv4/conf/all/arp_ignore", "w") as f:
        f.write("1\n")
    setns(ns_a)
    a.rt.create_pair("ua", "ub", b.fd)
    a.veth("upa", "upr", r.fd)
    ua, ub_mac = a.index("ua"), b.mac("ub")
    for side, name, v4, v6 in ((a, "ua", "10.77.0.1", "fd77::1"), (b, "ub", "10.77.0.2", "fd77::2"),
                               (r, "upr", "10.77.0.100", "fd77::100")):
        side.rt.add_addr(side.index(name), v4, 24)
        side.rt.add_addr(side.index(name), v6, 64)
        side.up(name)
    a.up("upa")
    upa = a.index("upa")
    a.rt.wait_oper_up("ua")
    ua_mac = a.mac("ua")

    # 1. Attach by pair-set; pair-get reports it.
    err, msg = a.set_uplink("ua", upa)
    got = a.pair("ua")[:2]
    res.report(err == 0 and got == (upa, "upa"), "pair-set uplink upa: pair-get reports uplink upa",
               f"errno {err} '{msg}', pair-get uplink {got}")

    # 1b. The end's MAC is on the uplink's unicast address list (what
    # `bridge fdb show dev upa` lists as "self"), follows a change of the
    # end's MAC, and leaves with the end.
    listed = [ua_mac in a.unicast(upa)]
    new_mac = bytes([0x02, 0x7A, 0, 0, 0, 0x01])
    a.rt.check("ua's MAC", zcnl.RTM_NEWLINK, ifinfo(ua) + attr(IFLA_ADDRESS, new_mac))
    uc = a.unicast(upa)
    listed += [new_mac in uc, ua_mac not in uc]
    a.rt.check("ua's MAC back", zcnl.RTM_NEWLINK, ifinfo(ua) + attr(IFLA_ADDRESS, ua_mac))
    uc = a.unicast(upa)
    listed += [ua_mac in uc, new_mac not in uc]
    a.set_uplink("ua", 0)
    listed.append(a.unicast(upa) == [])
    err2, msg2 = a.set_uplink("ua", upa)
    listed.append(ua_mac in a.unicast(upa) and err2 == 0)
    res.report(all(listed), "the end's MAC is on the uplink's unicast list (dev_uc_add), follows the end's "
               "MAC changes and leaves with the end",
               f"checks {listed}; list now {[mac(m) for m in a.unicast(upa)]}")

    setns(ns_r)
    snoop = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    snoop.bind(("upr", 0))
    tx4, tx6 = a.udp(socket.AF_INET, "10.77.0.1"), a.udp(socket.AF_INET6, "fd77::1")
    rb4, rb6 = b.udp(socket.AF_INET, "10.77.0.2"), b.udp(socket.AF_INET6, "fd77::2")
    rr4, rr6 = r.udp(socket.AF_INET, "10.77.0.100"), r.udp(socket.AF_INET6, "fd77::100")
    # Neighbours resolved (ARP/ND broadcasts cross both ways).
    warm = [exchange(tx4, rb4, ("10.77.0.2", PORT), 1), exchange(tx4, rr4, ("10.77.0.100", PORT), 1),
            exchange(tx6, rb6, ("fd77::2", PORT), 1), exchange(tx6, rr6, ("fd77::100", PORT), 1)]

    # 2. To the peer: the ring, nothing through the uplink.
    s0, _ = settle(a, "ua", snoop, src=ua_mac)
    got = (exchange(tx4, rb4, ("10.77.0.2", PORT)), exchange(tx6, rb6, ("fd77::2", PORT)))
    s1, seen = settle(a, "ua", snoop, src=ua_mac)
    up_tx = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_UPLINK_PACKETS)
    ring = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_PACKETS)
    # The datagrams' frames: 700 B of UDP payload, with UDP, IP (v4 20,
    # v6 40) and Ethernet headers.
    ring_pk = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_RING_PACKETS)
    ring_b = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_RING_BYTES)
    least = N * (700 + 8 + 20 + 14) + N * (700 + 8 + 40 + 14)
    res.report(got == (N, N) and seen <= up_tx <= seen + 2 and ring >= 2 * N and
               2 * N <= ring_pk <= 2 * N + 2 and least <= ring_b <= least + 2 * 100 and
               delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_HEADER_BYTES_COPIED) > 0,
               "to the peer, v4 and v6: every datagram through the ring, intact (tx_ring_packets/bytes count "
               "them); tx_uplink_packets moved only by what upr saw from ua (neighbour multicast)",
               f"warm-up {warm}, intact {got} of {N}, tx_packets +{ring}, tx_ring_packets +{ring_pk}, "
               f"tx_ring_bytes +{ring_b} (the datagrams: {least}), tx_uplink_packets +{up_tx}, "
               f"frames from ua at upr {seen}")

    # 3. To the router: through the uplink, and its answers back.
    s0, _ = settle(a, "ua", snoop, src=ua_mac)
    out = (exchange(tx4, rr4, ("10.77.0.100", PORT)), exchange(tx6, rr6, ("fd77::100", PORT)))
    back = (exchange(rr4, tx4, ("10.77.0.1", PORT)), exchange(rr6, tx6, ("fd77::1", PORT)))
    s1, seen = settle(a, "ua", snoop, src=ua_mac)
    up_tx = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_UPLINK_PACKETS)
    up_rx = delta(s1, s0, uapi.ZCPAIR_A_STATS_RX_UPLINK_PACKETS)
    # A neighbour multicast of ua's own (MLD, ND) may cross the ring
    # meanwhile (and the uplink: counted in both): well under the 42 B
    # of header per datagram the 160 datagrams would have copied.
    hdr = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_HEADER_BYTES_COPIED)
    ring_pk = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_RING_PACKETS)
    # The same multicast may be counted going out before the snoop on upr
    # has it (seen: +81 counted, 80 at upr, 86 header bytes in the ring:
    # one MLD report): up to two such frames apart.
    res.report(out == (N, N) and back == (N, N) and seen <= up_tx <= seen + 2 and seen >= 2 * N and
               up_rx >= 2 * N and hdr < 42 * N // 2 and ring_pk <= 2,
               "to the router, v4 and v6: through the uplink (tx_uplink_packets = frames upr saw from ua, +0-2 multicast), "
               "its answers received through it (rx_uplink_packets), every byte intact, none of them in the ring",
               f"out {out}, back {back} of {N}, tx_uplink_packets +{up_tx}, frames at upr {seen}, "
               f"rx_uplink_packets +{up_rx}, header bytes copied into the ring +{hdr}, "
               f"tx_ring_packets +{ring_pk}")

    # 4. Peer down: frames for it follow the uplink (remapped), with
    # carrier kept; peer up: back to the ring.
    b.up("ub", False)
    time.sleep(0.2)
    s0, _ = settle(a, "ua", snoop, dst=ub_mac)
    for i in range(N):
        tx4.sendto(payload(i), ("10.77.0.2", PORT))
    s1, seen = settle(a, "ua", snoop, dst=ub_mac)
    remapped = delta(s1, s0, uapi.ZCPAIR_A_STATS_TX_UPLINK_REMAPPED)
    oper = a.rt.link("ua")[1]
    b.up("ub")
    a.rt.wait_oper_up("ua")
    b.rt.wait_oper_up("ub")
    s2 = a.pair("ua")[2]
    again = exchange(tx4, rb4, ("10.77.0.2", PORT), first=N)
    s3 = a.pair("ua")[2]
    res.report(seen >= N and remapped == seen and oper == zcnl.IF_OPER_UP and again == N and
               delta(s3, s2, uapi.ZCPAIR_A_STATS_TX_UPLINK_REMAPPED) == 0,
               "peer down: frames for it leave through the uplink (tx_uplink_remapped = frames for ub's MAC "
               "at upr), ua keeps carrier; peer up again: back through the ring, intact",
               f"frames for ub at upr {seen}, remapped +{remapped}, ua operstate {oper}, after up: "
               f"{again} of {N} intact, remapped +{delta(s3, s2, uapi.ZCPAIR_A_STATS_TX_UPLINK_REMAPPED)}")

    # 4b. The switch-over under traffic: ub goes down right after a burst
    # it has not read (its polls deferred), then a numbered stream runs
    # while it is down and after it is up again. The unread frames must
    # leave through the uplink ahead of the later ones, not be skipped.
    # Every datagram is read by ub's socket or leaves through upa, once,
    # in order on each path; the only ones allowed missing are frames
    # zcpair handed to ub's stack that it dropped as ub went down (ub's
    # rx_packets count them).
    res.report(*switch_over(a, b, ns_b, ub_mac))

    # 5. Refusals: errno and extack, the uplink unchanged.
    setns(ns_a)
    a.newlink("brx", "bridge")
    a.veth("vbr", "vbr2", a.fd)
    a.rt.check("enslave vbr", zcnl.RTM_NEWLINK, ifinfo(a.index("vbr")) + attr(IFLA_MASTER, a.index("brx")))
    cases = (("itself", ua, 22, "zcpair device"), ("lo", 1, 22, "Ethernet"),
             ("a missing ifindex", 99999, 19, "no device"),
             ("a bridge port", a.index("vbr"), 16, "rx handler"))
    ok, seen = True, []
    for desc, idx, want_err, want_msg in cases:
        err, msg = a.set_uplink("ua", idx)
        still = a.pair("ua")[0]
        ok &= err == want_err and want_msg in (msg or "") and still == upa
        seen.append(f"{desc}: errno {err} '{msg}', uplink still {still}")
    # An end's MTU above the uplink's.
    a.rt.create_pair("wa", "wb", b.fd)
    a.rt.set_mtu(a.index("wa"), 9000)
    err, msg = a.set_uplink("wa", upa)
    ok &= err == 22 and "MTU" in (msg or "") and a.pair("wa")[0] == 0
    seen.append(f"MTU 9000 over 1500: errno {err} '{msg}'")
    # At creation: checked before anything exists.
    err, msg = a.rt.try_create_pair("xa", "xb", b.fd, uplink=1)
    left = a.index("xa") is not None or b.index("xb") is not None
    ok &= err == 22 and "Ethernet" in (msg or "") and not left
    seen.append(f"create with uplink lo: errno {err} '{msg}', left behind {left}")
    res.report(ok, "refused with errno and extack, nothing changed: the end itself (EINVAL), lo (EINVAL), "
               "a missing ifindex (ENODEV), a bridge port (EBUSY), an MTU above the uplink's (EINVAL), "
               "lo at creation (nothing left behind)", *seen)

    # 6. At creation, and one uplink shared by two ends: frames from the
    # router reach each end by its MAC.
    a.dellink("wa")
    a.rt.create_pair("va", "vb", b.fd, uplink=upa)
    a.rt.add_addr(a.index("va"), "10.77.0.3", 24)
    a.up("va")
    time.sleep(0.1)
    rv4 = a.udp(socket.AF_INET, "10.77.0.3")
    shared = a.pair("va")[:2]
    s0 = a.pair("va")[2]
    to_va = exchange(rr4, rv4, ("10.77.0.3", PORT))
    to_ua = exchange(rr4, tx4, ("10.77.0.1", PORT))
    s1 = a.pair("va")[2]
    res.report(shared == (upa, "upa") and to_va == N and to_ua == N and
               delta(s1, s0, uapi.ZCPAIR_A_STATS_RX_UPLINK_PACKETS) >= N,
               "uplink at creation (ZCPAIR_INFO_UPLINK), shared by two ends: the router reaches each by its MAC",
               f"va uplink {shared}, router to va {to_va}, to ua {to_ua} of {N}, "
               f"va rx_uplink_packets +{delta(s1, s0, uapi.ZCPAIR_A_STATS_RX_UPLINK_PACKETS)}")

    # 7. The uplink's MTU falls: the ends follow; an end's may not rise
    # above it.
    a.rt.set_mtu(upa, 1400)
    mtus = (a.mtu("ua"), a.mtu("va"))
    raise_err = a.rt.set_mtu(a.index("ua"), 1500)
    after = a.mtu("ua")
    a.rt.set_mtu(upa, 1500)
    res.report(mtus == (1400, 1400) and raise_err[0] == 22 and after == 1400,
               "the uplink's MTU lowered to 1400: both ends' MTU follow; ua's raised to 1500 is refused (EINVAL)",
               f"ua, va MTU {mtus}; ua to 1500: errno {raise_err[0]}, MTU then {after}")

    # 8. Deleting one end's pair leaves the port to the other; the uplink
    # deleted under traffic: ua detaches, announced, and the ring still
    # carries frames to the peer.
    a.dellink("va")
    after = exchange(rr4, tx4, ("10.77.0.1", PORT), first=2 * N)
    mon = zcnl.Genl("zcpair")
    mon.subscribe("events")
    stop = threading.Event()

    def blast():
        while not stop.is_set():
            try:
                tx4.sendto(payload(0), ("10.77.0.100", PORT))
            except OSError:
                pass
    t = threading.Thread(target=blast)
    t.start()
    time.sleep(0.3)
    err, msg = a.dellink("upa")
    time.sleep(0.3)
    stop.set()
    t.join()
    detached = a.pair("ua")[:2]
    ntf = [(zcnl.u32(a_[uapi.ZCPAIR_A_PAIR_IFINDEX]), zcnl.u32(a_[uapi.ZCPAIR_A_PAIR_UPLINK]))
           for cmd, a_ in mon.notifications(0.5) if cmd == uapi.ZCPAIR_CMD_PAIR_CHANGE_NTF]
    ring = exchange(tx4, rb4, ("10.77.0.2", PORT), first=3 * N)
    res.report(after == N and err == 0 and detached == (0, "") and (ua, 0) in ntf and ring == N,
               "the other end's pair deleted: ua still served by the port; the uplink deleted under traffic: "
               "ua detached (pair-get uplink 0, pair-change-ntf), the ring still carries frames to the peer",
               f"router to ua after va's deletion {after} of {N}, dellink upa errno {err} '{msg}', "
               f"pair-get {detached}, notifications {ntf}, to the peer {ring} of {N}")
    a.dellink("ua")
    a.dellink("brx")
    a.dellink("vbr")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
