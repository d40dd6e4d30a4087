#!/bin/bash
# Frames cross a pair intact: ping v4/v6, 8 MiB over TCP, UDP datagrams
# of many sizes; the counters prove headers were copied and payload
# referenced, and agree with the link statistics.
# Under TCG with the debug kernel each process start costs a second or
# so: outputs are read by bash (no grep/awk/cut/tail/sed), and reads in
# two netns go through one `ip -batch` (ns_cat, scripts/guest-lib.sh).
. "$(dirname "$0")/lib.sh"

ktap_plan 17

if ! pair_up; then
	ktap_fail "create a pair across two netns" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair across two netns"

{ read -r iflink_a; read -r ifindex_b; } < <(ns_cat \
	$NS_A /sys/class/net/zca/iflink $NS_B /sys/class/net/zcb/ifindex)
# (ns_cat stops at a read that fails: both empty must not pass.)
ktap_expect_eq "zca's iflink is zcb's ifindex" "${ifindex_b:-(unread)}" "$iflink_a"

nap 1
# carrier_up, driver_is_zcpair: the command's output is the diagnostic.
carrier_up() {
	local a b
	a=$(ip -n $NS_A link show zca) && b=$(ip -n $NS_B link show zcb) || return 1
	[[ $a == *LOWER_UP* && $b == *LOWER_UP* ]] && return 0
	printf '%s\n' "$a" "$b"
	return 1
}
driver_is_zcpair() {
	local out
	out=$(ip netns exec $NS_A ethtool -i zca)
	has_line "$out" "driver: zcpair" && return 0
	printf '%s\n' "$out"
	return 1
}
ktap_check "carrier up on both ends" carrier_up
ktap_check "ethtool -i names the driver" driver_is_zcpair
ktap_check "ping IPv4" ip netns exec $NS_A ping -c 3 -i 0.2 -W 5 10.99.0.2
ktap_check "ping IPv6" ip netns exec $NS_A ping -6 -c 3 -i 0.2 -W 5 fd99::2

# 8 MiB over TCP (some 130 frames of 64 KB GSO), compared by sha256.
# (Two files named by the script's pid: no mktemp.)
tmp=${TMPDIR:-/tmp}/zcpair-datapath.$$
head -c $((8 << 20)) /dev/urandom >"$tmp.src"
ethtool_stats $NS_A zca
ref0=${ETS[tx_payload_bytes_referenced]}
hdr0=${ETS[tx_header_bytes_copied]}
# tx_bytes of zca and rx_bytes of zcb, read as a consistent pair into TXB
# and RXB: the stack sends frames of its own (ND, MLD; seen: a 70-byte
# router solicitation between the two reads of a baseline), so zca's
# counter is read before and after zcb's (the three reads by one ns_cat)
# until it did not move in between. False (and UNREAD set) when a read
# failed.
UNREAD=
pair_bytes() {
	local t1 r t2
	for _ in 1 2 3 4 5; do
		{ read -r t1; read -r r; read -r t2; } < <(ns_cat \
			$NS_A /sys/class/net/zca/statistics/tx_bytes \
			$NS_B /sys/class/net/zcb/statistics/rx_bytes \
			$NS_A /sys/class/net/zca/statistics/tx_bytes)
		[ -n "$t1" ] && [ -n "$r" ] && [ -n "$t2" ] || { UNREAD=1; return 1; }
		[ "$t1" = "$t2" ] && break
	done
	TXB=$t2 RXB=$r
}
pair_bytes
txb0=$TXB rxb0=$RXB
ip netns exec $NS_B socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$tmp.dst",creat,trunc &
lpid=$!
# Until socat listens on port 5001 (1389 in hex, state 0A): its socket is
# in the tables of the netns the process is in, /proc/PID/net/tcp{,6}.
listening() {
	local f laddr st
	for f in tcp tcp6; do
		while read -r _ laddr _ st _; do
			[ "$st" = 0A ] && [[ $laddr == *:1389 ]] && return 0
		done 2>/dev/null <"/proc/$lpid/net/$f"
	done
	return 1
}
wait_until 20 listening
ip netns exec $NS_A timeout 600 socat -u OPEN:"$tmp.src" TCP:10.99.0.2:5001
wait $lpid
# Both sums from one sha256sum (a line each; a file that cannot be read
# has none).
{ read -r sum_src _; read -r sum_dst _; } < <(sha256sum "$tmp.src" "$tmp.dst" 2>/dev/null)
ktap_expect_eq "8 MiB over TCP arrive intact (sha256)" "${sum_src:-(unread)}" "${sum_dst:-(unread)}"
ethtool_stats $NS_A zca
ref=$(( ${ETS[tx_payload_bytes_referenced]} - ref0 ))
hdr=$(( ${ETS[tx_header_bytes_copied]} - hdr0 ))
payload=$((8 << 20))
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
	pair_bytes || break
	txb=$((TXB - txb0)) rxb=$((RXB - rxb0))
	[ "$txb" = "$rxb" ] && break
done
if [ -n "$UNREAD" ]; then
	ktap_fail "ip -s link: bytes sent by zca == bytes received by zcb" \
		"zca's tx_bytes or zcb's rx_bytes could not be read"
else
	ktap_expect_eq "ip -s link: bytes sent by zca == bytes received by zcb" "$txb" "$rxb"
fi
# The two are read one after the other, and the stack may send a frame of
# its own (ND, MLD) in between (seen: 70 bytes apart): up to 5 reads until
# they meet; counters that differ for good still differ at the fifth.
# Each time one `ip -batch` reads the sysfs counter, then `ethtool -S`.
for _ in 1 2 3 4 5; do
	ETS_TEXT=$(ip -batch - <<-EOF
		netns exec $NS_A cat /sys/class/net/zca/statistics/tx_bytes
		netns exec $NS_A ethtool -S zca
	EOF
	)
	txl=${ETS_TEXT%%$'\n'*}
	ets_parse
	[ -n "$txl" ] && [ "$txl" = "${ETS[tx_bytes]}" ] && break
done
# (A failed read stops the batch: no counter must not pass.)
ktap_expect_eq "ethtool tx_bytes == ip -s link tx_bytes" "${txl:-(unread)}" "${ETS[tx_bytes]}"

# UDP datagrams of many sizes, each compared byte for byte.
out=$($PY "$ZCPAIR_ROOT/tests/udp_sizes.py" 10.99.0.2 "$NS_B" "$NS_A" 2>&1)
rc=$?
mapfile -t lines <<<"$out"
for line in "${lines[@]:$((${#lines[@]} > 3 ? ${#lines[@]} - 3 : 0))}"; do
	echo "# $line"
done
if [ $rc -eq 0 ]; then
	ktap_ok "UDP datagrams of sizes 1..65507 arrive intact"
else
	ktap_fail "UDP datagrams of sizes 1..65507 arrive intact" "$out"
fi

# The counter before and after 5 pings: `ethtool -S`, ping and `ethtool
# -S` forked into zc_a by one `ip -batch` (-force: on past a ping that
# missed a reply, whose status was not looked at before either), each
# tx_frames_copied_whole read by bash; both must be there.
copied_whole() {
	ip -force -batch - <<-EOF
		netns exec $NS_A ethtool -S zca
		netns exec $NS_A ping -q -c 5 -i 0.2 -s 56 -W 5 10.99.0.2
		netns exec $NS_A ethtool -S zca
	EOF
}
wholes=()
while read -r k v _; do
	[ "$k" = tx_frames_copied_whole: ] && wholes+=("$v")
done < <(copied_whole 2>/dev/null)
whole=$(( ${wholes[1]:-0} - ${wholes[0]:-0} ))
[ ${#wholes[@]} = 2 ] || whole="(${#wholes[@]} of 2 counters read)"
if [ ${#wholes[@]} = 2 ] && [ "$whole" -ge 5 ]; then
	ktap_ok "frames <= copybreak are copied whole ($whole for 5 pings)"
else
	ktap_fail "frames <= copybreak are copied whole ($whole for 5 pings)"
fi

mtu_9000() {
	ip -n $NS_B link set zcb mtu 9000 && ip -n $NS_A -batch - <<-EOF
		link set zca mtu 9000
		netns exec $NS_A ping -c 2 -W 5 -s 8000 -M do 10.99.0.2
	EOF
}
ktap_check "mtu 9000 on both ends, ping 8000 bytes" mtu_9000
# ethtool -G: our tx ring is the peer's rx ring.
err=$(ip netns exec $NS_A ethtool -G zca tx 512 2>&1)
if [ $? -ne 0 ] && [[ $err == *"bring both ends of the pair down"* ]]; then
	ktap_ok "ethtool -G while up is refused with the reason"
else
	ktap_fail "ethtool -G while up is refused with the reason" "$err"
fi
err=$(ip netns exec $NS_A ethtool -G zca tx 100 2>&1)
if [ $? -ne 0 ] && [[ $err == *"power of two"* ]]; then
	ktap_ok "ethtool -G with a size that is not a power of two is refused"
else
	ktap_fail "ethtool -G with a size that is not a power of two is refused" "$err"
fi
# Both ends down, zca's rings set, both up: zca's steps in one batch.
ip -n $NS_B link set zcb down
ip -n $NS_A -batch - <<-EOF
	link set zca down
	netns exec $NS_A ethtool -G zca tx 512 rx 64
	link set zca up
EOF
ip -n $NS_B link set zcb up
nap 1
rings="$(ethtool_rings $NS_A zca) / $(ethtool_rings $NS_B zcb)"
if [ "$rings" = "RX:64 TX:512 / RX:512 TX:64" ] && ip netns exec $NS_A ping -c 2 -W 5 10.99.0.2 >/dev/null; then
	ktap_ok "ethtool -G tx 512 rx 64 on zca (down): zcb sees rx 512 tx 64; traffic flows"
else
	ktap_fail "ethtool -G tx 512 rx 64 on zca (down): zcb sees rx 512 tx 64; traffic flows" "rings: $rings"
fi
rm -f "$tmp.src" "$tmp.dst"
pair_down
ktap_finish
