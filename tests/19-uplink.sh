#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uplink and its cross-talk detector (drivers/net/zcpair/uplink.rs):
# zcpairctl as a user types it once (add ... uplink, set ... uplink none,
# show), then everything else from one process (tests/uplink.py): a veth
# to a "router" netns stands in for the physical network; frames for the
# peer cross the ring, all others the uplink and back, v4 and v6, counted
# as a packet socket on the far side saw them; remapping while the peer
# is down; the end's MAC on the uplink's unicast list; each refusal's
# extack; a shared uplink, its MTU, its deletion under
# traffic.
. "$(dirname "$0")/lib.sh"

NS_R=zc_r
ktap_plan 10

pair_down
ip netns del $NS_R 2>/dev/null
module_loaded || insmod "$ZCPAIR_KO"
ip netns add $NS_A && ip netns add $NS_B && ip netns add $NS_R

# zcpairctl: an uplink named at creation, shown, detached.
out=$(ip -n $NS_A link add up0 type veth peer up1 netns $NS_R 2>&1 &&
	ip netns exec $NS_A zcpairctl add za peer zb uplink up0 2>&1 &&
	ip netns exec $NS_A zcpairctl show za 2>&1 &&
	ip netns exec $NS_A zcpairctl set za uplink none 2>&1 &&
	ip netns exec $NS_A zcpairctl show za --json 2>&1)
if grep -q 'uplink up0' <<<"$out" && grep -q '"uplink": *0' <<<"$out"; then
	ktap_ok "zcpairctl add za peer zb uplink up0: show names the uplink; set za uplink none: JSON uplink 0"
else
	ktap_fail "zcpairctl add ... uplink, show, set ... uplink none" "$out"
fi
ip -n $NS_A link del za 2>/dev/null
ip -n $NS_A link del up0 2>/dev/null

out=$($PY "$ZCPAIR_ROOT/tests/uplink.py" $NS_A $NS_B $NS_R 2>&1)
rc=$?
ktap_forward uplink.py 9 $rc <<<"$out"

pair_down
ip netns del $NS_R 2>/dev/null
ktap_finish
