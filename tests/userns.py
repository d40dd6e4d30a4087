#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-end settings across two unprivileged users' namespaces, from one
process.

Usage: userns.py PID_U PID_V

PID_U and PID_V each own a user and a network namespace (an unprivileged
user's `unshare --user --map-root-user --net`); the pair's end zcu lives
in PID_U's netns, zcv in PID_V's. Each check runs in a child that becomes
the namespace's owner (setresuid, then setns into its user and network
namespaces, as `setpriv ... nsenter -U -n --preserve-credentials` does)
and talks ethtool netlink or the zcpair genl family from there (plain
requests: the YNL library's parse of ethtool.yaml cost about 7 s per
child under TCG with KASAN); what the other end sees is read as root
in that end's netns; first, that each end is there (RTM_GETLINK as root
in its netns, what `nsenter -t PID -n ip link show` asks). Prints KTAP
result lines for tests/15-review.sh.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import attr, setns, uapi  # noqa: E402

CLONE_NEWUSER = 0x10000000
# include/uapi/linux/ethtool_netlink.h (6.12): the requests and the u32
# attributes used here (the header is attribute 1 of every request).
ETHTOOL_A_HEADER, ETHTOOL_A_HEADER_DEV_NAME = 1, 2
ETHTOOL_OPS = {
    "rings-get": (15, {"rx": 6, "tx": 9}),
    "rings-set": (16, {"rx": 6, "tx": 9}),
    "channels-set": (18, {"combined-count": 9}),
}


def in_child(pid, owner, fn):
    """FN() in a child in PID's netns, as the owner of PID's namespaces
    (OWNER) or as root; returns what it returned (JSON-able)."""
    def enter():
        user = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY)
        net = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
        if owner:
            uid = os.stat(f"/proc/{pid}").st_uid
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            if zcnl._libc.setns(user, CLONE_NEWUSER) != 0:
                raise OSError("setns user")
        setns(net)
    return zcnl.in_child(enter, fn)


def main():
    pid_u, pid_v = int(sys.argv[1]), int(sys.argv[2])
    res = Result()

    def ethtool(op, dev, **req):
        """An ethtool netlink request OP (rings-set/-get, channels-set) on
        DEV by name, its attributes REQ (u32); the reply's ring sizes."""
        def run():
            cmd, names = ETHTOOL_OPS[op]
            fam = zcnl.Genl("ethtool")
            hdr = attr(ETHTOOL_A_HEADER, attr(ETHTOOL_A_HEADER_DEV_NAME, dev), nested=True)
            err, msg, replies = fam.call(cmd, hdr + b"".join(attr(names[k], v) for k, v in req.items()))
            if err:
                return {"error": err, "msg": msg}
            reply = replies[0] if replies else {}
            return {"reply": {k: zcnl.u32(reply[n]) for k, n in names.items() if n in reply}}
        return run

    def genl(cmd, dev, extra=b""):
        def run():
            g = zcnl.Genl("zcpair")
            err, msg, replies = g.call(cmd, attr(uapi.ZCPAIR_A_PAIR_IFNAME, dev) + extra)
            keys = sorted(replies[0]) if replies else []
            cb = replies[0].get(uapi.ZCPAIR_A_PAIR_COPYBREAK) if replies else None
            return {"error": err, "msg": msg, "keys": keys,
                    "copybreak": zcnl.u32(cb) if cb is not None else None}
        return run

    def link(dev):
        def run():
            rt = zcnl.Rtnl()
            found = rt.getlink(dev)
            return found[0] if found else None
        return run

    there = (in_child(pid_u, False, link("zcu")), in_child(pid_v, False, link("zcv")))
    res.report(all(isinstance(i, int) for i in there), "a pair whose ends live in two unprivileged users' netns",
               f"ifindex of zcu in {pid_u}'s netns, of zcv in {pid_v}'s: {there}")
    for pid, dev, who in ((pid_u, "zcu", "zcu's"), (pid_v, "zcv", "zcv's")):
        r = in_child(pid, True, ethtool("rings-set", dev, rx=128))
        res.report(r.get("error") == 1 and "change it on the peer" in r.get("msg", ""),
                   f"{who} admin may not change {dev}'s rx ring (the peer's tx ring), with the reason",
                   f"rings-set rx 128: {r}")
    r = in_child(pid_u, True, ethtool("channels-set", "zcu", **{"combined-count": 1}))
    res.report(r.get("error") == 1, "zcu's admin may not change the pair's queue count (zcv's too): EPERM",
               f"channels-set combined 1: {r}")
    r = in_child(pid_u, True, ethtool("rings-set", "zcu", tx=128))
    res.report("reply" in r, "zcu's admin changes zcu's own tx ring", f"rings-set tx 128: {r}")
    r = in_child(pid_v, False, ethtool("rings-get", "zcv"))
    got = (r.get("reply", {}).get("rx"), r.get("reply", {}).get("tx"))
    res.report(got == (128, 256), "... which zcv sees as its rx ring, its tx ring unchanged",
               f"zcv rx, tx: {got} ({r})")
    set_u = in_child(pid_u, True, genl(uapi.ZCPAIR_CMD_PAIR_SET, "zcu", attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, 64)))
    set_v = in_child(pid_v, True, genl(uapi.ZCPAIR_CMD_PAIR_SET, "zcv", attr(uapi.ZCPAIR_A_PAIR_COPYBREAK, 32)))
    got = (in_child(pid_u, False, genl(uapi.ZCPAIR_CMD_PAIR_GET, "zcu")).get("copybreak"),
           in_child(pid_v, False, genl(uapi.ZCPAIR_CMD_PAIR_GET, "zcv")).get("copybreak"))
    res.report(got == (64, 32) and set_u.get("error") == 0 and set_v.get("error") == 0,
               "each admin sets its own end's copybreak only", f"copybreak zcu, zcv: {got}; {set_u} {set_v}")
    r = in_child(pid_u, True, genl(uapi.ZCPAIR_CMD_PAIR_GET, "zcu"))
    keys = r.get("keys", [])
    res.report(uapi.ZCPAIR_A_PAIR_PEER_IFNAME not in keys and uapi.ZCPAIR_A_PAIR_PEER_IFINDEX in keys,
               "pair-get does not name a peer in another netns", f"attributes {keys} ({r.get('error')})")
    return 1 if res.failed else 0


sys.exit(main())
