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

ktap_plan 32

# (bash's SECONDS: no `date` started.)
took() { echo "# ${SECONDS}s: $*"; }

if ! pair_up; then
	ktap_fail "create a pair" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair"
took "pair up"

# From one process (tests/review.py), in this order, each case's time
# among its diagnostics:
# 1. noqueue, the default (once both ends are operationally up), then
#    with a pfifo qdisc: concurrent senders, the stack's drops, the
#    kernel log, the queue running and balanced;
# 2. a spliced read-only file through ESP-in-UDP: frags stay shared;
#    a CHECKSUM_PARTIAL frame; the peer going down under traffic;
# 3. memory: what an idle reader's queue pins (zcpair, and veth as
#    control);
# 4. MSG_ZEROCOPY: the driver copies nothing, the completion waits for
#    the peer;
# 5. GRO: UDP merged only when asked for (rx-udp-gro-forwarding).
ktap_forward review.py 22 "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/review.py" $NS_A $NS_B noqueue pfifo esp csum peerdown pin zerocopy gro 2>&1
	echo "review.py exited $?")
pair_down
took "noqueue, pfifo, esp, csum, peerdown, pin, zerocopy, gro"

# 5. Per-end settings across user namespaces. Two unprivileged users each
# own a user+net namespace; zcu lives in the first, zcv in the second.
sleepers=()
for uid in 65534 65533; do
	setpriv --reuid=$uid --regid=$uid --clear-groups \
		unshare --user --map-root-user --net sleep 600 &
	sleepers+=($!)
done
# setpriv execs unshare, which execs sleep: one process each, which runs
# sleep once unshare has made the namespaces and written the maps
# (`-ef`: the same file, the link /proc/PID/exe followed by bash).
u1=${sleepers[0]} u2=${sleepers[1]}
sleep_bin=$(type -P sleep)
sleeping() { [ /proc/"$u1"/exe -ef "$sleep_bin" ] && [ /proc/"$u2"/exe -ef "$sleep_bin" ]; }
wait_until 10 sleeping
zcpairctl add zcu peer zcv ring 256 copybreak 128 queues 2 &&
	ip -batch - <<-EOF
		link set zcu netns /proc/$u1/ns/net
		link set zcv netns /proc/$u2/ns/net
	EOF
# Each end in its netns, and what each owner may change, from one process
# (tests/userns.py): each check in a child that enters the namespace (as
# `nsenter -t PID -n ip link show` would), or becomes the namespace's
# owner, as `setpriv ... nsenter -U -n --preserve-credentials ethtool
# -G ...` would (those process starts took about 90 s of this script).
ktap_forward userns.py 8 "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/userns.py" "$u1" "$u2" 2>&1
	echo "userns.py exited $?")
kill "${sleepers[@]}" 2>/dev/null
wait 2>/dev/null
# The namespaces go with their last process, and the pair with them.
end=$((SECONDS + 10))
until left=$(zc_links); [ "$left" = 0 ] || [ $SECONDS -ge $end ]; do nap 0.2; done
ktap_expect_eq "the pair went with its namespaces" 0 "$left"
took "per-end settings"
ktap_finish
