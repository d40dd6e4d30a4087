#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# zcpairctl and the zcpair generic netlink family: add/show/set/stats/del
# cross-checked with ip link and ethtool, refusals with their extack text
# and nothing half-created, privileges, notifications, YNL's cli.py.
# zcpairctl is run as a user types it (that is the point); what is around
# it starts as few processes as it can (each start costs a second or so
# under TCG with the debug kernel): outputs are read by bash, and `ip`
# steps in one netns are one `ip -batch`.
. "$(dirname "$0")/lib.sh"

ktap_plan 28

command -v zcpairctl >/dev/null || { echo "# zcpairctl not on PATH (make tool)"; exit 1; }
module_loaded || insmod "$ZCPAIR_KO"
ns_fresh $NS_A $NS_B

# JSON is read with jq: Python starts slowly in the guest (see $PY).
# fails MSG CMD...: CMD exits 1 and prints MSG on stderr.
fails() {
	local msg=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 1 ] && [[ $out == *"$msg"* ]]; then
		return 0
	fi
	echo "exit $rc, output: $out"
	return 1
}
links() { zc_count "$1" 2>/dev/null; }

# Monitor events in zc_a from the start.
mon=${TMPDIR:-/tmp}/zcpair-monitor.$$
ip netns exec $NS_A zcpairctl monitor >"$mon" 2>&1 &
mon_pid=$!
nap 1

ktap_check "add a pair across two netns with non-default parameters" \
	zcpairctl add zca netns $NS_A peer zcb peer-netns $NS_B ring 512 hdr-buf 512 copybreak 300
ktap_expect_eq "both ends exist, each in its netns" "1 1 0" "$(links $NS_A) $(links $NS_B) $(zc_count)"
ktap_expect_eq "ethtool -g shows the ring size" "RX:512 TX:512" "$(ethtool_rings $NS_A zca)"

show=$(zcpairctl -n $NS_A show zca --json)
# A peer in another netns is known by ifindex and netnsid, not by name.
# The three values from one jq, a line each (the last two as JSON, as
# jq prints them without -r).
{ read -r show_geom; read -r show_ifindex; read -r show_netnsid; } < <(jq -r '.[0] |
	"\(has("peer-ifname")) \(.copybreak) \(."tx-ring".size) \(."rx-ring".size) \(."tx-ring"."hdr-buf") \(."rx-ring"."hdr-buf") \(has("peer-netnsid"))",
	(."peer-ifindex" | tojson), (."peer-netnsid" | tojson)' <<<"$show")
ktap_expect_eq "show: peer unnamed across netns, copybreak, ring geometry" "false 300 512 512 512 512 true" \
	"$show_geom"
peer_idx=$(ip netns exec $NS_B cat /sys/class/net/zcb/ifindex)
ktap_expect_eq "show: the peer's ifindex is the one in its netns" "$peer_idx" "$show_ifindex"
ktap_expect_eq "ip link shows the peer's netns (link-netnsid)" "$show_netnsid" \
	"$(ip -j -n $NS_A link show zca | jq '.[0].link_netnsid')"

# Addresses, lo and the ends up: one batch per netns.
ip -n $NS_A -batch - <<-EOF
	link set lo up
	addr add 10.99.0.1/24 dev zca
	link set zca up
EOF
ip -n $NS_B -batch - <<-EOF
	link set lo up
	addr add 10.99.0.2/24 dev zcb
	link set zcb up
EOF
ktap_check "traffic flows over the tool-made pair" ip netns exec $NS_A ping -c 3 -i 0.2 -W 5 -s 1000 10.99.0.2
# Ends down from here: no IPv6 chatter moves the counters between reads.
ip -n $NS_A link set zca down
ip -n $NS_B link set zcb down
st=$(zcpairctl -n $NS_A stats zca --json)
ethtool_stats $NS_A zca
ktap_expect_eq "stats equal ethtool -S" \
	"${ETS[tx_header_bytes_copied]} ${ETS[tx_payload_bytes_referenced]} ${ETS[tx_packets]} ${ETS[rx_packets]}" \
	"$(echo "$st" | jq -r '.stats | "\(."tx-header-bytes-copied") \(."tx-payload-bytes-referenced") \(."tx-packets") \(."rx-packets")"')"
ktap_expect_eq "rings are idle after the traffic (in-flight 0)" "0 0" \
	"$(zcpairctl -n $NS_A show zca --json | jq -r '.[0] | "\(."tx-ring"."in-flight") \(."rx-ring"."in-flight")"')"

ktap_check "set copybreak" zcpairctl -n $NS_A set zca copybreak 64
ktap_expect_eq "copybreak is the end's own: the peer keeps its 300" "64 300" \
	"$(zcpairctl -n $NS_A show zca --json | jq '.[0].copybreak') $(zcpairctl -n $NS_B show zcb --json | jq '.[0].copybreak')"
ktap_check "set: copybreak above the header buffer is refused with its reason" \
	fails "copybreak must not exceed the header buffer size" zcpairctl -n $NS_A set zca copybreak 600
ktap_expect_eq "a refused set changes nothing" 64 "$(zcpairctl -n $NS_A show zca --json | jq '.[0].copybreak')"
ktap_expect_eq "set tx-segment on: this end's own, the peer's stays off" "1 0" \
	"$(zcpairctl -n $NS_A set zca tx-segment on && zcpairctl -n $NS_A show zca --json | jq '.[0]."tx-segment"') $(zcpairctl -n $NS_B show zcb --json | jq '.[0]."tx-segment"')"
ktap_expect_eq "set steer-pps 20000: this end's own, the peer keeps the default 0 (off)" "20000 0" \
	"$(zcpairctl -n $NS_A set zca steer-pps 20000 && zcpairctl -n $NS_A show zca --json | jq '.[0]."steer-pps"') $(zcpairctl -n $NS_B show zcb --json | jq '.[0]."steer-pps"')"

# Refused creations leave nothing behind.
ktap_check "add: ring size not a power of two" \
	fails "ring size must be a power of two" zcpairctl -n $NS_A add zcx peer zcy ring 1000
ktap_check "add: copybreak out of range (the kind's policy)" \
	fails "integer out of range" zcpairctl -n $NS_A add zcx peer zcy copybreak 5000
ktap_check "add: peer name taken" fails "File exists" zcpairctl -n $NS_A add zcx peer lo
ktap_check "set: copybreak out of range (the family's policy)" \
	fails "integer out of range" zcpairctl -n $NS_A set zca copybreak 5000
ktap_expect_eq "refused adds created nothing" "1" "$(links $NS_A)"
# (Its output is the diagnostic.)
genl_unknown_attr() {
	local out
	out=$(ip netns exec $NS_A $PY "$ZCPAIR_ROOT/tests/genl_raw.py" zca 42)
	has_line "$out" "errno=22 msg=Unknown attribute type" && return 0
	printf '%s\n' "$out"
	return 1
}
ktap_check "genetlink: unknown attribute refused by the policy" genl_unknown_attr

# Privileges: an unprivileged user may look but not touch.
nobody() { ip netns exec $NS_A setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"; }
ktap_check "unprivileged: show works" nobody zcpairctl show zca
ktap_check "unprivileged: set refused (EPERM)" fails "Operation not permitted" nobody zcpairctl set zca copybreak 100
add_refused() { ! nobody zcpairctl add zcx peer zcy 2>/dev/null && [ "$(links $NS_A)" = 1 ]; }
ktap_check "unprivileged: add refused, nothing created" add_refused

# YNL's own client against the spec agrees with the tool.
ynl() {
	ip netns exec $NS_A /usr/bin/python3 "$ZCPAIR_KSRC/tools/net/ynl/cli.py" \
		--spec "$ZCPAIR_ROOT/Documentation/netlink/specs/zcpair.yaml" --no-schema \
		--output-json "$@"
}
ydump=$(ynl --dump pair-get 2>&1)
tdump=$(zcpairctl -n $NS_A show --json)
# One jq: the two equal as JSON (objects whatever their keys' order, as
# `jq -S` printed them), one pair; either no JSON: false.
if jq -e -n --argjson y "$ydump" --argjson t "$tdump" '$y == $t and ($t | length) == 1' >/dev/null 2>&1; then
	ktap_ok "cli.py --dump pair-get equals zcpairctl show --json"
else
	ktap_fail "cli.py --dump pair-get equals zcpairctl show --json" "ynl: $ydump" "tool: $tdump"
fi

del_both() { zcpairctl -n $NS_A del zca && [ "$(links $NS_A)" = 0 ] && [ "$(links $NS_B)" = 0 ]; }
ktap_check "del removes both ends" del_both
nap 1
kill $mon_pid 2>/dev/null
wait $mon_pid 2>/dev/null
# The first word of each of the monitor's lines about zca.
events=()
while read -r ev dev _; do
	[ "$dev" = zca ] && events+=("$ev")
done <"$mon"
ktap_expect_eq "monitor saw create, a change per set (copybreak, tx-segment, steer-pps), delete of zca (in its netns)" \
	"create change change change delete" "${events[*]}"
rm -f "$mon"
usage_error() { zcpairctl add zca >/dev/null 2>&1; [ $? = 2 ]; }
ktap_check "usage errors exit 2" usage_error
pair_down
ktap_finish
