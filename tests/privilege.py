#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Who may configure and see what, one test per entry point, from one
process.

Usage: privilege.py NETNS_A NETNS_B NETNS_X

NETNS_A holds zca (and the LAN member zl0, made here), NETNS_B zca's peer zcb, NETNS_X
nothing of ours (made here). Two kinds of outsider, each in a child of
this process:
- an unprivileged user (uid 65534, no capabilities) in NETNS_A: may look
  (pair-get, lan-get), may not create, change or delete (RTM_NEWLINK,
  RTM_SETLINK, RTM_DELLINK, pair-set, ethtool rings/channels/coalesce
  set): EPERM, and nothing changed;
- root of NETNS_X: finds none of our devices (by name, by the ifindexes
  they have in NETNS_A, in dumps), changes nothing, and hears no
  notification about them, while a listener in NETNS_A does.
The per-end rules inside a pair whose ends belong to two users are
tests/userns.py's. Prints KTAP result lines for tests/28-privilege.sh.
"""
import errno
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import (IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MTU,  # noqa: E402
                  NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, RTM_DELLINK, RTM_NEWLINK, attr, attrs,
                  ifinfo, setns, uapi)

NOBODY = 65534
HOME = os.open("/proc/self/ns/net", os.O_RDONLY)
# include/uapi/linux/ethtool_netlink.h (6.12)
ETHTOOL_MSG_RINGS_SET, ETHTOOL_MSG_CHANNELS_SET, ETHTOOL_MSG_COALESCE_SET = 16, 18, 20
ETHTOOL_A_HEADER_DEV_INDEX = 1
RINGS_TX, CHANNELS_COMBINED, COALESCE_TX_USECS = 9, 9, 6


def in_child(ns, unprivileged, fn):
    """FN() in a child in netns NS, as uid 65534 without capabilities when
    UNPRIVILEGED; returns its (JSON) result."""
    def enter():
        setns(ns)
        if unprivileged:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)  # drops every capability
    return zcnl.in_child(enter, fn)


def newlink(data):
    def run():
        rt = zcnl.Rtnl()
        info = attr(IFLA_INFO_KIND, "zcpair") + attr(IFLA_INFO_DATA, data)
        err, msg, _ = rt.request(RTM_NEWLINK, ifinfo() + attr(IFLA_IFNAME, "zcevil") +
                                 attr(IFLA_LINKINFO, info), NLM_F_CREATE | NLM_F_EXCL)
        return [err, msg]
    return run


def rtnl(ty, body):
    def run():
        err, msg, _ = zcnl.Rtnl().request(ty, body)
        return [err, msg]
    return run


def genl(cmd, payload, flags=0):
    def run():
        g = zcnl.Genl("zcpair")
        err, msg, replies = g.call(cmd, payload, flags)
        return [err, msg, [sorted(r) for r in replies],
                [zcnl.u32(r[uapi.ZCPAIR_A_PAIR_IFINDEX]) for r in replies if uapi.ZCPAIR_A_PAIR_IFINDEX in r]]
    return run


def ethtool(cmd, index, a, value):
    def run():
        g = zcnl.Genl("ethtool")
        hdr = attr(1, attr(ETHTOOL_A_HEADER_DEV_INDEX, index), nested=True)
        err, msg, _ = g.call(cmd, hdr + attr(a, value))
        return [err, msg]
    return run


def listen_for_change(ns_listen, change):
    """Notifications of the zcpair family's `events` group a socket in
    NS_LISTEN receives while CHANGE() runs in NETNS_A: their commands."""
    setns(ns_listen)
    mon = zcnl.Genl("zcpair")
    setns(HOME)
    mon.subscribe("events")
    change()
    cmds = [cmd for cmd, _ in mon.notifications(1.0)]
    mon.close()
    return cmds


def main():
    na, nb, nx = sys.argv[1:4]
    res = Result()
    setns(na)
    rt_a = zcnl.Rtnl()
    g_a = zcnl.Genl("zcpair")
    setns(HOME)
    zca = rt_a.getlink("zca")[0]
    # A LAN of one, for the LAN's entry points.
    info = attr(IFLA_INFO_KIND, "zcpair") + attr(IFLA_INFO_DATA, attr(uapi.ZCPAIR_INFO_LAN, 0))
    rt_a.check("LAN member zl0", RTM_NEWLINK, ifinfo() + attr(IFLA_IFNAME, "zl0") + attr(IFLA_LINKINFO, info),
               NLM_F_CREATE | NLM_F_EXCL)
    zl0 = rt_a.getlink("zl0")[0]
    cb = attr(uapi.ZCPAIR_A_PAIR_IFNAME, "zca")

    def copybreak():
        err, msg, replies = g_a.call(uapi.ZCPAIR_CMD_PAIR_GET, cb)
        return zcnl.u32(replies[0][uapi.ZCPAIR_A_PAIR_COPYBREAK]) if not err else None

    def links():
        err, msg, replies = rt_a.request(zcnl.RTM_GETLINK, ifinfo(), NLM_F_DUMP)
        return sorted(attrs(r[16:])[IFLA_IFNAME].rstrip(b"\0").decode() for r in replies)

    cb0, links0 = copybreak(), links()

    # 1. The unprivileged user in NETNS_A.
    def eperm(desc, r):
        res.report(r and r[0] == errno.EPERM, f"unprivileged: {desc}: EPERM", f"answer {r}")

    eperm("RTM_NEWLINK of a zcpair pair", in_child(na, True, newlink(b"")))
    eperm("RTM_NEWLINK of a LAN member joining zl0's LAN",
          in_child(na, True, newlink(attr(uapi.ZCPAIR_INFO_LAN, zl0))))
    eperm("RTM_SETLINK on zca (MTU 1400)",
          in_child(na, True, rtnl(RTM_NEWLINK, ifinfo(zca) + attr(IFLA_MTU, 1400))))
    eperm("RTM_DELLINK of zca", in_child(na, True, rtnl(RTM_DELLINK, ifinfo(zca))))
    eperm("genl pair-set (copybreak 32)",
          in_child(na, True, genl(uapi.ZCPAIR_CMD_PAIR_SET, cb + attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, 32))))
    eperm("ethtool rings-set (-G tx 64)", in_child(na, True, ethtool(ETHTOOL_MSG_RINGS_SET, zca, RINGS_TX, 64)))
    eperm("ethtool channels-set (-L combined 1)",
          in_child(na, True, ethtool(ETHTOOL_MSG_CHANNELS_SET, zca, CHANNELS_COMBINED, 1)))
    eperm("ethtool coalesce-set (-C tx-usecs 10)",
          in_child(na, True, ethtool(ETHTOOL_MSG_COALESCE_SET, zca, COALESCE_TX_USECS, 10)))
    r = in_child(na, True, genl(uapi.ZCPAIR_CMD_PAIR_GET, cb))
    r2 = in_child(na, True, genl(uapi.ZCPAIR_CMD_LAN_GET, b"", NLM_F_DUMP))
    res.report(r[0] == 0 and uapi.ZCPAIR_A_PAIR_STATS in r[2][0] and r2[0] == 0 and len(r2[2]) == 1,
               "unprivileged: pair-get of zca (with its counters) and lan-get dump (zl0) answered",
               f"pair-get {r[:2]}, lan-get dump {r2[:2]} {len(r2[2])} replies")
    after = (copybreak(), links())
    res.report(after == (cb0, links0),
               "unprivileged: nothing changed (zca's copybreak, the links of the netns)",
               f"before {cb0} {links0}, after {after}")

    # 2. Root of another netns.
    r = in_child(nx, False, genl(uapi.ZCPAIR_CMD_PAIR_GET, cb))
    r_idx = in_child(nx, False, genl(uapi.ZCPAIR_CMD_PAIR_GET, attr(uapi.ZCPAIR_A_PAIR_IFINDEX, zca)))
    r_dump = in_child(nx, False, genl(uapi.ZCPAIR_CMD_PAIR_GET, b"", NLM_F_DUMP))
    r_lan = in_child(nx, False, genl(uapi.ZCPAIR_CMD_LAN_GET, b"", NLM_F_DUMP))
    res.report(r[0] == errno.ENODEV and r_idx[0] == errno.ENODEV and r_dump[0] == 0 and not r_dump[2] and
               r_lan[0] == 0 and not r_lan[2],
               "another netns: pair-get of zca by name and by its ifindex ENODEV, pair-get and lan-get "
               "dumps empty",
               f"by name {r[:2]}, by ifindex {zca} {r_idx[:2]}, dumps {r_dump[:3]} {r_lan[:3]}")
    w = [in_child(nx, False, genl(uapi.ZCPAIR_CMD_PAIR_SET, attr(uapi.ZCPAIR_A_PAIR_IFINDEX, zca) +
                                  attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, 32))),
         in_child(nx, False, ethtool(ETHTOOL_MSG_RINGS_SET, zca, RINGS_TX, 64)),
         in_child(nx, False, rtnl(RTM_DELLINK, ifinfo(zca)))]
    res.report(all(x[0] == errno.ENODEV for x in w) and (copybreak(), links()) == (cb0, links0),
               "another netns: pair-set, ethtool rings-set and RTM_DELLINK by zca's ifindex find "
               "nothing (ENODEV), zca unchanged", f"answers {w}")

    def change():
        g_a.call(uapi.ZCPAIR_CMD_PAIR_SET, cb + attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, 100))
        g_a.call(uapi.ZCPAIR_CMD_PAIR_SET, cb + attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, cb0))

    heard_x = listen_for_change(nx, change)
    heard_a = listen_for_change(na, change)
    res.report(heard_x == [] and heard_a.count(uapi.ZCPAIR_CMD_PAIR_CHANGE_NTF) == 2,
               "notifications: a listener in another netns hears nothing of zca's changes, one in "
               "zca's netns hears both", f"NETNS_X heard {heard_x}, NETNS_A heard {heard_a}")
    rt_a.request(RTM_DELLINK, ifinfo(zl0))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
