#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pairs come and go cleanly under traffic, from one process.

Usage: lifecycle.py NETNS_A NETNS_B

Prints KTAP result lines ("ok DESC", "not ok DESC") and diagnostics for
tests/20-lifecycle.sh:
- deleting either end while a TCP stream flows removes both ends;
- deleting the peer's netns while datagrams flow into it removes both
  ends (nothing of ours holds the netns: it dies under the traffic),
  with receive steering on (steer-pps 1): the peer's polls scheduled on
  the other CPU, cross-CPU calls on their way as it goes;
- MTU changes on both ends under a TCP stream, a full-sized datagram
  crosses intact afterwards; MTUs outside 68..65535 are refused with the
  core's extack message;
- rmmod while a TCP stream flows (steering on at both ends) removes
  every pair.

Each pair is made by one RTM_NEWLINK (zca in NETNS_A, zcb in NETNS_B) over
plain netlink sockets: under TCG with the debug kernel each process start
costs a second or more, and this test made of ip/socat commands took
275 s. `ip netns` and `rmmod` are still run as commands.
"""
import errno
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from ktap import Result  # noqa: E402
from zcnl import RTM_DELLINK, Rtnl, attr, ifinfo, pair_get, pair_set, pair_stat, setns, uapi  # noqa: E402

ADDR = {"a": "10.99.0.1", "b": "10.99.0.2"}
DEV = {"a": "zca", "b": "zcb"}
PORT = 5003


class Ns:
    """The two namespaces: a netns fd and an rtnetlink socket for each;
    sockets are made in a netns with `Ns.socket`."""

    def __init__(self, names):
        self.names = names
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.fd, self.rt = {}, {}
        for end in names:
            self.open(end)

    def open(self, end):
        self.fd[end] = os.open(f"/run/netns/{self.names[end]}", os.O_RDONLY)
        self.rt[end] = self.socket(end, Rtnl)

    def close(self, end):
        """Drops every reference this process holds on END's netns."""
        self.rt.pop(end).close()
        os.close(self.fd.pop(end))

    def socket(self, end, make, *args):
        setns(self.fd[end])
        try:
            return make(*args)
        finally:
            setns(self.home)

    def pair_up(self):
        """zca and zcb with addresses, up and operationally up; returns
        their ifindexes."""
        self.rt["a"].create_pair("zca", "zcb", self.fd["b"])
        index = {}
        for end in ("a", "b"):
            index[end] = self.rt[end].link(DEV[end])[0]
            self.rt[end].add_addr(index[end], ADDR[end], 24)
            self.rt[end].set_up(index[end], True)
        for end in ("a", "b"):
            self.rt[end].wait_oper_up(DEV[end])
        return index

    def gone(self, secs=0.0):
        """True once neither end exists (waiting up to SECS)."""
        deadline = time.monotonic() + secs
        while True:
            left = [DEV[e] for e in self.rt if self.rt[e].link(DEV[e]) is not None]
            if not left or time.monotonic() >= deadline:
                return not left
            time.sleep(0.1)


class Traffic:
    """A TCP stream a -> b (or datagrams a -> b, with nobody in b holding
    a socket), in threads, until `stop`."""

    def __init__(self, ns, tcp=True):
        self.stop_ev = threading.Event()
        self.socks, self.threads = [], []
        payload = b"\x5a" * 65536
        if tcp:
            lsock = ns.socket("b", socket.socket, socket.AF_INET, socket.SOCK_STREAM)
            lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lsock.bind((ADDR["b"], PORT))
            lsock.listen(1)
            tx = ns.socket("a", socket.socket, socket.AF_INET, socket.SOCK_STREAM)
            tx.settimeout(10)
            tx.connect((ADDR["b"], PORT))
            rx, _ = lsock.accept()
            lsock.close()
            self.socks += [tx, rx]
            self.spawn(self.drain, rx)
            self.spawn(self.send, tx, lambda s: s.send(payload))
        else:
            tx = ns.socket("a", socket.socket, socket.AF_INET, socket.SOCK_DGRAM)
            self.socks.append(tx)
            self.spawn(self.send, tx, lambda s: s.sendto(payload[:1400], (ADDR["b"], 9)))

    def spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def send(self, sock, one):
        sock.settimeout(0.5)
        while not self.stop_ev.is_set():
            try:
                one(sock)
            except OSError:  # timeouts, ICMP errors, the pair gone
                time.sleep(0.01)

    def drain(self, sock):
        sock.settimeout(0.5)
        while not self.stop_ev.is_set():
            try:
                if not sock.recv(1 << 16):
                    return
            except OSError:
                pass

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(5)
        for s in self.socks:
            s.close()


def tx_rate(ns):
    """zca's transmitted frames in one second of the traffic."""
    p0 = ns.rt["a"].stats64("zca")["tx_packets"]
    time.sleep(1)
    return ns.rt["a"].stats64("zca")["tx_packets"] - p0


def steer(ns, end, pps):
    """Sets END's steer-pps (unless PPS is None); returns its
    tx_notifications_steered."""
    try:
        if pps is not None:
            err, msg = pair_set(ns.fd[end], DEV[end], attr(uapi.ZCPAIR_A_PAIR_STEER_PPS, pps))
            if err:
                raise OSError(err, f"pair-set steer-pps: {msg}")
        return pair_stat(pair_get(ns.fd[end], DEV[end]), "TX_NOTIFICATIONS_STEERED")
    finally:
        setns(ns.home)


def case_delete_end(res, ns, end):
    index = ns.pair_up()
    traffic = Traffic(ns)
    rate = tx_rate(ns)
    err, msg, _ = ns.rt[end].request(RTM_DELLINK, ifinfo(index[end]))
    traffic.stop()
    gone = ns.gone()
    res.report(err == 0 and gone and rate > 0,
               f"deleting end {end} under traffic ({rate} frames/s) removes both ends",
               *([] if err == 0 and gone else [f"delete: {os.strerror(err)} {msg}; both gone: {gone}"]))


def case_delete_netns(res, ns):
    ns.pair_up()
    # Steering on (every frame makes the sending CPU busy): the peer's
    # polls are scheduled on the other CPU by cross-CPU calls, some on
    # their way when the peer goes.
    steer(ns, "a", 1)
    traffic = Traffic(ns, tcp=False)
    rate = tx_rate(ns)
    steered = steer(ns, "a", None)
    ns.close("b")
    out = subprocess.run(["ip", "netns", "del", ns.names["b"]], capture_output=True, text=True)
    # The netns dies with its last reference, in the kernel's cleanup
    # work, while the datagrams still flow.
    gone = ns.gone(20)
    after = ns.rt["a"].stats64("zca")
    traffic.stop()
    res.report(out.returncode == 0 and gone and rate > 0 and (steered > 0 or os.cpu_count() < 2),
               f"deleting the peer's netns under traffic ({rate} frames/s), its polls steered to the "
               f"other CPU ({steered} so far; steer-pps 1), removes both ends",
               *([] if gone else [f"ip netns del: {out.returncode} {out.stderr.strip()}; zca: {after}"]))
    subprocess.run(["ip", "netns", "add", ns.names["b"]], check=True)
    ns.open("b")


def case_mtu(res, ns):
    index = ns.pair_up()
    traffic = Traffic(ns)
    refused = []
    for mtu in (9000, 1280, 65535, 1500):
        for end in ("a", "b"):
            err, msg = ns.rt[end].set_mtu(index[end], mtu)
            if err:
                refused.append(f"{DEV[end]} mtu {mtu}: {os.strerror(err)} {msg}")
        time.sleep(0.3)
    rate = tx_rate(ns)
    traffic.stop()
    # A full-sized datagram each way afterwards, byte for byte.
    udp = {end: ns.socket(end, socket.socket, socket.AF_INET, socket.SOCK_DGRAM) for end in ("a", "b")}
    for end in udp:
        udp[end].bind((ADDR[end], PORT))
        udp[end].settimeout(10)
    msg = bytes(range(256)) * 5 + bytes(1472 - 1280)
    crossed = []
    try:
        udp["a"].sendto(msg, (ADDR["b"], PORT))
        crossed.append(udp["b"].recv(65536) == msg)
        udp["b"].sendto(msg[::-1], (ADDR["a"], PORT))
        crossed.append(udp["a"].recv(65536) == msg[::-1])
    except OSError as e:
        crossed.append(f"{e}")
    for s in udp.values():
        s.close()
    res.report(not refused and crossed == [True, True] and rate > 0,
               f"MTU changes under traffic ({rate} frames/s after); a 1472 B datagram crosses intact each way",
               *refused, f"datagrams intact: {crossed}")

    # The core's limits from our min_mtu/max_mtu, with its messages.
    want = {65536: "mtu greater than device maximum", 67: "mtu less than device minimum"}
    got = {mtu: ns.rt["a"].set_mtu(index["a"], mtu) for mtu in want}
    ok = all(got[m][0] == errno.EINVAL and want[m] in got[m][1] for m in want)
    res.report(ok, "MTU outside 68..65535 is refused with the reason",
               *[f"mtu {m}: {os.strerror(e) if e else 'accepted'} '{msg}'" for m, (e, msg) in got.items()])
    ns.rt["a"].request(RTM_DELLINK, ifinfo(index["a"]))


def case_rmmod(res, ns):
    ns.pair_up()
    for end in ("a", "b"):
        steer(ns, end, 1)
    traffic = Traffic(ns)
    rate = tx_rate(ns)
    out = subprocess.run(["rmmod", "zcpair"], capture_output=True, text=True)
    traffic.stop()
    loaded = os.path.exists("/sys/module/zcpair")
    gone = ns.gone()
    res.report(out.returncode == 0 and not loaded and gone and rate > 0,
               f"rmmod under traffic ({rate} frames/s), steering on, removes every pair",
               *([] if out.returncode == 0 else [f"rmmod: {out.returncode} {out.stderr.strip()}"]),
               *([] if gone and not loaded else [f"module loaded: {loaded}; both ends gone: {gone}"]))


def main():
    ns = Ns({"a": sys.argv[1], "b": sys.argv[2]})
    res = Result()
    cases = ((1, case_delete_end, "a"), (1, case_delete_end, "b"), (1, case_delete_netns),
             (2, case_mtu), (1, case_rmmod))
    for points, case, *args in cases:
        t0, n0 = time.monotonic(), res.reported
        try:
            case(res, ns, *args)
        except OSError as e:
            # Every point the case did not reach fails, with the reason.
            for _ in range(points - (res.reported - n0)):
                res.report(False, f"{case.__name__}{args}: {e}")
            for end in list(ns.rt):
                found = ns.rt[end].link(DEV[end])
                if found:
                    ns.rt[end].request(RTM_DELLINK, ifinfo(found[0]))
        print(f"# {case.__name__}: {time.monotonic() - t0:.0f} s", flush=True)
    return 1 if res.failed else 0


sys.exit(main())
