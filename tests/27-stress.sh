#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The robustness campaign (tests/stress.py), its short slice: stale bytes
# (frames long and short by turns through the same slots, each received
# as exactly its own bytes), allocation failures injected into zcpair's
# own allocations while pairs are made, resized and carry traffic, and
# each of its allocations failing in turn (fail-nth; of the kernel's sysfs
# and sysctl ones below them every 256th) while a pair is made, resized
# and opened. `make stress` runs the long campaign
# (ZCPAIR_STRESS=long): also every 8th of those, a mixed-size
# integrity stress over every path (sha256 per TCP stream, content per
# datagram), ring resizes and MTU changes under a TCP stream, netns
# deletion with pairs inside, insmod/rmmod under traffic and the churn
# (1,000 create/delete cycles under load); 99-kernel-log then checks the
# kernel log and kmemleak over the whole boot.
. "$(dirname "$0")/lib.sh"

scale=${ZCPAIR_STRESS:-check}
if [ "$scale" != check ]; then
	sections="stale integrity resize faults nth netns rmmod churn"
else
	sections="stale faults nth"
fi
sections=${ZCPAIR_STRESS_SECTIONS:-$sections}
# shellcheck disable=SC2086
set -- $sections
ktap_plan $#

pair_down
module_loaded || insmod "$ZCPAIR_KO"
ip -batch - <<-EOF2
	netns add $NS_A
	netns add $NS_B
EOF2
ensure_debugfs
# shellcheck disable=SC2086
ktap_forward stress.py $# "(see its last line)" < <(
	ZCPAIR_KO=$ZCPAIR_KO $PY "$ZCPAIR_ROOT/tests/stress.py" "$scale" $sections 2>&1
	echo "stress.py exited $?")
pair_down
ktap_finish
