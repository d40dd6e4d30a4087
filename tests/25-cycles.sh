#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ZCPAIR_CYCLES (default 40) create/traffic/delete cycles, deleting end A
# and end B by turns, with datagrams checked byte for byte each way and a
# burst in flight at each deletion; no device is left behind, and
# 99-kernel-log then checks for leaks with a forced kmemleak scan.
# The cycles run from one process (tests/cycles.py): under TCG with the
# debug kernel each process start costs about half a second, and a cycle
# made of ip/zcpairctl/ping commands took 12 s. The 1,000 cycles under
# load of the robustness campaign are `make stress` (tests/stress.py).
. "$(dirname "$0")/lib.sh"

ktap_plan 1

module_loaded || insmod "$ZCPAIR_KO"
ns_fresh $NS_A $NS_B
cycles=${ZCPAIR_CYCLES:-40}
out=$($PY "$(dirname "$0")/cycles.py" "$cycles" $NS_A $NS_B 2>&1)
rc=$?
printf '%s\n' "$out"
left=$(zc_links)
if [ $rc = 0 ] && [ "$left" = 0 ]; then
	ktap_ok "$cycles create/traffic/delete cycles"
else
	ktap_fail "$cycles create/traffic/delete cycles" "exit $rc, links left $left"
fi
pair_down
ktap_finish
