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
# with the debug kernel every process start costs a second or so). For
# the same reason each set-up is a few `ip -batch` runs (in this netns,
# and `ip -n NS` for an end's settings in NS), which also fork the
# `sysctl`/`ethtool` runs into their netns (`netns exec` lines).
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
#  - each zero-copy case has a port of its own (-p 8000, 8001, ...): a
#    UDP receiver idles out its -t 8 after its sender is done, and the
#    next cases run meanwhile (its point still comes first);
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
#    machine); when the receiver gave up, the try's sender is stopped
#    (the rest of its trains, a second apart, would reach no one);
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
trap "rm -rf '$tmp'; printf 'netns del %s\n' kst-zc1 kst-zc2 kst-server kst-client kst-udp kst-udp-peer | ip -force -batch - 2>/dev/null" EXIT

# Each pair is made without peer attributes (iproute2 has none for
# zcpair): the peer is created beside the named end as zcpairN, found by
# zc_peer (scripts/guest-lib.sh), then moved and renamed. A set-up's
# batches stop at the first command that fails (its line and error in
# the set-up's output), and so does the set-up.

############################################################################
# msg_zerocopy.sh and io_uring_zerocopy_tx.sh: the same set-up, a pair zc0
# between two netns, MTU 65535, fixed MACs and addresses.
ZC1=kst-zc1 ZC2=kst-zc2
mz_setup() {
	ip -batch - <<-EOF || return 1
		netns add $ZC1
		netns add $ZC2
		netns exec $ZC1 sysctl -w -q net.core.optmem_max=1000000
		netns exec $ZC2 sysctl -w -q net.core.optmem_max=1000000
		link add name zc0 netns $ZC1 mtu 65535 type zcpair
	EOF
	zc_peer $ZC1 zc0 || return 1
	ip -n $ZC1 -batch - <<-EOF || return 1
		link set $ZC_PEER netns $ZC2 name zc0
		link set zc0 up
		link set dev zc0 address 02:02:02:02:02:02
		addr add 192.168.1.1/24 dev zc0
		addr add fd::1/64 dev zc0 nodad
	EOF
	ip -n $ZC2 -batch - <<-EOF
		link set zc0 mtu 65535
		link set zc0 up
		link set dev zc0 address 06:06:06:06:06:06
		addr add 192.168.1.2/24 dev zc0
		addr add fd::2/64 dev zc0 nodad
	EOF
}
want zc && { mz_setup >"$tmp/setup-zc" 2>&1 || echo "set-up failed" >>"$tmp/setup-zc"; }

############################################################################
# gro.sh with setup_veth.sh: frames crafted by gro.c are sent by packet
# socket on "client" and must be coalesced (or not) by GRO on "server".
# The pair is made here, where /sys/class/net shows it (and its peer,
# zcpairN until renamed client), and each end is moved into its netns,
# up: the kernel sets the flags of a `link set` last, after the move.
GS=kst-server GC=kst-client
gro_setup() {	# setup_ns, setup_veth_ns for each end
	local dev
	ip -batch - <<-EOF || return 1
		netns add $GS
		netns add $GC
		link add name server type zcpair
	EOF
	zc_peer "" server || return 1
	for dev in server "$ZC_PEER"; do
		# setup_veth.sh writes 1000000 (1 ms); see the top of this file.
		echo 500000000 >"/sys/class/net/$dev/gro_flush_timeout" || return 1
		echo 1 >"/sys/class/net/$dev/napi_defer_hard_irqs" || return 1
	done
	ip -batch - <<-EOF
		link set dev $ZC_PEER name client
		link set dev server netns $GS mtu 65535 up
		netns exec $GS ethtool -K server gro on tso off
		link set dev client netns $GC mtu 65535 up
		netns exec $GC ethtool -K client gro on tso off
	EOF
}
want gro && { gro_setup >"$tmp/setup-gro" 2>&1 || echo "set-up failed" >>"$tmp/setup-gro"; }

############################################################################
# udpgro.sh: UDP GSO sends (udpgso_bench_tx) received with UDP_GRO
# (udpgso_bench_rx -G), GRO on on the receiving end. The receivers'
# timeouts (-C, -R) are 10x udpgro.sh's: a slow guest must not end them
# before the sender starts, nor between two of its datagrams.
UT=kst-udp UP=kst-udp-peer
udp_setup() {	# in_netns.sh + cfg_veth
	ip -batch - <<-EOF || return 1
		netns add $UT
		netns add $UP
		link add name zc0 netns $UT type zcpair
	EOF
	zc_peer $UT zc0 || return 1
	ip -n $UT -batch - <<-EOF || return 1
		link set lo up
		link set $ZC_PEER netns $UP name zc1
		link set dev zc0 up
		addr add dev zc0 192.168.1.2/24
		addr add dev zc0 2001:db8::2/64 nodad
	EOF
	ip -n $UP -batch - <<-EOF
		link set lo up
		addr add dev zc1 192.168.1.1/24
		addr add dev zc1 2001:db8::1/64 nodad
		link set dev zc1 up
		netns exec $UP ethtool -K zc1 gro on
	EOF
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
