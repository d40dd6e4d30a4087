#!/bin/bash
# Pairs come and go cleanly: deleting either end (under traffic) removes
# both, deleting a netns removes its end and the peer, rmmod under traffic
# removes every pair, MTU changes under traffic. The create/delete cycles
# are 25-cycles.
. "$(dirname "$0")/lib.sh"

ktap_plan 6

# Background TCP stream a -> b until the pair goes away.
traffic_start() {
	ip netns exec $NS_B socat -u TCP-LISTEN:5003,reuseaddr OPEN:/dev/null </dev/null >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $NS_A socat -u OPEN:/dev/zero TCP:10.99.0.2:5003 </dev/null >/dev/null 2>&1 &
	sleep 1
}

traffic_stop() {
	pkill -f 'socat -u' 2>/dev/null
	wait 2>/dev/null
}

tx_packets() { link_stat $NS_A zca tx_packets 2>/dev/null || echo 0; }

for end in a b; do
	pair_up
	traffic_start
	p0=$(tx_packets); sleep 1; p1=$(tx_packets)
	if [ $end = a ]; then ip -n $NS_A link del zca; else ip -n $NS_B link del zcb; fi
	rc=$?
	traffic_stop
	left=$(ip -n $NS_A -o link show zca 2>/dev/null; ip -n $NS_B -o link show zcb 2>/dev/null)
	if [ $rc -eq 0 ] && [ -z "$left" ] && [ "$p1" -gt "$p0" ]; then
		ktap_ok "deleting end $end under traffic ($((p1 - p0)) frames/s) removes both ends"
	else
		ktap_fail "deleting end $end under traffic removes both ends" "rc=$rc left='$left' packets $p0 -> $p1"
	fi
done

pair_up
traffic_start
ip netns del $NS_B
traffic_stop
sleep 1
left=$(ip -n $NS_A -o link show zca 2>/dev/null)
ktap_expect_eq "deleting the peer's netns under traffic removes both ends" "" "$left"

pair_up
traffic_start
ok=1
for mtu in 9000 1280 65535 1500; do
	ip -n $NS_A link set zca mtu $mtu && ip -n $NS_B link set zcb mtu $mtu || ok=0
	sleep 0.3
done
traffic_stop
if [ $ok = 1 ] && ip netns exec $NS_A ping -c 2 -W 5 -s 1400 10.99.0.2 >/dev/null; then
	ktap_ok "MTU changes under traffic; traffic flows after"
else
	ktap_fail "MTU changes under traffic; traffic flows after"
fi
ktap_check "MTU outside 68..65535 is refused" bash -c "! ip -n $NS_A link set zca mtu 65536 2>/dev/null && ! ip -n $NS_A link set zca mtu 67 2>/dev/null"

pair_up
traffic_start
rmmod zcpair
rc=$?
traffic_stop
if [ $rc -eq 0 ] && ! module_loaded && [ "$(zc_links)" = 0 ]; then
	ktap_ok "rmmod under traffic removes every pair"
else
	ktap_fail "rmmod under traffic removes every pair" "rc=$rc links=$(zc_links)"
fi

pair_down
ktap_finish
