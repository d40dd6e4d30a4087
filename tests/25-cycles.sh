#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ZCPAIR_CYCLES (default 100) create/ping/delete cycles, deleting end A
# and end B by turns, leave no device behind; 99-kernel-log then checks
# for leaks with a forced kmemleak scan.
# 100 cycles take 1050-1270 s under TCG with the debug kernel (about 12 s
# a cycle, most of it in starting ip/zcpairctl/ping), too close to
# tests/run.sh's usual 1500 s limit:
# zcpair-timeout: 2400
. "$(dirname "$0")/lib.sh"

ktap_plan 1

pair_down
insmod "$ZCPAIR_KO"
ip netns add $NS_A && ip netns add $NS_B
ip -n $NS_A link set lo up
# zcpairctl creates each end directly in its netns (one RTM_NEWLINK), so a
# cycle needs no netns move.
cycles=${ZCPAIR_CYCLES:-100}
fails=0
start=$(date +%s)
for i in $(seq 1 "$cycles"); do
	[ $((i % 10)) = 1 ] && echo "# cycle $i of $cycles at $(($(date +%s) - start)) s"
	zcpairctl add zca netns $NS_A peer zcb peer-netns $NS_B || { fails=$((fails + 1)); continue; }
	ip -n $NS_A addr add 10.99.0.1/24 dev zca
	ip -n $NS_B addr add 10.99.0.2/24 dev zcb
	ip -n $NS_A link set zca up
	ip -n $NS_B link set zcb up
	ip netns exec $NS_A ping -c 1 -W 3 10.99.0.2 >/dev/null || fails=$((fails + 1))
	if [ $((i % 2)) = 0 ]; then
		ip -n $NS_A link del zca || fails=$((fails + 1))
	else
		zcpairctl -n $NS_B del zcb || fails=$((fails + 1))
	fi
done
left=$(zc_links)
if [ $fails = 0 ] && [ "$left" = 0 ]; then
	ktap_ok "$cycles create/ping/delete cycles"
else
	ktap_fail "$cycles create/ping/delete cycles" "failures=$fails links left=$left"
fi
pair_down
ktap_finish
