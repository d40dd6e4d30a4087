#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""LAN mode (drivers/net/zcpair/lan.rs), from one process.

Usage: lan.py NS0 NS1 NS2 NS3 NS_R

Members m0..m3, one per netns, 10.88.0.N/24 and fd88::N/64 (N = 1..4):
m0 starts the LAN (kind attribute lan 0), m1..m3 join it by m0's ifindex
in NS0 and move to their netns. Checked: lan-get's members and table;
ICMP echo, UDP and TCP (sha256) between every ordered pair of members, v4
and v6; unicast reaches only its member and its counters; broadcast is
flooded; the table follows an address added and removed; an unknown
destination is counted and dropped, or with an uplink (a veth to NS_R, the
"router") leaves through it and its answer comes back; a member joins and
another is deleted
under traffic without a datagram of the traffic lost; every refusal's
errno and extack; deleting every member leaves no LAN behind.
Prints KTAP result lines for tests/21-lan.sh.
"""
import hashlib
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import attr, attrs, ifinfo, setns, uapi  # noqa: E402

RTM_DELLINK, RTM_NEWNEIGH = 17, 28
VETH_INFO_PEER = 1
NUD_PERMANENT = 0x80
NDA_DST, NDA_LLADDR = 1, 2
PORT = 7200
V4 = [f"10.88.0.{i + 1}" for i in range(5)]
V6 = [f"fd88::{i + 1}" for i in range(5)]
FAMILIES = ((socket.AF_INET, V4), (socket.AF_INET6, V6))

res = Result()


def attr_list(buf):
    """The attributes of `buf` as [(type, payload)], repeats kept."""
    out = []
    while len(buf) >= 4:
        ln, ty = struct.unpack_from("HH", buf)
        if ln < 4:
            break
        out.append((ty & 0x3FFF, buf[4:ln]))
        buf = buf[(ln + 3) & ~3:]
    return out


class Ns:
    """A netns: its rtnetlink and zcpair genl sockets."""

    def __init__(self, name):
        setns(name)
        self.name = name
        self.fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        self.rt = zcnl.Rtnl()
        self.genl = zcnl.Genl("zcpair")

    def sock(self, family, ty, proto=0):
        setns(self.name)
        return socket.socket(family, ty, proto)

    def index(self, name):
        found = self.rt.getlink(name)
        return found[0] if found else None

    def newlink(self, name, data, extra=b""):
        """RTM_NEWLINK of a zcpair device with kind attributes DATA:
        (errno, extack message)."""
        info = attr(zcnl.IFLA_INFO_KIND, "zcpair") + attr(zcnl.IFLA_INFO_DATA, data)
        err, msg, _ = self.rt.request(zcnl.RTM_NEWLINK, ifinfo() + attr(zcnl.IFLA_IFNAME, name) + extra +
                                      attr(zcnl.IFLA_LINKINFO, info), zcnl.NLM_F_CREATE | zcnl.NLM_F_EXCL)
        return err, msg

    def member(self, name, lan, extra=b""):
        err, msg = self.newlink(name, attr(uapi.ZCPAIR_INFO_LAN, lan), extra)
        if err:
            raise zcnl.NetlinkError(err, msg, f"create member {name}")
        return self.index(name)

    def move(self, name, to):
        self.rt.check(f"move {name}", zcnl.RTM_NEWLINK, ifinfo(self.index(name)) + attr(zcnl.IFLA_NET_NS_FD, to.fd))

    def dellink(self, name):
        return self.rt.request(RTM_DELLINK, ifinfo(self.index(name)))[:2]

    def veth(self, name, peer, peer_ns):
        info = attr(zcnl.IFLA_INFO_KIND, "veth") + attr(zcnl.IFLA_INFO_DATA, attr(
            VETH_INFO_PEER, ifinfo() + attr(zcnl.IFLA_IFNAME, peer) + attr(zcnl.IFLA_NET_NS_FD, peer_ns.fd)))
        self.rt.check(f"veth {name}", zcnl.RTM_NEWLINK, ifinfo() + attr(zcnl.IFLA_IFNAME, name) +
                      attr(zcnl.IFLA_LINKINFO, info), zcnl.NLM_F_CREATE | zcnl.NLM_F_EXCL)

    def set_uplink(self, name, ifindex):
        err, msg, _ = self.genl.call(uapi.ZCPAIR_CMD_PAIR_SET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, name) +
                                     attr(uapi.ZCPAIR_A_PAIR_UPLINK, ifindex))
        return err, msg

    def lan(self, name):
        """lan-get of NAME: (id, [(ifindex, name or nsid, up)], [(address, member ifindex)])."""
        err, msg, raw = self.genl.request(self.genl.family, self.genl.header(uapi.ZCPAIR_CMD_LAN_GET) +
                                          attr(uapi.ZCPAIR_A_LAN_IFNAME, name))
        if err or not raw:
            raise zcnl.NetlinkError(err, msg, f"lan-get {name}")
        return parse_lan(raw[0])

    def lan_dump(self):
        err, msg, replies = self.genl.request(self.genl.family, self.genl.header(uapi.ZCPAIR_CMD_LAN_GET),
                                              zcnl.NLM_F_DUMP)
        if err:
            raise zcnl.NetlinkError(err, msg, "lan-get dump")
        return replies

    def stats(self, name):
        err, msg, replies = self.genl.call(uapi.ZCPAIR_CMD_PAIR_GET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, name))
        if err or not replies:
            raise zcnl.NetlinkError(err, msg, f"pair-get {name}")
        return {k: zcnl.uint(v) for k, v in attrs(replies[0][uapi.ZCPAIR_A_PAIR_STATS]).items()}

    def neigh(self, index, ip, lladdr):
        self.rt.check("static neighbour", RTM_NEWNEIGH,
                      struct.pack("BxxxiHBB", socket.AF_INET, index, NUD_PERMANENT, 0, 1) +
                      attr(NDA_DST, socket.inet_pton(socket.AF_INET, ip)) + attr(NDA_LLADDR, lladdr),
                      zcnl.NLM_F_CREATE | 0x100)  # NLM_F_REPLACE


def parse_lan(reply):
    members, routes, lan_id = [], [], None
    for ty, p in attr_list(reply[4:]):
        if ty == uapi.ZCPAIR_A_LAN_ID:
            lan_id = zcnl.u32(p)
        elif ty == uapi.ZCPAIR_A_LAN_MEMBER:
            a = attrs(p)
            who = (a[uapi.ZCPAIR_A_LAN_MEMBER_IFNAME].rstrip(b"\0").decode()
                   if uapi.ZCPAIR_A_LAN_MEMBER_IFNAME in a
                   else struct.unpack("i", a[uapi.ZCPAIR_A_LAN_MEMBER_NETNSID])[0])
            members.append((zcnl.u32(a[uapi.ZCPAIR_A_LAN_MEMBER_IFINDEX]), who,
                            a[uapi.ZCPAIR_A_LAN_MEMBER_UP][0]))
        elif ty == uapi.ZCPAIR_A_LAN_ROUTE:
            a = attrs(p)
            addr = a[uapi.ZCPAIR_A_LAN_ROUTE_ADDR]
            fam = socket.AF_INET if len(addr) == 4 else socket.AF_INET6
            routes.append((socket.inet_ntop(fam, addr), zcnl.u32(a[uapi.ZCPAIR_A_LAN_ROUTE_MEMBER_IFINDEX])))
    return lan_id, members, routes


def wait_routes(ns, name, want, secs=20):
    """Polls lan-get until the table holds every (address, ifindex) of WANT."""
    deadline = time.monotonic() + secs
    while True:
        _, _, routes = ns.lan(name)
        if set(want) <= set(routes) or time.monotonic() > deadline:
            return routes
        time.sleep(0.1)


def udp_exchange(nss, family, addrs, pairs, n=5, size=700):
    """N datagrams for each (i, j) of PAIRS from member i to member j;
    returns the pairs that did not get all N intact."""
    rx = {}
    for j in {j for _, j in pairs}:
        s = nss[j].sock(family, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: all N queued
        s.bind((addrs[j], PORT))
        s.settimeout(10)
        rx[j] = s
    tx = {i: nss[i].sock(family, socket.SOCK_DGRAM) for i, _ in pairs}
    bad = []
    for i, j in pairs:
        want = [bytes([i, j, k]) * (size // 3) for k in range(n)]
        for w in want:
            tx[i].sendto(w, (addrs[j], PORT))
        got = []
        try:
            while len(got) < n:
                got.append(rx[j].recv(65536))
        except socket.timeout:
            pass
        if sorted(got) != sorted(want):
            bad.append((i, j, len(got)))
    for s in list(rx.values()) + list(tx.values()):
        s.close()
    return bad


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(nss, family, addrs, pairs):
    """One ICMP echo for each (i, j); returns the pairs without a reply."""
    bad = []
    v6 = family == socket.AF_INET6
    for n, (i, j) in enumerate(pairs):
        s = nss[i].sock(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
        s.settimeout(5)
        ident, seq = 0x5A00 + n, n
        body = struct.pack("!HH", ident, seq) + b"zcpair-lan" * 4
        req = struct.pack("!BBH", 128 if v6 else 8, 0, 0) + body
        if not v6:
            req = req[:2] + struct.pack("!H", checksum(req)) + req[4:]
        s.sendto(req, (addrs[j], 0))
        ok = False
        deadline = time.monotonic() + 5
        try:
            while not ok and time.monotonic() < deadline:
                d = s.recv(65536)
                if not v6:
                    d = d[(d[0] & 0xF) * 4:]
                ok = d[0] == (129 if v6 else 0) and d[4:] == body
        except socket.timeout:
            pass
        s.close()
        if not ok:
            bad.append((i, j))
    return bad


def tcp_all(nss, family, addrs, pairs, size=256 << 10):
    """SIZE bytes over TCP for each (i, j); returns the pairs whose sha256
    differs."""
    data = os.urandom(size)
    want = hashlib.sha256(data).hexdigest()
    bad = []
    for i, j in pairs:
        srv = nss[j].sock(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((addrs[j], PORT + 1))
        srv.listen(1)
        srv.settimeout(30)
        got = {}

        def serve():
            try:
                c, _ = srv.accept()
                c.settimeout(30)
                h = hashlib.sha256()
                while True:
                    b = c.recv(1 << 16)
                    if not b:
                        break
                    h.update(b)
                got["sha"] = h.hexdigest()
                c.close()
            except OSError as e:
                got["err"] = e

        t = threading.Thread(target=serve)
        t.start()
        c = nss[i].sock(family, socket.SOCK_STREAM)
        c.settimeout(30)
        try:
            c.connect((addrs[j], PORT + 1))
            c.sendall(data)
        except OSError as e:
            got["err"] = e
        c.close()
        t.join(60)
        srv.close()
        if got.get("sha") != want:
            bad.append((i, j, got.get("err")))
    return bad


class Stream:
    """UDP datagrams numbered from 0, member I to member J at about RATE
    per second, until stopped; then `lost()` is the numbers J never got."""

    def __init__(self, nss, i, j, rate=100):
        self.rx = nss[j].sock(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.rx.bind((V4[j], PORT + 2))
        self.rx.settimeout(0.5)
        self.tx = nss[i].sock(socket.AF_INET, socket.SOCK_DGRAM)
        self.dst, self.rate, self.sent, self.seen, self.bad = (V4[j], PORT + 2), rate, 0, set(), 0
        self.stop_ev = threading.Event()
        self.threads = [threading.Thread(target=self.send), threading.Thread(target=self.recv)]
        for t in self.threads:
            t.start()

    def send(self):
        while not self.stop_ev.is_set():
            try:
                self.tx.sendto(struct.pack("!I", self.sent) * 64, self.dst)
                self.sent += 1
            except OSError:  # the sending member deleted
                pass
            time.sleep(1 / self.rate)

    def recv(self):
        quiet = 0
        while quiet < 4:
            try:
                d = self.rx.recv(65536)
                if d == d[:4] * 64:
                    self.seen.add(struct.unpack_from("!I", d)[0])
                else:
                    self.bad += 1
                quiet = 0
            except socket.timeout:
                quiet += self.stop_ev.is_set()

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(30)
        self.rx.close()
        self.tx.close()
        return [k for k in range(self.sent) if k not in self.seen]


def refusals(nss, idx):
    """Each refusal: (description, errno, extack) as received."""
    ns0 = nss[0]
    out = []
    # The joined member must be in the new device's netns: m0 is not in NS1.
    out.append(("lan ifindex of a device in another netns", (nss[1].newlink(
        "bad0", attr(uapi.ZCPAIR_INFO_LAN, idx[0])))))
    # A pair end is not a member.
    ns0.rt.create_pair("pa", "pb", ns0.fd)
    out.append(("lan ifindex of a pair end", (ns0.newlink(
        "bad1", attr(uapi.ZCPAIR_INFO_LAN, ns0.index("pa"))))))
    out.append(("lan with a peer", (ns0.newlink(
        "bad2", attr(uapi.ZCPAIR_INFO_LAN, 0) +
        attr(uapi.ZCPAIR_INFO_PEER, ifinfo() + attr(zcnl.IFLA_IFNAME, "bad2p"))))))
    out.append(("lan with an uplink that is not there", (ns0.newlink(
        "bad3", attr(uapi.ZCPAIR_INFO_LAN, 0) + attr(uapi.ZCPAIR_INFO_UPLINK, 99999)))))
    out.append(("lan and a ring size other than the LAN's", (ns0.newlink(
        "bad4", attr(uapi.ZCPAIR_INFO_LAN, idx[0]) + attr(uapi.ZCPAIR_INFO_RING_SIZE, 64)))))
    err, msg, _ = ns0.genl.call(uapi.ZCPAIR_CMD_PAIR_SET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, "m0") +
                                struct.pack("HHB3x", 5, uapi.ZCPAIR_A_PAIR_TX_SEGMENT, 1))
    out.append(("pair-set tx-segment on a member", (err, msg)))
    err, msg, _ = ns0.genl.call(uapi.ZCPAIR_CMD_LAN_GET, attr(uapi.ZCPAIR_A_LAN_IFNAME, "pa"))
    out.append(("lan-get on a pair end", (err, msg)))
    ns0.dellink("pa")
    return out


def main():
    nss = [Ns(n) for n in sys.argv[1:5]]
    router = Ns(sys.argv[5])
    ns0 = nss[0]
    names = [f"m{i}" for i in range(4)]

    # 1. The LAN: m0 new, m1..m3 join by m0's ifindex, then move.
    idx = [ns0.member("m0", 0)]
    for i in range(1, 4):
        ns0.member(names[i], idx[0])
        ns0.move(names[i], nss[i])
        idx.append(nss[i].index(names[i]))
    for i, ns in enumerate(nss):
        ns.rt.add_addr(idx[i], V4[i], 24)
        ns.rt.add_addr(idx[i], V6[i], 64)
        lo = ns.index("lo")
        ns.rt.set_up(lo, True)
        ns.rt.set_up(idx[i], True)
    views = [ns.lan(names[i]) for i, ns in enumerate(nss)]
    lan_id, members, _ = views[0]
    same = all(v[0] == lan_id for v in views)
    seen = sorted(m[0] for m in members)
    res.report(same and seen == sorted(idx) and len(members) == 4 and all(m[2] for m in members),
               "LAN of 4: m0 started it (lan 0), m1-m3 joined by m0's ifindex and moved to their netns; "
               "lan-get from every member: one id, 4 members, all up",
               f"id {lan_id} (every member's: {[v[0] for v in views]}), members {members}, ifindexes {idx}")

    # 2. The table: every configured address routed to its member.
    want = [(V4[i], idx[i]) for i in range(4)] + [(V6[i], idx[i]) for i in range(4)]
    routes = wait_routes(ns0, "m0", want)
    res.report(set(want) <= set(routes),
               "table: the 8 configured addresses (v4, v6) each routed to its member",
               f"routes {routes}")

    pairs = [(i, j) for i in range(4) for j in range(4) if i != j]
    # 3. ICMP echo, then UDP, v4 and v6, every ordered pair.
    bad = [(f, p) for f, a in FAMILIES for p in ping(nss, f, a, pairs)]
    res.report(not bad, "ICMP echo v4 and v6 between every ordered pair of members (24)",
               f"no reply: {bad}")
    bad = [(f, p) for f, a in FAMILIES for p in udp_exchange(nss, f, a, pairs)]
    res.report(not bad, "UDP v4 and v6 between every ordered pair: 24 x 5 datagrams intact",
               f"missing: {bad}")
    # 4. TCP.
    before = ns0.stats("m0")
    bad = [(f, p) for f, a in FAMILIES for p in tcp_all(nss, f, a, pairs)]
    after = ns0.stats("m0")
    ref = after[uapi.ZCPAIR_A_STATS_TX_PAYLOAD_BYTES_REFERENCED] - before[uapi.ZCPAIR_A_STATS_TX_PAYLOAD_BYTES_REFERENCED]
    res.report(not bad and ref >= 6 * (256 << 10) * 9 // 10,
               "TCP v4 and v6 between every ordered pair: 24 x 256 KB, sha256 equal; "
               "m0's payload crossed by reference",
               f"bad: {bad}; m0 referenced {ref} of {6 * (256 << 10)} B it sent")

    # 5. Unicast reaches its member only.
    st0 = [ns.stats(names[i]) for i, ns in enumerate(nss)]
    bad = udp_exchange(nss, socket.AF_INET, V4, [(0, 2)], n=200, size=1000)
    time.sleep(0.5)
    st1 = [ns.stats(names[i]) for i, ns in enumerate(nss)]

    def d(i, key):
        return st1[i][key] - st0[i][key]
    uni, rxp = uapi.ZCPAIR_A_STATS_TX_LAN_UNICAST, uapi.ZCPAIR_A_STATS_RX_PACKETS
    ring = uapi.ZCPAIR_A_STATS_TX_RING_PACKETS
    # Every frame m0 sent went into some member's ring: the datagrams
    # (and any neighbour traffic) into m2's, flooded copies into others'.
    flooded = d(0, uapi.ZCPAIR_A_STATS_TX_LAN_FLOODED)
    res.report(not bad and 200 <= d(0, uni) <= 210 and d(2, rxp) >= 200 and d(1, rxp) < 20 and d(3, rxp) < 20 and
               d(0, ring) == d(0, uni) + flooded,
               "unicast m0 -> m2 (200 datagrams): m0 tx_lan_unicast +200 (tx_ring_packets: these and the "
               "flooded copies), m2 received them, m1 and m3 did not",
               f"lost {bad}; m0 tx_lan_unicast +{d(0, uni)}, tx_lan_flooded +{flooded}, tx_ring_packets "
               f"+{d(0, ring)}; rx_packets m1 +{d(1, rxp)} m2 +{d(2, rxp)} m3 +{d(3, rxp)}")

    # 6. Broadcast: ARP for a new neighbour is flooded to the 3 others.
    fl = uapi.ZCPAIR_A_STATS_TX_LAN_FLOODED
    s = nss[1].sock(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("10.88.0.77", PORT))  # nobody: ARP requests only
    s.close()
    time.sleep(1.5)
    st2 = [ns.stats(names[i]) for i, ns in enumerate(nss)]
    copies = st2[1][fl] - st1[1][fl]
    res.report(copies >= 3 and copies % 3 == 0,
               "broadcast (ARP for an absent address) from m1: a copy to each of the 3 others",
               f"m1 tx_lan_flooded +{copies}")

    # 7. The table follows an address added and removed, v4 and v6.
    followed = []
    for family, extra, first, prefix in ((socket.AF_INET, "10.88.0.50", V4[0], 24),
                                         (socket.AF_INET6, "fd88::50", V6[0], 64)):
        nss[3].rt.add_addr(idx[3], extra, prefix)
        routes = wait_routes(ns0, "m0", [(extra, idx[3])])
        reach = not udp_exchange(nss, family, {0: first, 3: extra}, [(0, 3)])
        ip = socket.inet_pton(family, extra)
        nss[3].rt.check("del address", 21, struct.pack("BBBBI", family, prefix, 0, 0, idx[3]) +
                        attr(2, ip) + attr(1, ip))  # RTM_DELADDR, IFA_LOCAL, IFA_ADDRESS
        deadline = time.monotonic() + 10
        while (extra, idx[3]) in ns0.lan("m0")[2] and time.monotonic() < deadline:
            time.sleep(0.1)
        gone = (extra, idx[3]) not in ns0.lan("m0")[2]
        followed.append((extra, (extra, idx[3]) in routes, reach, gone))
    res.report(all(added and reach and gone for _, added, reach, gone in followed),
               "table follows address add/del, v4 and v6: 10.88.0.50 and fd88::50 on m3 routed to m3 and "
               "reached; removed: their routes gone",
               f"(address, routed after add, reached, gone after del): {followed}")

    # 8. Unknown destination: a static neighbour with a MAC no member has.
    unk, drp = uapi.ZCPAIR_A_STATS_TX_LAN_UNKNOWN, uapi.ZCPAIR_A_STATS_TX_DROPPED
    ns0.neigh(idx[0], "10.88.0.99", b"\x02\x00\x00\x00\x00\x99")
    b0 = ns0.stats("m0")
    s = ns0.sock(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(20):
        s.sendto(b"y" * 100, ("10.88.0.99", PORT))
    s.close()
    b1 = ns0.stats("m0")
    res.report(b1[unk] - b0[unk] == 20 and b1[drp] - b0[drp] == 20,
               "unknown destination (10.88.0.99, a MAC no member has): 20 frames counted tx_lan_unknown and tx_dropped",
               f"tx_lan_unknown +{b1[unk] - b0[unk]}, tx_dropped +{b1[drp] - b0[drp]}")

    # 8b. An uplink: m0's frames for no member leave through a veth to the
    # router (10.88.0.100), whose answers come back through it.
    ns0.veth("upa", "upr", router)
    upa, upr = ns0.index("upa"), router.index("upr")
    router.rt.add_addr(upr, "10.88.0.100", 24)
    router.rt.set_up(router.index("lo"), True)
    router.rt.set_up(upr, True)
    ns0.rt.set_up(upa, True)
    set_err = ns0.set_uplink("m0", upa)
    u0 = ns0.stats("m0")
    out = udp_exchange({0: ns0, 1: router}, socket.AF_INET, {0: V4[0], 1: "10.88.0.100"}, [(0, 1)], n=20)
    back = udp_exchange({0: ns0, 1: router}, socket.AF_INET, {0: V4[0], 1: "10.88.0.100"}, [(1, 0)], n=20)
    u1 = ns0.stats("m0")
    upk, rxu = uapi.ZCPAIR_A_STATS_TX_UPLINK_PACKETS, uapi.ZCPAIR_A_STATS_RX_UPLINK_PACKETS
    res.report(set_err[0] == 0 and not out and not back and u1[upk] - u0[upk] >= 20 and
               u1[rxu] - u0[rxu] >= 20 and u1[unk] == u0[unk],
               "m0 with an uplink (a veth to a router netns): 20 datagrams for 10.88.0.100, which no member has, "
               "leave through it and 20 come back through it; none counted unknown",
               f"pair-set uplink {set_err}; lost out {out}, back {back}; tx_uplink_packets +{u1[upk] - u0[upk]}, "
               f"rx_uplink_packets +{u1[rxu] - u0[rxu]}, tx_lan_unknown +{u1[unk] - u0[unk]}")
    ns0.set_uplink("m0", 0)
    ns0.dellink("upa")

    # 9. A member joins under traffic (m0 -> m1 streaming).
    st = Stream(nss, 0, 1)
    time.sleep(1)
    idx.append(ns0.member("m4", idx[0]))
    ns0.rt.add_addr(idx[4], V4[4], 24)
    ns0.rt.set_up(idx[4], True)
    wait_routes(ns0, "m0", [(V4[4], idx[4])])
    nss.append(ns0)
    names.append("m4")
    # m4 shares NS0 with m0: m1 reaches it (m0 -> m4 would stay local).
    # Both answer ARP for 10.88.0.5: delivered by address, the frame
    # reaches m4 with m4's MAC whichever answer m1 kept.
    reach = not udp_exchange(nss, socket.AF_INET, V4, [(1, 4)])
    time.sleep(1)
    lost = st.stop()
    res.report(reach and not lost and st.sent > 50,
               "m4 joins under traffic (m0 -> m1 streaming): m1 reaches m4, not a datagram of the stream lost",
               f"m1 -> m4 {reach}; stream sent {st.sent}, lost {lost[:20]}")

    # 10. A member deleted under traffic: m3 while m0 streams to m1 and m2
    # sends to m3.
    st = Stream(nss, 0, 1)
    s = nss[2].sock(socket.AF_INET, socket.SOCK_DGRAM)
    stop = threading.Event()

    def to_m3():
        while not stop.is_set():
            try:
                s.sendto(b"z" * 500, (V4[3], PORT))
            except OSError:
                pass
            time.sleep(0.005)
    t = threading.Thread(target=to_m3)
    t.start()
    time.sleep(1)
    err, msg = nss[3].dellink("m3")
    time.sleep(1)
    stop.set()
    t.join(10)
    s.close()
    lost = st.stop()
    lan_id2, members, routes = ns0.lan("m0")
    left = sorted(m[0] for m in members)
    res.report(err == 0 and not lost and left == sorted([idx[0], idx[1], idx[2], idx[4]]) and
               all(r[1] != idx[3] for r in routes),
               "m3 deleted under traffic (m2 sending to it, m0 streaming to m1): "
               "m1 lost nothing; lan-get lists the 4 left and no route of m3",
               f"dellink {err} {msg}; stream sent {st.sent}, lost {lost[:20]}; members {members}; routes {routes}")

    # 11. Refusals.
    want = {
        "lan ifindex of a device in another netns": 19,
        "lan ifindex of a pair end": 22,
        "lan with a peer": 22,
        "lan with an uplink that is not there": 19,
        "lan and a ring size other than the LAN's": 22,
        "pair-set tx-segment on a member": 95,
        "lan-get on a pair end": 22,
    }
    got = refusals(nss, idx)
    wrong = [(what, e, m) for what, (e, m) in got if e != want[what] or not m]
    res.report(not wrong, "refusals, each with its errno and extack: " + "; ".join(
        f"{what} ({os.strerror(want[what])})" for what in want),
        *[f"{what}: {os.strerror(e) if e else 'accepted'}: {m!r}" for what, (e, m) in got])

    # 12. Every member deleted under traffic (m0 -> m1 streaming, the
    # receiver deleted before the sender): what arrived is intact, and no
    # LAN is left anywhere.
    st = Stream(nss, 0, 1)
    time.sleep(1)
    errs = [nss[i].dellink(n)[0] for i, n in ((2, "m2"), (0, "m4"), (1, "m1"), (0, "m0"))]
    st.stop()
    dumps = [len(ns.lan_dump()) for ns in nss[:4]]
    res.report(errs == [0] * 4 and dumps == [0, 0, 0, 0] and st.bad == 0 and len(st.seen) > 0,
               "every member deleted under traffic (m0 streaming to m1): each datagram that arrived intact; "
               "lan-get dumps nothing in any netns",
               f"dellink errnos {errs}; stream sent {st.sent}, arrived {len(st.seen)}, corrupt {st.bad}; "
               f"replies per netns: {dumps}")


try:
    main()
except Exception as e:  # a crash is a failed point, with its reason
    import traceback
    traceback.print_exc(file=sys.stdout)
    res.report(False, f"lan.py stopped: {e!r}")
sys.exit(1 if res.failed else 0)
