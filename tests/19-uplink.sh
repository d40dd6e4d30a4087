#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uplink and its cross-talk detector (drivers/net/zcpair/uplink.rs):
# zcpairctl as a user types it once (add ... uplink, set ... uplink none,
# show), then everything else from one process (tests/uplink.py): a veth
# to a "router" netns stands in for the physical network; frames for the
# peer cross the ring, all others the uplink and back, v4 and v6, counted
# as a packet socket on the far side saw them; remapping while the peer
# is down, and nothing lost or reordered at its switch-over under a
# numbered stream; the end's MAC on the uplink's unicast list; each refusal's
# extack; a shared uplink, its MTU, its deletion under
# traffic.
. "$(dirname "$0")/lib.sh"

NS_R=zc_r
ktap_plan 11

# The namespaces new (any left over deleted) and the veth to the router:
# one `ip -batch` (under TCG with the debug kernel each process start
# costs a second or so); zcpairctl enters zc_a itself (-n).
module_loaded || insmod "$ZCPAIR_KO"
setup() {
	ns_fresh_lines $NS_A $NS_B $NS_R
	ip -batch - <<-EOF
		${NS_LINES}link add up0 netns $NS_A type veth peer up1 netns $NS_R
	EOF
}

# zcpairctl: an uplink named at creation, shown, detached.
out=$(setup 2>&1 &&
	zcpairctl -n $NS_A add za peer zb uplink up0 2>&1 &&
	zcpairctl -n $NS_A show za 2>&1 &&
	zcpairctl -n $NS_A set za uplink none 2>&1 &&
	zcpairctl -n $NS_A show za --json 2>&1)
if [[ $out == *'uplink up0'* ]] && [[ $out =~ \"uplink\":\ *0 ]]; then
	ktap_ok "zcpairctl add za peer zb uplink up0: show names the uplink; set za uplink none: JSON uplink 0"
else
	ktap_fail "zcpairctl add ... uplink, show, set ... uplink none" "$out"
fi
ip -n $NS_A -force -batch - 2>/dev/null <<-EOF
	link del za
	link del up0
EOF

out=$($PY "$ZCPAIR_ROOT/tests/uplink.py" $NS_A $NS_B $NS_R 2>&1)
rc=$?
ktap_forward uplink.py 10 $rc <<<"$out"

ip -force -batch - 2>/dev/null <<-EOF
	netns del $NS_A
	netns del $NS_B
	netns del $NS_R
EOF
ktap_finish
