#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a review of the data path found, each as a test that fails without
# its fix (Documentation/design.md, "Review fixes"):
# - noqueue: a stopped queue makes the stack drop every sender's frames
#   with ENETDOWN; with BQL (on in both test kernels, as in distribution
#   kernels) the driver must not stop a noqueue device. With a qdisc, BQL
#   and ring-full back-pressure are used and balance.
# - frags shared with the page cache stay marked shared, so ESP decrypts
#   a copy, not the sender's file;
# - a CHECKSUM_PARTIAL frame whose checksum field lies past the dissected
#   headers is delivered, not dropped;
# - a peer going down under traffic leaves no frame in flight;
# - per-end settings: the admin of one end's netns (an unprivileged user
#   owning a user+net namespace) changes neither the other end's copybreak
#   nor its transmit ring, and does not learn the peer's name.
# - a socket that never reads pins no more page memory than its rcvbuf
#   (frags are charged the base pages they touch);
# - MSG_ZEROCOPY frames cross without a copy by the driver, their
#   completion handed to the peer's skb (issue 9).
. "$(dirname "$0")/lib.sh"
. "$ZCPAIR_ROOT/scripts/lib.sh"

ktap_plan 28

t0=$(date +%s)
took() { echo "# $(( $(date +%s) - t0 ))s: $*"; }

review() {
	local out rc
	out=$($PY "$ZCPAIR_ROOT/tests/review.py" $NS_A $NS_B "$@" 2>&1)
	rc=$?
	# Every line of the helper becomes a test point or a diagnostic.
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ktap_ok "${line#ok }" ;;
		"not ok "*) ktap_fail "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done <<<"$out"
	return $rc
}

# tx_dropped as the stack counts it (ours plus the core's own drops, such
# as "asks to queue packet") minus ours (tx_dropped).
core_drops() {
	echo $(( $(link_stat $NS_A zca tx_dropped) - $(ethtool_stat $NS_A zca tx_dropped) ))
}

if ! pair_up; then
	ktap_fail "create a pair" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair"
took "pair up"
sleep 1

# 1. noqueue, the default: never stopped; a full ring drops, counted by us.
# (The kernel shows no byte_queue_limits in sysfs for IFF_NO_QUEUE devices,
# so what is checked is what senders and the log see.)
drops=$(core_drops)
mark=$(dmesg_mark)
review blast
ktap_expect_eq "noqueue: no frame dropped by the stack (tx_dropped - ours)" 0 $(( $(core_drops) - drops ))
ktap_expect_eq "noqueue: no 'asks to queue packet' in the kernel log" 0 \
	"$(dmesg_since "$mark" | grep -c "asks to queue packet")"

# ... and with a qdisc: back-pressure and BQL, which must balance (a
# completion BQL was not told about hits a BUG_ON, one it misses stalls
# the queue for good).
took "noqueue"
tc -n $NS_A qdisc replace dev zca root pfifo limit 1000
drops=$(core_drops)
review blast
ktap_expect_eq "pfifo: no frame dropped by the stack" 0 $(( $(core_drops) - drops ))
ktap_check "pfifo: the queue still runs after the traffic (ping)" \
	ip netns exec $NS_A ping -c 2 -i 0.3 -W 5 10.99.0.2
# Both counters from one `ethtool -S` (the stack may send a frame of its
# own, ND or MLD, between two reads), until they meet: a completion that
# was lost never comes.
balanced() {
	local s
	s=$(ip netns exec $NS_A ethtool -S zca) || return 1
	sent=$(awk '$1 == "tx_packets:" {print $2}' <<<"$s")
	completed=$(awk '$1 == "tx_completions:" {print $2}' <<<"$s")
	[ -n "$sent" ] && [ "$sent" = "$completed" ]
}
if wait_until 10 balanced; then
	ktap_ok "pfifo: every frame sent was completed (tx packets == tx completions)"
else
	ktap_fail "pfifo: every frame sent was completed (tx packets == tx completions)" \
		"tx_packets $sent, tx_completions $completed after 10 s"
fi
tc -n $NS_A qdisc del dev zca root
ktap_check "back to noqueue: the queue runs (ping)" ip netns exec $NS_A ping -c 2 -i 0.3 -W 5 10.99.0.2

took "pfifo"

# 2. A spliced read-only file through ESP-in-UDP: frags stay shared.
ip -n $NS_B xfrm state add src 10.99.0.1 dst 10.99.0.2 proto esp spi 0x100 \
	mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 \
	encap espinudp 4500 4500 0.0.0.0
review esp csum peerdown
ip -n $NS_B xfrm state flush
took "esp, csum, peerdown"

# 3. Memory: what an idle reader's queue pins (zcpair, and veth as control).
# 4. MSG_ZEROCOPY: the driver copies nothing, the completion waits for the peer.
review pin zerocopy
pair_down
took "pin, zerocopy"

# 3. Per-end settings across user namespaces. Two unprivileged users each
# own a user+net namespace; zcu lives in the first, zcv in the second.
sleepers=()
for uid in 65534 65533; do
	setpriv --reuid=$uid --regid=$uid --clear-groups \
		unshare --user --map-root-user --net sleep 600 &
	sleepers+=($!)
done
sleep 2
# setpriv execs unshare, which execs sleep: one process each.
u1=${sleepers[0]} u2=${sleepers[1]}
zcpairctl add zcu peer zcv ring 256 copybreak 128 queues 2 &&
	ip link set zcu netns /proc/"$u1"/ns/net && ip link set zcv netns /proc/"$u2"/ns/net
ktap_check "a pair whose ends live in two unprivileged users' netns" \
	bash -c "nsenter -t $u1 -n ip link show zcu >/dev/null && nsenter -t $u2 -n ip link show zcv >/dev/null"
# What each owner may change, from one process (tests/userns.py): each
# check in a child that becomes the namespace's owner, as `setpriv ...
# nsenter -U -n --preserve-credentials ethtool -G ...` would (those
# process starts took about 90 s of this script).
out=$($PY "$ZCPAIR_ROOT/tests/userns.py" "$u1" "$u2" 2>&1)
rc=$?
ktap_forward userns.py 7 $rc <<<"$out"
kill "${sleepers[@]}" 2>/dev/null
wait 2>/dev/null
# The namespaces go with their last process, and the pair with them.
for _ in 1 2 3 4 5 6 7 8 9 10; do [ "$(zc_links)" = 0 ] && break; sleep 1; done
ktap_expect_eq "the pair went with its namespaces" 0 "$(zc_links)"
took "per-end settings"
ktap_finish
