#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Create a netkit pair over rtnetlink, for `make bench`.

Debian 12's iproute2 (6.1) predates netkit (`ip link add ... type netkit`
is 6.7+), so this sends the RTM_NEWLINK itself (scripts/zcnl.py):

    scripts/netkit.py NAME PEER [l2|l3]

Both ends are created in the caller's network namespace; move them with
`ip link set ... netns`. The default mode is l2 (an Ethernet device with a
random MAC, ARP works); the policy stays netkit's default, pass, and no BPF
program is attached. Numbers from include/uapi/linux/if_link.h.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zcnl  # noqa: E402

IFLA_NETKIT_PEER_INFO = 1
IFLA_NETKIT_MODE = 5
NETKIT_MODES = {"l2": 0, "l3": 1}


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in NETKIT_MODES):
        sys.stderr.write("usage: netkit.py NAME PEER [l2|l3]\n")
        return 2
    mode = NETKIT_MODES[argv[3] if len(argv) == 4 else "l2"]
    peer_info = zcnl.attr(IFLA_NETKIT_PEER_INFO, zcnl.ifinfo() + zcnl.attr(zcnl.IFLA_IFNAME, argv[2]))
    data = zcnl.attr(zcnl.IFLA_INFO_DATA,
                     peer_info + zcnl.attr(IFLA_NETKIT_MODE, struct.pack("=I", mode)), nested=True)
    linkinfo = zcnl.attr(zcnl.IFLA_LINKINFO, zcnl.attr(zcnl.IFLA_INFO_KIND, "netkit") + data,
                         nested=True)
    rt = zcnl.Rtnl()
    try:
        rt.check(f"RTM_NEWLINK {argv[1]}/{argv[2]}", zcnl.RTM_NEWLINK,
                 zcnl.ifinfo() + zcnl.attr(zcnl.IFLA_IFNAME, argv[1]) + linkinfo,
                 zcnl.NLM_F_CREATE | zcnl.NLM_F_EXCL)
    except zcnl.NetlinkError as e:
        sys.stderr.write(f"netkit.py: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
