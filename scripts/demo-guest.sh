#!/bin/bash
# The guest side of `make demo`: load zcpair, create a pair across two
# network namespaces with zcpairctl (non-default ring, header buffer and
# copybreak), move traffic, print what crossed; then a LAN of three.
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
echo "== a LAN of 3: zcpairctl lan add lm members 3 netns zc_l0 zc_l1 zc_l2"
for i in 0 1 2; do ip netns add zc_l$i; done
zcpairctl lan add lm members 3 netns zc_l0 zc_l1 zc_l2
for i in 0 1 2; do
	ip -n zc_l$i -batch - <<-B
		addr add 10.98.0.$((i + 1))/24 dev lm$i
		addr add fd98::$((i + 1))/64 dev lm$i nodad
		link set lm$i up
	B
done
echo "== ping from lm0 to lm1 and lm2, v4 and v6 (each frame goes straight into the member's ring)"
for dst in 10.98.0.2 10.98.0.3 fd98::2 fd98::3; do
	ip netns exec zc_l0 ping -c 2 -i 0.2 -W 5 "$dst" | tail -n 2 | head -n 1 | sed "s/^/$dst: /"
done
echo "== zcpairctl -n zc_l0 lan show (members, and the table the address notifiers keep)"
zcpairctl -n zc_l0 lan show
echo "== the LAN counters of lm0"
ip netns exec zc_l0 ethtool -S lm0 | grep -E "tx_lan|tx_packets|rx_packets"
for i in 0 1 2; do ip netns del zc_l$i; done
rmmod zcpair
echo "== done: pair and LAN deleted, module unloaded"
