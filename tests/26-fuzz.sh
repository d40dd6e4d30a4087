#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Netlink fuzzing, a fixed-seed slice (the long run is `make fuzz`):
# zcfuzz (userspace-tools/zcfuzz) sends malformed and semi-valid requests
# to every entry point zcpair owns (RTM_NEWLINK/SETLINK/DELLINK with
# zcpair kind data, the zcpair genl family, ethtool -G/-L/-C), some valid,
# so devices come and go under it. Every request must be answered, the
# valid ones must have reached the driver, and nothing may be left once
# the fuzzer has deleted what it made. 99-kernel-log then checks the
# kernel log and kmemleak over the whole boot.
. "$(dirname "$0")/lib.sh"

SEED=${ZCPAIR_FUZZ_SEED:-20261201}
COUNT=${ZCPAIR_FUZZ_COUNT:-1000}
NS=zc_fz
ktap_plan 3
module_loaded || insmod "$ZCPAIR_KO"
ns_fresh $NS
out=$(ip netns exec $NS zcfuzz --seed "$SEED" --count "$COUNT" --json 2>/tmp/zcfuzz.err)
rc=$?
# The summary and the three verdicts from one jq (under TCG with the
# debug kernel each process start costs a second or so); a report that
# is no JSON (or a verdict jq cannot compute) leaves them empty: not
# "true".
{ read -r sum; read -r answered; read -r reached; read -r cleaned; } < <(jq -r --argjson n "$COUNT" '
	"sent \(.total.sent) in \(.seconds) s: ok \(.total.ok) (valid \(.total.ok_valid)), refused \(.total.refused) (\(.total.refused_with_extack_msg) with an extack message), hangs \(.total.hangs); errnos \(.total.errnos | tostring); zcpair devices seen \(.zcpair_devices_seen); left after the run \(.cleanup.left_after_run), remaining after cleanup \(.cleanup.remaining)",
	(.total.sent == $n and .total.hangs == 0 and .internal_hangs == 0),
	(.total.ok_valid > 0 and .zcpair_devices_seen > 0),
	(.result == "pass" and .cleanup.remaining == 0 and (.cleanup.remaining_pool_named | length) == 0)' <<<"$out" 2>/dev/null)
echo "# zcfuzz --seed $SEED --count $COUNT: exit $rc; ${sum:-(its report is no JSON jq reads)}"
# Its stderr's last 5 lines (read by bash).
mapfile -t errl </tmp/zcfuzz.err
for line in "${errl[@]:$((${#errl[@]} > 5 ? ${#errl[@]} - 5 : 0))}"; do
	echo "# stderr: $line"
done
if [ "$answered" = true ]; then
	ktap_ok "zcfuzz seed $SEED: $COUNT requests, every one answered"
else
	ktap_fail "zcfuzz seed $SEED: $COUNT requests, every one answered" "$(jq -c '.incidents[:5]' <<<"$out" 2>&1 | head -c 2000)"
fi
if [ "$reached" = true ]; then
	ktap_ok "the fuzz reached the driver: valid requests accepted, zcpair devices made under it"
else
	ktap_fail "the fuzz reached the driver: valid requests accepted, zcpair devices made under it"
fi
if [ "$rc" = 0 ] && [ "$cleaned" = true ] &&
	[ -z "$(ip -n $NS -o link show type zcpair 2>&1)" ]; then
	ktap_ok "after the fuzzer's cleanup no zcpair device is left (rtnetlink and ip link agree)"
else
	ktap_fail "after the fuzzer's cleanup no zcpair device is left" "exit $rc; $(ip -n $NS -o link 2>&1)"
fi
ip netns del $NS
ktap_finish
