#!/bin/bash
# Frames cross a pair intact: ping v4/v6, 16 MiB over TCP, UDP datagrams
# of many sizes; the counters prove headers were copied and payload
# referenced, and agree with the link statistics.
. "$(dirname "$0")/lib.sh"

ktap_plan 17

if ! pair_up; then
	ktap_fail "create a pair across two netns" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair across two netns"

iflink_a=$(ip netns exec $NS_A cat /sys/class/net/zca/iflink)
ifindex_b=$(ip netns exec $NS_B cat /sys/class/net/zcb/ifindex)
ktap_expect_eq "zca's iflink is zcb's ifindex" "$ifindex_b" "$iflink_a"

sleep 1
ktap_check "carrier up on both ends" \
	bash -c "ip -n $NS_A link show zca | grep -q LOWER_UP && ip -n $NS_B link show zcb | grep -q LOWER_UP"
ktap_check "ethtool -i names the driver" \
	bash -c "ip netns exec $NS_A ethtool -i zca | grep -qx 'driver: zcpair'"
ktap_check "ping IPv4" ip netns exec $NS_A ping -c 3 -i 0.2 -W 5 10.99.0.2
ktap_check "ping IPv6" ip netns exec $NS_A ping -6 -c 3 -i 0.2 -W 5 fd99::2

# 16 MiB over TCP (some 250 frames of 64 KB GSO), compared by sha256.
tmp=$(mktemp -d)
head -c $((16 << 20)) /dev/urandom >"$tmp/src"
ethtool_stats $NS_A zca
ref0=${ETS[tx_payload_bytes_referenced]}
hdr0=${ETS[tx_header_bytes_copied]}
# tx_bytes of zca and rx_bytes of zcb, read as a consistent pair: the stack
# sends frames of its own (ND, MLD; seen: a 70-byte router solicitation
# between the two reads of a baseline), so zca's counter is read before and
# after zcb's until it did not move in between.
pair_bytes() {
	local t1 r t2
	for _ in 1 2 3 4 5; do
		t1=$(link_stat $NS_A zca tx_bytes)
		r=$(link_stat $NS_B zcb rx_bytes)
		t2=$(link_stat $NS_A zca tx_bytes)
		[ "$t1" = "$t2" ] && break
	done
	echo "$t2 $r"
}
read -r txb0 rxb0 < <(pair_bytes)
ip netns exec $NS_B socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$tmp/dst",creat,trunc &
lpid=$!
sleep 1
ip netns exec $NS_A timeout 600 socat -u OPEN:"$tmp/src" TCP:10.99.0.2:5001
wait $lpid
ktap_expect_eq "16 MiB over TCP arrive intact (sha256)" \
	"$(sha256sum <"$tmp/src" | cut -d' ' -f1)" "$(sha256sum <"$tmp/dst" | cut -d' ' -f1)"
ethtool_stats $NS_A zca
ref=$(( ${ETS[tx_payload_bytes_referenced]} - ref0 ))
hdr=$(( ${ETS[tx_header_bytes_copied]} - hdr0 ))
payload=$((16 << 20))
echo "# bulk TCP: payload $payload, referenced $ref, header bytes copied $hdr"
while IFS= read -r line; do echo "# $line"; done <<<"$ETS_TEXT"
if [ $((ref * 100)) -ge $((payload * 90)) ]; then
	ktap_ok "bulk TCP: >= 90% of the payload referenced ($ref of $payload)"
else
	ktap_fail "bulk TCP: >= 90% of the payload referenced ($ref of $payload)"
fi
if [ $((hdr * 100)) -le $((payload * 5)) ]; then
	ktap_ok "bulk TCP: <= 5% copied as headers ($hdr)"
else
	ktap_fail "bulk TCP: <= 5% copied as headers ($hdr)"
fi
# (Read until they meet: a frame may still be in flight.)
for _ in 1 2 3 4 5; do
	read -r txb rxb < <(pair_bytes)
	txb=$((txb - txb0)) rxb=$((rxb - rxb0))
	[ "$txb" = "$rxb" ] && break
done
ktap_expect_eq "ip -s link: bytes sent by zca == bytes received by zcb" "$txb" "$rxb"
# The two are read one after the other, and the stack may send a frame of
# its own (ND, MLD) in between (seen: 70 bytes apart): up to 5 reads until
# they meet; counters that differ for good still differ at the fifth.
for _ in 1 2 3 4 5; do
	txl=$(link_stat $NS_A zca tx_bytes)
	ethtool_stats $NS_A zca
	[ "$txl" = "${ETS[tx_bytes]}" ] && break
done
ktap_expect_eq "ethtool tx_bytes == ip -s link tx_bytes" "$txl" "${ETS[tx_bytes]}"

# UDP datagrams of many sizes, each compared byte for byte.
out=$(ip netns exec $NS_A $PY "$ZCPAIR_ROOT/tests/udp_sizes.py" 10.99.0.2 "$NS_B" 2>&1)
rc=$?
echo "$out" | tail -n 3 | sed 's/^/# /'
if [ $rc -eq 0 ]; then
	ktap_ok "UDP datagrams of sizes 1..65507 arrive intact"
else
	ktap_fail "UDP datagrams of sizes 1..65507 arrive intact" "$out"
fi

whole0=$(ethtool_stat $NS_A zca tx_frames_copied_whole)
ip netns exec $NS_A ping -c 5 -i 0.2 -s 56 -W 5 10.99.0.2 >/dev/null
whole=$(( $(ethtool_stat $NS_A zca tx_frames_copied_whole) - whole0 ))
if [ "$whole" -ge 5 ]; then
	ktap_ok "frames <= copybreak are copied whole ($whole for 5 pings)"
else
	ktap_fail "frames <= copybreak are copied whole ($whole for 5 pings)"
fi

ktap_check "mtu 9000 on both ends, ping 8000 bytes" bash -c "
	ip -n $NS_A link set zca mtu 9000 && ip -n $NS_B link set zcb mtu 9000 &&
	ip netns exec $NS_A ping -c 2 -W 5 -s 8000 -M do 10.99.0.2"
# ethtool -G: our tx ring is the peer's rx ring.
err=$(ip netns exec $NS_A ethtool -G zca tx 512 2>&1)
if [ $? -ne 0 ] && printf '%s' "$err" | grep -q 'bring both ends of the pair down'; then
	ktap_ok "ethtool -G while up is refused with the reason"
else
	ktap_fail "ethtool -G while up is refused with the reason" "$err"
fi
err=$(ip netns exec $NS_A ethtool -G zca tx 100 2>&1)
if [ $? -ne 0 ] && printf '%s' "$err" | grep -q 'power of two'; then
	ktap_ok "ethtool -G with a size that is not a power of two is refused"
else
	ktap_fail "ethtool -G with a size that is not a power of two is refused" "$err"
fi
ip -n $NS_A link set zca down
ip -n $NS_B link set zcb down
ip netns exec $NS_A ethtool -G zca tx 512 rx 64
ip -n $NS_A link set zca up
ip -n $NS_B link set zcb up
sleep 1
rings="$(ip netns exec $NS_A ethtool -g zca | awk '/^Current/ {c=1} c && /^(RX|TX):/ {printf "%s%s ", $1, $2}')"
rings="$rings/ $(ip netns exec $NS_B ethtool -g zcb | awk '/^Current/ {c=1} c && /^(RX|TX):/ {printf "%s%s ", $1, $2}')"
if [ "$rings" = "RX:64 TX:512 / RX:512 TX:64 " ] && ip netns exec $NS_A ping -c 2 -W 5 10.99.0.2 >/dev/null; then
	ktap_ok "ethtool -G tx 512 rx 64 on zca (down): zcb sees rx 512 tx 64; traffic flows"
else
	ktap_fail "ethtool -G tx 512 rx 64 on zca (down): zcb sees rx 512 tx 64; traffic flows" "rings: $rings"
fi
rm -rf "$tmp"
pair_down
ktap_finish
