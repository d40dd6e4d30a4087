#!/usr/bin/env python3
# Sends UDP datagrams of many sizes (1..65507) from the current netns to
# DST, where a receiver started in NETNS checks each byte for byte.
# Exit 0 only if every datagram arrived intact.
import hashlib, socket, subprocess, sys, time

dst, netns = sys.argv[1], sys.argv[2]
port = 5002
sizes = sorted(set(list(range(1, 300)) + list(range(300, 65507, 997)) +
                   [1400, 1458, 1472, 1473, 1500, 4096, 8192, 9000, 16384, 32768, 65000, 65507]))


def payload(n):
    return (hashlib.sha256(n.to_bytes(4, "big")).digest() * (n // 32 + 1))[:n]


if len(sys.argv) > 3 and sys.argv[3] == "--recv":
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    r.bind(("0.0.0.0", port))
    r.settimeout(10)
    print("ready", flush=True)
    good, bad = set(), []
    try:
        while len(good) < len(sizes):
            data, _ = r.recvfrom(70000)
            if data == payload(len(data)):
                good.add(len(data))
            else:
                bad.append(len(data))
    except socket.timeout:
        pass
    missing = [n for n in sizes if n not in good]
    print(f"received {len(good)} of {len(sizes)} intact; corrupt: {bad[:20]}; missing: {missing[:40]}", flush=True)
    sys.exit(1 if bad or missing else 0)

recv = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-I", __file__, dst, netns, "--recv"],
                        stdout=subprocess.PIPE, text=True)
if recv.stdout.readline().strip() != "ready":
    sys.exit("receiver did not start")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in sizes:
    s.sendto(payload(n), (dst, port))
    time.sleep(0.002)
out, _ = recv.communicate(timeout=120)
rc = recv.returncode
print(out.strip())
print(f"sent {len(sizes)} datagrams, receiver exit {rc}")
sys.exit(rc)
