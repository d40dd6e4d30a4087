#!/usr/bin/env bash
# The guest side of `make bench`: for zcpair, veth and netkit in turn, a
# pair with one end in each of two network namespaces (zc_a 10.99.0.1,
# zc_b 10.99.0.2, as scripts/guest-lib.sh), then three iperf3 runs, receiver in
# zc_b: TCP stream, 64-byte UDP, 65000-byte UDP. The three pair types are
# measured back to back in each round; the table has the median of the
# rounds; a ratio is the median of the rounds' ratios (two runs of the
# same round, well under a minute apart). Prints zcpair's `ethtool -S zca` of the first round
# after TCP and after all three runs.
#   ZCPAIR_BENCH_TIME=3     seconds per iperf3 run
#   ZCPAIR_BENCH_ROUNDS=3   rounds
#   ZCPAIR_BENCH_KINDS="zcpair zcpair-mq veth netkit"
#   ZCPAIR_BENCH_SECTIONS="drv pairs md lan"   the kernel's ping.py against
#                           zcpair first, then pair types, multi-destination,
#                           LAN of 4
# zcpair-mq is zcpair with one queue per vCPU (numtxqueues = nproc).
# zcpair-defer is zcpair with the kernel's IRQ deferral on both ends
# (sysfs gro_flush_timeout ZCPAIR_BENCH_DEFER_NS, default 20000, and
# napi_defer_hard_irqs ZCPAIR_BENCH_DEFER_N, default 2): a poll that did
# work arms a timer instead of unmasking the peer's notifications.
# zcpair-steer is zcpair with receive steering on both ends (steer-pps
# ZCPAIR_BENCH_STEER_PPS, default 16000): a CPU sending faster than that
# has the peer's poll run on the other vCPU.
# zcpair-threaded is zcpair with threaded NAPI on both ends (sysfs
# `threaded` 1): each poll runs in a kernel thread of its own, which the
# scheduler may put on the other vCPU than the sender.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCPAIR_ROOT/scripts/guest-lib.sh"

secs=${ZCPAIR_BENCH_TIME:-3}
rounds=${ZCPAIR_BENCH_ROUNDS:-3}
read -r -a kinds <<<"${ZCPAIR_BENCH_KINDS:-zcpair zcpair-mq veth netkit}"
sections=" ${ZCPAIR_BENCH_SECTIONS:-drv pairs md lan} "
defer_ns=${ZCPAIR_BENCH_DEFER_NS:-20000}
defer_n=${ZCPAIR_BENCH_DEFER_N:-2}
steer_pps=${ZCPAIR_BENCH_STEER_PPS:-16000}
case $sections in *" pairs "*) ;; *) kinds=() ;; esac
res=$(mktemp -d)
broken=" "	# pair types that misbehaved: not measured any further
trap 'pair_down || true; rm -rf "$res"' EXIT
# Only netkit.py uses Python ($PY, scripts/guest-lib.sh); jq reads
# iperf3's JSON.

# addr_up DEV_A DEV_B: the addresses and links of guest-lib.sh's pair_up.
addr_up() {
	ip -n $NS_A addr add 10.99.0.1/24 dev "$1" &&
	ip -n $NS_B addr add 10.99.0.2/24 dev "$2" &&
	ip -n $NS_A addr add fd99::1/64 dev "$1" nodad &&
	ip -n $NS_B addr add fd99::2/64 dev "$2" nodad &&
	ip -n $NS_A link set lo up &&
	ip -n $NS_B link set lo up &&
	ip -n $NS_A link set "$1" up &&
	ip -n $NS_B link set "$2" up
}

# kind_up KIND: the pair, its ends in zc_a and zc_b; prints "DEV_A DEV_B".
# Called where errexit does not apply, hence the && chains.
kind_up() {
	pair_down || true
	case $1 in
	zcpair)
		pair_up >&2 || return 1
		echo "zca zcb" ;;
	zcpair-mq)
		ZCPAIR_QUEUES=$(nproc) pair_up >&2 || return 1
		echo "zca zcb" ;;
	zcpair-steer)
		pair_up >&2 || return 1
		zcpairctl -n $NS_A set zca steer-pps $steer_pps &&
		zcpairctl -n $NS_B set zcb steer-pps $steer_pps &&
		echo "zca zcb" ;;
	zcpair-threaded)
		pair_up >&2 || return 1
		ip netns exec $NS_A sh -c "echo 1 >/sys/class/net/zca/threaded" &&
		ip netns exec $NS_B sh -c "echo 1 >/sys/class/net/zcb/threaded" &&
		echo "zca zcb" ;;
	zcpair-defer)
		pair_up >&2 || return 1
		ip netns exec $NS_A sh -c "echo $defer_ns >/sys/class/net/zca/gro_flush_timeout &&
			echo $defer_n >/sys/class/net/zca/napi_defer_hard_irqs" &&
		ip netns exec $NS_B sh -c "echo $defer_ns >/sys/class/net/zcb/gro_flush_timeout &&
			echo $defer_n >/sys/class/net/zcb/napi_defer_hard_irqs" &&
		echo "zca zcb" ;;
	veth)
		ip netns add $NS_A && ip netns add $NS_B &&
		ip link add vea netns $NS_A type veth peer name veb netns $NS_B &&
		addr_up vea veb &&
		echo "vea veb" ;;
	netkit)
		# iproute2 6.1 has no `type netkit`: see scripts/netkit.py.
		ip netns add $NS_A && ip netns add $NS_B &&
		$PY -S "$ZCPAIR_ROOT/scripts/netkit.py" nka nkb l2 &&
		ip link set nka netns $NS_A &&
		ip link set nkb netns $NS_B &&
		addr_up nka nkb &&
		echo "nka nkb" ;;
	*) echo "unknown pair type $1" >&2; return 1 ;;
	esac
}

# run_iperf FILE ARGS...: iperf3 server in zc_b writing its JSON to FILE,
# client in zc_a with ARGS; fails if the client fails or hangs.
run_iperf() {
	local json=$1 srv rc=0 i
	shift
	ip netns exec $NS_B timeout $((secs + 40)) iperf3 -s -1 -J >"$json" 2>&1 &
	srv=$!
	for i in $(seq 50); do
		[ -n "$(ip netns exec $NS_B ss -Hltn 'sport = :5201')" ] && break
		sleep 0.1
	done
	ip netns exec $NS_A timeout $((secs + 30)) \
		iperf3 -c 10.99.0.2 -t "$secs" "$@" >"$json.client" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		echo "    iperf3 -c 10.99.0.2 -t $secs $* exited $rc:"
		sed 's/^/    | /' "$json.client" | tail -n 5
		kill "$srv" 2>/dev/null || true
	fi
	wait "$srv" || true
	return $rc
}

# measure FILE BENCH: "VALUE LOSS" of one run from the iperf3 server's JSON,
# the receiver's view: Gbit/s (tcp, udp64k) or kpps (udp64); LOSS is the
# UDP loss in percent, - for TCP.
measure() {
	jq -r --arg b "$2" '.end.sum_received | select(.seconds > 0) |
		if $b == "udp64" then "\(.bytes / 64 / .seconds / 1000) \(.lost_percent)"
		elif $b == "udp64k" then "\(.bits_per_second / 1e9) \(.lost_percent)"
		else "\(.bits_per_second / 1e9) -" end' "$1" 2>/dev/null
}

# zc_counters DEV: DEV's tx_packets, tx_notifications,
# tx_notifications_steered and tx_completion_passes (ethtool -S, in zc_a).
zc_counters() {
	ip netns exec $NS_A ethtool -S "$1" | awk -F: '
		{ gsub(/ /, "", $1); v[$1] = $2 + 0 }
		END { print v["tx_packets"], v["tx_notifications"], v["tx_notifications_steered"], v["tx_completion_passes"] }'
}

# counters_delta BEFORE AFTER: the pktgen run's share of zc_counters.
counters_delta() {
	local p0 n0 s0 c0 p1 n1 s1 c1
	read -r p0 n0 s0 c0 <<<"$1"
	read -r p1 n1 s1 c1 <<<"$2"
	echo "    pktgen  zca: +$((p1 - p0)) frames, +$((n1 - n0)) notifications, +$((s1 - s0)) of them" \
		"steered to the other vCPU, +$((c1 - c0)) completion passes" \
		"($(( (p1 - p0) / ((s1 - s0) + ((s1 == s0) ? 1 : 0)) )) frames per steered notification)"
}

# run_pktgen DEV_A DEV_B THREADS: kpps that DEV_B received of ${secs}s of
# 64-byte frames from THREADS pktgen threads on DEV_A (guest-lib.sh's
# pktgen_run), each on the transmit queue of its CPU where the device
# has one; false if none arrived.
run_pktgen() {
	local m
	m=$(pktgen_run "$1" "$2" "$3" "$secs" "flag QUEUE_MAP_CPU") || return 1
	awk -v r="${m%% *}" 'BEGIN { if (r > 0) print r; else exit 1 }'
}

# median: the median of the numbers on stdin, nothing if there are none.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cell KIND BENCH COLUMN: the median of column 4 (value) or 5 (loss).
cell() {
	awk -v k="$1" -v b="$2" -v c="$3" '$1 == k && $2 == b && $c != "-" { print $c }' \
		"$res/results" | median
}

# num BENCH VALUE: VALUE as the table shows it (n/a when empty).
num() {
	if [ -z "$2" ]; then echo n/a
	elif [ "$1" = udp64 ] || [ "$1" = pktgen ] || [ "$1" = pktgen2 ] || [ "$1" = rr50 ] || [ "$1" = rr99 ]; then
		printf '%.1f' "$2"
	else printf '%.3f' "$2"; fi
}

echo "== kernel $(uname -r), $(nproc) vCPUs, module $(modinfo -F version "$ZCPAIR_KO")"

# The kernel's own driver test drivers/net/ping.py (ICMP v4/v6 and TCP
# through socat) against a zcpair end: NETIF=zca in zc_a, the peer's
# netns zc_b as the remote. make check's debug boot cannot run it (its
# 5-second wait for the remote listener runs out under KASAN and it then
# waits forever: Documentation/testing.md), so the normal kernel's boot
# runs it here, once, under a timeout.
if [[ $sections == *" drv "* ]]; then
	drv=$ZCPAIR_KSRC/tools/testing/selftests/drivers/net
	if pair_up >/dev/null 2>&1; then
		out=$(cd "$drv" && timeout 180 ip netns exec $NS_A env NETIF=zca \
			LOCAL_V4=10.99.0.1 REMOTE_V4=10.99.0.2 LOCAL_V6=fd99::1 REMOTE_V6=fd99::2 \
			REMOTE_TYPE=netns REMOTE_ARGS=$NS_B python3 ping.py 2>&1) && rc=0 || rc=$?
		echo "== drivers/net/ping.py against zca (exit $rc):"
		grep -E '^(ok|not ok) |^# Totals' <<<"$out" | sed 's/^/   /'
		pair_down
	else
		echo "== drivers/net/ping.py: pair_up failed"
	fi
fi
echo "== guest load before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $rounds round(s) of ${secs}s runs: ${kinds[*]}"
mark=$(dmesg_mark)
for round in $(seq "$rounds"); do
	for kind in "${kinds[@]}"; do
		case $broken in *" $kind "*) continue ;; esac
		echo "-- round $round, $kind"
		if ! devs=$(kind_up "$kind" 2>"$res/up.err") || [ -z "$devs" ]; then
			echo "    creating the $kind pair failed:"
			sed 's/^/    | /' "$res/up.err"
			broken+="$kind "
			continue
		fi
		read -r dev_a _dev_b <<<"$devs"
		if ! ip netns exec $NS_A ping -q -c 2 -i 0.2 -W 3 10.99.0.2 >/dev/null; then
			echo "    ping 10.99.0.1 -> 10.99.0.2 over $kind failed: not measured"
			broken+="$kind "
			continue
		fi
		for bench in tcp tcp4 udp64 udp64k; do
			case $bench in
			tcp) args=() ;;
			tcp4) args=(-P 4) ;;
			udp64) args=(-u -l 64 -b 0) ;;
			udp64k) args=(-u -l 65000 -b 0) ;;
			esac
			f=$res/$kind.$bench.$round.json
			if ! run_iperf "$f" "${args[@]}"; then
				rm -f "$f"
				echo "    $kind $bench failed: $kind not measured any further"
				broken+="$kind "
				break
			fi
			if ! m=$(measure "$f" "$bench") || [ -z "$m" ]; then
				echo "    $bench: no result in iperf3's JSON:"
				sed 's/^/    | /' "$f" | tail -n 5
				continue
			fi
			echo "$kind $bench $round $m" >>"$res/results"
			read -r value loss <<<"$m"
			printf '    %-7s %s %s%s\n' "$bench" "$(num "$bench" "$value")" \
				"$( [ "$bench" = udp64 ] && echo kpps || echo Gbit/s)" \
				"$( [ "$loss" = - ] || printf ', loss %.1f%%' "$loss")"
			if [ "$kind" = zcpair ] && [ "$round" = 1 ]; then
				ip netns exec $NS_A ethtool -S "$dev_a" >"$res/ethtool.$bench"
			fi
		done
		case $broken in *" $kind "*) continue ;; esac
		if m=$(sockperf_run "$secs"); then
			read -r p50 p99 <<<"$m"
			echo "$kind rr50 $round $p50 -" >>"$res/results"
			echo "$kind rr99 $round $p99 -" >>"$res/results"
			echo "    rr      p50 $p50 us, p99 $p99 us (sockperf ping-pong, one way)"
		else
			echo "    sockperf ping-pong failed"
		fi
		case $kind in zcpair*) [ "$round" = 1 ] && c0=$(zc_counters "$dev_a") ;; esac
		if m=$(run_pktgen "$dev_a" "$_dev_b" 1); then
			echo "$kind pktgen $round $m -" >>"$res/results"
			echo "    pktgen  $m kpps received (64 B frames, one thread)"
			case $kind in zcpair*) [ "$round" = 1 ] &&
				counters_delta "$c0" "$(zc_counters "$dev_a")" ;; esac
		else
			echo "    pktgen failed"
		fi
		if m=$(run_pktgen "$dev_a" "$_dev_b" "$(nproc)"); then
			echo "$kind pktgen2 $round $m -" >>"$res/results"
			echo "    pktgen2 $m kpps received (64 B frames, $(nproc) threads)"
		else
			echo "    pktgen with $(nproc) threads failed"
		fi
		pair_down || true
	done
done

# The multi-destination path: zcpairctl send (one sendmmsg per call, one
# 64,000 B message per destination, MSG_ZEROCOPY, UDP_SEGMENT 1400) to
# N = 1, 4, 16 ports, zcpairctl recv checking every datagram; 25.6 MB
# per run. zcpair-seg is zcpair with tx-segment on and `ethtool -C
# tx-usecs 100000 tx-frames N` (one batch per call); zcpair crosses GSO
# frames whole; both with ring 1024 (a batch of 16 x 46 segments fits);
# veth is the control. Throughput: the receiver's, first to last
# datagram. CPU: the guest's busy jiffies (/proc/stat, both vCPUs) from
# the first send to the receiver's exit, per GB.
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
md_kinds="zcpair-seg zcpair veth"
case $sections in *" md "*) ;; *) md_kinds="" ;; esac
for round in $(seq "$rounds"); do
	for kind in $md_kinds; do
		base=${kind%-seg}
		case $broken in *" $base "*) continue ;; esac
		for n in 1 4 16; do
			if [ "$base" = zcpair ]; then
				pair_up_tool ring 1024 >/dev/null 2>&1 || continue
				dev_a=zca
			else
				devs=$(kind_up "$base" 2>/dev/null) || continue
				read -r dev_a _ <<<"$devs"
			fi
			if [ "$kind" = zcpair-seg ]; then
				zcpairctl -n $NS_A set "$dev_a" tx-segment on &&
				ip netns exec $NS_A ethtool -C "$dev_a" tx-usecs 100000 tx-frames "$n" || continue
			fi
			dests=$(seq -s, -f "10.99.0.2:%g" 7001 $((7000 + n)))
			calls=$((400 / n))
			f=$res/md.$kind.$n.$round
			zcpairctl -n $NS_B recv --listen "$dests" --calls $calls --timeout 20 --json >"$f.recv" 2>"$f.err" &
			rpid=$!
			for _ in $(seq 100); do [ -s "$f.err" ] && break; sleep 0.1; done
			b0=$(busy)
			zcpairctl -n $NS_A send --dest "$dests" --zerocopy --calls $calls --json >"$f.send" 2>&1 || true
			wait $rpid || true
			b1=$(busy)
			jq -r --arg k "$kind" --arg n "$n" --arg r "$round" --argjson cpu $((b1 - b0)) \
				--slurpfile tx "$f.send" \
				'"\($k) md\($n) \($r) \(."mbyte-per-sec" * 8 / 1000) \(.bytes) \($cpu) \($tx[0]."syscalls-per-mb") \(.complete) \(."interleave-score")"' \
				"$f.recv" >>"$res/md" 2>/dev/null ||
				echo "   no result: $(tail -n 2 "$f.send" "$f.recv" "$f.err" | tr '\n' ' ')"
			echo "-- multi-destination round $round, $kind, $n destination(s): $(tail -n 1 "$res/md")"
			pair_down || true
		done
	done
done

# LAN of 4 (document 001): four members in four netns (10.98.0.1-4)
# against the same four netns joined by veth pairs to a Linux bridge.
# Rows: all-to-all TCP (12 iperf3 flows at once, one per ordered pair of
# members, aggregate received), and 64-byte UDP from three members into
# the fourth (one receiving ring, three producers: what the shared ring's
# lock costs; aggregate kpps received), and from one member into one.
LNS=(zc_l0 zc_l1 zc_l2 zc_l3)
lan_down() {
	for ns in "${LNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	ip link del zcbr0 2>/dev/null || true
}
# lan_up KIND: prints the members' device name prefix.
lan_up() {
	lan_down
	ip -batch - <<-B || return 1
		netns add ${LNS[0]}
		netns add ${LNS[1]}
		netns add ${LNS[2]}
		netns add ${LNS[3]}
	B
	local i
	case $1 in
	zcpair-lan)
		{ module_loaded || insmod "$ZCPAIR_KO"; } &&
		zcpairctl lan add lm members 4 netns "${LNS[@]}" >/dev/null || return 1 ;;
	bridge)
		ip link add zcbr0 type bridge && ip link set zcbr0 up || return 1
		for i in 0 1 2 3; do
			ip link add zcbv$i type veth peer name lm$i netns ${LNS[$i]} &&
			ip link set zcbv$i master zcbr0 up || return 1
		done ;;
	esac
	for i in 0 1 2 3; do
		ip -n ${LNS[$i]} -batch - <<-B || return 1
			addr add 10.98.0.$((i + 1))/24 dev lm$i
			link set lo up
			link set lm$i up
		B
	done
	# Every member reaches every other before measuring.
	for i in 1 2 3; do
		ip netns exec ${LNS[0]} ping -q -c 1 -W 5 10.98.0.$((i + 1)) >/dev/null || return 1
	done
}
# lan_run KIND BENCH ROUND: aggregate of the flows, received.
lan_run() {
	local i j n=0 srv=() f=$res/lan.$1.$2.$3
	local flows=()
	case $2 in
	tcp) for i in 0 1 2 3; do for j in 0 1 2 3; do [ $i = $j ] || flows+=("$i $j"); done; done ;;
	udp64) flows=("1 0" "2 0" "3 0") ;;
	udp1) flows=("1 0") ;;
	esac
	for fl in "${flows[@]}"; do
		read -r i j <<<"$fl"
		ip netns exec ${LNS[$j]} timeout $((secs + 40)) iperf3 -s -1 -J -p $((5300 + n)) >"$f.$n" 2>&1 &
		srv+=($!)
		n=$((n + 1))
	done
	sleep 1
	n=0
	for fl in "${flows[@]}"; do
		read -r i j <<<"$fl"
		if [ "$2" = tcp ]; then
			ip netns exec ${LNS[$i]} timeout $((secs + 30)) iperf3 -c 10.98.0.$((j + 1)) -p $((5300 + n)) -t "$secs" >/dev/null 2>&1 &
		else
			ip netns exec ${LNS[$i]} timeout $((secs + 30)) iperf3 -c 10.98.0.$((j + 1)) -p $((5300 + n)) -t "$secs" -u -l 64 -b 0 >/dev/null 2>&1 &
		fi
		n=$((n + 1))
	done
	wait
	for i in $(seq 0 $((n - 1))); do
		if [ "$2" = tcp ]; then
			jq -r '.end.sum_received.bits_per_second / 1e9' "$f.$i" 2>/dev/null
		else
			jq -r '.end.sum_received | .bytes / 64 / .seconds / 1000' "$f.$i" 2>/dev/null
		fi
	done | awk '{ s += $1; n++ } END { if (n) printf "%.3f %d\n", s, n; else exit 1 }'
}
lan_kinds="zcpair-lan bridge"
case $sections in *" lan "*) ;; *) lan_kinds="" ;; esac
for round in $(seq "$rounds"); do
	for kind in $lan_kinds; do
		if ! lan_up "$kind" 2>"$res/lan.err"; then
			echo "-- LAN round $round, $kind: setup failed: $(tail -n 3 "$res/lan.err" | tr '\n' ' ')"
			continue
		fi
		for bench in tcp udp64 udp1; do
			if m=$(lan_run "$kind" "$bench" "$round"); then
				read -r v flows <<<"$m"
				echo "$kind $bench $round $v" >>"$res/lan"
				echo "-- LAN round $round, $kind, $bench: $v ($flows flows)"
			else
				echo "-- LAN round $round, $kind, $bench: no result"
			fi
		done
		lan_down
	done
done
module_loaded && rmmod zcpair

echo
echo "== zcpair, round 1: ethtool -S zca of a fresh pair after a ping and the TCP run,"
echo "   then after the UDP 64 B and UDP 64 KB runs too (zca sends, zcb receives)"
if [ -f "$res/ethtool.tcp" ]; then
	for last in udp64k udp64 tcp; do [ -f "$res/ethtool.$last" ] && break; done
	awk 'FNR == 1 { f++ } NF == 2 && $1 ~ /:$/ { sub(":", "", $1); if (f == 1) { n[++c] = $1; t[$1] = $2 } else a[$1] = $2 }
		END { printf "%-30s %15s %15s\n", "counter", "after TCP", "after all";
		      for (i = 1; i <= c; i++) printf "%-30s %15s %15s\n", n[i], t[n[i]], (n[i] in a) ? a[n[i]] : "-" }' \
		"$res/ethtool.tcp" "$res/ethtool.$last"
else
	echo "(none: zcpair was not measured)"
fi
echo
echo "== kernel log since the start: warnings, bugs, stalls, zcpair lines"
dmesg_since "$mark" | grep -E 'WARNING|BUG|Oops|INFO:|stall|hung|Call Trace|zcpair|netkit' || echo "(nothing)"
echo
echo "== results: receiver side (iperf3 server in zc_b), median of $rounds round(s) of ${secs}s;"
echo "   zcpair/X: median of the rounds' ratios"
touch "$res/results"
cols=("${kinds[@]}")
# The ratios: each zcpair kind over each other kind.
zkinds=() others=()
for k in "${kinds[@]}"; do
	case $k in zcpair*) zkinds+=("$k") ;; *) others+=("$k") ;; esac
done
for z in "${zkinds[@]}"; do
	for k in "${others[@]}"; do cols+=("$z/$k"); done
done
row() { printf '| %-26s' "$1"; shift; printf ' | %16s' "$@"; echo ' |'; }
row benchmark "${cols[@]}"
row -------------------------- $(for _ in "${cols[@]}"; do echo ---------------:; done)
plot=$res/plot.dat
: >"$plot"
for bench in tcp tcp4 udp64 udp64k rr50 rr99 pktgen pktgen2; do
	case $bench in
	tcp) label="TCP stream, Gbit/s" ;;
	tcp4) label="TCP 4 flows, Gbit/s" ;;
	udp64) label="UDP 64 B, kpps received" ;;
	udp64k) label="UDP 64 KB, Gbit/s received" ;;
	rr50) label="RR latency p50, us (*)" ;;
	rr99) label="RR latency p99, us (*)" ;;
	pktgen) label="pktgen 64 B, kpps received" ;;
	pktgen2) label="pktgen 64 B x $(nproc) thr., kpps" ;;
	esac
	vals=() ratios=()
	for k in "${kinds[@]}"; do
		v=$(cell "$k" "$bench" 4)
		vals+=("$(num "$bench" "$v")")
	done
	for z in "${zkinds[@]}"; do
		for k in "${others[@]}"; do
			# zcpair's run over the other's run of the same round.
			# Latency: lower is better, so the ratio is the other's over
			# zcpair's: above 1 zcpair is better in every row.
			r=$(awk -v z="$z" -v k="$k" -v b="$bench" '$2 == b && $1 == z { zv[$3] = $4 }
				$2 == b && $1 == k { o[$3] = $4 }
				END { for (i in zv) if ((i in o) && o[i] > 0 && zv[i] > 0)
					print (b ~ /^rr/) ? o[i] / zv[i] : zv[i] / o[i] }' "$res/results" | median)
			ratios+=("$( [ -n "$r" ] && printf '%.2f' "$r" || echo n/a)")
		done
	done
	row "$label" "${vals[@]}" "${ratios[@]}"
	# The plot: each pair type's median relative to veth's, higher is
	# better (latency inverted).
	vm=$(cell veth "$bench" 4)
	if [ -n "$vm" ]; then
		line="\"${label% (\*)}\""
		for k in "${kinds[@]}"; do
			v=$(cell "$k" "$bench" 4)
			line+=" $(awk -v v="$v" -v w="$vm" -v b="$bench" 'BEGIN {
				if (v == "" || v <= 0 || w <= 0) print "n/a"
				else printf "%.3f", (b ~ /^rr/) ? w / v : v / w }')"
		done
		echo "$line" >>"$plot"
	fi
done
echo "(*) latency: lower is better; its zcpair/X column is X/zcpair, so above 1.00"
echo "    means zcpair is better in every row."
echo
echo "== plot data: benchmark, then ${kinds[*]}: median relative to veth, higher is better"
cat "$plot"
echo "== end of plot data"
echo
for bench in udp64 udp64k; do
	line="UDP loss (median, %), $bench:"
	for k in "${kinds[@]}"; do
		l=$(cell "$k" "$bench" 5)
		line+=" $k $( [ -n "$l" ] && printf '%.1f' "$l" || echo n/a)"
	done
	echo "$line"
done
for k in "${kinds[@]}"; do
	echo "runs measured, $k: $(awk -v k="$k" '$1 == k' "$res/results" | wc -l) of $((8 * rounds))"
done
[ "$broken" = " " ] || echo "not measured to the end (misbehaved or failed):$broken"

echo
echo "== multi-destination: zcpairctl send --zerocopy, 64,000 B per destination per sendmmsg,"
echo "   gso 1400, 25.6 MB per run, ring 1024 for zcpair; median of $rounds round(s); zcpair-seg = tx-segment on"
touch "$res/md"
mdrow() { printf '| %-14s | %-10s | %9s | %9s | %11s | %12s | %9s | %10s |\n' "$@"; }
mdrow destinations kind "Gbit/s" "x veth" "CPU s/GB" "syscalls/MB" intact interleave
mdrow -------------- ---------- --------: --------: ----------: -----------: --------: ---------:
for n in 1 4 16; do
	vgb=$(awk -v n="md$n" '$1 == "veth" && $2 == n { print $4 }' "$res/md" | median)
	for kind in $md_kinds; do
		gb=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n { print $4 }' "$res/md" | median)
		[ -n "$gb" ] || continue
		# Busy jiffies (USER_HZ, 100/s) per GB.
		cpu=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n && $5 > 0 { print $6 / 100 / ($5 / 1e9) }' "$res/md" | median)
		sys=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n { print $7 }' "$res/md" | median)
		ok=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n && $8 == "true"' "$res/md" | wc -l)
		all=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n' "$res/md" | wc -l)
		il=$(awk -v k="$kind" -v n="md$n" '$1 == k && $2 == n { print $9 }' "$res/md" | median)
		mdrow "$n" "$kind" "$(printf '%.3f' "$gb")" \
			"$( [ -n "$vgb" ] && awk -v a="$gb" -v b="$vgb" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }' || echo n/a)" \
			"$( [ -n "$cpu" ] && printf '%.1f' "$cpu" || echo n/a)" "$(printf '%.1f' "${sys:-0}")" \
			"$ok of $all" "$(printf '%.2f' "${il:-0}")"
	done
done

echo
echo "== LAN of 4 (zcpair LAN members) vs the same 4 netns on veth pairs to a Linux bridge;"
echo "   median of $rounds round(s) of ${secs}s; zcpair-lan/bridge: median of the rounds' ratios"
touch "$res/lan"
lrow() { printf '| %-40s | %10s | %10s | %17s |\n' "$@"; }
lrow benchmark zcpair-lan bridge zcpair-lan/bridge
lrow ---------------------------------------- ---------: ---------: ----------------:
for bench in tcp udp64 udp1; do
	case $bench in
	tcp) label="TCP all-to-all (12 flows), Gbit/s" ;;
	udp64) label="UDP 64 B, 3 members into 1, kpps" ;;
	udp1) label="UDP 64 B, 1 member into 1, kpps" ;;
	esac
	z=$(awk -v b="$bench" '$1 == "zcpair-lan" && $2 == b { print $4 }' "$res/lan" | median)
	br=$(awk -v b="$bench" '$1 == "bridge" && $2 == b { print $4 }' "$res/lan" | median)
	r=$(awk -v b="$bench" '$2 == b && $1 == "zcpair-lan" { z[$3] = $4 } $2 == b && $1 == "bridge" { o[$3] = $4 }
		END { for (i in z) if ((i in o) && o[i] > 0) print z[i] / o[i] }' "$res/lan" | median)
	lrow "$label" "${z:-n/a}" "${br:-n/a}" "$( [ -n "$r" ] && printf '%.2f' "$r" || echo n/a)"
done
