#!/bin/bash
# The kernel's own net selftests that run over a veth pair, run over a
# zcpair pair instead: msg_zerocopy.sh, io_uring_zerocopy_tx.sh, gro.sh
# and udpgro.sh of tools/testing/selftests/net in the kernel source.
#
# Their programs are built from the kernel source by scripts/selftests.sh.
# Their scripts hardcode `type veth`, so each one's set-up (namespaces,
# addresses, MTU, MACs, sysctls, ethtool and sysfs settings) is reproduced
# here for zcpair, and the programs are run with the scripts' arguments,
# one test point per case. Deviations from the scripts, all for a guest
# that runs ~10x slower under TCG:
#  - the scripts' `sleep 0.2`/`sleep 0.5` before starting a sender are
#    replaced by waiting for the receiver's port (net_helper.sh's
#    wait_local_port_listen, which udpgro.sh itself uses);
#  - msg_zerocopy's receiver gets `-t 2` (as the script intends before its
#    extra arguments override it with `-t 1`), so that it outlives a sender
#    that starts late;
#  - udpgro.sh's "bad GRO lookup" cases are left out: they need iptables
#    NAT, and the test kernel has no netfilter.
. "$(dirname "$0")/lib.sh"

ST=${ZCPAIR_SELFTESTS:-$("$ZCPAIR_ROOT/scripts/selftests.sh" dir 2>/dev/null)}
for p in msg_zerocopy io_uring_zerocopy_tx gro udpgso_bench_tx udpgso_bench_rx; do
	if [ ! -x "$ST/$p" ] || [ ! -f "$ST/net/net_helper.sh" ]; then
		ktap_plan 1
		ktap_fail "kernel selftest programs are built" \
			"missing $ST/$p or $ST/net (run scripts/selftests.sh on the host)"
		ktap_finish
	fi
done
# wait_local_port_listen, unchanged from the kernel tree.
. "$ST/net/net_helper.sh"

ktap_plan $((8 + 12 + 12 + 14))
module_loaded || insmod "$ZCPAIR_KO" || true

# zc_link NS1 DEV1 NS2 DEV2 [ip link add args]: a zcpair pair, DEV1 in NS1
# and DEV2 in NS2 ("" = the current netns). The peer is created beside
# DEV1 as zcpair%d, then moved and renamed.
zc_link() {
	local ns1=$1 dev1=$2 ns2=$3 dev2=$4 peer
	shift 4
	local in1=() in2=()
	[ -n "$ns1" ] && in1=(-n "$ns1")
	[ -n "$ns2" ] && in2=(netns "$ns2")
	ip "${in1[@]}" link add name "$dev1" "$@" type zcpair || return 1
	peer=$(ip "${in1[@]}" -o link show | awk -F': ' -v d="$dev1" \
		'$2 ~ ("^zcpair[0-9]+@" d "$") {sub(/@.*/, "", $2); print $2}')
	[ -n "$peer" ] || return 1
	ip "${in1[@]}" link set "$peer" "${in2[@]}" name "$dev2"
}

# run_bg OUT CMD...: CMD in the background under a timeout, output to OUT.
run_bg() {
	local out=$1
	shift
	timeout 60 "$@" >"$out" 2>&1 &
}

# case_result DESC RC OUTFILE...: the test point of one case; the outputs
# and the kernel log of the case are the diagnostics when it failed.
mark=0
case_result() {
	local desc=$1 rc=$2 f diag=()
	shift 2
	if [ "$rc" = 0 ]; then
		ktap_ok "$desc"
		return
	fi
	for f in "$@"; do
		diag+=("--- $(basename "$f") ---" "$(cat "$f")")
	done
	diag+=("--- kernel log of the case ---" "$(dmesg_since "$mark" | tail -n 40)")
	ktap_fail "$desc" "${diag[@]}"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ip -all netns del 2>/dev/null' EXIT

############################################################################
# msg_zerocopy.sh: MSG_ZEROCOPY sends over the pair, copy and zerocopy.
ZC1=kst-zc1 ZC2=kst-zc2
mz_setup() {
	local ns
	ip netns del $ZC1 2>/dev/null
	ip netns del $ZC2 2>/dev/null
	ip netns add $ZC1 && ip netns add $ZC2 || return 1
	for ns in $ZC1 $ZC2; do
		ip netns exec $ns sysctl -w -q net.core.optmem_max=1000000 || return 1
	done
	zc_link $ZC1 zc0 $ZC2 zc0 mtu 65535 || return 1
	ip -n $ZC2 link set zc0 mtu 65535 || return 1
	ip -n $ZC1 link set zc0 up && ip -n $ZC2 link set zc0 up || return 1
	ip -n $ZC1 link set dev zc0 address 02:02:02:02:02:02 || return 1
	ip -n $ZC2 link set dev zc0 address 06:06:06:06:06:06 || return 1
	ip -n $ZC1 addr add 192.168.1.1/24 dev zc0
	ip -n $ZC2 addr add 192.168.1.2/24 dev zc0
	ip -n $ZC1 addr add fd::1/64 dev zc0 nodad
	ip -n $ZC2 addr add fd::2/64 dev zc0 nodad
}

# mz_case IP MODE [-z]: msg_zerocopy.sh's do_test for `$0 IP MODE -t 1`.
mz_case() {
	local ipv=$1 mode=$2 z=${3:-} saddr daddr rc=0 rrc=0 txn rxn txc zc
	local desc="msg_zerocopy: ipv$ipv $mode${z:+ $z}"
	if [ "$ipv" = 4 ]; then saddr=192.168.1.1 daddr=192.168.1.2; else saddr=fd::1 daddr=fd::2; fi
	mark=$(dmesg_mark)
	: >"$tmp/rx" >"$tmp/tx"
	if ! mz_setup >"$tmp/setup" 2>&1; then
		case_result "$desc" 1 "$tmp/setup"
		return
	fi
	run_bg "$tmp/rx" ip netns exec $ZC2 "$ST/msg_zerocopy" -"$ipv" -i zc0 -t 2 -C 2 \
		-S $saddr -D $daddr $z -t 1 -t 2 -r "$mode"
	local rpid=$!
	wait_local_port_listen $ZC2 8000 "$mode"
	timeout 60 ip netns exec $ZC1 "$ST/msg_zerocopy" -"$ipv" -i zc0 -t 1 -C 3 \
		-S $saddr -D $daddr $z -t 1 "$mode" >"$tmp/tx" 2>&1 || rc=$?
	wait $rpid || rrc=$?
	# msg_zerocopy reports "tx=N (M MB) txc=N zc=y|n" and "rx=N (M MB)".
	txn=$(sed -n 's/^tx=\([0-9]*\) .*/\1/p' "$tmp/tx")
	txc=$(sed -n 's/.* txc=\([0-9]*\) .*/\1/p' "$tmp/tx")
	zc=$(sed -n 's/.* zc=\(.\)$/\1/p' "$tmp/tx")
	rxn=$(sed -n 's/^rx=\([0-9]*\) .*/\1/p' "$tmp/rx")
	{
		echo "sender exited $rc, receiver exited $rrc"
		[ "${txn:-0}" -gt 0 ] || echo "nothing sent"
		[ "${rxn:-0}" -gt 0 ] || echo "nothing received"
		grep -q 'missing notifications' "$tmp/tx" && echo "completions missing"
		if [ -n "$z" ]; then
			[ "${txc:-0}" -gt 0 ] || echo "no zerocopy completion"
			# zcpair copies MSG_ZEROCOPY pages at transmit and completes
			# them as copied (Documentation/design.md), as veth does.
			[ "$zc" = n ] || echo "completions not reported as copied (zc=$zc)"
		fi
	} >"$tmp/verdict"
	[ "$rc" = 0 ] && [ "$rrc" = 0 ] && [ "$(wc -l <"$tmp/verdict")" = 1 ] || rc=1
	echo "# $desc: $(tr '\n' ' ' <"$tmp/tx") / $(tr '\n' ' ' <"$tmp/rx")"
	case_result "$desc" $rc "$tmp/verdict" "$tmp/tx" "$tmp/rx"
}

for c in "4 tcp" "6 tcp" "4 udp" "6 udp"; do
	# shellcheck disable=SC2086
	mz_case $c
	# shellcheck disable=SC2086
	mz_case $c -z
done
ip netns del $ZC1 2>/dev/null
ip netns del $ZC2 2>/dev/null

############################################################################
# io_uring_zerocopy_tx.sh: io_uring send/send-zc (modes 1..3) over the pair,
# received by msg_zerocopy; the same set-up as msg_zerocopy.sh.
iou_case() {
	local ipv=$1 mode=$2 m=$3 n=$4 saddr daddr rc=0 rrc=0
	local desc="io_uring_zerocopy_tx: ipv$ipv $mode -m $m -n $n"
	if [ "$ipv" = 4 ]; then saddr=192.168.1.1 daddr=192.168.1.2; else saddr=fd::1 daddr=fd::2; fi
	mark=$(dmesg_mark)
	if ! mz_setup >"$tmp/setup" 2>&1; then
		case_result "$desc" 1 "$tmp/setup"
		return
	fi
	run_bg "$tmp/rx" ip netns exec $ZC2 "$ST/msg_zerocopy" -"$ipv" -t 2 -C 2 \
		-S $saddr -D $daddr -r "$mode"
	local rpid=$!
	wait_local_port_listen $ZC2 8000 "$mode"
	timeout 60 ip netns exec $ZC1 "$ST/io_uring_zerocopy_tx" -"$ipv" -t 1 -D $daddr \
		-m "$m" -t 1 -n "$n" "$mode" >"$tmp/tx" 2>&1 || rc=$?
	wait $rpid || rrc=$?
	echo "# $desc: $(tr '\n' ' ' <"$tmp/tx") / $(tr '\n' ' ' <"$tmp/rx")"
	if [ "$rc" = 0 ] && [ "$rrc" = 0 ] && grep -q '^rx=[1-9]' "$tmp/rx"; then
		case_result "$desc" 0
	else
		echo "sender exited $rc, receiver exited $rrc" >"$tmp/verdict"
		case_result "$desc" 1 "$tmp/verdict" "$tmp/tx" "$tmp/rx"
	fi
}

for ipv in 4 6; do
	for m in 1 2 3; do
		iou_case $ipv udp $m 32
		iou_case $ipv tcp $m 1
	done
done
ip netns del $ZC1 2>/dev/null
ip netns del $ZC2 2>/dev/null

############################################################################
# gro.sh with setup_veth.sh: crafted TCP frames sent by packet socket on
# "client" must be coalesced (or not) by GRO on "server" as gro.c expects.
GS=kst-server GC=kst-client
SERVER_MAC=aa:00:00:00:00:02 CLIENT_MAC=aa:00:00:00:00:01
gro_ns_dev() {	# setup_veth_ns for one end
	local ns=$1 dev=$2
	ip netns add "$ns" || return 1
	echo 1000000 >"/sys/class/net/$dev/gro_flush_timeout" || return 1
	ip link set dev "$dev" netns "$ns" mtu 65535 || return 1
	ip -n "$ns" link set dev "$dev" up || return 1
	ip netns exec "$ns" ethtool -K "$dev" gro on tso off
}
gro_setup() {
	gro_cleanup
	zc_link "" server "" client || return 1
	gro_ns_dev $GS server && gro_ns_dev $GC client
}
gro_cleanup() {
	ip netns del $GS 2>/dev/null
	ip netns del $GC 2>/dev/null
	ip link del server 2>/dev/null
	return 0
}

gro_case() {
	local proto=$1 t=$2 rc=1 rrc tries
	local desc="gro: $proto $t"
	local args=(--"$proto" --dmac $SERVER_MAC --smac $CLIENT_MAC --test "$t" --verbose)
	mark=$(dmesg_mark)
	if ! gro_setup >"$tmp/setup" 2>&1; then
		case_result "$desc" 1 "$tmp/setup"
		return
	fi
	: >"$tmp/rx" >"$tmp/tx"
	# As gro.sh: up to 3 tries, since frames may miss one GRO window.
	for tries in 1 2 3; do
		echo "--- try $tries" >>"$tmp/rx"
		echo "--- try $tries" >>"$tmp/tx"
		timeout 60 ip netns exec $GS "$ST/gro" "${args[@]}" --rx --iface server >>"$tmp/rx" 2>&1 &
		local rpid=$!
		# gro.sh sleeps 0.5 s for the receiver's socket; a packet socket
		# shows in /proc/net/packet once bound to the device.
		local i
		for i in $(seq 50); do
			ip netns exec $GS awk 'NR > 1 && $5 != 0 {f = 1} END {exit !f}' /proc/net/packet && break
			sleep 0.1
		done
		timeout 60 ip netns exec $GC "$ST/gro" "${args[@]}" --iface client >>"$tmp/tx" 2>&1
		rrc=0
		wait $rpid || rrc=$?
		if [ "$rrc" = 0 ]; then
			rc=0
			break
		fi
	done
	echo "# $desc: passed at try $tries of 3"
	gro_cleanup
	case_result "$desc" $rc "$tmp/rx" "$tmp/tx"
}

for proto in ipv4 ipv6; do
	for t in data ack flags tcp ip large; do
		gro_case $proto $t
	done
done

############################################################################
# udpgro.sh: UDP GSO sends (udpgso_bench_tx) received with and without
# UDP_GRO (udpgso_bench_rx), GRO on the receiving end.
UT=kst-udp UP=kst-udp-peer
udp_setup() {	# in_netns.sh + cfg_veth
	ip netns del $UT 2>/dev/null
	ip netns del $UP 2>/dev/null
	ip netns add $UT && ip netns add $UP || return 1
	ip -n $UT link set lo up && ip -n $UP link set lo up || return 1
	zc_link $UT zc0 $UP zc1 || return 1
	ip -n $UT link set dev zc0 up || return 1
	ip -n $UT addr add dev zc0 192.168.1.2/24
	ip -n $UT addr add dev zc0 2001:db8::2/64 nodad
	ip -n $UP addr add dev zc1 192.168.1.1/24
	ip -n $UP addr add dev zc1 2001:db8::1/64 nodad
	ip -n $UP link set dev zc1 up || return 1
	ip netns exec $UP ethtool -K zc1 gro on
}

# udp_case DESC TX_ARGS -- RX_ARGS [2sock]: udpgro.sh's run_one (or
# run_one_2sock); RX_ARGS include the `-G -r` that its run_test and
# run_2sock_test put in front of every case's receiver arguments.
udp_case() {
	local desc="udpgro: $1" tx=() rx=() two= rc=0 r
	shift
	while [ "$1" != -- ]; do tx+=("$1"); shift; done
	shift
	while [ $# -gt 0 ] && [ "$1" != 2sock ]; do rx+=("$1"); shift; done
	[ "${1:-}" = 2sock ] && two=1
	mark=$(dmesg_mark)
	if ! udp_setup >"$tmp/setup" 2>&1; then
		case_result "$desc" 1 "$tmp/setup"
		return
	fi
	: >"$tmp/rx2"
	local pids=()
	if [ -n "$two" ]; then
		run_bg "$tmp/rx2" ip netns exec $UP "$ST/udpgso_bench_rx" -C 1000 -R 100 "${rx[@]}" -p 12345
		pids+=($!)
		run_bg "$tmp/rx" ip netns exec $UP "$ST/udpgso_bench_rx" -C 2000 -R 100 "${rx[@]}"
		pids+=($!)
		wait_local_port_listen $UP 12345 udp
		timeout 60 ip netns exec $UT "$ST/udpgso_bench_tx" "${tx[@]}" -p 12345 >"$tmp/tx" 2>&1 || rc=$?
		wait_local_port_listen $UP 8000 udp
		timeout 60 ip netns exec $UT "$ST/udpgso_bench_tx" "${tx[@]}" >>"$tmp/tx" 2>&1 || rc=$?
	else
		run_bg "$tmp/rx" ip netns exec $UP "$ST/udpgso_bench_rx" -C 1000 -R 100 "${rx[@]}"
		pids+=($!)
		wait_local_port_listen $UP 8000 udp
		timeout 60 ip netns exec $UT "$ST/udpgso_bench_tx" "${tx[@]}" >"$tmp/tx" 2>&1 || rc=$?
	fi
	for p in "${pids[@]}"; do
		r=0
		wait "$p" || r=$?
		[ "$r" = 0 ] || rc=$r
	done
	case_result "$desc" $rc "$tmp/tx" "$tmp/rx" "$tmp/rx2"
}

v4="-l 4 -4 -D 192.168.1.1"
v6="-l 4 -6 -D 2001:db8::1"
# shellcheck disable=SC2086
{
udp_case "ipv4 no GRO" $v4 -M 10 -s 1400 -- -G -r -4 -n 10 -l 1400
udp_case "ipv4 no GRO chk cmsg" $v4 -M 10 -s 1400 -- -G -r -4 -n 10 -l 1400 -S -1
udp_case "ipv4 GRO" $v4 -M 1 -s 14720 -S 0 -- -G -r -4 -n 1 -l 14720
udp_case "ipv4 GRO chk cmsg" $v4 -M 1 -s 14720 -S 0 -- -G -r -4 -n 1 -l 14720 -S 1472
udp_case "ipv4 GRO with custom segment size" $v4 -M 1 -s 14720 -S 500 -- -G -r -4 -n 1 -l 14720
udp_case "ipv4 GRO with custom segment size cmsg" $v4 -M 1 -s 14720 -S 500 -- -G -r -4 -n 1 -l 14720 -S 500
udp_case "ipv4 multiple GRO socks" $v4 -M 1 -s 14720 -S 0 -- -G -r -4 -n 1 -l 14720 -S 1472 2sock
udp_case "ipv6 no GRO" $v6 -M 10 -s 1400 -- -G -r -n 10 -l 1400
udp_case "ipv6 no GRO chk cmsg" $v6 -M 10 -s 1400 -- -G -r -n 10 -l 1400 -S -1
udp_case "ipv6 GRO" $v6 -M 1 -s 14520 -S 0 -- -G -r -n 1 -l 14520
udp_case "ipv6 GRO chk cmsg" $v6 -M 1 -s 14520 -S 0 -- -G -r -n 1 -l 14520 -S 1452
udp_case "ipv6 GRO with custom segment size" $v6 -M 1 -s 14520 -S 500 -- -G -r -n 1 -l 14520
udp_case "ipv6 GRO with custom segment size cmsg" $v6 -M 1 -s 14520 -S 500 -- -G -r -n 1 -l 14520 -S 500
udp_case "ipv6 multiple GRO socks" $v6 -M 1 -s 14520 -S 0 -- -G -r -n 1 -l 14520 -S 1452 2sock
}
ip netns del $UT 2>/dev/null
ip netns del $UP 2>/dev/null

ktap_finish
