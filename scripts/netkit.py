#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Create a netkit pair over rtnetlink, for `make bench`.

Debian 12's iproute2 (6.1) predates netkit (`ip link add ... type netkit`
is 6.7+), so this sends the RTM_NEWLINK itself with the standard library:

    scripts/netkit.py NAME PEER [l2|l3]

Both ends are created in the caller's network namespace; move them with
`ip link set ... netns`. The default mode is l2 (an Ethernet device with a
random MAC, ARP works); the policy stays netkit's default, pass, and no BPF
program is attached. Numbers from include/uapi/linux/{rtnetlink,if_link}.h.
"""
import errno
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
RTM_NEWLINK = 16
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000

IFLA_IFNAME = 3
IFLA_LINKINFO = 18
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
IFLA_NETKIT_PEER_INFO = 1
IFLA_NETKIT_MODE = 5
NETKIT_MODES = {"l2": 0, "l3": 1}

IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change


def nla(kind, payload, nested=False):
    """One netlink attribute, padded to 4 bytes."""
    hdr = struct.pack("=HH", 4 + len(payload), kind | (NLA_F_NESTED if nested else 0))
    return hdr + payload + b"\0" * (-len(payload) % 4)


def ifname(name):
    return nla(IFLA_IFNAME, name.encode() + b"\0")


def newlink(name, peer, mode):
    ifi = IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    peer_info = nla(IFLA_NETKIT_PEER_INFO, ifi + ifname(peer))
    data = nla(IFLA_INFO_DATA,
               peer_info + nla(IFLA_NETKIT_MODE, struct.pack("=I", mode)),
               nested=True)
    linkinfo = nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, b"netkit\0") + data,
                   nested=True)
    body = ifi + ifname(name) + linkinfo
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, flags, 1, 0) + body


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in NETKIT_MODES):
        sys.stderr.write("usage: netkit.py NAME PEER [l2|l3]\n")
        return 2
    mode = NETKIT_MODES[argv[3] if len(argv) == 4 else "l2"]
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE) as s:
        s.bind((0, 0))
        s.send(newlink(argv[1], argv[2], mode))
        reply = s.recv(65536)
    _length, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", reply)
    if kind != NLMSG_ERROR:
        sys.stderr.write(f"netkit.py: unexpected netlink reply type {kind}\n")
        return 1
    (err,) = struct.unpack_from("=i", reply, 16)
    if err:
        sys.stderr.write(f"netkit.py: RTM_NEWLINK {argv[1]}/{argv[2]}: "
                         f"{os.strerror(-err)} ({errno.errorcode.get(-err, err)})\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
