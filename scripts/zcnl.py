# SPDX-License-Identifier: GPL-2.0
"""Netlink for zcpair's tests and scripts: attributes, requests with their
acks and extack messages, rtnetlink and generic netlink sockets, network
namespaces. Plain sockets and the standard library only (the tests run
it in the guest, which has no pyroute2).

zcpair's own numbers (ZCPAIR_*) come from the generated uapi header,
include/uapi/linux/zcpair.h (made from the YNL spec by `make uapi`), as
attributes of `uapi`: `zcnl.uapi.ZCPAIR_A_PAIR_IFNAME`. The kernel's own
(IFLA_*, CTRL_*) are named below, from include/uapi/linux/if_link.h and
genetlink.h.
"""
import ctypes
import json
import os
import re
import select
import socket
import struct
import time

NETLINK_ROUTE = 0
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000
NLMSGERR_ATTR_MSG = 1

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR = 20
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFLA_IFNAME = 3
IFLA_MTU = 4
IFLA_OPERSTATE = 16
IFLA_STATS64 = 23
IFLA_LINKINFO = 18
IFLA_NET_NS_FD = 28
IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES = 31, 32
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
IFF_UP = 1
IF_OPER_UP = 6

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

CLONE_NEWNET = 0x40000000
IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Uapi:
    """The constants of include/uapi/linux/zcpair.h: #defines with a
    number and the members of its enums (counted as C does)."""

    def __init__(self, path):
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        for name, value in re.findall(r"#define\s+(ZCPAIR_\w+)\s+(\d+)\b", text):
            setattr(self, name, int(value))
        for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
            n = -1
            for item in body.split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, value = item.partition("=")
                name, value = name.strip(), value.strip()
                if not value:
                    n += 1
                elif re.fullmatch(r"\d+|0x[0-9a-fA-F]+", value):
                    n = int(value, 0)
                else:  # (__ZCPAIR_X_MAX - 1): names defined above
                    expr = re.sub(r"\b(__?ZCPAIR_\w+)\b", lambda m: str(getattr(self, m.group(1))), value)
                    n = int(eval(expr, {"__builtins__": {}}))
                setattr(self, name, n)


uapi = _Uapi(os.path.join(_ROOT, "include", "uapi", "linux", "zcpair.h"))


def attr(ty, payload, nested=False):
    """One attribute, padded to 4 bytes."""
    if isinstance(payload, str):
        payload = payload.encode() + b"\0"
    elif isinstance(payload, int):
        payload = struct.pack("I", payload)
    a = struct.pack("HH", 4 + len(payload), ty | (NLA_F_NESTED if nested else 0)) + payload
    return a + b"\0" * (-len(a) % 4)


def attrs(buf):
    """The attributes of `buf` as {type: payload} (the last of a type wins)."""
    out = {}
    while len(buf) >= 4:
        ln, ty = struct.unpack_from("HH", buf)
        if ln < 4:
            break
        out[ty & 0x3FFF] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


def u32(payload):
    return struct.unpack_from("I", payload)[0]


def uint(payload):
    """An NLA_UINT: 4 or 8 bytes."""
    return struct.unpack("Q" if len(payload) == 8 else "I", payload)[0]


def ifinfo(index=0, flags=0, change=0):
    return IFINFOMSG.pack(socket.AF_UNSPEC, 0, index, flags, change)


class NetlinkError(OSError):
    """A request refused by the kernel: errno and the extack message."""

    def __init__(self, err, msg, what=""):
        super().__init__(err, f"{what}: {os.strerror(err)}" + (f" ({msg})" if msg else ""))
        self.msg = msg


class Socket:
    """A netlink socket of the netns current when it is made, with extended
    acks on. `request` sends one message and collects its replies."""

    def __init__(self, proto):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def request(self, ty, body, flags=0):
        """Returns (errno, extack message, reply bodies); errno 0 on
        success. With NLM_F_DUMP, the replies up to NLMSG_DONE."""
        self.seq += 1
        self.sock.send(struct.pack("IHHII", 16 + len(body), ty,
                                   NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0) + body)
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                ln, mtype, mflags, seq, _ = struct.unpack_from("IHHII", data)
                msg, data = data[16:ln], data[(ln + 3) & ~3:]
                if seq != self.seq:
                    continue
                if mtype == NLMSG_DONE:  # the end of a dump
                    return (-struct.unpack_from("i", msg)[0] if len(msg) >= 4 else 0), "", replies
                if mtype == NLMSG_ERROR:
                    return -struct.unpack_from("i", msg)[0], _extack_msg(mflags, msg), replies
                replies.append(msg)

    def check(self, what, ty, body, flags=0):
        """As `request`, raising NetlinkError on a refusal; returns the
        replies."""
        err, msg, replies = self.request(ty, body, flags)
        if err:
            raise NetlinkError(err, msg, what)
        return replies


def _extack_msg(flags, body):
    if not flags & NLM_F_ACK_TLVS:
        return ""
    skip = 4 + (16 if flags & NLM_F_CAPPED else struct.unpack_from("I", body, 4)[0])
    return attrs(body[skip:]).get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()


class Rtnl(Socket):
    """rtnetlink."""

    def __init__(self):
        super().__init__(NETLINK_ROUTE)

    def getlink(self, name):
        """(ifindex, {attribute: payload}) of NAME, or None if there is no
        such link."""
        err, msg, replies = self.request(RTM_GETLINK, ifinfo() + attr(IFLA_IFNAME, name))
        if err == 19:  # ENODEV
            return None
        if err or not replies:
            raise NetlinkError(err, msg, f"RTM_GETLINK {name}")
        return struct.unpack_from("i", replies[0], 4)[0], attrs(replies[0][16:])

    def link(self, name):
        """(ifindex, operstate) of NAME, or None if there is no such link."""
        found = self.getlink(name)
        if found is None:
            return None
        return found[0], found[1].get(IFLA_OPERSTATE, b"\0")[0]

    def stats64(self, name):
        """NAME's struct rtnl_link_stats64 as a dict of its first fields
        (include/uapi/linux/if_link.h), or None if there is no such link."""
        found = self.getlink(name)
        if found is None:
            return None
        fields = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors",
                  "tx_errors", "rx_dropped", "tx_dropped")
        return dict(zip(fields, struct.unpack_from("8Q", found[1][IFLA_STATS64])))

    def create_pair(self, name, peer, peer_ns_fd, **data):
        """A zcpair end NAME in this socket's netns, its peer PEER in the
        netns of PEER_NS_FD, by one RTM_NEWLINK; DATA: further kind
        attributes by their uapi name without ZCPAIR_INFO_ (ring_size=64),
        u32 values. Raises NetlinkError on a refusal."""
        err, msg = self.try_create_pair(name, peer, peer_ns_fd, **data)
        if err:
            raise NetlinkError(err, msg, f"create {name}")

    def try_create_pair(self, name, peer, peer_ns_fd, link=b"", peer_link=b"", **data):
        """As `create_pair`, with LINK and PEER_LINK: further IFLA_*
        attributes (bytes) of each end. Returns (errno, extack message):
        errno 0 when created."""
        info = attr(uapi.ZCPAIR_INFO_PEER, ifinfo() + attr(IFLA_IFNAME, peer) +
                    attr(IFLA_NET_NS_FD, peer_ns_fd) + peer_link)
        for key, value in data.items():
            info += attr(getattr(uapi, "ZCPAIR_INFO_" + key.upper()), value)
        linkinfo = attr(IFLA_INFO_KIND, "zcpair") + attr(IFLA_INFO_DATA, info)
        err, msg, _ = self.request(RTM_NEWLINK, ifinfo() + attr(IFLA_IFNAME, name) + link +
                                   attr(IFLA_LINKINFO, linkinfo), NLM_F_CREATE | NLM_F_EXCL)
        return err, msg

    def add_addr(self, index, address, prefix):
        """An IPv4 or IPv6 ADDRESS/PREFIX on link INDEX (IPv6 without
        duplicate address detection)."""
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        ip = socket.inet_pton(family, address)
        flags = 0x02 if family == socket.AF_INET6 else 0  # IFA_F_NODAD
        self.check(f"address {address} on {index}", RTM_NEWADDR,
                   struct.pack("BBBBI", family, prefix, flags, 0, index) +
                   attr(IFA_LOCAL, ip) + attr(IFA_ADDRESS, ip), NLM_F_CREATE | NLM_F_EXCL)

    def set_mtu(self, index, mtu):
        """Returns (errno, extack message): 0 when the MTU was set."""
        err, msg, _ = self.request(RTM_NEWLINK, ifinfo(index) + attr(IFLA_MTU, mtu))
        return err, msg

    def wait_oper_up(self, name, secs=10):
        """Waits until NAME is operationally up (carrier, and the qdiscs
        linkwatch attaches with it); raises TimeoutError."""
        deadline = time.monotonic() + secs
        while True:
            found = self.link(name)
            if found and found[1] == IF_OPER_UP:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} not operationally up after {secs} s: {found}")
            time.sleep(0.02)

    def set_up(self, index, up):
        self.check(f"RTM_NEWLINK {index} up={up}", RTM_NEWLINK,
                   ifinfo(index, IFF_UP if up else 0, IFF_UP))


class Genl(Socket):
    """Generic netlink, resolving a family's id (and groups) by name."""

    def __init__(self, family):
        super().__init__(NETLINK_GENERIC)
        replies = self.check(f"family {family}", GENL_ID_CTRL,
                             self.header(CTRL_CMD_GETFAMILY) + attr(CTRL_ATTR_FAMILY_NAME, family))
        a = attrs(replies[0][4:])
        self.family = struct.unpack("H", a[CTRL_ATTR_FAMILY_ID][:2])[0]
        self.groups = {}
        for g in attrs(a.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
            g = attrs(g)
            self.groups[g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()] = u32(g[CTRL_ATTR_MCAST_GRP_ID])

    @staticmethod
    def header(cmd, version=1):
        return struct.pack("BBH", cmd, version, 0)

    def call(self, cmd, payload, flags=0):
        """(errno, extack message, [attributes of each reply])."""
        err, msg, replies = self.request(self.family, self.header(cmd) + payload, flags)
        return err, msg, [attrs(r[4:]) for r in replies]

    def subscribe(self, group):
        """Joins the family's multicast GROUP (by name)."""
        self.sock.setsockopt(SOL_NETLINK, 1, self.groups[group])  # NETLINK_ADD_MEMBERSHIP

    def notifications(self, quiet=1.0):
        """The family's messages received until none came for QUIET
        seconds: (command, {attribute: payload}) each."""
        out = []
        while select.select([self.sock], [], [], quiet)[0]:
            data = self.sock.recv(65536)
            off = 0
            while off + 20 <= len(data):
                ln, ty = struct.unpack_from("IH", data, off)
                if ln < 20:
                    break
                if ty == self.family:
                    out.append((data[off + 16], attrs(data[off + 20:off + ln])))
                off += (ln + 3) & ~3
        return out


_libc = ctypes.CDLL(None, use_errno=True)


def setns(ns):
    """Moves this process into netns `ns`: a name under /run/netns or an
    open file descriptor."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY) if isinstance(ns, str) else ns
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        if isinstance(ns, str):
            os.close(fd)


def pair_get(ns, ifname):
    """IFNAME's attributes by the zcpair family's pair-get, asked from
    netns NS (this process stays there, as `setns`); OSError if refused."""
    setns(ns)
    g = Genl("zcpair")
    try:
        err, msg, replies = g.call(uapi.ZCPAIR_CMD_PAIR_GET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, ifname))
    finally:
        g.close()
    if err or not replies:
        raise OSError(err, f"pair-get {ifname}: {msg}")
    return replies[0]


def pair_set(ns, ifname, payload):
    """pair-set of IFNAME with PAYLOAD (its attributes besides the name),
    from netns NS (this process stays there, as `setns`): (errno, extack
    message)."""
    setns(ns)
    g = Genl("zcpair")
    try:
        err, msg, _ = g.call(uapi.ZCPAIR_CMD_PAIR_SET, attr(uapi.ZCPAIR_A_PAIR_IFNAME, ifname) + payload)
    finally:
        g.close()
    return err, msg


def pair_stat(pair, name):
    """Counter NAME ("TX_NOTIFICATIONS", the uapi name without
    ZCPAIR_A_STATS_) of a pair-get reply's stats; 0 when the module does
    not report it."""
    st = attrs(pair[uapi.ZCPAIR_A_PAIR_STATS])
    return uint(st.get(getattr(uapi, "ZCPAIR_A_STATS_" + name), b"\0\0\0\0"))


def ynl_fast_yaml():
    """For the tests that use the kernel's YNL library (tools/net/ynl):
    its specs, which it reads with yaml.safe_load, parsed by libyaml
    (PyYAML's C loader) instead of the pure-Python parser. The same data
    (ethtool, netdev, rt_link and zcpair.yaml compared: equal) in about
    a sixth of the time; the pure-Python parse of ethtool.yaml took
    about 6 s under TCG with KASAN. Affects this process and the
    children it forks (the kernel's driver tests run there). No change
    without libyaml."""
    import yaml  # not the standard library's: only for YNL's users
    if getattr(yaml, "__with_libyaml__", False):
        yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)


def in_child(enter, fn):
    """FN() in a forked child, after ENTER() there (setns, setresuid:
    what must not change this process); returns what FN returned, which
    must be JSON-able. An exception in the child comes back as
    {"exception": repr}."""
    rd, wr = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(rd)
            enter()
            out = fn()
        except Exception as e:  # reported to the parent
            out = {"exception": repr(e)}
        os.write(wr, json.dumps(out).encode())
        os._exit(0)
    os.close(wr)
    data = b""
    while chunk := os.read(rd, 65536):
        data += chunk
    os.close(rd)
    os.waitpid(child, 0)
    return json.loads(data)
