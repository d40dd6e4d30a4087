#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends a zcpair pair-get carrying an attribute the family does not define
(which no well-behaved client can send) and prints the kernel's answer as
`errno=N msg=TEXT`. Plain sockets: the point is a malformed request."""
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100


def attr(ty, payload):
    a = struct.pack("HH", 4 + len(payload), ty) + payload
    return a + b"\0" * (-len(a) % 4)


def attrs(buf):
    while len(buf) >= 4:
        ln, ty = struct.unpack_from("HH", buf)
        yield ty & 0x3FFF, buf[4:ln]
        buf = buf[(ln + 3) & ~3:]


def request(sock, ty, cmd, payload, seq):
    body = struct.pack("BBH", cmd, 1, 0) + payload
    sock.send(struct.pack("IHHII", 16 + len(body), ty, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    replies = []
    while True:
        data = sock.recv(65536)
        while data:
            ln, mtype, flags, _, _ = struct.unpack_from("IHHII", data)
            replies.append((mtype, flags, data[16:ln]))
            data = data[(ln + 3) & ~3:]
            if mtype == NLMSG_ERROR:
                return replies


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(270, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    family = None
    for mtype, _, body in request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                  attr(CTRL_ATTR_FAMILY_NAME, b"zcpair\0"), 1):
        if mtype == GENL_ID_CTRL:
            for ty, val in attrs(body[4:]):
                if ty == CTRL_ATTR_FAMILY_ID:
                    family = struct.unpack("H", val[:2])[0]
    if family is None:
        print("no zcpair family")
        return 1
    ifname = sys.argv[1].encode() + b"\0"
    unknown = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    payload = attr(2, ifname) + attr(unknown, struct.pack("I", 1))
    for mtype, flags, body in request(sock, family, 1, payload, 2):
        if mtype != NLMSG_ERROR:
            continue
        err = -struct.unpack_from("i", body)[0]
        msg = ""
        if flags & NLM_F_ACK_TLVS:
            skip = 4 + (16 if flags & NLM_F_CAPPED else struct.unpack_from("I", body, 4)[0])
            for ty, val in attrs(body[skip:]):
                if ty == NLMSGERR_ATTR_MSG:
                    msg = val.rstrip(b"\0").decode()
        print(f"errno={err} msg={msg}")
    return 0


sys.exit(main())
