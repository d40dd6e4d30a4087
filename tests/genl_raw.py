#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends a zcpair pair-get carrying an attribute the family does not define
(which no well-behaved client can send) and prints the kernel's answer as
`errno=N msg=TEXT`. Plain sockets: the point is a malformed request.

Usage: genl_raw.py IFNAME [ATTRIBUTE-TYPE]"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402

uapi = zcnl.uapi


def main():
    try:
        genl = zcnl.Genl("zcpair")
    except zcnl.NetlinkError as e:
        print(f"no zcpair family: {e}")
        return 1
    unknown = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    payload = zcnl.attr(uapi.ZCPAIR_A_PAIR_IFNAME, sys.argv[1]) + \
        zcnl.attr(unknown, struct.pack("I", 1))
    err, msg, _ = genl.call(uapi.ZCPAIR_CMD_PAIR_GET, payload)
    print(f"errno={err} msg={msg}")
    return 0


sys.exit(main())
