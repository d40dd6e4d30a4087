#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The robustness campaign, from one process: churn under load, rmmod under
traffic, ring and MTU changes under traffic, a mixed-size integrity
stress, stale bytes, allocation failures injected into zcpair's own
allocations at random, and each of them failing in turn.

Usage: stress.py SCALE SECTION...

SCALE is `check` (the short slice `make check` runs), `long` (`make
stress`) or `smoke` (every section, briefly). Sections: stale integrity
faults nth resize churn netns rmmod. Prints KTAP result lines ("ok DESC", "not ok DESC") and `# ` diagnostics for
tests/27-stress.sh, and one `figure NAME VALUE` line per measured figure
(frames checked, faults injected, cycles...) that the shell script sums.

Every pair is made by one RTM_NEWLINK over a plain netlink socket and every
stream is a thread of this process: under TCG with the debug kernel each
process start costs a second or more. Environment: ZCPAIR_KO (the module,
for the rmmod section), ZCPAIR_STRESS_SEED (default 20261202).
"""
import ctypes
import errno
import hashlib
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from ktap import Result  # noqa: E402
from zcnl import (IFF_UP, IFLA_IFNAME, IFLA_NUM_RX_QUEUES, IFLA_NUM_TX_QUEUES, RTM_DELLINK,  # noqa: E402
                  RTM_GETLINK, RTM_NEWLINK, Genl, Rtnl, attr, ifinfo, setns, u32)

SEED = int(os.environ.get("ZCPAIR_STRESS_SEED", "20261202"))
KO = os.environ.get("ZCPAIR_KO", "")

# Sizes per scale: (check, long).
SCALES = {
    "check": dict(integrity_s=4, stale_frames=192, fault_rounds=8, fault_s=4, resize=2, nth_stride=256,
                  churn=0, netns=0, rmmod=0),
    "smoke": dict(integrity_s=4, stale_frames=64, fault_rounds=4, fault_s=2, resize=2, nth_stride=512,
                  churn=5, netns=2, rmmod=2),
    "long": dict(integrity_s=300, stale_frames=4096, fault_rounds=60, fault_s=20, resize=20, nth_stride=8,
                 churn=1000, netns=50, rmmod=20),
}

ETH_P_STRESS = 0x88B5  # IEEE 802 local experimental ethertype
SO_ZEROCOPY = 60
MSG_ZEROCOPY = 0x4000000
ETHTOOL_MSG_RINGS_GET, ETHTOOL_MSG_RINGS_SET = 15, 16
ETHTOOL_A_RINGS_HEADER, ETHTOOL_A_RINGS_RX, ETHTOOL_A_RINGS_TX = 1, 6, 9
ETHTOOL_A_HEADER_DEV_INDEX = 1


def figure(name, value):
    print(f"figure {name} {value}", flush=True)


class Netns:
    """A named netns (under /run/netns, made by `ip netns add` beforehand),
    its fd and an rtnetlink socket in it."""

    home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def __init__(self, name):
        self.name = name
        self.fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        self.rt = self.make(Rtnl)

    def make(self, cls, *args):
        setns(self.fd)
        try:
            return cls(*args)
        finally:
            setns(Netns.home)

    def sock(self, *args):
        return self.make(socket.socket, *args)

    def close(self):
        self.rt.close()
        os.close(self.fd)


class Pair:
    """zcpair ends A (in netns NA) and B (in NB) with IPv4 addresses
    10.N.0.1 and .2, up and operationally up."""

    def __init__(self, na, nb, a, b, net, queues=0, **data):
        self.na, self.nb, self.a, self.b = na, nb, a, b
        self.addr = {a: f"10.{net}.0.1", b: f"10.{net}.0.2"}
        link = attr(IFLA_NUM_TX_QUEUES, queues) + attr(IFLA_NUM_RX_QUEUES, queues) if queues else b""
        err, msg = na.rt.try_create_pair(a, b, nb.fd, link=link, **data)
        if err:
            raise OSError(err, f"create {a}: {os.strerror(err)} {msg}")
        self.index = {}
        for ns, dev in ((na, a), (nb, b)):
            self.index[dev] = ns.rt.link(dev)[0]
            ns.rt.add_addr(self.index[dev], self.addr[dev], 24)
            ns.rt.set_up(self.index[dev], True)
        for ns, dev in ((na, a), (nb, b)):
            ns.rt.wait_oper_up(dev)

    def ns(self, dev):
        return self.na if dev == self.a else self.nb

    def set_up(self, up):
        for dev in (self.a, self.b):
            self.ns(dev).rt.set_up(self.index[dev], up)
        if up:
            for dev in (self.a, self.b):
                self.ns(dev).rt.wait_oper_up(dev)

    def delete(self):
        err, _, _ = self.na.rt.request(RTM_DELLINK, ifinfo(self.index[self.a]))
        return err

    def gone(self, secs=10.0):
        deadline = time.monotonic() + secs
        while True:
            left = [d for d in (self.a, self.b) if self.ns(d).rt.link(d) is not None]
            if not left or time.monotonic() >= deadline:
                return not left
            time.sleep(0.05)


def pattern(seed, n):
    """N bytes that depend on SEED (a datagram's or frame's content)."""
    block = hashlib.sha256(struct.pack("Q", seed)).digest()
    return (block * (n // 32 + 1))[:n]


class Stream:
    """A TCP stream from DEV_FROM's netns to DEV_TO's, in two threads: the
    sender writes chunks of random sizes (1 B to 64 KB; some with
    MSG_ZEROCOPY when ZEROCOPY), both sides hash what they handled.
    `stop` ends it; `intact` compares the hashes and byte counts."""

    def __init__(self, pair, dev_from, dev_to, port, seed, zerocopy=False):
        self.rng = random.Random(seed)
        self.stop_ev = threading.Event()
        self.sent = self.got = 0
        self.h_sent, self.h_got = hashlib.sha256(), hashlib.sha256()
        self.zc_sends = 0
        self.error = None
        lsock = pair.ns(dev_to).sock(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind((pair.addr[dev_to], port))
        lsock.listen(1)
        self.tx = pair.ns(dev_from).sock(socket.AF_INET, socket.SOCK_STREAM)
        self.zerocopy = zerocopy
        if zerocopy:
            self.tx.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY, 1)
        self.tx.settimeout(20)
        self.tx.connect((pair.addr[dev_to], port))
        self.rx, _ = lsock.accept()
        lsock.close()
        self.rx.settimeout(60)
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self.send, self.recv)]
        for t in self.threads:
            t.start()

    def send(self):
        data = pattern(self.rng.getrandbits(32), 1 << 17)
        try:
            while not self.stop_ev.is_set():
                size = self.rng.choice((1, 7, 100, 1448, 4096, 9000, 65536, self.rng.randint(1, 65536)))
                off = self.rng.randrange(0, len(data) - size + 1)
                chunk = memoryview(data)[off:off + size]
                zc = self.zerocopy and size >= 4096 and self.rng.random() < 0.5
                n = self.send_all(chunk, zc)
                self.h_sent.update(chunk[:n])
                self.sent += n
            self.tx.shutdown(socket.SHUT_WR)
        except OSError as e:
            self.error = f"send: {e}"

    def send_all(self, chunk, zc):
        done = 0
        while done < len(chunk):
            try:
                n = self.tx.send(chunk[done:], MSG_ZEROCOPY if zc else 0)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                # Zero-copy completions fill the socket's option memory
                # until they are read from the error queue.
                self.reap()
                continue
            if zc:
                self.zc_sends += 1
                if self.zc_sends % 16 == 0:
                    self.reap()
            done += n
        return done

    def reap(self):
        while True:
            try:
                self.tx.recvmsg(0, 4096, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def recv(self):
        try:
            while True:
                b = self.rx.recv(1 << 17)
                if not b:
                    return
                self.h_got.update(b)
                self.got += len(b)
        except OSError as e:
            self.error = f"recv: {e}"

    def abort(self):
        """Ends a stream whose path is gone: the threads wake up from their
        sockets' shutdown."""
        self.stop_ev.set()
        for sock in (self.tx, self.rx):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return self.stop(10)

    def stop(self, secs=60):
        self.stop_ev.set()
        for t in self.threads:
            t.join(secs)
        alive = any(t.is_alive() for t in self.threads)
        self.tx.close()
        self.rx.close()
        return not alive

    def intact(self):
        return self.error is None and self.sent > 0 and self.sent == self.got and \
            self.h_sent.digest() == self.h_got.digest()

    def describe(self):
        return (f"sent {self.sent} B, received {self.got} B, sha256 "
                f"{'equal' if self.h_sent.digest() == self.h_got.digest() else 'differs'}"
                f"{', ' + self.error if self.error else ''}")


class Datagrams:
    """UDP datagrams of random sizes (1 B to 65507) from DEV_FROM to DEV_TO,
    each carrying its sequence number and content derived from it; the
    receiver checks every one it gets. Loss is allowed (UDP), corruption
    and duplication are not."""

    def __init__(self, pair, dev_from, dev_to, port, seed, max_size=65507):
        self.rng = random.Random(seed)
        self.max_size = max_size
        self.stop_ev = threading.Event()
        self.sent = self.got = self.bad = self.dup = self.bytes = 0
        self.seen = set()
        self.rx = pair.ns(dev_to).sock(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.rx.bind((pair.addr[dev_to], port))
        self.rx.settimeout(0.5)
        self.tx = pair.ns(dev_from).sock(socket.AF_INET, socket.SOCK_DGRAM)
        self.dest = (pair.addr[dev_to], port)
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self.send, self.recv)]
        for t in self.threads:
            t.start()

    @staticmethod
    def body(seq, size):
        head = struct.pack("<IH", seq, size)[:size]
        return head + pattern(seq, size - len(head))

    def send(self):
        seq = 0
        while not self.stop_ev.is_set():
            size = self.rng.choice((1, 6, 64, 200, 1472, 1473, 9000, self.rng.randint(1, self.max_size)))
            try:
                self.tx.sendto(self.body(seq, size), self.dest)
                self.sent += 1
                seq += 1
            except OSError:
                time.sleep(0.01)
            if seq % 8 == 0:
                time.sleep(0.001)  # let the receiver keep up

    def recv(self):
        quiet = 0
        while quiet < 2:
            try:
                b = self.rx.recv(1 << 17)
            except OSError:
                if self.stop_ev.is_set():
                    quiet += 1
                continue
            self.got += 1
            self.bytes += len(b)
            if len(b) < 6:
                # Too short for a header: its content is still determined
                # by its length (sequence numbers are not recoverable).
                continue
            seq, size = struct.unpack_from("<IH", b)
            if size != len(b) & 0xFFFF or b != self.body(seq, len(b)):
                self.bad += 1
            elif seq in self.seen:
                self.dup += 1
            else:
                self.seen.add(seq)

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(30)
        self.tx.close()
        self.rx.close()

    def intact(self):
        return self.got > 0 and self.bad == 0 and self.dup == 0

    def describe(self):
        return (f"{self.sent} sent, {self.got} received ({self.bytes} B), "
                f"{self.bad} corrupt, {self.dup} duplicated")


def wait_links(ns, names, present, secs=20.0):
    deadline = time.monotonic() + secs
    while True:
        now = {n: ns.rt.link(n) is not None for n in names}
        if all(v == present for v in now.values()) or time.monotonic() > deadline:
            return now


def delete_links(*links):
    """Deletes each (netns, name) of LINKS that exists."""
    for ns, name in links:
        found = ns.rt.link(name)
        if found:
            ns.rt.request(RTM_DELLINK, ifinfo(found[0]))


class Ethtool(Genl):
    def __init__(self):
        super().__init__("ethtool")

    def rings(self, index):
        """(tx, rx) ring sizes of link INDEX."""
        hdr = attr(ETHTOOL_A_RINGS_HEADER, attr(ETHTOOL_A_HEADER_DEV_INDEX, index), nested=True)
        err, msg, replies = self.call(ETHTOOL_MSG_RINGS_GET, hdr)
        if err or not replies:
            raise OSError(err or errno.EIO, f"rings of {index}: {msg}")
        return u32(replies[0][ETHTOOL_A_RINGS_TX]), u32(replies[0][ETHTOOL_A_RINGS_RX])

    def rings_set(self, index, tx, rx):
        hdr = attr(ETHTOOL_A_RINGS_HEADER, attr(ETHTOOL_A_HEADER_DEV_INDEX, index), nested=True)
        err, msg, _ = self.call(ETHTOOL_MSG_RINGS_SET,
                                hdr + attr(ETHTOOL_A_RINGS_TX, tx) + attr(ETHTOOL_A_RINGS_RX, rx))
        return err, msg


def slab_counts():
    """Objects in use in the caches a frame's life touches: skb heads and
    the kmalloc caches (zcpair's own objects are kmalloc'ed). Each cache is
    shrunk first (`/sys/kernel/slab/NAME/shrink`: KASAN's quarantine of
    freed objects is emptied and the per-CPU slabs flushed, which SLUB
    would otherwise count as in use), so what is counted is allocated."""
    names = []
    with open("/proc/slabinfo") as f:
        for line in f.readlines()[2:]:
            name = line.split()[0]
            if name.startswith(("skbuff_", "kmalloc-")) and not name.startswith("kmalloc-rcl"):
                names.append(name)
    for name in names:
        try:
            with open(f"/sys/kernel/slab/{name}/shrink", "w") as f:
                f.write("1")
        except OSError:
            pass
    counts = {}
    with open("/proc/slabinfo") as f:
        for line in f.readlines()[2:]:
            name, active = line.split()[:2]
            if name in names:
                counts[name] = int(active)
    return counts


def dma_allocations():
    """Live DMA-API entries of zcpair's DMA device (CONFIG_DMA_API_DEBUG:
    every coherent ring and mapping is tracked), or None."""
    try:
        with open("/sys/kernel/debug/dma-api/dump") as f:
            return sum(1 for line in f if "zcpair" in line)
    except OSError:
        return None


############################################################################
# Stale bytes: frames of varying length through the same slots; each frame
# received must be exactly its own bytes (a packet socket sees the whole
# frame, so a tail left from the slot's previous, longer frame would show).

def sec_stale(res, cfg, na, nb):
    pair = Pair(na, nb, "zsa", "zsb", 97, ring_size=16)
    try:
        rx = nb.sock(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_STRESS))
        rx.bind(("zsb", ETH_P_STRESS))
        rx.settimeout(5)
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        tx = na.sock(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_STRESS))
        tx.bind(("zsa", ETH_P_STRESS))
        mac_b = pair.nb.rt.getlink("zsb")[1][1][:6]  # IFLA_ADDRESS
        mac_a = pair.na.rt.getlink("zsa")[1][1][:6]
        rng = random.Random(SEED + 1)
        # Long then short, around the copybreak (128) and the header buffer
        # (256): copied whole, then by reference with a short header.
        sizes = []
        for _ in range(cfg["stale_frames"] // 2):
            sizes += [rng.choice((250, 256, 1514, 1000, 127, 129)), rng.choice((15, 16, 20, 60, 100))]
        bad, lost, checked = [], 0, 0
        for i in range(0, len(sizes), 8):  # 8 in flight: half the ring
            want = []
            for j, size in enumerate(sizes[i:i + 8]):
                payload = pattern((SEED << 20) + i + j, size - 14)
                frame = mac_b + mac_a + struct.pack("!H", ETH_P_STRESS) + payload
                tx.send(frame)
                want.append(frame)
            for frame in want:
                try:
                    got = rx.recv(65536)
                except OSError:
                    lost += 1
                    continue
                checked += 1
                if got != frame:
                    bad.append(f"frame of {len(frame)} B received as {len(got)} B"
                               f"{' (content differs)' if got[:len(frame)] != frame else ''}")
        tx.close()
        rx.close()
        figure("stale_frames_checked", checked)
        res.report(not bad and lost == 0 and checked == len(sizes),
                   f"stale bytes: {checked} frames of 15..1514 B, long and short by turns through a "
                   f"16-slot ring, each received as exactly its own bytes",
                   *bad[:5], f"lost {lost}")
    finally:
        pair.delete()


############################################################################
# Integrity: streams and datagrams both ways over every path at once.

def sec_integrity(res, cfg, na, nb):
    # Default pair (copybreak 128: short frames copied whole, others by
    # reference), a pair of 2 queues, and the zero-copy sends on the first.
    p1 = Pair(na, nb, "zia", "zib", 96)
    p2 = Pair(na, nb, "zqa", "zqb", 95, queues=2)
    flows = []
    try:
        seed = SEED + 10
        flows.append(("tcp a->b zero-copy", Stream(p1, "zia", "zib", 6001, seed, zerocopy=True)))
        flows.append(("tcp b->a", Stream(p1, "zib", "zia", 6002, seed + 1)))
        flows.append(("udp a->b", Datagrams(p1, "zia", "zib", 6003, seed + 2)))
        flows.append(("udp b->a", Datagrams(p1, "zib", "zia", 6004, seed + 3)))
        if p2:
            for k in range(3):
                flows.append((f"tcp 2q flow {k}", Stream(p2, "zqa", "zqb", 6010 + k, seed + 4 + k)))
        time.sleep(cfg["integrity_s"])
        bad = []
        total = 0
        for name, f in flows:
            f.stop()
        for name, f in flows:
            total += f.sent if isinstance(f, Stream) else f.bytes
            if not f.intact():
                bad.append(f"{name}: {f.describe()}")
        zc = sum(f.zc_sends for _, f in flows if isinstance(f, Stream))
        dgrams = sum(f.got for _, f in flows if isinstance(f, Datagrams))
        figure("integrity_bytes", total)
        figure("integrity_datagrams", dgrams)
        res.report(not bad and zc > 0,
                   f"integrity: {len(flows)} TCP/UDP flows both ways for {cfg['integrity_s']} s "
                   f"(1 B..64 KB, copied whole, by reference, zero-copy, 2 queues): {total} bytes, "
                   f"every stream's sha256 equal, every datagram intact",
                   *bad, f"zero-copy sends {zc}; " + "; ".join(f"{n}: {f.describe()}" for n, f in flows))
    finally:
        for p in (p1, p2):
            if p:
                p.delete()


############################################################################
# Fault injection: failslab and fail_page_alloc, limited by their stack
# filter to allocations made from zcpair's own code, while pairs are made,
# rings resized and traffic flows. Each failure must end as an errno with
# nothing half made, or a counted drop; afterwards everything works.

FAULT_DIRS = ("/sys/kernel/debug/failslab", "/sys/kernel/debug/fail_page_alloc")
FAULT_TIMES = 10_000_000


# The stack's receive above our poll: every frame the poll hands to GRO
# reaches the protocols through it.
RECEIVE = "netif_receive_skb_list_internal"


def code_ranges(*funcs):
    """From one read of /proc/kallsyms: [start, end) of zcpair's code, then
    of each kernel function of FUNCS (to the next text symbol); None for
    what is not there."""
    lo, hi, starts, addrs = None, 0, {}, []
    with open("/proc/kallsyms") as f:
        for line in f:
            addr, kind, sym = line.split()[:3]
            if kind not in "tT":
                continue
            a = int(addr, 16)
            addrs.append(a)
            if line.endswith("[zcpair]\n"):
                lo = a if lo is None else min(lo, a)
                hi = max(hi, a)
            elif sym in funcs:
                starts[sym] = a
    ranges = [(lo, hi + 4096) if lo is not None else None]
    for name in funcs:
        a = starts.get(name)
        ranges.append((a, min(b for b in addrs if b > a)) if a is not None else None)
    return ranges


def faults_set(text, interval, spare, probability=100):
    """Fails one in INTERVAL of all allocations (counted system-wide),
    when zcpair's code is on its stack and SPARE's is not. SPARE is the
    stack's receive above our poll: it runs from our poll, but its
    allocations are the stack's own, and some of their failures it drops
    without a counter (a route-cache entry in ip_route_input_slow(), after
    a device change flushed the cache: kfree_skb, no MIB)."""
    for d in FAULT_DIRS:
        # The filters first and `probability` last: the defaults (no
        # stack filter, verbose) would fail any allocation meanwhile.
        values = {
            "verbose": 0, "task-filter": "N", "ignore-gfp-wait": "N",
            "require-start": text[0], "require-end": text[1],
            "reject-start": spare[0], "reject-end": spare[1], "stacktrace-depth": 32,
            "space": 0, "times": FAULT_TIMES, "interval": interval,
        }
        if "page" in d:
            values["min-order"] = 0
            values["ignore-gfp-highmem"] = "N"
        values["probability"] = probability
        for k, v in values.items():
            with open(f"{d}/{k}", "w") as f:
                f.write(f"{v}\n")


def faults_off():
    """Stops injecting; returns how many failures were injected."""
    n = 0
    for d in FAULT_DIRS:
        with open(f"{d}/probability", "w") as f:
            f.write("0\n")
        with open(f"{d}/times") as f:
            n += FAULT_TIMES - int(f.read())
    return n


def stack_drops(ns):
    """Drops the IP and UDP counters of NS's stack count (reassembly
    that timed out after zcpair dropped a fragment, a full socket
    buffer): a datagram lost there was not lost by zcpair."""
    setns(ns.fd)
    try:
        with open("/proc/net/snmp") as f:
            lines = [line.split() for line in f]
    finally:
        setns(Netns.home)
    n = 0
    for names, values in zip(lines[::2], lines[1::2]):
        if names[0] in ("Ip:", "Udp:"):
            for k, v in zip(names[1:], values[1:]):
                if k.endswith(("Errors", "Discards", "Fails")) and k != "ReasmOKs":
                    n += int(v)
    return n


def sec_faults(res, cfg, na, nb):
    if not all(os.path.isdir(d) for d in FAULT_DIRS):
        res.report(True, "fault injection # SKIP kernel without FAILSLAB/FAIL_PAGE_ALLOC")
        return
    text, spare = code_ranges(RECEIVE)
    if not text or not spare:
        res.report(False, f"fault injection: zcpair's code and {RECEIVE}() found in /proc/kallsyms")
        return
    eth = na.make(Ethtool)
    outcomes = {"created": 0, "refused": {}, "half-made": 0, "resized": 0, "resize refused": {},
                "other": set()}
    injected = 0
    # A pair that carries traffic all along (made before the faults).
    load = Pair(na, nb, "zfa", "zfb", 94)
    load_index = dict(load.index)
    s0 = {dev: load.ns(dev).rt.stats64(dev) for dev in ("zfa", "zfb")}
    mib0 = stack_drops(nb)
    dgrams = Datagrams(load, "zfa", "zfb", 6020, SEED + 20, max_size=9000)
    try:
        for r in range(cfg["fault_rounds"]):
            faults_set(text, (400, 100, 40, 10)[r % 4], spare)
            # Creations: succeed or fail cleanly, nothing left half made.
            for k in range(3):
                err, msg = na.rt.try_create_pair("zxa", "zxb", nb.fd, ring_size=(64, 512, 4096)[k])
                if err == 0:
                    outcomes["created"] += 1
                else:
                    key = f"{errno.errorcode.get(err, err)}"
                    outcomes["refused"][key] = outcomes["refused"].get(key, 0) + 1
                    if err != errno.ENOMEM:
                        # What an allocation failure turned into, and where.
                        outcomes["other"].add(f"{key} '{msg}'")
                    if na.rt.link("zxa") or nb.rt.link("zxb"):
                        outcomes["half-made"] += 1
                # Ring resize of the fresh pair (both ends are down).
                a, b = na.rt.link("zxa"), nb.rt.link("zxb")
                if a and b:
                    err, msg = eth.rings_set(a[0], 1024, 32)
                    if err == 0:
                        outcomes["resized"] += 1
                    else:
                        key = f"{errno.errorcode.get(err, err)}"
                        outcomes["resize refused"][key] = outcomes["resize refused"].get(key, 0) + 1
                    # Up and down with faults: opening allocates too.
                    na.rt.request(RTM_NEWLINK, ifinfo(a[0], 1, 1))
                    nb.rt.request(RTM_NEWLINK, ifinfo(b[0], 1, 1))
                    na.rt.request(RTM_DELLINK, ifinfo(a[0]))
            time.sleep(cfg["fault_s"] / cfg["fault_rounds"])
            injected += faults_off()
        time.sleep(0.5)
        dgrams.stop()
        leftover = wait_links(na, ["zxa"], False, 5)
        # Afterwards: the load pair is not stuck, a fresh pair works.
        after = Datagrams(load, "zfa", "zfb", 6021, SEED + 21, max_size=1400)
        time.sleep(2)
        after.stop()
        fresh = Pair(na, nb, "zya", "zyb", 93)
        probe = Stream(fresh, "zya", "zyb", 6022, SEED + 22)
        time.sleep(1)
        probe_ok = probe.stop() and probe.intact()
        fresh.delete()
        s1 = {dev: load.ns(dev).rt.stats64(dev) for dev in ("zfa", "zfb")}
        counted = sum(s1[d][k] - s0[d][k] for d in s1 for k in ("tx_dropped", "rx_dropped"))
        stack = stack_drops(nb) - mib0
        lost = dgrams.sent - dgrams.got
        figure("faults_injected", injected)
        ok = (injected > 0 and outcomes["half-made"] == 0 and not leftover["zxa"] and
              dgrams.bad == 0 and dgrams.dup == 0 and lost <= counted + stack and after.intact() and
              after.got >= after.sent * 0.9 and probe_ok and
              load.index == load_index)
        res.report(ok,
                   f"fault injection: {injected} allocation failures injected in zcpair's allocations "
                   f"({cfg['fault_rounds']} rounds); every failed create/resize a clean errno, nothing "
                   f"half made, drops counted, traffic flows afterwards",
                   f"creates: {outcomes['created']} made, refused {outcomes['refused']}, half made "
                   f"{outcomes['half-made']}; resizes: {outcomes['resized']} done, refused "
                   f"{outcomes['resize refused']}; refusals other than ENOMEM: "
                   f"{sorted(outcomes['other']) or 'none'}",
                   f"traffic under faults: {dgrams.describe()}; {lost} datagrams lost, {counted} frames "
                   f"counted as dropped by zcpair (tx_dropped + rx_dropped of both ends), {stack} by the "
                   f"receiving stack (IP and UDP counters)",
                   f"after: {after.describe()}; fresh pair stream: {probe.describe()}")
    finally:
        faults_off()
        delete_links((na, "zxa"), (na, "zya"))
        load.delete()
        eth.close()


############################################################################
# Every allocation in turn: the task's fault-injection point number N
# fails (/proc/thread-self/fail-nth, as syzkaller's fault-nth), counting
# only the points the fault attributes' stack filter lets through (from
# zcpair's code and below, nothing below the stack's receive), for N = 1,
# 2, ... until the operation completes without reaching point N.

NTH = "/proc/thread-self/fail-nth"


def nth_run(fd, n, op):
    """OP() with this thread's Nth filtered allocation failing. Returns
    (OP's result, None if the Nth failed, else how many points OP
    passed)."""
    if n % 100 == 0 or os.environ.get("ZCPAIR_NTH_TRACE"):
        print(f"# fail-nth: point {n}", flush=True)
    os.pwrite(fd, str(n).encode(), 0)
    try:
        result = op()
    finally:
        left = int(os.pread(fd, 32, 0).strip() or b"0")
        os.pwrite(fd, b"0", 0)
    return result, (n - left if left else None)


def link_flags(ns, name):
    """The ifinfomsg flags of NAME in NS."""
    err, msg, replies = ns.rt.request(RTM_GETLINK, ifinfo() + attr(IFLA_IFNAME, name))
    if err or not replies:
        raise OSError(err or errno.EIO, f"RTM_GETLINK {name}: {msg}")
    return struct.unpack_from("I", replies[0], 8)[0]


def sec_nth(res, cfg, na, nb):
    if not all(os.path.isdir(d) for d in FAULT_DIRS) or not os.path.exists(NTH):
        res.report(True, "every allocation in turn # SKIP kernel without FAILSLAB/FAIL_PAGE_ALLOC")
        return
    text, spare, reg = code_ranges(RECEIVE, "register_netdevice")
    if not text or not spare or not reg:
        res.report(False, "every allocation in turn: zcpair's code, register_netdevice() found in /proc/kallsyms")
        return
    stride = cfg["nth_stride"]
    first = SEED % stride + 1
    fd = os.open(NTH, os.O_RDWR)
    eth = na.make(Ethtool)
    refused = {"create": {}, "resize": {}, "open": {}}
    points, tries, bad = {}, 0, []

    def tally(op, n, err, msg):
        key = errno.errorcode.get(err, str(err))
        refused[op][key] = refused[op].get(key, 0) + 1
        # ENOBUFS: IPv6's and the neighbour tables' sysctl registration on
        # NETDEV_REGISTER; EINVAL: netdev_register_kobject() ignores
        # dev_set_name()'s ENOMEM and device_add() refuses a nameless
        # device. Both the kernel's, both seen with a stack trace.
        if err not in (errno.ENOMEM, errno.ENOBUFS, errno.EINVAL):
            bad.append(f"{op}, allocation {n} failing: {key} '{msg}'")

    def create(n):
        nonlocal tries
        tries += 1
        (err, msg), passed = nth_run(fd, n, lambda: na.rt.try_create_pair("zna", "znb", nb.fd, ring_size=16))
        a, b = na.rt.link("zna"), nb.rt.link("znb")
        if err:
            tally("create", n, err, msg)
            if a or b:
                bad.append(f"create, allocation {n} failing: {os.strerror(err)}, but "
                           f"{'zna' if a else 'znb'} was left")
        elif not (a and b):
            bad.append(f"create, allocation {n} failing: succeeded with an end missing")
        for ns, end in ((na, a), (nb, b)):
            if end:
                ns.rt.request(RTM_DELLINK, ifinfo(end[0]))
        if wait_links(na, ["zna"], False, 10)["zna"] or wait_links(nb, ["znb"], False, 10)["znb"]:
            raise OSError(errno.EEXIST, f"create, allocation {n}: the pair was not deleted")
        return passed

    try:
        # A pair's creation: a clean errno and neither end, or both ends.
        # First every point outside register_netdevice() (zcpair's own
        # allocations, the peer's rtnl_create_link()), then the thousands
        # inside it (sysfs, sysctl, the notifiers; the same few error
        # paths of ours whichever fails) every STRIDE-th.
        faults_set(text, 1, reg, probability=0)
        n = 1
        while (passed := create(n)) is None:
            n += 1
        points["create"] = passed
        faults_set(text, 1, spare, probability=0)
        n = first
        while (passed := create(n)) is None:
            n += stride
        points["create, register_netdevice() included"] = passed
        # A ring resize (ends down) and opening an end: a failure leaves
        # the rings and the state as they were.
        err, msg = na.rt.try_create_pair("zna", "znb", nb.fd, ring_size=16)
        if err:
            raise OSError(err, f"create zna: {msg}")
        ia, ib = na.rt.link("zna")[0], nb.rt.link("znb")[0]
        n, sizes = 1, ((32, 16), (16, 32))
        while True:
            before = eth.rings(ia)
            want = sizes[0] if before != sizes[0] else sizes[1]
            (err, msg), passed = nth_run(fd, n, lambda: eth.rings_set(ia, *want))
            tries += 1
            after = eth.rings(ia)
            if err:
                tally("resize", n, err, msg)
                if after != before:
                    bad.append(f"resize, allocation {n} failing: {os.strerror(err)}, rings {before} -> {after}")
            elif after != want:
                bad.append(f"resize, allocation {n} failing: succeeded, rings {after}, asked for {want}")
            if passed is not None:
                points["resize"] = passed
                break
            n += 1
        n = 1
        while True:
            (err, msg, _), passed = nth_run(fd, n, lambda: na.rt.request(RTM_NEWLINK,
                                                                          ifinfo(ia, IFF_UP, IFF_UP)))
            tries += 1
            up = bool(link_flags(na, "zna") & IFF_UP)
            if err:
                tally("open", n, err, msg)
                if up:
                    bad.append(f"open, allocation {n} failing: {os.strerror(err)}, but zna is up")
            elif not up:
                bad.append(f"open, allocation {n} failing: succeeded, but zna is down")
            if up:
                na.rt.set_up(ia, False)
            if passed is not None:
                points["open"] = passed
                break
            n += 1
        # The pair that went through all of it carries a datagram each way.
        for ns, idx, addr in ((na, ia, "10.89.0.1"), (nb, ib, "10.89.0.2")):
            ns.rt.add_addr(idx, addr, 24)
            ns.rt.set_up(idx, True)
        na.rt.wait_oper_up("zna")
        nb.rt.wait_oper_up("znb")
        socks = {}
        for ns, addr in ((na, "10.89.0.1"), (nb, "10.89.0.2")):
            socks[addr] = ns.sock(socket.AF_INET, socket.SOCK_DGRAM)
            socks[addr].bind((addr, 6050))
            socks[addr].settimeout(10)
        crossed = 0
        for src, dst in (("10.89.0.1", "10.89.0.2"), ("10.89.0.2", "10.89.0.1")):
            msg = pattern(tries, 1400)
            socks[src].sendto(msg, (dst, 6050))
            try:
                crossed += socks[dst].recv(65536) == msg
            except OSError:
                pass
        for s_ in socks.values():
            s_.close()
        figure("nth_allocations_failed", tries)
        res.report(not bad and len(points) == 4 and crossed == 2,
                   f"zcpair's allocations failing in turn (fail-nth, {tries} tries): a pair's creation "
                   f"(each of its {points.get('create', '?')} points outside register_netdevice(), every "
                   f"{stride}th of all {points.get('create, register_netdevice() included', '?')}), a ring "
                   f"resize ({points.get('resize', '?')} points) and opening an end ({points.get('open', '?')}) "
                   f"each fail cleanly or succeed whole, nothing half made or changed; the pair carries a "
                   f"datagram each way afterwards",
                   f"refused: {refused}", *bad[:8], f"datagrams crossed: {crossed} of 2")
    finally:
        os.pwrite(fd, b"0", 0)
        os.close(fd)
        faults_off()
        delete_links((na, "zna"), (nb, "znb"))
        eth.close()


############################################################################
# Ring resize and MTU changes under a checked TCP stream: the ends go down
# (a ring is replaced, not resized in place), the stream retransmits and
# must still arrive whole.

def sec_resize(res, cfg, na, nb):
    pair = Pair(na, nb, "zra", "zrb", 92)
    eth = na.make(Ethtool)
    s = Stream(pair, "zra", "zrb", 6030, SEED + 30)
    refused = []
    sizes = (64, 1024, 16, 4096, 256)
    mtus = (9000, 1280, 65535, 1500)
    try:
        for k in range(cfg["resize"]):
            time.sleep(0.5)
            pair.set_up(False)
            err, msg = eth.rings_set(pair.index["zra"], sizes[k % 5], sizes[(k + 2) % 5])
            if err:
                refused.append(f"rings {sizes[k % 5]}/{sizes[(k + 2) % 5]}: {os.strerror(err)} {msg}")
            pair.set_up(True)
            for dev in ("zra", "zrb"):
                err, msg = pair.ns(dev).rt.set_mtu(pair.index[dev], mtus[k % 4])
                if err:
                    refused.append(f"{dev} mtu {mtus[k % 4]}: {os.strerror(err)} {msg}")
        time.sleep(1)
        stopped = s.stop(120)
        figure("resize_cycles", cfg["resize"])
        res.report(stopped and s.intact() and not refused,
                   f"{cfg['resize']} ring resizes (16..4096 slots) and MTU changes under a TCP stream: "
                   f"it arrives whole ({s.sent} B, sha256 equal)",
                   *refused[:5], s.describe())
    finally:
        pair.delete()
        eth.close()


############################################################################
# Churn: create/traffic/delete cycles while a checked stream flows through
# another pair; slab and DMA counts before and after.

# skb heads the kernel may keep after the churn: each CPU's NAPI skb cache
# holds up to 64 (NAPI_SKB_CACHE_SIZE), two vCPUs.
SKB_SLACK = 128


def sec_churn(res, cfg, na, nb):
    before = slab_counts()
    dma0 = dma_allocations()
    load = Pair(na, nb, "zla", "zlb", 91)
    # The count sees the rings: a pair's are on it while the pair lives.
    dma_live = dma_allocations()
    s = Stream(load, "zla", "zlb", 6040, SEED + 40)
    fails = []
    udp = {}
    t0 = time.monotonic()
    try:
        for i in range(cfg["churn"]):
            if i % 100 == 0:
                print(f"# churn cycle {i} at {time.monotonic() - t0:.0f} s", flush=True)
            try:
                p = Pair(na, nb, "zca", "zcb", 90, ring_size=(16, 64, 256, 1024, 4096)[i % 5])
                if not udp:
                    for dev, end in (("zca", "a"), ("zcb", "b")):
                        udp[end] = p.ns(dev).sock(socket.AF_INET, socket.SOCK_DGRAM)
                        udp[end].bind(("0.0.0.0", 6041))
                        udp[end].settimeout(10)
                msg = pattern(i, 64 + (i * 97) % 1400)
                udp["a"].sendto(msg, (p.addr["zcb"], 6041))
                got = udp["b"].recv(65536)
                if got != msg:
                    raise OSError(errno.EIO, f"datagram of {len(msg)} B differs")
                for _ in range(16):  # in flight at the deletion
                    udp["b"].sendto(msg, (p.addr["zca"], 6041))
                dev_ns = na if i % 2 == 0 else nb
                dev = "zca" if i % 2 == 0 else "zcb"
                err, _, _ = dev_ns.rt.request(RTM_DELLINK, ifinfo(p.index[dev]))
                if err or not p.gone(0):
                    raise OSError(err or errno.EEXIST, "pair not gone after delete")
                for u in udp.values():  # what arrived before the deletion
                    u.setblocking(False)
                    try:
                        while True:
                            u.recv(65536)
                    except BlockingIOError:
                        pass
                    u.settimeout(10)
            except OSError as e:
                fails.append(f"cycle {i}: {e}")
                delete_links((na, "zca"), (nb, "zcb"))
        stopped = s.stop(120)
    finally:
        for u in udp.values():
            u.close()
        load.delete()
    time.sleep(2)
    after = slab_counts()
    dma1 = dma_allocations()
    deltas = {k: after.get(k, 0) - v for k, v in before.items() if after.get(k, 0) != v}
    skb_grown = sum(max(d, 0) for k, d in deltas.items() if k.startswith("skbuff_"))
    figure("churn_skb_objects_grown", skb_grown)
    figure("churn_cycles", cfg["churn"] - len(fails))
    figure("churn_stream_bytes", s.sent)
    # An skb left behind per cycle would pass SKB_SLACK in the long run's
    # 1,000 cycles.
    res.report(not fails and stopped and s.intact() and dma1 == dma0 and
               (dma0 is None or dma_live > dma0) and skb_grown <= SKB_SLACK,
               f"{cfg['churn']} create/traffic/delete cycles in {time.monotonic() - t0:.0f} s while a TCP "
               f"stream flows through another pair: every cycle's datagram intact, the stream whole "
               f"({s.sent} B), DMA allocations {dma0} before and {dma1} after ({dma_live} with the "
               f"loaded pair), skb objects +{skb_grown} (at most {SKB_SLACK})",
               *fails[:5], s.describe(),
               "slab caches (shrunk) before -> after: " + (", ".join(
                   f"{k} {before[k]} -> {before[k] + d}" for k, d in sorted(deltas.items())) or "all equal"))


############################################################################
# Network namespaces with pairs inside die with them: one pair inside, one
# across to NA, under traffic.

def sec_netns(res, cfg, na, nb):
    fails = []
    t0 = time.monotonic()
    for i in range(cfg["netns"]):
        name = f"zc_st{i % 4}"
        try:
            subprocess.run(["ip", "netns", "add", name], check=True)
            x = Netns(name)
            inside = Pair(x, x, "zna", "znb", 89)
            across = Pair(na, x, "zja", "zjb", 88)
            d = Datagrams(across, "zja", "zjb", 6050, SEED + 50 + i, max_size=1400)
            d2 = Datagrams(inside, "zna", "znb", 6051, SEED + 150 + i, max_size=1400)
            time.sleep(0.3)
            d.tx.close()  # the receiver's socket keeps the netns alive:
            d.rx.close()  # everything of ours in it goes first
            d2.tx.close()
            d2.rx.close()
            d.stop_ev.set()
            d2.stop_ev.set()
            x.close()
            subprocess.run(["ip", "netns", "del", name], check=True)
            left = wait_links(na, ["zja"], False, 30)
            d.stop()
            d2.stop()
            if left["zja"]:
                fails.append(f"netns {i}: zja still in {na.name} 30 s after its peer's netns was deleted")
                na.rt.request(RTM_DELLINK, ifinfo(na.rt.link("zja")[0]))
            if d.bad or d2.bad:
                fails.append(f"netns {i}: corrupt datagrams {d.bad + d2.bad}")
        except (OSError, subprocess.CalledProcessError) as e:
            fails.append(f"netns {i}: {e}")
    figure("netns_cycles", cfg["netns"] - len(fails))
    res.report(not fails,
               f"{cfg['netns']} netns, each with a pair inside and one across, deleted under traffic "
               f"in {time.monotonic() - t0:.0f} s: every pair gone with its netns", *fails[:5])


############################################################################
# insmod/rmmod under traffic: rmmod deletes every pair while streams flow.

_libc = ctypes.CDLL(None, use_errno=True)


def insmod():
    fd = os.open(KO, os.O_RDONLY)
    try:
        if _libc.syscall(313, fd, b"", 0) != 0:  # finit_module
            e = ctypes.get_errno()
            if e != errno.EEXIST:
                raise OSError(e, f"finit_module: {os.strerror(e)}")
    finally:
        os.close(fd)


def rmmod():
    if _libc.syscall(176, b"zcpair", os.O_NONBLOCK) != 0:  # delete_module
        e = ctypes.get_errno()
        raise OSError(e, f"delete_module: {os.strerror(e)}")


def sec_rmmod(res, cfg, na, nb):
    fails = []
    t0 = time.monotonic()
    dma0 = dma_allocations()
    for i in range(cfg["rmmod"]):
        try:
            insmod()
            p = Pair(na, nb, "zma", "zmb", 87)
            p2 = Pair(na, nb, "zmc", "zmd", 86, queues=2)
            flows = [Stream(p, "zma", "zmb", 6060, SEED + 60 + i),
                     Datagrams(p2, "zmc", "zmd", 6061, SEED + 61 + i, max_size=9000)]
            time.sleep(0.5)
            live = dma_allocations()
            if dma0 is not None and live <= dma0:
                fails.append(f"rmmod {i}: the pairs' rings are not among the DMA allocations ({live})")
            rmmod()
            for f in flows:
                f.stop_ev.set()
            if os.path.exists("/sys/module/zcpair"):
                fails.append(f"rmmod {i}: module still loaded")
            left = [d for n, d in ((na, "zma"), (nb, "zmb"), (na, "zmc"), (nb, "zmd")) if n.rt.link(d)]
            if left:
                fails.append(f"rmmod {i}: {left} left")
            for f in flows:
                if isinstance(f, Stream):
                    f.abort()
                else:
                    f.stop()
                    if f.bad:
                        fails.append(f"rmmod {i}: {f.bad} corrupt datagrams")
        except OSError as e:
            fails.append(f"rmmod {i}: {e}")
    insmod()
    dma1 = dma_allocations()
    figure("rmmod_cycles", cfg["rmmod"] - len(fails))
    res.report(not fails and dma1 == dma0,
               f"{cfg['rmmod']} insmod/rmmod with two pairs under traffic in "
               f"{time.monotonic() - t0:.0f} s: every pair gone with the module; DMA allocations "
               f"{dma0} before, {dma1} after", *fails[:5])


SECTIONS = {"stale": sec_stale, "integrity": sec_integrity, "faults": sec_faults, "nth": sec_nth,
            "resize": sec_resize, "churn": sec_churn, "netns": sec_netns, "rmmod": sec_rmmod}


def main():
    cfg = SCALES[sys.argv[1]]
    na, nb = Netns("zc_a"), Netns("zc_b")
    res = Result()
    for name in sys.argv[2:]:
        t0, n0 = time.monotonic(), res.reported
        try:
            SECTIONS[name](res, cfg, na, nb)
        except (OSError, TimeoutError) as e:
            if res.reported == n0:
                res.report(False, f"{name}: {e}")
        print(f"# {name}: {time.monotonic() - t0:.0f} s", flush=True)
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
