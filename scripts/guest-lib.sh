# shellcheck shell=bash
# What the guest side of tests, `make demo` and `make bench` share: the
# Python to run, a zcpair pair across two network namespaces, counters,
# and waiting without starting processes. Source it; do not run it.

ZCPAIR_ROOT=${ZCPAIR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZCPAIR_KO=${ZCPAIR_KO:-$ZCPAIR_ROOT/zcpair.ko}

# The kernel log's length, and its lines after such a mark: one `dmesg`,
# its lines counted and cut by bash (no wc, no tail).
dmesg_mark() {
	local lines
	mapfile -t lines < <(dmesg)
	echo ${#lines[@]}
}
dmesg_since() {
	local lines from=$(($1 + 0))
	mapfile -t lines < <(dmesg)
	[ ${#lines[@]} -le $from ] || printf '%s\n' "${lines[@]:from}"
	return 0
}

# (What `mountpoint -q` would say, read from /proc/mounts by bash.)
ensure_debugfs() {
	local mnt
	while read -r _ mnt _; do
		[ "$mnt" = /sys/kernel/debug ] && return 0
	done </proc/mounts
	mount -t debugfs none /sys/kernel/debug
}

# The one Python of tests and guest scripts: Debian's, isolated (it
# starts slowly in the guest: no .pyc on the read-only root; a `python3`
# found on PATH may be pyenv's shim, 80 s to start there).
PY="/usr/bin/python3 -I"

module_loaded() { [ -d /sys/module/zcpair ]; }

# A zcpair pair with one end in each of two fresh network namespaces:
# zc_a/zca (10.99.0.1, fd99::1) and zc_b/zcb (10.99.0.2, fd99::2), up.
# Extra arguments go to `ip link add` (e.g. nothing, or kind attributes
# iproute2 cannot pass).
NS_A=zc_a
NS_B=zc_b
pair_up() {
	module_loaded || insmod "$ZCPAIR_KO" || return 1
	# One `ip` per step that needs the previous one's answer: under TCG
	# with the debug kernel each `ip` started costs a second or more.
	# The namespaces new (a pair left in them goes with them), then
	# zca; ZCPAIR_QUEUES=N: N queues on both ends (the peer takes the
	# counts).
	ns_fresh_lines $NS_A $NS_B
	ip -batch - <<-EOF || return 1
		${NS_LINES}link add name zca ${ZCPAIR_QUEUES:+numtxqueues $ZCPAIR_QUEUES numrxqueues $ZCPAIR_QUEUES} netns $NS_A type zcpair
	EOF
	# Without peer attributes the peer is created beside zca, auto-named.
	zc_peer $NS_A zca || return 1
	pair_config "link set $ZC_PEER netns $NS_B name zcb"
}

# zc_peer NS DEV: into ZC_PEER, the peer of DEV, a pair made without peer
# attributes (iproute2 has none for zcpair), so the peer was created
# beside DEV in NS ("" = this netns) and named zcpairN. In NS it is the
# zcpairN@DEV of one `ip -o link show`, read by bash; in this netns, the
# zcpairN whose ifindex is DEV's iflink and whose iflink is DEV's
# ifindex, read from /sys/class/net (no process). False unless exactly
# one is found.
zc_peer() {
	local ns=$1 dev=$2 n=0 line name f idx iflink i l
	ZC_PEER=
	if [ -n "$ns" ]; then
		while IFS= read -r line; do
			# "N: NAME@LINK: <FLAGS> ...": what awk -F': ' calls $2.
			name=${line#*: }
			name=${name%%: *}
			[[ $name =~ ^(zcpair[0-9]+)@(.*)$ ]] || continue
			[ "${BASH_REMATCH[2]}" = "$dev" ] || continue
			ZC_PEER=${BASH_REMATCH[1]}
			n=$((n + 1))
		done < <(ip -n "$ns" -o link show)
	else
		read -r idx <"/sys/class/net/$dev/ifindex" || return 1
		read -r iflink <"/sys/class/net/$dev/iflink" || return 1
		for f in /sys/class/net/zcpair*; do
			[[ ${f##*/} =~ ^zcpair[0-9]+$ ]] || continue
			{ read -r i <"$f/ifindex" && read -r l <"$f/iflink"; } 2>/dev/null || continue
			[ "$i" = "$iflink" ] && [ "$l" = "$idx" ] || continue
			ZC_PEER=${f##*/}
			n=$((n + 1))
		done
	fi
	[ $n = 1 ]
}

# The same pair made by zcpairctl, each end created in its netns by one
# request; extra arguments are zcpairctl's (ring N, hdr-buf N, copybreak N).
pair_up_tool() {
	module_loaded || insmod "$ZCPAIR_KO" || return 1
	ns_fresh $NS_A $NS_B || return 1
	zcpairctl add zca netns $NS_A peer zcb peer-netns $NS_B "$@" || return 1
	pair_config
}

# Addresses on both ends, everything up: one `ip -batch` per netns. An
# argument is a first command for $NS_A's batch.
pair_config() {
	ip -n $NS_A -batch - <<-EOF || return 1
		${1:-}
		addr add 10.99.0.1/24 dev zca
		addr add fd99::1/64 dev zca nodad
		link set lo up
		link set zca up
	EOF
	ip -n $NS_B -batch - <<-EOF
		addr add 10.99.0.2/24 dev zcb
		addr add fd99::2/64 dev zcb nodad
		link set lo up
		link set zcb up
	EOF
}

# ns_fresh_lines NS...: into NS_LINES, the `ip -batch` lines that make the
# named network namespaces new: `netns del` of those that are there
# (/var/run/netns, as `ip netns list` reads it; one that is not would
# fail the batch), then `netns add` of each. ns_fresh NS...: runs them,
# one `ip`; false if one failed.
ns_fresh_lines() {
	local ns
	NS_LINES=
	for ns; do
		[ -e "/var/run/netns/$ns" ] && NS_LINES+="netns del $ns"$'\n'
	done
	for ns; do
		NS_LINES+="netns add $ns"$'\n'
	done
	return 0
}
ns_fresh() {
	ns_fresh_lines "$@"
	ip -batch - <<<"$NS_LINES"
}

# Both namespaces deleted, with the pair: one `ip`, which goes on (-force)
# past one that is not there.
pair_down() {
	ip -force -batch - 2>/dev/null <<-EOF
		netns del $NS_A
		netns del $NS_B
	EOF
	return 0
}

# ethtool_stat NS DEV NAME: one `ethtool -S` counter (read by bash).
ethtool_stat() {
	local k v
	while read -r k v _; do
		[ "$k" = "$3:" ] && echo "$v"
	done < <(ip netns exec "$1" ethtool -S "$2")
	return 0
}

# ethtool_stats NS DEV: every `ethtool -S` counter of DEV into the
# associative array ETS (ETS[tx_packets]), its output into
# ETS_TEXT: one `ethtool` for all the counters a test compares.
declare -gA ETS
ethtool_stats() {
	ETS=()
	ETS_TEXT=$(ip netns exec "$1" ethtool -S "$2") || return 1
	ets_parse
}

# ets_parse: ETS from an `ethtool -S` output in ETS_TEXT ("name: value"
# lines; others are skipped).
ets_parse() {
	local k v
	ETS=()
	while read -r k v; do
		[[ $k == *: ]] && ETS[${k%:}]=$v
	done <<<"$ETS_TEXT"
	return 0
}

# ethtool_rings NS DEV: DEV's current ring sizes, as `ethtool -g` shows
# them after its "Current" line, as "RX:N TX:N" (the output read by bash).
ethtool_rings() {
	local line cur='' k v sizes=()
	while IFS= read -r line; do
		[[ $line == Current* ]] && cur=1
		[ -n "$cur" ] && [[ $line =~ ^(RX|TX): ]] || continue
		read -r k v _ <<<"$line"
		sizes+=("$k$v")
	done < <(ip netns exec "$1" ethtool -g "$2")
	echo "${sizes[*]}"
}

# link_stat NS DEV FIELD: a /sys/class/net statistics counter.
link_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ns_cat NS FILE [NS FILE...]: each FILE as NS sees it (/sys there shows
# NS's devices), in that order, from one `ip`: `ip -batch` forks a `cat`
# into each NS, and stops at the first that fails (false then).
ns_cat() {
	local cmds=
	while [ $# -ge 2 ]; do
		cmds+="netns exec $1 cat $2"$'\n'
		shift 2
	done
	ip -batch - <<<"$cmds"
}

# zc_count [NS]: how many zcpair devices NS (or this netns) has: one `ip`,
# its lines counted by bash.
zc_count() {
	local n=0
	while IFS= read -r _; do
		n=$((n + 1))
	done < <(ip ${1:+-n "$1"} -o link show type zcpair)
	echo $n
}

# zcpair devices in every namespace (the link kind, one `ip` per netns;
# the named ones are /var/run/netns's entries, as `ip netns list` reads
# them).
zc_links() {
	local ns n=0
	for ns in "" /var/run/netns/*; do
		[ -z "$ns" ] || [ -e "$ns" ] || continue
		n=$((n + $(zc_count "${ns##*/}")))
	done
	echo $n
}

# nap SECONDS: sleep without starting a process (`read -t` on an idle
# pipe); starting one costs a second or more in the debug guest.
nap() {
	[ -n "${_nap_fd:-}" ] || exec {_nap_fd}<> <(:)
	read -r -t "$1" -u "$_nap_fd" || true
}

# wait_until SECONDS CMD...: until CMD (best a builtin or a function)
# succeeds, checked every 50 ms; false once SECONDS have passed.
wait_until() {
	local n=$(($1 * 20))
	shift
	until "$@"; do
		((n-- > 0)) || return 1
		nap 0.05
	done
}

# pktgen_run DEV_A DEV_B THREADS SECONDS [PKTGEN_SETTING]: THREADS pktgen
# threads (kpktgend_0..) send 64-byte frames on DEV_A (in zc_a) for
# SECONDS to 10.99.0.2 at a MAC nobody has (the receiving stack drops
# them as soon as it looks: the device pair, not a socket, is measured),
# with one more pktgen setting if given (e.g. "flag QUEUE_MAP_CPU").
# Prints "RECEIVED SENT": the kpps DEV_B (in zc_b) counted and the kpps
# pktgen sent.
pktgen_run() {
	local pg=/proc/net/pktgen extra=${5:+"'$5'"} r0 r1 t0 t1 t n sent=0
	ip netns exec $NS_A test -d $pg || return 1
	for t in $(seq 0 $(($3 - 1))); do
		ip netns exec $NS_A sh -c "
			echo rem_device_all >$pg/kpktgend_$t &&
			echo 'add_device $1@$t' >$pg/kpktgend_$t &&
			for c in 'count 0' 'clone_skb 0' 'pkt_size 60' 'delay 0' 'dst 10.99.0.2' \
				'dst_mac 02:00:5e:00:53:01' 'udp_dst_min 9' 'udp_dst_max 9' $extra; do
				echo \"\$c\" >$pg/$1@$t || exit 1
			done" || return 1
	done
	r0=$(ip netns exec $NS_B cat "/sys/class/net/$2/statistics/rx_packets")
	t0=$(date +%s.%N)
	ip netns exec $NS_A sh -c "echo start >$pg/pgctrl" &
	sleep "$4"
	ip netns exec $NS_A sh -c "echo stop >$pg/pgctrl"
	wait
	t1=$(date +%s.%N)
	r1=$(ip netns exec $NS_B cat "/sys/class/net/$2/statistics/rx_packets")
	for t in $(seq 0 $(($3 - 1))); do
		n=$(ip netns exec $NS_A sh -c "sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $pg/$1@$t; echo rem_device_all >$pg/kpktgend_$t")
		sent=$((sent + ${n:-0}))
	done
	awk -v a="$r0" -v b="$r1" -v s="$t0" -v e="$t1" -v n="$sent" \
		'BEGIN { printf "%.1f %.1f\n", (b - a) / (e - s) / 1000, n / (e - s) / 1000 }'
}

# sockperf_run SECONDS: "P50 P99" of a sockperf ping-pong of SECONDS
# (server at 10.99.0.2 in zc_b, client in zc_a), one-way latency in
# microseconds (half the round trip).
sockperf_run() {
	local srv out
	ip netns exec $NS_B timeout $(($1 + 20)) sockperf sr -i 10.99.0.2 -p 11111 >/dev/null 2>&1 &
	srv=$!
	sleep 1
	out=$(ip netns exec $NS_A timeout $(($1 + 15)) sockperf pp -i 10.99.0.2 -p 11111 -t "$1" 2>&1)
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	awk '/percentile 50.000 =/ { p50 = $NF } /percentile 99.000 =/ { p99 = $NF }
		END { if (p50 != "" && p99 != "") print p50, p99; else exit 1 }' <<<"$out"
}
