#!/usr/bin/env python3
# Sends UDP datagrams of many sizes (1..65507) from the current netns (or
# from FROM_NETNS, which it enters first: no `ip netns exec` started) to
# DST, where a socket this process made in NETNS (it enters NETNS to make
# it, and returns) checks each byte for byte: one process, not a second
# Python started by `ip netns exec`, slow in the debug guest.
# Usage: udp_sizes.py DST NETNS [FROM_NETNS]
# Exit 0 only if every datagram arrived intact.
import hashlib
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from zcnl import setns  # noqa: E402

SO_RCVBUFFORCE = 33
dst, netns = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3:
    setns(sys.argv[3])
port = 5002
sizes = sorted(set(list(range(1, 300)) + list(range(300, 65507, 997)) +
                   [1400, 1458, 1472, 1473, 1500, 4096, 8192, 9000, 16384, 32768, 65000, 65507]))


def payload(n):
    return (hashlib.sha256(n.to_bytes(4, "big")).digest() * (n // 32 + 1))[:n]


home = os.open("/proc/self/ns/net", os.O_RDONLY)
setns(netns)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
r.bind(("0.0.0.0", port))
r.setblocking(False)
setns(home)
good, bad = set(), []


def take():
    """What the receiving socket holds, checked."""
    while True:
        try:
            data = r.recv(70000)
        except BlockingIOError:
            return
        if data == payload(len(data)):
            good.add(len(data))
        else:
            bad.append(len(data))


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in sizes:
    s.sendto(payload(n), (dst, port))
    time.sleep(0.002)
    take()
deadline = time.monotonic() + 10
while len(good) < len(sizes) and time.monotonic() < deadline:
    time.sleep(0.01)
    take()
missing = [n for n in sizes if n not in good]
rc = 1 if bad or missing else 0
print(f"received {len(good)} of {len(sizes)} intact; corrupt: {bad[:20]}; missing: {missing[:40]}")
print(f"sent {len(sizes)} datagrams, receiver exit {rc}")
sys.exit(rc)
