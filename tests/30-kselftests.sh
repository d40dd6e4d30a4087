#!/bin/bash
# The kernel's own net selftests that run over a veth pair, run over a
# zcpair pair instead: msg_zerocopy.sh, io_uring_zerocopy_tx.sh, gro.sh
# and udpgro.sh of tools/testing/selftests/net in the kernel source.
#
# Their programs are built from the kernel source by scripts/selftests.sh.
# Their scripts hardcode `type veth`, so each one's set-up (namespaces,
# addresses, MTU, MACs, sysctls, ethtool and sysfs settings) is reproduced
# here for zcpair, and the programs are run with the scripts' arguments,
# one test point per case. The set-up is done here; the cases run from
# one process (tests/kselftests.py), which starts each program straight
# into its netns (no `timeout`/`ip netns exec`/`env` around it: under TCG
# with the debug kernel every process start costs a second or so).
# Deviations from the scripts, all for a guest that runs ~10x slower
# under TCG:
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
want zc && { mz_setup >"$tmp/setup-zc" 2>&1 || echo "set-up failed" >>"$tmp/setup-zc"; }

############################################################################
# gro.sh with setup_veth.sh: frames crafted by gro.c are sent by packet
# socket on "client" and must be coalesced (or not) by GRO on "server".
GS=kst-server GC=kst-client
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
want gro && { gro_setup >"$tmp/setup-gro" 2>&1 || echo "set-up failed" >>"$tmp/setup-gro"; }

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
want udp && { udp_setup >"$tmp/setup-udp" 2>&1 || echo "set-up failed" >>"$tmp/setup-udp"; }

############################################################################
# The cases, from one process (tests/kselftests.py), streamed as points.
list=
for s in zc gro udp; do want $s && list+=" $s"; done
# shellcheck disable=SC2086
ktap_forward kselftests.py $plan "(see its last line)" < <(
	$PY "$ZCPAIR_ROOT/tests/kselftests.py" "$ST" "$tmp" $list 2>&1
	echo "kselftests.py exited $?")

ktap_finish
