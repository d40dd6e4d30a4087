#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who may configure and see what, a point per entry point (tests/
# privilege.py, one process): an unprivileged user in the pair's netns may
# read (pair-get, lan-get) and is refused with EPERM by RTM_NEWLINK (a
# pair, a LAN member), RTM_SETLINK, RTM_DELLINK, pair-set and ethtool's
# rings/channels/coalesce set, with nothing changed; root of another netns
# finds none of our devices (by name, by their ifindexes, in dumps),
# changes nothing and hears no notification about them. The per-end rules
# of a pair whose ends belong to two users are 15-review's (userns.py).
. "$(dirname "$0")/lib.sh"

NS_X=zc_x
ktap_plan 13
pair_up
ns_fresh $NS_X
ktap_forward privilege.py 13 "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/privilege.py" $NS_A $NS_B $NS_X 2>&1
	echo "privilege.py exited $?")
ip -force -batch - 2>/dev/null <<-EOF2
	netns del $NS_X
EOF2
pair_down
ktap_finish
