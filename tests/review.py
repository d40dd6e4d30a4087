#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Data-path review checks over an up pair, from one process.

Usage: review.py NETNS_A NETNS_B CASE...

NETNS_A holds zca (10.99.0.1), NETNS_B zcb (10.99.0.2), both up. Each CASE
prints one line `ok DESC` or `not ok DESC` per check, followed by `# `
diagnostics; tests/15-review.sh turns them into KTAP test points. Sockets
are made in either netns by switching this process's netns (a socket
keeps the netns it was made in); counters are read by netlink (the
driver's counters by the genl family: the numbers `ethtool -S` shows,
from the same table), the kernel log from /dev/kmsg. The commands left
(tc, ping, ip xfrm) run straight in their netns: under TCG with the
debug kernel every process start costs a second or so.

Cases:
  noqueue    once both ends are operationally up: blast (below) on the
             default noqueue device; the stack dropped none of zca's
             frames (its tx_dropped minus the driver's own) and did not
             log "asks to queue packet"
  pfifo      the same with a pfifo qdisc on zca (back-pressure and BQL,
             which must balance): no frame dropped by the stack, the queue
             still runs (ping), every frame sent is completed (tx_packets
             == tx_completions, read together), and after going back to
             noqueue the queue runs (ping)
  blast      (part of noqueue and pfifo) two senders on two CPUs; no send
             fails with ENETDOWN (a stopped noqueue device drops frames)
             and nothing stays queued in the senders' sockets afterwards
  esp        a read-only file spliced (sendfile) as an ESP-in-UDP packet
             to an ESP state on zcb's side (added here, flushed after):
             ESP decrypts (and so writes) in place unless the frags are
             marked shared; the file must be unchanged, and the state's
             integrity-failure counter proves ESP ran (decryption comes
             before the ICV check)
  csum       a CHECKSUM_PARTIAL frame (packet socket with a virtio-net
             header) whose checksum field lies past the headers the
             dissector finds arrives intact on zcb
  peerdown   senders run while zcb goes down and up ROUNDS times; each time
             zcb is down, zca's senders have nothing left in flight
  zerocopy   MSG_ZEROCOPY datagrams from zca: with zcb dropping every
             frame at tc ingress (before protocol delivery, where the
             stack would copy), every completion reports "not copied" and
             tx_zerocopy_frames counts each frame: zcpair copied nothing;
             delivered to a socket on zcb, they arrive intact and their
             completions report the receiving stack's copy
  gro        what GRO can merge it still sees, though frames it could
             only pass on skip it (rust/netdev.rs, gro_may_hold): with
             zcb's polls deferred (napi_defer_hard_irqs, gro_flush_timeout)
             a train of GRO_TRAIN datagrams of one flow reaches one poll;
             with rx-udp-gro-forwarding off on zcb none is merged, with it
             on GRO merges most of them (rx_gro_frames), and each time
             every datagram arrives intact
  pin        a socket that never reads, fed 1000-byte datagrams that are
             slices one page apart of the sender's page-fragment memory
             (the rest of each page goes to a port nobody listens on):
             the pages its queue pins stay within its receive buffer;
             over a veth pair made here the same sender pins more (the
             control: the pattern is one that length charging lets pin)
"""
import ctypes
import hashlib
import os
import socket
import struct
import subprocess
import sys
import time

ENETDOWN = 100
SIOCOUTQ = 0x5411
libc = ctypes.CDLL(None, use_errno=True)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import Rtnl, setns, uapi  # noqa: E402


def sink(ns, port, rcvbuf=None):
    """A UDP socket on zcb's address in `ns`, non-blocking."""
    setns(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(("10.99.0.2", port))
    s.setblocking(False)
    return s


def drain(s):
    n = 0
    try:
        while True:
            s.recv(65536)
            n += 1
    except BlockingIOError:
        return n


def outq(s):
    buf = ctypes.c_int(0)
    libc.ioctl(s.fileno(), SIOCOUTQ, ctypes.byref(buf))
    return buf.value


def sender(cpu, port, secs, wfd, stop_file=None):
    """Child: send 1400 B datagrams as fast as possible; report counts."""
    os.sched_setaffinity(0, {cpu % os.cpu_count()})
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("10.99.0.2", port))
    s.setblocking(False)
    payload = bytes([cpu & 0xFF]) * 1400
    sent = enetdown = other = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if stop_file and os.path.exists(stop_file):
            break
        try:
            s.send(payload)
            sent += 1
        except BlockingIOError:
            time.sleep(0.0005)
        except OSError as e:
            if e.errno == ENETDOWN:
                enetdown += 1
            else:
                other += 1
    # Whatever the device still holds is charged to this socket.
    left = -1
    for _ in range(40):
        left = outq(s)
        if left == 0:
            break
        time.sleep(0.05)
    os.write(wfd, struct.pack("qqqq", sent, enetdown, other, left))
    os._exit(0)


def spawn_senders(ns_a, port, secs, stop_file=None):
    setns(ns_a)
    kids = []
    for cpu in range(2):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            sender(cpu, port, secs, w, stop_file)
        os.close(w)
        kids.append((pid, r))
    return kids


def reap_senders(kids):
    out = []
    for pid, r in kids:
        data = b""
        while len(data) < 32:
            chunk = os.read(r, 32 - len(data))
            if not chunk:
                break
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        out.append(struct.unpack("qqqq", data) if len(data) == 32 else (0, 0, 0, -1))
    return out


def case_blast(res, ns_a, ns_b):
    rx = sink(ns_b, 5301, rcvbuf=1 << 20)
    kids = spawn_senders(ns_a, 5301, 3.0)
    got = 0
    end = time.monotonic() + 3.5
    while time.monotonic() < end:
        got += drain(rx)
        time.sleep(0.01)
    stats = reap_senders(kids)
    got += drain(rx)
    rx.close()
    sent = sum(s[0] for s in stats)
    enetdown = sum(s[1] for s in stats)
    other = sum(s[2] for s in stats)
    left = [s[3] for s in stats]
    res.report(enetdown == 0 and sent > 0,
               f"two concurrent senders: no send fails with ENETDOWN ({enetdown} of {sent + enetdown})",
               f"sent {sent}, ENETDOWN {enetdown}, other errors {other}, received {got}")
    res.report(left == [0, 0], "two concurrent senders: nothing left in flight afterwards",
               f"SIOCOUTQ per sender after 2 s: {left}")


def pair_stats(ns, ifname):
    """IFNAME's counters in NS by the genl family's pair-get, as
    {ZCPAIR_A_STATS_* attribute: value}: the driver's one table, which
    `ethtool -S` shows too (drivers/net/zcpair/counters.rs)."""
    stats = zcnl.pair_get(ns, ifname)[uapi.ZCPAIR_A_PAIR_STATS]
    return {k: zcnl.uint(v) for k, v in zcnl.attrs(stats).items()}


def core_drops(ns, ifname):
    """tx_dropped as the stack counts it (`ip -s link`, stats64: ours plus
    the core's own drops, such as "asks to queue packet") minus ours."""
    setns(ns)
    rt = Rtnl()
    try:
        total = rt.stats64(ifname)["tx_dropped"]
    finally:
        rt.close()
    return total - pair_stats(ns, ifname)[uapi.ZCPAIR_A_STATS_TX_DROPPED]


class KernelLog:
    """The kernel log from now on: /dev/kmsg, opened at its end and read
    without blocking (what `dmesg` prints after a mark)."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def messages(self):
        out = []
        while True:
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except BrokenPipeError:  # records overwritten meanwhile: on to the next
                continue
            out.append(rec.decode(errors="replace").split(";", 1)[-1])
        os.close(self.fd)
        return out


def command(res, desc, ns, args):
    """ARGS run in NS (this process's netns switched, no `ip netns
    exec`): a point, ok when it exits 0; its output the diagnostic on
    failure (as ktap_check shows it)."""
    setns(ns)
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    out = (p.stdout + p.stderr).strip()
    res.report(p.returncode == 0, desc,
               *([] if p.returncode == 0 else [f"command: {' '.join(args)}", out or "(no output)"]))


def case_noqueue(res, ns_a, ns_b):
    # The default: never stopped; a full ring drops, counted by us. (The
    # kernel shows no byte_queue_limits in sysfs for IFF_NO_QUEUE devices,
    # so what is checked is what senders and the log see.)
    for ns, name in ((ns_a, "zca"), (ns_b, "zcb")):
        setns(ns)
        rt = Rtnl()
        try:
            rt.wait_oper_up(name)
        finally:
            rt.close()
    drops = core_drops(ns_a, "zca")
    log = KernelLog()
    case_blast(res, ns_a, ns_b)
    more = core_drops(ns_a, "zca") - drops
    res.report(more == 0, "noqueue: no frame dropped by the stack (tx_dropped - ours)",
               f"the stack's drops +{more}")
    asks = sum("asks to queue packet" in m for m in log.messages())
    res.report(asks == 0, "noqueue: no 'asks to queue packet' in the kernel log",
               f"{asks} such lines since the senders started")


def case_pfifo(res, ns_a, ns_b):
    # With a qdisc: back-pressure and BQL, which must balance (a
    # completion BQL was not told about hits a BUG_ON, one it misses
    # stalls the queue for good).
    tc = ["tc", "-n", ns_a, "qdisc"]
    subprocess.run(tc + ["replace", "dev", "zca", "root", "pfifo", "limit", "1000"], check=True)
    drops = core_drops(ns_a, "zca")
    case_blast(res, ns_a, ns_b)
    more = core_drops(ns_a, "zca") - drops
    res.report(more == 0, "pfifo: no frame dropped by the stack", f"the stack's drops +{more}")
    ping = ["ping", "-c", "2", "-i", "0.3", "-W", "5", "10.99.0.2"]
    command(res, "pfifo: the queue still runs after the traffic (ping)", ns_a, ping)
    # Both counters from one reply (the stack may send a frame of its own,
    # ND or MLD, between two reads), until they meet: a completion that
    # was lost never comes.
    deadline = time.monotonic() + 10
    while True:
        s = pair_stats(ns_a, "zca")
        sent, completed = s[uapi.ZCPAIR_A_STATS_TX_PACKETS], s[uapi.ZCPAIR_A_STATS_TX_COMPLETIONS]
        if sent == completed or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    res.report(sent == completed, "pfifo: every frame sent was completed (tx packets == tx completions)",
               f"tx_packets {sent}, tx_completions {completed}")
    subprocess.run(tc + ["del", "dev", "zca", "root"], check=False)
    command(res, "back to noqueue: the queue runs (ping)", ns_a, ping)


def esp_packet(spi, seq, size):
    body = os.urandom(size - 8)
    return struct.pack(">II", spi, seq) + body


ESP_STATE = ["src", "10.99.0.1", "dst", "10.99.0.2", "proto", "esp", "spi", "0x100", "mode", "transport",
             "aead", "rfc4106(gcm(aes))", "0x0102030405060708090a0b0c0d0e0f1011121314", "128",
             "encap", "espinudp", "4500", "4500", "0.0.0.0"]


def case_esp(res, ns_a, ns_b):
    add = subprocess.run(["ip", "-n", ns_b, "xfrm", "state", "add", *ESP_STATE],
                         capture_output=True, text=True)
    if add.returncode:
        why = f"ip xfrm state add: exit {add.returncode} {add.stderr.strip()}"
        res.report(False, "ESP-in-UDP of a spliced file reaches ESP on the receiver", why)
        res.report(False, "the spliced read-only file is unchanged after ESP input", why)
        return
    try:
        esp_spliced(res, ns_a, ns_b)
    finally:
        subprocess.run(["ip", "-n", ns_b, "xfrm", "state", "flush"], check=False)


def esp_spliced(res, ns_a, ns_b):
    setns(ns_b)
    enc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    enc.setsockopt(socket.IPPROTO_UDP, 100, 2)  # UDP_ENCAP, UDP_ENCAP_ESPINUDP
    enc.bind(("10.99.0.2", 4500))

    def proto_errors():
        # The state's integrity failures (`ip -s xfrm state`: "failed N"):
        # ESP ran and found the (made-up) ICV wrong, after decrypting.
        import re
        out = subprocess.run(["ip", "-n", ns_b, "-s", "xfrm", "state"],
                             capture_output=True, text=True).stdout
        m = re.search(r"\bfailed (\d+)", out)
        return int(m.group(1)) if m else -1

    before = proto_errors()
    setns(ns_a)
    path = "/tmp/zcpair-esp-readonly.bin"
    if os.path.exists(path):
        os.chmod(path, 0o600)
        os.unlink(path)
    with open(path, "wb") as f:
        f.write(esp_packet(0x100, 1, 1400))
    os.chmod(path, 0o444)
    with open(path, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("10.99.0.2", 4500))
    fd = os.open(path, os.O_RDONLY)
    n = 0
    for _ in range(3):
        n += os.sendfile(s.fileno(), fd, 0, 1400)
        time.sleep(0.2)
    os.close(fd)
    time.sleep(0.5)
    setns(ns_b)
    after = proto_errors()
    with open(path, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    res.report(after - before >= 1,
               "ESP-in-UDP of a spliced file reaches ESP on the receiver",
               f"sendfile sent {n} B; the ESP state's integrity failures {before} -> {after}")
    res.report(got == want, "the spliced read-only file is unchanged after ESP input",
               f"sha256 before {want}", f"sha256 after  {got}")
    os.chmod(path, 0o600)
    os.unlink(path)


def ipv4_header(proto, total, src, dst):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    s = sum(struct.unpack(">10H", h))
    s = (s >> 16) + (s & 0xFFFF)
    s = (s >> 16) + (s & 0xFFFF)
    return h[:10] + struct.pack(">H", ~s & 0xFFFF) + h[12:]


def mac_of(ns, dev):
    setns(ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    addr = s.getsockname()[4]
    s.close()
    return addr


def case_csum(res, ns_a, ns_b):
    dst_mac = mac_of(ns_b, "zcb")
    setns(ns_b)
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    rx.bind(("zcb", 0x0800))
    rx.settimeout(0.2)
    setns(ns_a)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.setsockopt(263, 15, 1)  # SOL_PACKET, PACKET_VNET_HDR
    tx.bind(("zca", 0))
    src_mac = tx.getsockname()[4]
    # An L4 protocol the flow dissector does not know (253, for
    # experiments): the headers it finds end at the IP header, while the
    # checksum the receiver is to fill in sits 40 bytes further.
    marker = b"zcpair-csum-past-headers"
    payload = marker + os.urandom(1000)
    ip = ipv4_header(253, 20 + len(payload), "10.99.0.1", "10.99.0.2")
    frame = dst_mac + src_mac + b"\x08\x00" + ip + payload
    # virtio_net_hdr: NEEDS_CSUM, no GSO, csum_start 34, csum_offset 40.
    vnet = struct.pack("<BBHHHH", 1, 0, 0, 0, 34, 40)
    tx.send(vnet + frame)
    got = None
    end = time.monotonic() + 3
    while time.monotonic() < end and got is None:
        try:
            pkt = rx.recv(4096)
        except socket.timeout:
            continue
        if marker in pkt:
            got = pkt
    res.report(got is not None and got[34:] == payload,
               "CHECKSUM_PARTIAL frame with its checksum field past the dissected headers arrives",
               "received, bytes intact" if got is not None and got[34:] == payload
               else ("received, bytes differ" if got is not None else "not received within 3 s"))


def permanent_neighbour(ns_a, ns_b):
    """zcb's address and MAC as a permanent neighbour of zca."""
    mac = ":".join(f"{b:02x}" for b in mac_of(ns_b, "zcb"))
    subprocess.run(["ip", "-n", ns_a, "neigh", "replace", "10.99.0.2", "lladdr", mac,
                    "dev", "zca", "nud", "permanent"], check=True)


def link_updown(ns, ifname, up):
    """RTM_NEWLINK setting IFF_UP of `ifname` in `ns`, acknowledged."""
    setns(ns)
    rt = Rtnl()
    try:
        rt.set_up(socket.if_nametoindex(ifname), up)
    finally:
        rt.close()


ROUNDS = 4


def case_peerdown(res, ns_a, ns_b):
    # A permanent neighbour: when zcb goes down both ends lose carrier,
    # which flushes the neighbour table, and datagrams sent meanwhile would
    # wait (charged to their socket) in the queue of an unresolved
    # neighbour, not in the driver. With it, what a sender still has
    # queued after the peer went down is what the driver holds.
    permanent_neighbour(ns_a, ns_b)
    bad = []
    stop_file = "/tmp/zcpair-peerdown.stop"
    for i in range(ROUNDS):
        if os.path.exists(stop_file):
            os.unlink(stop_file)
        kids = spawn_senders(ns_a, 5302, 3.0, stop_file)
        time.sleep(0.3)
        link_updown(ns_b, "zcb", False)
        time.sleep(0.2)
        with open(stop_file, "w"):
            pass
        stats = reap_senders(kids)
        left = [s[3] for s in stats]
        if left != [0, 0]:
            bad.append((i, left))
        link_updown(ns_b, "zcb", True)
        time.sleep(0.5)
    os.unlink(stop_file)
    res.report(not bad, f"peer going down under traffic leaves nothing in flight ({ROUNDS} times)",
               f"rounds with bytes still queued in a sender (round, SIOCOUTQ): {bad}")


GRO_TRAIN = 16


def gro_train(res, ns_a, ns_b, port, forwarding):
    """One train of GRO_TRAIN datagrams zca -> zcb:PORT; returns how many
    frames GRO merged on zcb (rx_gro_frames' move) and reports the
    datagrams' arrival."""
    state = "on" if forwarding else "off"
    subprocess.run(["ip", "netns", "exec", ns_b, "ethtool", "-K", "zcb", "rx-udp-gro-forwarding", state],
                   check=True, capture_output=True)
    rx = sink(ns_b, port)
    before = pair_stats(ns_b, "zcb")[uapi.ZCPAIR_A_STATS_RX_GRO_FRAMES]
    setns(ns_a)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = [struct.pack("!I", i) + hashlib.sha256(struct.pack("!II", port, i)).digest() * 31
            for i in range(GRO_TRAIN)]
    for d in sent:
        tx.sendto(d, ("10.99.0.2", port))
    tx.close()
    # The deferred poll comes gro_flush_timeout (1 s) after the first.
    got = []
    deadline = time.monotonic() + 5
    while len(got) < GRO_TRAIN and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            while True:
                got.append(rx.recv(65536))
        except BlockingIOError:
            pass
    rx.close()
    merged = pair_stats(ns_b, "zcb")[uapi.ZCPAIR_A_STATS_RX_GRO_FRAMES] - before
    res.report(got == sent, f"gro: rx-udp-gro-forwarding {state}: a train of {GRO_TRAIN} datagrams arrives intact, in order",
               f"received {len(got)} of {len(sent)}, intact and in order: {got == sent}")
    return merged


def case_gro(res, ns_a, ns_b):
    permanent_neighbour(ns_a, ns_b)
    defer = "echo {} > /sys/class/net/zcb/napi_defer_hard_irqs; echo {} > /sys/class/net/zcb/gro_flush_timeout"
    subprocess.run(["ip", "netns", "exec", ns_b, "sh", "-ec", defer.format(1000, 1_000_000_000)],
                   check=True, capture_output=True)
    try:
        off = gro_train(res, ns_a, ns_b, 5310, False)
        on = gro_train(res, ns_a, ns_b, 5311, True)
    finally:
        subprocess.run(["ip", "netns", "exec", ns_b, "sh", "-c",
                        defer.format(0, 0) + "; ethtool -K zcb rx-udp-gro-forwarding off"],
                       capture_output=True)
    res.report(off == 0, "gro: UDP not merged while no socket or feature asks for it (rx_gro_frames unchanged)",
               f"rx_gro_frames moved by {off}")
    res.report(on >= GRO_TRAIN // 2, f"gro: rx-udp-gro-forwarding on: GRO merges the train (rx_gro_frames >= {GRO_TRAIN // 2})",
               f"rx_gro_frames moved by {on}")


PIN_KEEP = 1000          # payload of each datagram the socket keeps
PIN_STRIDE = 4096        # sender page-fragment bytes per kept datagram
PIN_RCVBUF = 65536       # SO_RCVBUF asked; the kernel doubles it
UDP_SEGMENT = 103


def udp_errors(ns):
    """RcvbufErrors of the Udp line of /proc/net/snmp in `ns`."""
    setns(ns)
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def pinned_by_idle_reader(ns_tx, ns_rx, src, dst, port):
    """Feeds a socket in `ns_rx` on `dst` that does not read; returns
    (datagrams it held, its rcvbuf, RcvbufErrors seen, bad payloads)."""
    setns(ns_rx)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, PIN_RCVBUF)
    rx.bind((dst, port))
    rx.setblocking(False)
    rcvbuf = rx.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    errors0 = udp_errors(ns_rx)
    setns(ns_tx)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A GSO size makes UDP build paged datagrams: their payload goes into
    # the task's page-fragment pages, one after the other.
    tx.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, 1400)
    tx.bind((src, 0))
    filler = bytes(PIN_STRIDE - PIN_KEEP)
    sent = rcvbuf // PIN_KEEP * 2
    for i in range(sent):
        tx.sendto(struct.pack("I", i) * (PIN_KEEP // 4), (dst, port))
        tx.sendto(filler, (dst, port + 1))
        if i % 16 == 15:
            time.sleep(0.02)
    tx.close()
    time.sleep(1.0)
    errors = udp_errors(ns_rx) - errors0
    held, bad = 0, 0
    try:
        while True:
            data = rx.recv(65536)
            i = struct.unpack_from("I", data)[0]
            if data != struct.pack("I", i) * (PIN_KEEP // 4):
                bad += 1
            held += 1
    except BlockingIOError:
        pass
    rx.close()
    return held, rcvbuf, errors, bad


def case_pin(res, ns_a, ns_b):
    page = os.sysconf("SC_PAGE_SIZE")
    for ns, cmds in ((ns_a, "link add zcpin0 type veth peer name zcpin1 netns %s\n"
                      "addr add 10.98.0.1/24 dev zcpin0\nlink set zcpin0 up\n" % ns_b),
                     (ns_b, "addr add 10.98.0.2/24 dev zcpin1\nlink set zcpin1 up\n")):
        subprocess.run(["ip", "-n", ns, "-b", "-"], input=cmds, text=True, check=True)
    try:
        time.sleep(1.0)
        z = pinned_by_idle_reader(ns_a, ns_b, "10.99.0.1", "10.99.0.2", 5311)
        v = pinned_by_idle_reader(ns_a, ns_b, "10.98.0.1", "10.98.0.2", 5313)
    finally:
        subprocess.run(["ip", "-n", ns_a, "link", "del", "zcpin0"], check=False)
    # Each kept datagram starts on a base page of its own (they are a page
    # apart in the sender's page fragments), and a frag keeps its page: the
    # queue pins at least held * page bytes.
    for name, (held, rcvbuf, errors, bad) in (("zcpair", z), ("veth", v)):
        print(f"# {name}: a socket with rcvbuf {rcvbuf} held {held} datagrams of "
              f"{PIN_KEEP} B, pinning >= {held * page} B ({held * page / rcvbuf:.2f}x); "
              f"RcvbufErrors +{errors}; bad payloads {bad}")
    held, rcvbuf, errors, bad = z
    res.report(errors > 0 and bad == 0 and held > 0 and held * page <= rcvbuf + 4 * page,
               "a socket that never reads pins no more pages than its rcvbuf",
               f"zcpair: {held} x {page} B pinned for rcvbuf {rcvbuf} (full: {errors > 0})")
    held, rcvbuf, errors, bad = v
    res.report(errors > 0 and held * page > 1.3 * rcvbuf,
               "control: the same sender over veth pins more than 1.3x rcvbuf",
               f"veth: {held} x {page} B pinned for rcvbuf {rcvbuf}")


SO_ZEROCOPY = 60
MSG_ZEROCOPY = 0x4000000
MSG_ERRQUEUE = 0x2000
IP_RECVERR = 11
SO_EE_ORIGIN_ZEROCOPY = 5
SO_EE_CODE_ZEROCOPY_COPIED = 1
ZC_SENDS = 20
ZC_SIZE = 1400


def zc_stat(ns, ifname):
    """tx_zerocopy_frames of `ifname` in `ns`, from the genl family."""
    return pair_stats(ns, ifname).get(uapi.ZCPAIR_A_STATS_TX_ZEROCOPY_FRAMES, 0)


def zc_send(ns, dst, port, payload):
    """Sends ZC_SENDS datagrams with MSG_ZEROCOPY from `ns`; returns the
    (completed, copied) counts of their notifications."""
    setns(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY, 1)
    s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
    s.connect((dst, port))
    for _ in range(ZC_SENDS):
        s.send(payload, MSG_ZEROCOPY)
    done, copied = set(), 0
    deadline = time.monotonic() + 10
    while len(done) < ZC_SENDS and time.monotonic() < deadline:
        try:
            _, anc, _, _ = s.recvmsg(0, 1024, MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        for level, ty, data in anc:
            if level != socket.SOL_IP or ty != IP_RECVERR:
                continue
            _, origin, _, code, _, lo, hi = struct.unpack_from("IBBBBII", data)
            if origin != SO_EE_ORIGIN_ZEROCOPY:
                continue
            ids = set(range(lo, hi + 1))
            done |= ids
            if code & SO_EE_CODE_ZEROCOPY_COPIED:
                copied += len(ids)
    s.close()
    return len(done), copied


def case_zerocopy(res, ns_a, ns_b):
    # zcb drops everything at ingress, ARP too: a permanent neighbour.
    permanent_neighbour(ns_a, ns_b)
    payload = bytes(range(256)) * (ZC_SIZE // 256) + bytes(ZC_SIZE % 256)
    tc = ["tc", "-n", ns_b]
    subprocess.run(tc + ["qdisc", "add", "dev", "zcb", "clsact"], check=True)
    subprocess.run(tc + ["filter", "add", "dev", "zcb", "ingress", "matchall", "action", "drop"],
                   check=True)
    try:
        before = zc_stat(ns_a, "zca")
        done, copied = zc_send(ns_a, "10.99.0.2", 5321, payload)
        frames = zc_stat(ns_a, "zca") - before
    finally:
        subprocess.run(tc + ["qdisc", "del", "dev", "zcb", "clsact"], check=False)
    res.report(done == ZC_SENDS and copied == 0 and frames == ZC_SENDS,
               "MSG_ZEROCOPY to a peer that drops at tc ingress: nothing copied, each frame counted",
               f"{done} of {ZC_SENDS} completions, {copied} reported copied; "
               f"tx_zerocopy_frames +{frames}")

    rx = sink(ns_b, 5322, rcvbuf=1 << 20)
    done, copied = zc_send(ns_a, "10.99.0.2", 5322, payload)
    got = []
    deadline = time.monotonic() + 5
    while len(got) < ZC_SENDS and time.monotonic() < deadline:
        try:
            got.append(rx.recv(65536))
        except BlockingIOError:
            time.sleep(0.02)
    rx.close()
    intact = sum(1 for g in got if g == payload)
    res.report(done == ZC_SENDS and intact == ZC_SENDS,
               "MSG_ZEROCOPY delivered to a socket: intact, every completion reported",
               f"{intact} of {ZC_SENDS} datagrams intact, {done} completions, "
               f"{copied} reported copied (by the receiving stack)")


def main():
    ns_a, ns_b, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    res = Result()
    for c in cases:
        t0 = time.monotonic()
        {"noqueue": case_noqueue, "pfifo": case_pfifo, "blast": case_blast, "esp": case_esp,
         "csum": case_csum, "peerdown": case_peerdown, "pin": case_pin,
         "zerocopy": case_zerocopy, "gro": case_gro}[c](res, ns_a, ns_b)
        print(f"# {c}: {time.monotonic() - t0:.0f} s", flush=True)
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
