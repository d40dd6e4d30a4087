#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-queue statistics (netdev_stat_ops): the netdev family's qstats-get
# through the kernel's own YNL CLI and library (tools/net/ynl of the
# kernel source) agrees with rtnetlink and moves with traffic; and the
# kernel's driver test tools/testing/selftests/drivers/net/stats.py
# passes with NETIF=zca. All from one Python process (tests/qstats.py):
# under TCG with the debug kernel, each start of Python with YNL took
# about 40 s. (stats.py's sibling ping.py, NETIF=zca with the peer's netns
# as the remote, passes on the normal kernel, 3 of 3 in 8 s: make bench
# runs it there; on this debug kernel its run did not finish in 8 minutes,
# so it is not run here.)
. "$(dirname "$0")/lib.sh"

ktap_plan 6
# The kernel source (scripts/vm.sh passes its path).
if [ -n "${ZCPAIR_KSRC:-}" ]; then
	K=$ZCPAIR_KSRC
else
	. "$ZCPAIR_ROOT/scripts/lib.sh"
	K=$(kernel_srcdir)
fi

if ! pair_up; then
	ktap_fail "create a pair" "$(ip -all netns exec ip -o link 2>&1)"
	ktap_finish
fi
ktap_ok "create a pair"

# The kernel's Python tools import from their own directory, which
# $PY's isolated mode (-I) leaves off the path: qstats.py puts them there.
ktap_forward qstats.py 5 "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/qstats.py" $NS_A $NS_B "$K" 2>&1
	echo "qstats.py exited $?")

pair_down
ktap_finish
