#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Multi-queue pairs: one ring pair and one NAPI instance per queue. The
# command-line tools a user types (ip link add numtxqueues, ethtool -l/-L)
# once; everything else in one process (tests/queues.py): pairs of 1, 2
# and 4 queues, the refusals of counts a pair cannot have, UDP flows and
# TCP streams over every queue (netdev qstats per queue, every byte
# checked), ethtool -L under traffic, receive notification moderation
# (ethtool -C adaptive-rx/rx-usecs/rx-frames).
. "$(dirname "$0")/lib.sh"
. "$ZCPAIR_ROOT/scripts/lib.sh"

ktap_plan 12

# ip(8) and ethtool(8) as a user runs them: `numtxqueues 2 numrxqueues 2`
# on the request, the auto-named peer takes them (scripts/guest-lib.sh).
# The three ethtool runs are forked by one `ip -batch` into their netns
# (it stops at the first that fails), their output read by bash: under
# TCG with the debug kernel each process start costs a second or so.
ethtool_l_L_l() {
	ip -batch - <<-EOF
		netns exec $NS_A ethtool -l zca
		netns exec $NS_B ethtool -L zcb combined 1
		netns exec $NS_A ethtool -l zca
	EOF
}
out=$(ZCPAIR_QUEUES=2 pair_up 2>&1 && ethtool_l_L_l 2>&1)
# ethtool -l prints the maxima first, then the current settings: the
# lines "Combined: 2" (three) and "Combined: 1" (one), counted.
c2=0 c1=0
while IFS= read -r line; do
	[[ $line =~ ^Combined:[[:space:]]*2$ ]] && c2=$((c2 + 1))
	[[ $line =~ ^Combined:[[:space:]]*1$ ]] && c1=$((c1 + 1))
done <<<"$out"
if [ $c2 = 3 ] && [ $c1 = 1 ]; then
	ktap_ok "ip link add numtxqueues 2 numrxqueues 2 type zcpair: ethtool -l combined 2 of 2; ethtool -L combined 1 on the peer: 1 of 2 on this end too"
else
	ktap_fail "ip link add numtxqueues 2 numrxqueues 2 type zcpair, ethtool -l/-L" "$out"
fi
ip -n $NS_A link del zca

out=$($PY "$ZCPAIR_ROOT/tests/queues.py" $NS_A $NS_B "$(kernel_srcdir)" 2>&1)
rc=$?
ktap_forward queues.py 11 $rc <<<"$out"

pair_down
ktap_finish
