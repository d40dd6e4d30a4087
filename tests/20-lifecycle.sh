#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pairs come and go cleanly: deleting either end under traffic removes
# both, deleting the peer's netns under traffic removes its end and the
# peer, MTU changes under traffic (and the limits, with the core's
# reasons), rmmod under traffic removes every pair. The create/delete
# cycles are 25-cycles.
# The cases run from one process (tests/lifecycle.py): under TCG with the
# debug kernel each process start costs a second or more, and these six
# points made of ip/socat commands took 275 s.
. "$(dirname "$0")/lib.sh"

ktap_plan 6

module_loaded || insmod "$ZCPAIR_KO"
ns_fresh $NS_A $NS_B
out=$($PY "$(dirname "$0")/lifecycle.py" $NS_A $NS_B 2>&1)
rc=$?
ktap_forward lifecycle.py 6 $rc <<<"$out"
left=$(zc_links)
[ "$left" = 0 ] || ktap_fail "no zcpair link left" "$left left"
pair_down
ktap_finish
