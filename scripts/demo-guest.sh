#!/bin/bash
# The guest side of `make demo`: load zcpair, create a pair across two
# network namespaces with zcpairctl (non-default ring, header buffer and
# copybreak), move traffic, print what crossed.
set -u
. "$ZCPAIR_ROOT/scripts/guest-lib.sh"
echo "== kernel $(uname -r), module $(modinfo -F version "$ZCPAIR_KO")"
echo "== zcpairctl add zca netns $NS_A peer zcb peer-netns $NS_B ring 512 hdr-buf 512 copybreak 200"
pair_up_tool ring 512 hdr-buf 512 copybreak 200 || { echo "creating the pair failed"; exit 1; }
dmesg | grep 'zcpair:' | tail -n 1
echo "== the pair"
ip -n $NS_A -d link show zca
ip -n $NS_B -d link show zcb
ip netns exec $NS_A ethtool -i zca | head -n 3
echo "== zcpairctl -n $NS_A show"
zcpairctl -n $NS_A show
echo "== ping"
ip netns exec $NS_A ping -c 3 -i 0.2 10.99.0.2 | tail -n 2
echo "== 64 MiB over TCP, zca -> zcb"
tmp=$(mktemp -d)
head -c $((64 << 20)) /dev/urandom >"$tmp/src"
ip netns exec $NS_B socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$tmp/dst",creat,trunc &
# Under a loaded TCG guest the listener may take seconds to come up.
for _ in $(seq 1 150); do
	ip netns exec $NS_B ss -ltn | grep -q ':5001 ' && break
	sleep 0.2
done
start=$(date +%s.%N)
ip netns exec $NS_A socat -u OPEN:"$tmp/src" TCP:10.99.0.2:5001
wait
end=$(date +%s.%N)
echo "sha256 sent:     $(sha256sum <"$tmp/src" | cut -c1-64)"
echo "sha256 received: $(sha256sum <"$tmp/dst" | cut -c1-64)"
$PY -c "print(f'{64*8/($end-$start):.0f} Mbit/s (QEMU TCG, no KVM)')"
echo "== ip -s link"
ip -n $NS_A -s link show zca
ip -n $NS_B -s link show zcb
echo "== zcpairctl -n $NS_A show"
zcpairctl -n $NS_A show
echo "== zcpairctl -n $NS_A stats zca"
zcpairctl -n $NS_A stats zca
echo "== ethtool -S zca"
ip netns exec $NS_A ethtool -S zca
echo "== multi-destination: zcpairctl set zca tx-segment on; ethtool -C zca tx-usecs 100000 tx-frames 4"
zcpairctl -n $NS_A set zca tx-segment on
ip netns exec $NS_A ethtool -C zca tx-usecs 100000 tx-frames 4
dests=10.99.0.2:7001,10.99.0.2:7002,10.99.0.2:7003,10.99.0.2:7004
echo "== zcpairctl recv --listen $dests --calls 50 (in zcb's netns)"
zcpairctl -n $NS_B recv --listen $dests --calls 50 >"$tmp/recv" 2>&1 &
rpid=$!
sleep 2
echo "== zcpairctl send --dest $dests --zerocopy --calls 50 (one sendmmsg of 4 x 64000 B per call)"
zcpairctl -n $NS_A send --dest $dests --zerocopy --calls 50
wait $rpid
cat "$tmp/recv"
echo "== zcpairctl -n $NS_A stats zca (multi-destination counters)"
zcpairctl -n $NS_A stats zca | grep -E "segment|batch|completion|zerocopy"
rm -rf "$tmp"
pair_down
rmmod zcpair
echo "== done: pair deleted, module unloaded"
