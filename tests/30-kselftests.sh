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
#  - one pair per script serves all its cases (the scripts make a fresh
#    veth pair per case), and the two zero-copy scripts share one;
#  - the scripts' `sleep 0.2`/`sleep 0.5` before starting a sender are
#    replaced by waiting (up to 20 s) for the receiver's socket; gro's
#    sender is started beforehand and released then;
#  - the msg_zerocopy receivers get `-t 3` for TCP, `-t 8` for UDP (the
#    scripts give them one second more than the sender, `-t 2`, which
#    msg_zerocopy.sh then overrides with its `-t 1`), and the senders of
#    both scripts are started first, held before main() by our
#    startgate.so (tests/lib/startgate.c) and released once the
#    receiver's socket is there, so that the receiver outlives the sender
#    (started after it, ungated, with `-t 8` every UDP sender on a
#    machine 3.5x slower than usual came after its receiver had given up,
#    and got ECONNREFUSED); udpgro.sh's receiver timeouts are 10x
#    longer, for the same reason;
#  - io_uring_zerocopy_tx.sh runs each of ipv4/ipv6 x udp/tcp in modes 1,
#    2 and 3; here only mode 3 (mixed: each send picks copy, zerocopy or
#    zerocopy from fixed buffers), which covers the other two;
#  - udpgro.sh's "bad GRO lookup" cases are left out: they need iptables
#    NAT, and the test kernel has no netfilter;
#  - gro.sh's frame trains must reach GRO within one NAPI poll (or in
#    polls within the same jiffy), which a guest this slow cannot do one
#    sendto() at a time: each end gets napi_defer_hard_irqs=1 and a
#    gro_flush_timeout of 500 ms instead of 1 ms, so the poll that takes
#    a train's first frame masks the sender's notifications and a timer
#    poll takes the rest, as a NIC with interrupt deferral does (veth in
#    the same guest fails the flags and large cases without it); and
#    both of gro.c's programs are started held before main() by our
#    startgate.so (tests/lib/startgate.c), the receiver released first
#    and the sender once the receiver's socket is bound, since its
#    receiver gives up 3 s after binding and starting a program here can
#    take longer (before, most cases failed all their tries on a slower
#    machine);
#  - udpgro.sh's "no GRO" cases assume each datagram reaches GRO in a
#    poll of its own; when the loaded guest runs the receiver's poll late
#    it finds several, which GRO rightly coalesces for a UDP_GRO socket,
#    so those two cases get up to 3 tries, as gro.sh gives its cases.
. "$(dirname "$0")/lib.sh"

ST=${ZCPAIR_SELFTESTS:-$("$ZCPAIR_ROOT/scripts/selftests.sh" dir 2>/dev/null)}
for p in msg_zerocopy io_uring_zerocopy_tx gro udpgso_bench_tx udpgso_bench_rx; do
	if [ ! -x "$ST/$p" ]; then
		ktap_plan 1
		ktap_fail "kernel selftest programs are built" \
			"missing $ST/$p (run scripts/selftests.sh on the host)"
		ktap_finish
	fi
done

# ZCPAIR_KST picks sections (zc gro udp) when one is being debugged.
sections=" ${ZCPAIR_KST:-zc gro udp} "
want() { [[ $sections == *" $1 "* ]]; }
plan=0
want zc && plan=$((plan + 8 + 4))
want gro && plan=$((plan + 12))
want udp && plan=$((plan + 14))
ktap_plan $plan

module_loaded || insmod "$ZCPAIR_KO" || true

tmp=$(mktemp -d)
# shellcheck disable=SC2064
trap "rm -rf '$tmp'; for n in kst-zc1 kst-zc2 kst-server kst-client kst-udp kst-udp-peer; do ip netns del \$n 2>/dev/null; done" EXIT

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

# wait_port NS udp|tcp PORT: until NS has a socket bound to (udp) or
# listening on (tcp) PORT, as net_helper.sh's wait_local_port_listen checks
# it, for up to 20 s. One process, and `read -t` on an idle pipe instead of
# sleep(1): the guest is slow to start processes.
wait_port() {
	ip netns exec "$1" bash -c '
		exec 9<> <(:)
		pat=$(printf ":%04X " "$2")
		[ "$1" = tcp ] && pat+="0A"
		for ((i = 0; i < 400; i++)); do
			for f in /proc/net/"$1" /proc/net/"$1"6; do
				while read -r _ l _ st _; do
					[[ "$l $st" == *"$pat"* ]] && exit 0
				done <"$f"
			done
			read -t 0.05 -u 9
		done
		exit 1' _ "$2" "$3"
}

# packet_bound PID: process PID has a packet socket bound to a device, as
# its netns's /proc/net/packet shows.
packet_bound() {
	local ifc
	while read -r _ _ _ _ ifc _; do
		[ "$ifc" != Iface ] && [ "$ifc" != 0 ] && return 0
	done <"/proc/$1/net/packet"
	return 1
}

# case_fail DESC FILE...: a failed case, with the files and the end of the
# kernel log as diagnostics.
case_fail() {
	local desc=$1 f l diag=()
	shift
	for f in "$@"; do
		diag+=("--- ${f##*/} ---")
		mapfile -t l <"$f"
		diag+=("${l[@]}")
	done
	mapfile -t l < <(dmesg | tail -n 20)
	ktap_fail "$desc" "${diag[@]}" "--- kernel log (tail) ---" "${l[@]}"
}

# case_end DESC FILE...: ok when $tmp/verdict is empty, else case_fail.
case_end() {
	if [ -s "$tmp/verdict" ]; then
		case_fail "$@"
	else
		ktap_ok "$1"
	fi
}

############################################################################
# msg_zerocopy.sh and io_uring_zerocopy_tx.sh: the same set-up, a pair zc0
# between two netns, MTU 65535, fixed MACs and addresses.
ZC1=kst-zc1 ZC2=kst-zc2
mz_setup() {
	local ns
	ip netns add $ZC1 && ip netns add $ZC2 || return 1
	for ns in $ZC1 $ZC2; do
		ip netns exec $ns sysctl -w -q net.core.optmem_max=1000000 || return 1
	done
	zc_link $ZC1 zc0 $ZC2 zc0 mtu 65535 || return 1
	ip -n $ZC2 link set zc0 mtu 65535 || return 1
	ip -n $ZC1 link set zc0 up && ip -n $ZC2 link set zc0 up || return 1
	ip -n $ZC1 link set dev zc0 address 02:02:02:02:02:02 || return 1
	ip -n $ZC2 link set dev zc0 address 06:06:06:06:06:06 || return 1
	ip -n $ZC1 addr add 192.168.1.1/24 dev zc0 &&
	ip -n $ZC2 addr add 192.168.1.2/24 dev zc0 &&
	ip -n $ZC1 addr add fd::1/64 dev zc0 nodad &&
	ip -n $ZC2 addr add fd::2/64 dev zc0 nodad
}
if want zc; then
mz_setup >"$tmp/setup-zc" 2>&1 || echo "set-up failed" >>"$tmp/setup-zc"

# zc_case KIND IP MODE ARGS...: KIND msg_zerocopy is msg_zerocopy.sh's
# do_test for `$0 IP MODE -t 1`, ARGS "" or "-z"; KIND io_uring is
# io_uring_zerocopy_tx.sh's for `$0 IP MODE -m M -t 1 -n N`, ARGS "M N".
zc_case() {
	local kind=$1 ipv=$2 mode=$3 saddr=192.168.1.1 daddr=192.168.1.2 desc rc=0
	shift 3
	[ "$ipv" = 6 ] && saddr=fd::1 daddr=fd::2
	: >"$tmp/verdict" >"$tmp/tx" >"$tmp/rx"
	# A TCP receiver's time runs from the accept, a UDP one's from its
	# start, before the sender's (slow) start.
	local z= rxargs rxt=3
	[ "$mode" = udp ] && rxt=8
	if [ "$kind" = msg_zerocopy ]; then
		z=${1:-}
		desc="msg_zerocopy: ipv$ipv $mode${z:+ $z}"
		set -- "$ST/msg_zerocopy" -"$ipv" -i zc0 -t 1 -C 3 -S $saddr -D $daddr $z -t 1 "$mode"
		rxargs=(-"$ipv" -i zc0 -t 2 -C 2 -S $saddr -D $daddr $z -t 1 -t $rxt -r "$mode")
	else
		desc="io_uring_zerocopy_tx: ipv$ipv $mode -m $1 -n $2"
		set -- "$ST/io_uring_zerocopy_tx" -"$ipv" -t 1 -D $daddr -m "$1" -t 1 -n "$2" "$mode"
		rxargs=(-"$ipv" -t 2 -C 2 -S $saddr -D $daddr -r "$mode" -t $rxt)
	fi
	if [ -s "$tmp/setup-zc" ]; then
		case_fail "$desc" "$tmp/setup-zc"
		return
	fi
	# The sender is started first, held by startgate.so once loaded, and
	# released once the receiver's socket is there: it then sends within
	# a scheduling delay, and a UDP receiver's 8 s are plenty.
	rm -f "$tmp/txgo" "$tmp/txgo.ready"
	mkfifo "$tmp/txgo"
	timeout 60 ip netns exec $ZC1 env ZCPAIR_GATE="$tmp/txgo" LD_PRELOAD="$ST/startgate.so" \
		"$@" >"$tmp/tx" 2>&1 &
	local spid=$!
	timeout 60 ip netns exec $ZC2 "$ST/msg_zerocopy" "${rxargs[@]}" >"$tmp/rx" 2>&1 &
	local rpid=$!
	wait_port $ZC2 "$mode" 8000 || echo "receiver not ready after 20 s" >>"$tmp/verdict"
	# Opening the FIFO for writing waits for the held sender; when it did
	# not start, read-write (<>) never waits.
	if wait_until 20 test -s "$tmp/txgo.ready"; then
		: >"$tmp/txgo"
	else
		echo "sender not started after 20 s" >>"$tmp/verdict"
		: <>"$tmp/txgo"
	fi
	wait $spid || rc=$?
	[ $rc = 0 ] || echo "sender exited $rc" >>"$tmp/verdict"
	rc=0
	wait $rpid || rc=$?
	[ $rc = 0 ] || echo "receiver exited $rc" >>"$tmp/verdict"
	local tx rx
	tx=$(<"$tmp/tx") rx=$(<"$tmp/rx")
	echo "# $desc: ${tx//$'\n'/ } / ${rx//$'\n'/ }"
	[[ $rx =~ rx=[1-9] ]] || echo "nothing received" >>"$tmp/verdict"
	if [ "$kind" = msg_zerocopy ]; then
		# "tx=N (M MB) txc=N zc=y|n"; msg_zerocopy only prints it when
		# notifications are missing.
		[[ $tx =~ tx=[1-9] ]] || echo "nothing sent" >>"$tmp/verdict"
		[[ $tx == *"missing notifications"* ]] && echo "notifications missing" >>"$tmp/verdict"
		if [ -n "$z" ]; then
			[[ $tx =~ txc=[1-9] ]] || echo "no zerocopy notification" >>"$tmp/verdict"
			# The receiving end must not keep the sender's user pages
			# once the sender is notified: zcpair hands the frame's
			# zero-copy state to the peer's skb, and the receiving
			# stack copies before local delivery and reports it, as
			# for veth (Documentation/design.md): zc=n.
			[[ $tx == *"zc=n"* ]] ||
				echo "notified as zero-copy (zc=y): the peer kept the user pages" >>"$tmp/verdict"
		fi
	fi
	case_end "$desc" "$tmp/verdict" "$tmp/tx" "$tmp/rx"
}

for c in "4 tcp" "6 tcp" "4 udp" "6 udp"; do
	# shellcheck disable=SC2086
	zc_case msg_zerocopy $c
	# shellcheck disable=SC2086
	zc_case msg_zerocopy $c -z
done
for c in "4 udp 3 32" "4 tcp 3 1" "6 udp 3 32" "6 tcp 3 1"; do
	# shellcheck disable=SC2086
	zc_case io_uring $c
done
ip netns del $ZC1 2>/dev/null
ip netns del $ZC2 2>/dev/null
fi

############################################################################
# gro.sh with setup_veth.sh: frames crafted by gro.c are sent by packet
# socket on "client" and must be coalesced (or not) by GRO on "server".
GS=kst-server GC=kst-client
SERVER_MAC=aa:00:00:00:00:02 CLIENT_MAC=aa:00:00:00:00:01
gro_ns_dev() {	# setup_veth_ns
	local ns=$1 dev=$2
	ip netns add "$ns" || return 1
	# setup_veth.sh writes 1000000 (1 ms); see the top of this file.
	echo 500000000 >"/sys/class/net/$dev/gro_flush_timeout" || return 1
	echo 1 >"/sys/class/net/$dev/napi_defer_hard_irqs" || return 1
	ip link set dev "$dev" netns "$ns" mtu 65535 || return 1
	ip -n "$ns" link set dev "$dev" up || return 1
	ip netns exec "$ns" ethtool -K "$dev" gro on tso off
}
gro_setup() {	# setup_ns
	zc_link "" server "" client || return 1
	gro_ns_dev $GS server && gro_ns_dev $GC client
}
if want gro; then
gro_setup >"$tmp/setup-gro" 2>&1 || echo "set-up failed" >>"$tmp/setup-gro"

gro_case() {
	local proto=$1 t=$2 rrc tries l
	local desc="gro: $proto $t"
	local args=(--"$proto" --dmac $SERVER_MAC --smac $CLIENT_MAC --test "$t" --verbose)
	if [ -s "$tmp/setup-gro" ]; then
		case_fail "$desc" "$tmp/setup-gro"
		return
	fi
	: >"$tmp/rx" >"$tmp/tx"
	# gro.sh gives each case 3 tries, since frames may miss one GRO
	# window.
	for tries in 1 2 3; do
		echo "--- try $tries" | tee -a "$tmp/tx" >>"$tmp/rx"
		# gro.c's receiver gives up 3 s after its socket is bound, and
		# starting a program can take longer than that here: both are
		# started held by startgate.so once loaded (before main()); the
		# receiver is released, and the sender once the receiver's
		# socket is bound.
		rm -f "$tmp"/txgo "$tmp"/rxgo "$tmp"/txgo.ready "$tmp"/rxgo.ready
		mkfifo "$tmp/txgo" "$tmp/rxgo"
		timeout 60 ip netns exec $GC env ZCPAIR_GATE="$tmp/txgo" LD_PRELOAD="$ST/startgate.so" \
			"$ST/gro" "${args[@]}" --iface client >>"$tmp/tx" 2>&1 &
		local tpid=$!
		timeout 60 ip netns exec $GS env ZCPAIR_GATE="$tmp/rxgo" LD_PRELOAD="$ST/startgate.so" \
			"$ST/gro" "${args[@]}" --rx --iface server >>"$tmp/rx" 2>&1 &
		local rpid=$!
		# A program held on a FIFO writes FIFO.ready, then opens the FIFO
		# for reading; opening it for writing (>) waits for that open, so
		# the release cannot come before the program is there. When a
		# program did not start, the FIFO is opened read-write (<>),
		# which never waits.
		if wait_until 20 test -s "$tmp/txgo.ready" &&
			wait_until 20 test -s "$tmp/rxgo.ready"; then
			: >"$tmp/rxgo"
			wait_until 20 packet_bound "$(<"$tmp/rxgo.ready")" ||
				echo "receiver not bound after 20 s" >>"$tmp/rx"
			: >"$tmp/txgo"
		else
			echo "sender or receiver not started after 20 s" >>"$tmp/rx"
			: <>"$tmp/rxgo"
			: <>"$tmp/txgo"
		fi
		wait $tpid
		rrc=0
		wait $rpid || rrc=$?
		[ $rrc = 0 ] && break
		# Why this try failed, for a case that passes on the next.
		mapfile -t l <"$tmp/rx"
		echo "# $desc: try $tries: ${l[*]: -2}"
	done
	if [ $rrc = 0 ]; then
		ktap_ok "$desc (try $tries of 3)"
	else
		case_fail "$desc" "$tmp/rx" "$tmp/tx"
	fi
}

for proto in ipv4 ipv6; do
	for t in data ack flags tcp ip large; do
		gro_case $proto $t
	done
done
ip netns del $GS 2>/dev/null
ip netns del $GC 2>/dev/null
fi

############################################################################
# udpgro.sh: UDP GSO sends (udpgso_bench_tx) received with UDP_GRO
# (udpgso_bench_rx -G), GRO on on the receiving end. The receivers'
# timeouts (-C, -R) are 10x udpgro.sh's: a slow guest must not end them
# before the sender starts, nor between two of its datagrams.
UT=kst-udp UP=kst-udp-peer
udp_setup() {	# in_netns.sh + cfg_veth
	ip netns add $UT && ip netns add $UP || return 1
	ip -n $UT link set lo up && ip -n $UP link set lo up || return 1
	zc_link $UT zc0 $UP zc1 || return 1
	ip -n $UT link set dev zc0 up || return 1
	ip -n $UT addr add dev zc0 192.168.1.2/24 &&
	ip -n $UT addr add dev zc0 2001:db8::2/64 nodad &&
	ip -n $UP addr add dev zc1 192.168.1.1/24 &&
	ip -n $UP addr add dev zc1 2001:db8::1/64 nodad || return 1
	ip -n $UP link set dev zc1 up || return 1
	ip netns exec $UP ethtool -K zc1 gro on
}
if want udp; then
udp_setup >"$tmp/setup-udp" 2>&1 || echo "set-up failed" >>"$tmp/setup-udp"

# udp_case DESC TX_ARGS -- RX_ARGS [2sock]: udpgro.sh's run_one (or
# run_one_2sock); RX_ARGS include the `-G -r` that its run_test and
# run_2sock_test put in front of every case's receiver arguments.
udp_case() {
	local desc="udpgro: $1" tries=1 try
	shift
	if [ -s "$tmp/setup-udp" ]; then
		case_fail "$desc" "$tmp/setup-udp"
		return
	fi
	# The "no GRO" cases: up to 3 tries (see the top of this file).
	[[ $desc == *"no GRO"* ]] && tries=3
	for ((try = 1; try <= tries; try++)); do
		udp_try "$@"
		[ -s "$tmp/verdict" ] || break
	done
	[ $tries = 1 ] || desc+=" (try $((try > tries ? tries : try)) of $tries)"
	case_end "$desc" "$tmp/verdict" "$tmp/tx" "$tmp/rx" "$tmp/rx2"
}

# udp_try TX_ARGS -- RX_ARGS [2sock]: one run; the verdict in $tmp/verdict.
udp_try() {
	local tx=() rx=() two= rc p
	while [ "$1" != -- ]; do tx+=("$1"); shift; done
	shift
	while [ $# -gt 0 ] && [ "$1" != 2sock ]; do rx+=("$1"); shift; done
	[ "${1:-}" = 2sock ] && two=1
	: >"$tmp/verdict" >"$tmp/tx" >"$tmp/rx" >"$tmp/rx2"
	local pids=()
	if [ -n "$two" ]; then
		timeout 60 ip netns exec $UP "$ST/udpgso_bench_rx" -C 10000 -R 1000 "${rx[@]}" -p 12345 >"$tmp/rx2" 2>&1 &
		pids+=($!)
		timeout 60 ip netns exec $UP "$ST/udpgso_bench_rx" -C 20000 -R 1000 "${rx[@]}" >"$tmp/rx" 2>&1 &
		pids+=($!)
		wait_port $UP udp 12345 || echo "receiver not ready after 20 s" >>"$tmp/verdict"
		rc=0
		timeout 60 ip netns exec $UT "$ST/udpgso_bench_tx" "${tx[@]}" -p 12345 >"$tmp/tx" 2>&1 || rc=$?
		[ $rc = 0 ] || echo "sender to port 12345 exited $rc" >>"$tmp/verdict"
	else
		timeout 60 ip netns exec $UP "$ST/udpgso_bench_rx" -C 10000 -R 1000 "${rx[@]}" >"$tmp/rx" 2>&1 &
		pids+=($!)
	fi
	wait_port $UP udp 8000 || echo "receiver not ready after 20 s" >>"$tmp/verdict"
	rc=0
	timeout 60 ip netns exec $UT "$ST/udpgso_bench_tx" "${tx[@]}" >>"$tmp/tx" 2>&1 || rc=$?
	[ $rc = 0 ] || echo "sender exited $rc" >>"$tmp/verdict"
	for p in "${pids[@]}"; do
		rc=0
		wait "$p" || rc=$?
		[ $rc = 0 ] || echo "receiver exited $rc" >>"$tmp/verdict"
	done
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
fi

ktap_finish
