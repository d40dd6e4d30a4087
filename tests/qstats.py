#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-queue statistics, and the kernel's tools for them, from one process.

Usage: qstats.py NETNS_A NETNS_B KERNEL_SOURCE

Runs the kernel's YNL CLI (tools/net/ynl/cli.py of KERNEL_SOURCE, its
main() with a user's arguments, in this process) for `--dump qstats-get`
of zca (in NETNS_A): it lists the rx and tx queue 0. Reads the netdev
family's qstats-get (scope queue, and the device totals) with the
kernel's own YNL library (tools/net/ynl/lib, the netdev.yaml spec of its
Documentation) for zca and zcb (in NETNS_B): both queues 0 are there,
the totals agree with rtnetlink's stats64, and 200 UDP datagrams from
zca to zcb move zca's tx and zcb's rx by the same frames and bytes.
Then runs the kernel's driver test
tools/testing/selftests/drivers/net/stats.py with NETIF=zca in NETNS_A,
unchanged, in a child forked from this process (under TCG with the debug
kernel, starting Python and importing YNL costs tens of seconds). The
YAML specs (netdev.yaml here; ethtool, netdev and rt_link.yaml in
stats.py) are parsed by libyaml (zcnl.ynl_fast_yaml): the same data,
seconds less per spec.

Prints KTAP result lines ("ok DESC", "not ok DESC") and diagnostics for
tests/17-qstats.sh.
"""
import contextlib
import io
import json
import os
import re
import runpy
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import zcnl  # noqa: E402
from ktap import Result  # noqa: E402
from zcnl import setns  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, SIZE, PORT = 200, 1000, 6100
SO_RCVBUFFORCE = 33
KEYS = ("rx-packets", "rx-bytes", "tx-packets", "tx-bytes")
RTNL = {"rx-packets": "rx_packets", "rx-bytes": "rx_bytes",
        "tx-packets": "tx_packets", "tx-bytes": "tx_bytes",
        "rx-hw-drops": "rx_dropped", "tx-hw-drops": "tx_dropped"}


FAMILIES = {}


def family(ns, ksrc):
    """A netdev YnlFamily whose socket is in NS (the current netns), one
    per netns (without the schema check: the spec is the kernel's own)."""
    if ns not in FAMILIES:
        sys.path.insert(0, os.path.join(ksrc, "tools/net/ynl"))
        from lib import YnlFamily  # noqa: E402
        FAMILIES[ns] = YnlFamily(os.path.join(ksrc, "Documentation/netlink/specs/netdev.yaml"), "")
    return FAMILIES[ns]


def cli(ns, ksrc, index):
    """The YNL CLI as a user runs it: `cli.py --spec netdev.yaml --no-schema
    --dump qstats-get --json '{"ifindex": N, "scope": "queue"}'
    --output-json`, its main() in this process; returns (output, exit
    status). `--no-schema`: checking the kernel's own spec against its
    schema (jsonschema) tests nothing of ours and took most of this
    point's minute under TCG with KASAN."""
    setns(ns)
    sys.path.insert(0, os.path.join(ksrc, "tools/net/ynl"))
    argv = sys.argv
    sys.argv = [os.path.join(ksrc, "tools/net/ynl/cli.py"),
                "--spec", os.path.join(ksrc, "Documentation/netlink/specs/netdev.yaml"),
                "--no-schema", "--dump", "qstats-get", "--json", json.dumps({"ifindex": index, "scope": "queue"}),
                "--output-json"]
    out, rc = io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (e.code is not None)
    except Exception as e:  # noqa: BLE001 - reported as the CLI's failure
        out.write(f"{type(e).__name__}: {e}")
        rc = 1
    finally:
        sys.argv = argv
    return out.getvalue(), rc


def kselftest(ns, ksrc, script, env):
    """The kernel's driver test SCRIPT (tools/testing/selftests/drivers/net)
    in a child forked from this process, in NS, with ENV, as
    `cd drivers/net; ip netns exec NS env ENV python3 SCRIPT` runs it;
    returns (output, exit status)."""
    drv = os.path.join(ksrc, "tools/testing/selftests/drivers/net")
    r, w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(r)
            os.dup2(w, 1)
            os.dup2(w, 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
            sys.stderr = sys.stdout
            setns(ns)
            os.chdir(drv)
            os.environ.update(env)
            # Its own `lib` package (lib.py), not YNL's `lib` this process
            # imported; its directory first, as for a script started there.
            for m in [m for m in sys.modules if m == "lib" or m.startswith("lib.")]:
                del sys.modules[m]
            sys.path[:] = [drv] + [p for p in sys.path if not p.startswith((ksrc, ROOT))]
            sys.argv = [os.path.join(drv, script)]
            runpy.run_path(sys.argv[0], run_name="__main__")
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (e.code is not None)
        except BaseException:  # noqa: BLE001 - the child must not return
            import traceback
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
            finally:
                os._exit(code)
    os.close(w)
    out = b""
    with os.fdopen(r, "rb") as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    return out.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def snapshot(ns, ifname, ksrc):
    """(qstats per queue, device totals, stats64) of IFNAME in NS, read
    back to back; retried while the device moved between the reads."""
    setns(ns)
    fam = family(ns, ksrc)
    rt = zcnl.Rtnl()
    try:
        index = rt.link(ifname)[0]
        for _ in range(5):
            queues = fam.dump("qstats-get", {"ifindex": index, "scope": "queue"})
            total = fam.dump("qstats-get", {"ifindex": index})
            s64 = rt.stats64(ifname)
            again = fam.dump("qstats-get", {"ifindex": index})
            if total == again:
                break
            time.sleep(0.2)
    finally:
        rt.close()
    return queues, total, s64


def main():
    ns_a, ns_b, ksrc = sys.argv[1:4]
    res = Result()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    zcnl.ynl_fast_yaml()

    # The CLI a user runs: `ynl --family netdev --dump qstats-get`.
    setns(ns_a)
    rt = zcnl.Rtnl()
    index = rt.link("zca")[0]
    rt.close()
    out, rc = cli(ns_a, ksrc, index)
    try:
        qs = json.loads(out)
        ok = (rc == 0 and len(qs) == 2 and sorted(q.get("queue-type") for q in qs) == ["rx", "tx"] and
              all(f"{q['queue-type']}-packets" in q for q in qs))
    except (ValueError, TypeError, KeyError, AttributeError):
        ok = False
    res.report(ok, "ynl cli.py --dump qstats-get (scope queue) lists zca's rx and tx queue 0",
               *([f"exit {rc}"] + out.splitlines() if not ok else []))

    qa, ta, sa = snapshot(ns_a, "zca", ksrc)
    kinds = sorted((q.get("queue-type"), q.get("queue-id")) for q in qa)
    basic = all(f"{q.get('queue-type')}-{k}" in q for q in qa for k in ("packets", "bytes"))
    res.report(kinds == [("rx", 0), ("tx", 0)] and basic,
               "qstats-get scope queue: zca has rx queue 0 and tx queue 0 with packets and bytes",
               f"queues {qa}")
    total = ta[0] if len(ta) == 1 else {}
    off = {k: (total.get(k), sa[v]) for k, v in RTNL.items() if total.get(k) != sa[v]}
    res.report(len(ta) == 1 and not off,
               "qstats-get device totals equal rtnetlink's stats64 (packets, bytes, drops)",
               f"totals {ta}; stats64 {sa}; differ {off}")

    qb, tb, _ = snapshot(ns_b, "zcb", ksrc)
    setns(ns_b)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Room for all of them: they are read after the last is sent.
    rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    rx.bind(("10.99.0.2", PORT))
    rx.settimeout(5)
    setns(ns_a)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(N):
        tx.sendto(bytes([i % 256]) * SIZE, ("10.99.0.2", PORT))
    got = 0
    try:
        while got < N:
            rx.recv(65536)
            got += 1
    except socket.timeout:
        pass
    tx.close()
    rx.close()
    time.sleep(0.3)
    _, ta2, _ = snapshot(ns_a, "zca", ksrc)
    _, tb2, _ = snapshot(ns_b, "zcb", ksrc)
    da = {k: ta2[0][k] - ta[0][k] for k in KEYS}
    db = {k: tb2[0][k] - tb[0][k] for k in KEYS}
    frame = 14 + 20 + 8 + SIZE
    res.report(got == N and N <= da["tx-packets"] <= N + 4 and da["tx-packets"] == db["rx-packets"] and
               da["tx-bytes"] == db["rx-bytes"] and da["tx-bytes"] >= N * frame,
               f"{N} datagrams of {SIZE} B: zca's tx queue and zcb's rx queue move by the same "
               f"frames and bytes (>= {N} x {frame} B)",
               f"received {got}; zca {da}; zcb {db}")

    # The kernel's own driver test (its KTAP output shown as diagnostics):
    # passes if it exits 0 with no failure.
    setns(home)
    out, rc = kselftest(ns_a, ksrc, "stats.py", {"NETIF": "zca"})
    for line in out.splitlines():
        print(f"# {line}", flush=True)
    totals = re.findall(r"pass:[0-9]*.*", out)
    if rc == 0 and re.search(r"^# Totals: pass:[1-9]", out, re.M) and \
            re.search(r" fail:0 xfail:[0-9]* xpass:0 skip:[0-9]* error:0", out):
        res.report(True, f"kernel selftest drivers/net/stats.py against zca: {totals[-1]}")
    else:
        res.report(False, "kernel selftest drivers/net/stats.py against zca", f"exit {rc}")
    setns(home)
    return 1 if res.failed else 0


sys.exit(main())
