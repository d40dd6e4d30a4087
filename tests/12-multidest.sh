#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The multi-destination path (document 004, issue 9): with tx-segment on,
# zca cuts the UDP GSO frames of one sendmmsg(2) (4 destinations x 64,000 B,
# MSG_ZEROCOPY, UDP_SEGMENT 1400) into segments itself, from one header
# template per frame, interleaves the destinations within the batch that
# `ethtool -C tx-usecs/tx-frames` lets form, and releases each batch in
# one completion pass. IPv4 and IPv6; tx-segment off as the
# control. The sends and checks run from one process (tests/multidest.py).
. "$(dirname "$0")/lib.sh"

ktap_plan 19

if ! pair_up; then
	ktap_fail "create a pair" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair"

ktap_check "ethtool -C tx-usecs beyond 100000 is refused with the reason" \
	refused "tx-usecs must not exceed 100000" ip netns exec $NS_A ethtool -C zca tx-usecs 200000
# Both ethtool runs forked into zc_a by one `ip -batch`, which stops at
# the first that fails (under TCG with the debug kernel each process
# start costs a second or so).
coalesce() {
	ip -batch - <<-EOF
		netns exec $NS_A ethtool -C zca tx-usecs 100000 tx-frames 4
		netns exec $NS_A ethtool -c zca
	EOF
}
out=$(coalesce 2>&1)
if [[ $out =~ (^|$'\n')tx-usecs:[[:space:]]*100000($'\n'|$) ]] &&
	[[ $out =~ (^|$'\n')tx-frames:[[:space:]]*4($'\n'|$) ]]; then
	ktap_ok "ethtool -C zca tx-usecs 100000 tx-frames 4; ethtool -c shows them"
else
	ktap_fail "ethtool -C zca tx-usecs 100000 tx-frames 4; ethtool -c shows them" "$out"
fi

# multidest.py deletes the pair in its last case and makes it again
# (without ip's dozen process starts) for zcpairctl below.
ktap_forward multidest.py 15 "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/multidest.py" $NS_A $NS_B 2>&1
	echo "multidest.py exited $?")

# The same path from the user's tools: zcpairctl send/recv.
tmp=$(mktemp -d)
dests=10.99.0.2:7001,10.99.0.2:7002,10.99.0.2:7003,10.99.0.2:7004
if zcpairctl -n $NS_A set zca tx-segment on &&
	ip netns exec $NS_A ethtool -C zca tx-usecs 100000 tx-frames 4; then
	zcpairctl -n $NS_B recv --listen $dests --calls 10 --json >"$tmp/recv" 2>"$tmp/recv.err" &
	rpid=$!
	# recv names the addresses it bound on stderr before it reads.
	wait_until 20 test -s "$tmp/recv.err"
	zcpairctl -n $NS_A send --dest $dests --zerocopy --calls 10 --json >"$tmp/send" 2>&1
	src=$?
	wait $rpid
	rrc=$?
	# The score and whether it is a number >= 0.9, from one jq.
	{ read -r score; read -r interleaved; } < <(jq -r '."interleave-score",
		(."interleave-score" | type == "number" and . >= 0.9)' "$tmp/recv" 2>/dev/null)
	if [ $src = 0 ] && [ $rrc = 0 ] && [ "$interleaved" = true ]; then
		ktap_ok "zcpairctl send/recv: 10 calls x 4 destinations intact, interleave score $score"
	else
		ktap_fail "zcpairctl send/recv: 10 calls x 4 destinations intact, interleaved" \
			"send exit $src: $(cat "$tmp/send")" "recv exit $rrc: $(cat "$tmp/recv" "$tmp/recv.err")"
	fi
else
	ktap_fail "zcpairctl send/recv: pair and settings" "set-up failed"
fi
rm -rf "$tmp"
pair_down
ktap_finish
