#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Multi-queue pairs, from one process.

Usage: queues.py NETNS_A NETNS_B KERNEL_SOURCE

Creates pairs with 1, 2 and 4 queues (end A in NETNS_A, its peer in
NETNS_B) by rtnetlink, reads their queues back through rtnetlink, ethtool
(the kernel's YNL library and ethtool.yaml spec, channels-get/-set) and
zcpair's genl family, checks the refusals of queue counts a pair cannot
have, spreads UDP flows and TCP streams over four queues (the netdev
family's per-queue qstats show every queue moving; every byte checked),
changes the queue count with traffic running, and checks the receive
notification moderation (ethtool -C adaptive-rx/rx-usecs/rx-frames):
its refusals, and that a fixed one notifies once per rx-frames and lets
the timer bring the rest. Prints KTAP result
lines ("ok DESC", "not ok DESC") and diagnostics for tests/18-queues.sh.
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
from zcnl import attr, setns, uapi  # noqa: E402

SO_RCVBUFFORCE = 33
RTM_NEWNEIGH, NUD_PERMANENT, NDA_DST, NDA_LLADDR, NLM_F_REPLACE = 28, 0x80, 1, 2, 0x100
FLOWS, PER_FLOW, SIZE = 64, 8, 1000
RTNL = {"rx-packets": "rx_packets", "rx-bytes": "rx_bytes",
        "tx-packets": "tx_packets", "tx-bytes": "tx_bytes"}


def queues_attrs(tx, rx=None):
    return attr(zcnl.IFLA_NUM_TX_QUEUES, tx) + attr(zcnl.IFLA_NUM_RX_QUEUES, tx if rx is None else rx)


class Side:
    """One netns: its rtnetlink, ethtool and netdev families and genl."""

    def __init__(self, ns, ksrc):
        setns(ns)
        self.ns = ns
        self.fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        self.rt = zcnl.Rtnl()
        self.genl = zcnl.Genl("zcpair")
        sys.path.insert(0, os.path.join(ksrc, "tools/net/ynl"))
        from lib import YnlFamily  # noqa: E402
        specs = os.path.join(ksrc, "Documentation/netlink/specs")
        # schema="": the specs are the kernel's own, already valid; checking
        # them against the schema (jsonschema) takes minutes under KASAN.
        self.ethtool = YnlFamily(os.path.join(specs, "ethtool.yaml"), schema="")
        self.netdev = YnlFamily(os.path.join(specs, "netdev.yaml"), schema="")

    def neigh(self, index, ip, lladdr):
        """A permanent IPv4 neighbour: no ARP on this link afterwards."""
        self.rt.check("static neighbour", RTM_NEWNEIGH,
                      struct.pack("BxxxiHBB", socket.AF_INET, index, NUD_PERMANENT, 0, 1) +
                      attr(NDA_DST, socket.inet_pton(socket.AF_INET, ip)) + attr(NDA_LLADDR, lladdr),
                      zcnl.NLM_F_CREATE | NLM_F_REPLACE)

    def index(self, name):
        return self.rt.link(name)[0]

    def num_queues(self, name):
        """(numtxqueues, numrxqueues); rtnetlink reports the second only
        with CONFIG_RPS: then the first stands for both."""
        a = self.rt.getlink(name)[1]
        tx = zcnl.u32(a[zcnl.IFLA_NUM_TX_QUEUES])
        rx = a.get(zcnl.IFLA_NUM_RX_QUEUES)
        return tx, (zcnl.u32(rx) if rx is not None else tx)

    def channels(self, name):
        r = self.ethtool.do("channels-get", {"header": {"dev-name": name}})
        return r.get("combined-count"), r.get("combined-max")

    def ethtool_set(self, op, name, req):
        """(errno, extack message) of the ethtool family's OP on NAME."""
        try:
            self.ethtool.do(op, {"header": {"dev-name": name}, **req})
            return 0, ""
        except Exception as e:  # the library's NlError
            return getattr(e, "error", -1), getattr(e, "nl_msg", None) and e.nl_msg.extack.get("msg", "")

    def set_channels(self, name, n):
        """(errno, extack message) of `ethtool -L NAME combined N`."""
        return self.ethtool_set("channels-set", name, {"combined-count": n})

    def genl_queues(self, name):
        err, msg, replies = self.genl.call(uapi.ZCPAIR_CMD_PAIR_GET,
                                           attr(uapi.ZCPAIR_A_PAIR_IFNAME, name))
        if err or not replies:
            return f"error {err} {msg}"
        q = replies[0].get(uapi.ZCPAIR_A_PAIR_QUEUES)
        return zcnl.u32(q) if q is not None else None

    def qstats(self, name):
        """{(type, id): {key: value}} per queue, the device totals, and
        rtnetlink's stats64."""
        index = self.index(name)
        per = {(q["queue-type"], q["queue-id"]): q
               for q in self.netdev.dump("qstats-get", {"ifindex": index, "scope": "queue"})}
        total = self.netdev.dump("qstats-get", {"ifindex": index})
        return per, (total[0] if total else {}), self.rt.stats64(name)


def pattern(flow, seq, size):
    head = struct.pack("!HH", flow, seq)
    return head + bytes((flow + seq + i) % 251 for i in range(size - len(head)))


def send_flows(dst_ip, port, flows, per_flow, size, base_port):
    """Sends PER_FLOW datagrams on each of FLOWS source ports, from the
    netns the calling thread is in."""
    socks = []
    for f in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", base_port + f))
        socks.append(s)
    for seq in range(per_flow):
        for f, s in enumerate(socks):
            s.sendto(pattern(f, seq, size), (dst_ip, port))
    for s in socks:
        s.close()


def receive(rx, want, secs=10):
    """Reads up to WANT datagrams; returns (count, bad): BAD the ones
    whose bytes are not their pattern."""
    got, bad = 0, 0
    rx.settimeout(secs)
    try:
        while got < want:
            d = rx.recv(65536)
            f, seq = struct.unpack_from("!HH", d)
            bad += d != pattern(f, seq, len(d))
            got += 1
    except socket.timeout:
        pass
    return got, bad


def udp_receiver(side, ip, port):
    setns(side.ns)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    rx.bind((ip, port))
    return rx


def moved(before, after, kind, key):
    """The queues of KIND ('tx'/'rx') whose KEY moved, as a sorted list."""
    return sorted(i for (t, i), q in after.items()
                  if t == kind and q.get(key, 0) > before.get((t, i), {}).get(key, 0))


def totals_agree(side, name):
    for _ in range(5):
        per, total, s64 = side.qstats(name)
        _, again, _ = side.qstats(name)
        if total == again:
            break
        time.sleep(0.2)
    off = {k: (total.get(k), s64[v]) for k, v in RTNL.items() if total.get(k) != s64[v]}
    sums = {}
    for (t, _), q in per.items():
        for k in ("packets", "bytes"):
            sums[f"{t}-{k}"] = sums.get(f"{t}-{k}", 0) + q.get(f"{t}-{k}", 0)
    return not off, off, sums, total


def main():
    ns_a, ns_b, ksrc = sys.argv[1:4]
    res = Result()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    # The four specs below parsed by libyaml: the same data, seconds less each.
    zcnl.ynl_fast_yaml()
    b = Side(ns_b, ksrc)
    a = Side(ns_a, ksrc)

    # 1. Pairs of 1, 2 and 4 queues: `numtxqueues N numrxqueues N` on the
    # request alone (the peer takes them) or on both ends.
    seen, ok = [], True
    for n, both in ((1, False), (2, False), (4, True)):
        setns(ns_a)
        err, msg = a.rt.try_create_pair(f"q{n}a", f"q{n}b", b.fd, link=queues_attrs(n),
                                        peer_link=queues_attrs(n) if both else b"")
        if err:
            ok = False
            seen.append(f"{n}: create: {os.strerror(err)} {msg}")
            continue
        got = (a.num_queues(f"q{n}a"), b.num_queues(f"q{n}b"), a.channels(f"q{n}a"),
               b.channels(f"q{n}b"), a.genl_queues(f"q{n}a"), b.genl_queues(f"q{n}b"))
        want = ((n, n), (n, n), (n, n), (n, n), n, n)
        ok &= got == want
        seen.append(f"{n}: rtnl, ethtool -l, genl of both ends {got}")
    res.report(ok, "pairs of 1, 2 and 4 queues: both ends have N tx and N rx queues, "
               "ethtool -l combined N of N, genl queues N (the peer takes the request's counts)", *seen)

    # 2. Counts a pair cannot have: each refused with its extack, nothing
    # left behind.
    cases = (("numtxqueues 2 numrxqueues 1", queues_attrs(2, 1), b"", "must be equal"),
             ("peer numtxqueues 1 against 2", queues_attrs(2), queues_attrs(1), "must be equal"),
             ("17 queues", queues_attrs(17), b"", "at most 16"))
    ok, seen = True, []
    for desc, link, peer_link, want in cases:
        err, msg = a.rt.try_create_pair("qxa", "qxb", b.fd, link=link, peer_link=peer_link)
        left = a.rt.getlink("qxa") is not None or b.rt.getlink("qxb") is not None
        ok &= err == 22 and want in msg and not left
        seen.append(f"{desc}: errno {err} '{msg}', left behind {left}")
    res.report(ok, "unequal tx/rx counts, unequal ends, 17 queues: EINVAL with the reason, "
               "no device left", *seen)

    # Four queues, addressed and up.
    for side, name, ip in ((a, "q4a", "10.84.0.1"), (b, "q4b", "10.84.0.2")):
        setns(side.ns)
        idx = side.index(name)
        side.rt.add_addr(idx, ip, 24)
        side.rt.set_up(idx, True)
    setns(ns_a)
    a.rt.wait_oper_up("q4a")
    setns(ns_b)
    b.rt.wait_oper_up("q4b")

    # 3. UDP flows spread over every queue, every byte intact.
    pa0, _, _ = a.qstats("q4a")
    pb0, _, _ = b.qstats("q4b")
    rx = udp_receiver(b, "10.84.0.2", 7000)
    setns(ns_a)
    send_flows("10.84.0.2", 7000, FLOWS, PER_FLOW, SIZE, 20000)
    got, bad = receive(rx, FLOWS * PER_FLOW)
    time.sleep(0.3)
    pa1, _, _ = a.qstats("q4a")
    pb1, _, _ = b.qstats("q4b")
    txq, rxq = moved(pa0, pa1, "tx", "tx-packets"), moved(pb0, pb1, "rx", "rx-packets")
    res.report(got == FLOWS * PER_FLOW and bad == 0 and txq == [0, 1, 2, 3] and rxq == [0, 1, 2, 3],
               f"{FLOWS} UDP flows x {PER_FLOW} datagrams over 4 queues: q4a's 4 tx queues and "
               "q4b's 4 rx queues all move (qstats), every datagram arrives intact",
               f"received {got} (bad {bad}); tx queues moved {txq}, rx queues moved {rxq}")

    # 4. TCP streams: sha256 of what arrives equals what was sent.
    ok, seen = tcp_streams(a, b, "10.84.0.2", 4, 256 << 10)
    ok2, off, sums, total = totals_agree(a, "q4a")
    res.report(ok and ok2, "4 TCP streams of 256 KiB over 4 queues: sha256 intact; q4a's qstats "
               "totals equal stats64", *seen, f"differ {off}; queue sums {sums}; totals {total}")

    # 5. ethtool -L combined 2 with traffic running: both ends follow,
    # nothing is lost, queues 2 and 3 stop moving.
    rx2 = udp_receiver(b, "10.84.0.2", 7001)
    flows, per = 32, 16
    done = threading.Event()

    def sender():
        setns(ns_a)
        send_flows("10.84.0.2", 7001, flows, per, SIZE, 21000)
        done.set()

    t = threading.Thread(target=sender)
    t.start()
    setns(ns_a)
    err, msg = a.set_channels("q4a", 2)
    t.join()
    got, bad = receive(rx2, flows * per)
    after = (a.channels("q4a"), b.channels("q4b"), a.genl_queues("q4a"), b.genl_queues("q4b"),
             a.num_queues("q4a"))
    res.report(err == 0 and got == flows * per and bad == 0 and
               after == ((2, 4), (2, 4), 2, 2, (4, 4)),
               "ethtool -L q4a combined 2 while up, under UDP traffic: both ends use 2 of 4 "
               "queues, every datagram arrives intact",
               f"set: {err} {msg}; received {got} of {flows * per} (bad {bad}); "
               f"channels/genl/allocated {after}")

    pa0, _, _ = a.qstats("q4a")
    setns(ns_a)
    send_flows("10.84.0.2", 7000, FLOWS, 2, SIZE, 22000)
    got, bad = receive(rx, FLOWS * 2)
    time.sleep(0.3)
    pa1, _, _ = a.qstats("q4a")
    txq = moved(pa0, pa1, "tx", "tx-packets")
    ok2, off, sums, total = totals_agree(a, "q4a")
    okb, offb, _, _ = totals_agree(b, "q4b")
    res.report(txq == [0, 1] and got == FLOWS * 2 and bad == 0 and ok2 and okb,
               "with 2 queues in use only tx queues 0 and 1 move; qstats totals (queues and what "
               "the queues out of use counted) still equal stats64 on both ends",
               f"tx queues moved {txq}; received {got}; differ {off} {offb}; sums {sums}; totals {total}")

    # 6. Beyond the maximum: the core's refusal; down, back to 4.
    err5, msg5 = a.set_channels("q4a", 5)
    setns(ns_b)
    b.rt.set_up(b.index("q4b"), False)
    errd, msgd = b.set_channels("q4b", 4)
    b.rt.set_up(b.index("q4b"), True)
    back = (a.channels("q4a"), b.channels("q4b"))
    res.report(err5 == 22 and "exceeds maximum" in (msg5 or "") and errd == 0 and
               back == ((4, 4), (4, 4)),
               "ethtool -L combined 5 of 4: EINVAL 'requested channel count exceeds maximum'; "
               "from the other end while it is down, back to 4 on both",
               f"5: {err5} '{msg5}'; 4 (down): {errd} '{msgd}'; channels {back}")

    # 7. Steering: a CPU that sends past steer-pps has the reader's poll
    # scheduled on the other CPU (tx_notifications_steered); steer-pps 0
    # keeps it local. Pair q1 (one queue), the sender pinned to CPU 0.
    res.report(*steering(a, b))

    # 8. Receive notification moderation (ethtool -C adaptive-rx, rx-usecs,
    # rx-frames on the reading end), on pair q1.
    for report in moderation(a, b):
        res.report(*report)

    rx.close()
    rx2.close()
    for n in (1, 2, 4):
        setns(ns_a)
        a.rt.request(zcnl.RTM_DELLINK, zcnl.ifinfo() + attr(zcnl.IFLA_IFNAME, f"q{n}a"))
    setns(home)
    return 1 if res.failed else 0


def mac_of(ns, dev):
    setns(ns)
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((dev, 0))
        return s.getsockname()[4]


def steer_state(ns, name):
    """(steer-pps, tx-notifications, tx-notifications-steered) of NAME."""
    a = zcnl.pair_get(ns, name)
    return (zcnl.u32(a[uapi.ZCPAIR_A_PAIR_STEER_PPS]), zcnl.pair_stat(a, "TX_NOTIFICATIONS"),
            zcnl.pair_stat(a, "TX_NOTIFICATIONS_STEERED"))


def set_steer(side, name, pps):
    return zcnl.pair_set(side.ns, name, attr(uapi.ZCPAIR_A_PAIR_STEER_PPS, pps))


def steering(a, b, count=300):
    """Section 7 of main(): (ok, description, diagnostics...)."""
    # Quiet ends: sections 7 and 8 count notifications, and a frame the
    # stacks send on their own (v6 DAD, MLD, router solicitations, ARP
    # probes) shortens the gap before the next datagram, which then waits
    # for the timer. So no v6 on q1, and each end knows the other's MAC
    # for good.
    ends = ((a, "q1a", "10.85.0.1"), (b, "q1b", "10.85.0.2"))
    for side, name, ip in ends:
        setns(side.ns)
        with open(f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "w") as f:
            f.write("1\n")
        idx = side.index(name)
        side.rt.add_addr(idx, ip, 24)
        side.rt.set_up(idx, True)
    for (side, name, _), (other, oname, oip) in zip(ends, reversed(ends)):
        side.neigh(side.index(name), oip, mac_of(other.ns, oname))
    setns(a.ns)
    a.rt.wait_oper_up("q1a")
    default = steer_state(a.ns, "q1a")[0]
    rx = udp_receiver(b, "10.85.0.2", 7100)
    cpus = len(os.sched_getaffinity(0))
    home_cpus = os.sched_getaffinity(0)
    seen, ok = [f"default steer-pps {default}; {cpus} CPUs"], default == 0
    try:
        # steer-pps 1: one frame in a tick makes the sending CPU busy; the
        # receiving end sends nothing, so the other CPU is not.
        for pps, steered_wanted in ((1, cpus > 1), (0, False)):
            err, msg = set_steer(a, "q1a", pps)
            _, n0, s0 = steer_state(a.ns, "q1a")
            setns(a.ns)
            os.sched_setaffinity(0, {min(home_cpus)})
            send_flows("10.85.0.2", 7100, 1, count, 64, 23000)
            os.sched_setaffinity(0, home_cpus)
            got, bad = receive(rx, count)
            now, n1, s1 = steer_state(a.ns, "q1a")
            steered = s1 - s0
            ok &= (err == 0 and now == pps and got == count and bad == 0 and
                   (steered > 0 if steered_wanted else steered == 0) and steered <= n1 - n0)
            seen.append(f"steer-pps {pps}: set {err} {msg}, reads back {now}; received {got} of "
                        f"{count} (bad {bad}); notifications +{n1 - n0}, steered +{steered}")
    finally:
        os.sched_setaffinity(0, home_cpus)
        rx.close()
    return (ok, f"steer-pps: default 0 (off); at 1, {count} datagrams sent from one CPU have the "
            "peer's poll steered to the other CPU (tx_notifications_steered moves, at most "
            "tx_notifications); at 0 none is; every datagram intact", *seen)


def coalesce(side, name):
    """(adaptive-rx, rx-usecs, rx-frames, pkt-rate-low) of `ethtool -c
    NAME`."""
    setns(side.ns)
    r = side.ethtool.do("coalesce-get", {"header": {"dev-name": name}})
    return (r.get("use-adaptive-rx"), r.get("rx-usecs"), r.get("rx-max-frames"),
            r.get("pkt-rate-low"))


def set_coalesce(side, name, **req):
    """(errno, extack message) of `ethtool -C NAME ...` (keys as the spec's
    attributes, with _ for -)."""
    setns(side.ns)
    return side.ethtool_set("coalesce-set", name, {k.replace("_", "-"): v for k, v in req.items()})


def notifications(ns, name):
    return zcnl.pair_stat(zcnl.pair_get(ns, name), "TX_NOTIFICATIONS")


def moderation(a, b, burst=64):
    """Section 8 of main(): the settings and their refusals, then what
    fixed and adaptive moderation do to the notifications of datagrams
    sent one at a time (pair q1, addressed and up by `steering`)."""
    default = coalesce(b, "q1b")
    cases = (("rx-usecs 10001", {"rx_usecs": 10001}, "rx-usecs must not exceed 10000"),
             ("rx-frames 4097", {"rx_max_frames": 4097}, "rx-frames must not exceed 4096"))
    ok, seen = default == (1, 200, 16, 20000), [
        f"default (adaptive-rx, rx-usecs, rx-frames, pkt-rate-low) {default}"]
    for desc, req, want in cases:
        err, msg = set_coalesce(b, "q1b", **req)
        after = coalesce(b, "q1b")
        ok &= err == 22 and want in (msg or "") and after == default
        seen.append(f"{desc}: errno {err} '{msg}', after {after}")
    reports = [(ok, "ethtool -c: adaptive-rx on, rx-usecs 200, rx-frames 16, pkt-rate-low 20000 "
                "by default; rx-usecs 10001 and rx-frames 4097 refused (EINVAL, the reason), "
                "nothing changed", *seen)]

    rx = udp_receiver(b, "10.85.0.2", 7200)
    port = [24000]

    def send(n, gap=0.0, answer=False):
        """(received intact, notifications raised) for N datagrams from
        one socket, GAP s apart; with ANSWER, zc_b sends each back and
        zc_a reads it before the next."""
        n0 = notifications(a.ns, "q1a")
        setns(a.ns)
        good = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("0.0.0.0", port[0]))
            s.settimeout(5)
            for seq in range(n):
                s.sendto(pattern(0, seq, 64), ("10.85.0.2", 7200))
                if answer:
                    try:
                        d, addr = rx.recvfrom(65536)
                        rx.sendto(d, addr)
                        good += s.recv(65536) == d == pattern(0, seq, 64)
                    except socket.timeout:
                        pass
                if gap:
                    time.sleep(gap)
        port[0] += 1
        if not answer:
            got, bad = receive(rx, n)
            good = got - bad
        return good, notifications(a.ns, "q1a") - n0

    try:
        # Fixed, 2 ms or 8 frames: a burst notifies about once per 8
        # datagrams; three that never reach 8 wait for the timer alone.
        err, msg = set_coalesce(b, "q1b", use_adaptive_rx=0, rx_usecs=2000, rx_max_frames=8)
        now = coalesce(b, "q1b")
        send(1)  # q1b's next poll takes the settings up
        got, n = send(burst)
        got3, n3 = send(3)
        reports.append((err == 0 and now == (0, 2000, 8, 20000) and got == burst and
                        n <= burst // 4 and got3 == 3 and n3 == 0,
                        f"adaptive-rx off, rx-usecs 2000, rx-frames 8 on the reader: {burst} "
                        f"datagrams sent one by one raise at most {burst // 4} notifications, 3 "
                        "raise none and arrive by the timer, all intact",
                        f"set: {err} {msg}, reads back {now}",
                        f"{burst}: received intact {got}, notifications +{n}",
                        f"3: received intact {got3}, notifications +{n3}"))

        # Adaptive, 10 ms or 8 frames, pkt-rate-low 1 (a second's gap):
        # a burst waits as above, but a datagram that answers is notified
        # at once; then pkt-rate-low 5: five datagrams 300 ms apart are.
        err, msg = set_coalesce(b, "q1b", use_adaptive_rx=1, rx_usecs=10000, pkt_rate_low=1)
        now = coalesce(b, "q1b")
        send(1)
        got, n = send(burst)
        gota, na = send(10, answer=True)
        err5, msg5 = set_coalesce(b, "q1b", pkt_rate_low=5)
        send(1)
        got5, n5 = send(5, 0.3)
        reports.append((err == 0 and now == (1, 10000, 8, 1) and got == burst and
                        n <= burst // 4 and gota == 10 and na >= 9 and err5 == 0 and
                        got5 == 5 and n5 >= 4,
                        f"adaptive-rx on, rx-usecs 10000, rx-frames 8: {burst} datagrams sent back "
                        f"to back raise at most {burst // 4} notifications; of 10 requests each "
                        "answered before the next, the 9 that follow an answer are notified at "
                        "once; at pkt-rate-low 5, 4 of 5 datagrams 300 ms apart too (the first "
                        "follows another closely); all intact",
                        f"set: {err} {msg}, reads back {now}",
                        f"{burst}: received intact {got}, notifications +{n}",
                        f"10 answered: round trips intact {gota}, notifications +{na}",
                        f"pkt-rate-low 5: {err5} {msg5}; 5 spaced: received intact {got5}, "
                        f"notifications +{n5}"))
    finally:
        set_coalesce(b, "q1b", use_adaptive_rx=1, rx_usecs=200, rx_max_frames=16,
                     pkt_rate_low=20000)
        rx.close()
    return reports


def tcp_streams(a, b, ip, n, size):
    """N TCP connections from A to B's IP, SIZE bytes each; (ok, diag)."""
    setns(b.ns)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, 7100))
    srv.listen(n)
    got = {}

    def serve():
        for _ in range(n):
            c, _ = srv.accept()
            h, total = hashlib.sha256(), 0
            c.settimeout(20)
            try:
                while True:
                    d = c.recv(1 << 16)
                    if not d:
                        break
                    h.update(d)
                    total += len(d)
            except socket.timeout:
                pass
            got[c.getpeername()[1]] = (total, h.hexdigest())
            c.close()

    t = threading.Thread(target=serve)
    t.start()
    setns(a.ns)
    sent = {}
    for i in range(n):
        data = os.urandom(size)
        c = socket.create_connection((ip, 7100), timeout=20)
        sent[c.getsockname()[1]] = (size, hashlib.sha256(data).hexdigest())
        c.sendall(data)
        c.close()
    t.join(60)
    srv.close()
    return got == sent, [f"sent {len(sent)} streams, {sum(1 for p in sent if got.get(p) == sent[p])} intact"]


sys.exit(main())
