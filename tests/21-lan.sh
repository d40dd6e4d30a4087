#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# LAN mode (drivers/net/zcpair/lan.rs): four members in four netns, from
# one process (tests/lan.py): the table, ICMP/UDP/TCP between every pair
# of members v4 and v6, unicast straight to its member, broadcast flooded,
# the table following addresses, unknown destinations counted, members
# joining and leaving under traffic, each refusal's extack; then ethtool
# as a user types it.
. "$(dirname "$0")/lib.sh"

NSS=(zc_l0 zc_l1 zc_l2 zc_l3)
NS_R=zc_lr
ktap_plan 15

# The namespaces new (any left over deleted): one `ip` (under TCG with
# the debug kernel each process start costs a second or so).
module_loaded || insmod "$ZCPAIR_KO"
ns_fresh "${NSS[@]}" $NS_R

out=$($PY "$ZCPAIR_ROOT/tests/lan.py" "${NSS[@]}" $NS_R 2>&1)
rc=$?
ktap_forward lan.py 14 $rc <<<"$out"

# zcpairctl as a user types it: a LAN of two, shown (JSON), ethtool -G
# on a member refused with the reason (a LAN's ring size is fixed at its
# creation), a member deleted, a member added.
out=$(zcpairctl lan add e members 2 netns ${NSS[0]} ${NSS[1]} 2>&1 &&
	zcpairctl -n ${NSS[0]} lan show e0 --json 2>&1
	ip netns exec ${NSS[0]} ethtool -G e0 rx 64 2>&1
	zcpairctl -n ${NSS[1]} lan del-member e1 2>&1 &&
	zcpairctl -n ${NSS[0]} lan show e0 2>&1 &&
	zcpairctl -n ${NSS[0]} lan add-member e0 e2 2>&1 &&
	zcpairctl -n ${NSS[0]} lan show e0 2>&1)
if [[ $out == *'"member"'* ]] && [[ $out == *"LAN's size"* ]] &&
	[[ $out == *': 1 member, '* ]] && [[ $out =~ :\ 2\ members,.*member\ [0-9]+:\ e2\  ]] &&
	! ip -n ${NSS[1]} link show e1 >/dev/null 2>&1; then
	ktap_ok "zcpairctl lan add e members 2 (two netns), lan show --json, ethtool -G refused with the reason, lan del-member (1 member left), lan add-member e0 e2 (lan show: 2 members, e2 one)"
else
	ktap_fail "zcpairctl lan add/show/del-member/add-member, ethtool -G on a member" "$out"
fi

printf 'netns del %s\n' "${NSS[@]}" $NS_R | ip -force -batch - 2>/dev/null
ktap_finish
