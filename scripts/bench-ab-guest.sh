#!/usr/bin/env bash
# Paired A/B of zcpair builds in one boot (the guest side; normal kernel):
#   scripts/vm.sh normal "ZCPAIR_AB_KOS='/tmp/a.ko /tmp/b.ko veth' scripts/bench-ab-guest.sh"
# For each of ZCPAIR_AB_ROUNDS rounds (5) and each entry of ZCPAIR_AB_KOS
# in turn: a zcpair pair made with that module (scripts/guest-lib.sh's
# pair_up, the module loaded fresh), or a veth pair under the same names
# for `veth`; `KO+nogro` is KO with GRO off on the receiving end. Then
# ZCPAIR_AB_WHAT (pktgen udp) for ZCPAIR_AB_TIME seconds (3) each:
#   pktgen  one kernel thread sending 64 B frames to a MAC nobody has:
#           frames/s the receiving end counted, and pktgen's own count
#           of frames sent ("pktgen-sent": a build whose transmit drops
#           every frame still has one)
#   udp     iperf3 -u -l 64 -b 0: datagrams/s the server received
#   udp64k  iperf3 -u -l 65000 -b 0: Gbit/s the server received
#   tcp     iperf3 (one TCP stream): Gbit/s the server received
#   rr      sockperf ping-pong: 1000 / p50 and 1000 / p99 of the one-way
#           latency in microseconds ("rr50-inv", "rr99-inv": higher is
#           better, as for the others)
# Prints "AB ROUND NAME WHAT KPPS" lines and, per NAME, the median of the
# rounds' ratios to the first entry and their spread. Only builds of the
# same boot compare: under TCG on a shared host, rounds minutes apart
# differ by more than most changes do.
# Builds to compare are made with `make module`-like commands against the
# normal kernel (KDIR=$(scripts/kernel.sh dir normal) scripts/module.sh)
# and copied aside.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCPAIR_ROOT/scripts/guest-lib.sh"

secs=${ZCPAIR_AB_TIME:-3}
read -r -a kos <<<"${ZCPAIR_AB_KOS:?name the builds to compare}"
out=$(mktemp)
trap 'rm -f "$out" /tmp/zcpair-ab.json' EXIT

ab_pktgen() {
	local m
	m=$(pktgen_run zca zcb 1 "$secs") || return 1
	echo "pktgen ${m% *}"
	echo "pktgen-sent ${m#* }"
}

# ab_iperf NAME JQ ARGS...: one iperf3 run of `iperf3 -c ... ARGS` against
# a server in $NS_B; prints NAME and JQ of the server's JSON.
ab_iperf() {
	local name=$1 expr=$2
	shift 2
	ip netns exec $NS_B timeout $((secs + 30)) iperf3 -s -1 -J >/tmp/zcpair-ab.json 2>&1 &
	sleep 0.5
	ip netns exec $NS_A iperf3 -c 10.99.0.2 -t "$secs" "$@" >/dev/null 2>&1
	wait
	echo "$name $(jq -r "$expr" /tmp/zcpair-ab.json 2>/dev/null || echo 0)"
}

ab_udp() { ab_iperf udp '.end.sum.packets / .end.sum.seconds / 1000' -u -l 64 -b 0; }
ab_udp64k() { ab_iperf udp64k '.end.sum_received.bits_per_second / 1e9' -u -l 65000 -b 0; }
ab_tcp() { ab_iperf tcp '.end.sum_received.bits_per_second / 1e9'; }

# Latency: lower is better, so the printed ratio of a build is the first
# entry's over its own (above 1: faster).
ab_rr() {
	local m
	m=$(sockperf_run "$secs") || return 1
	echo "rr50-inv $(awk -v p="${m% *}" 'BEGIN { printf "%.3f", 1000 / p }')"
	echo "rr99-inv $(awk -v p="${m#* }" 'BEGIN { printf "%.3f", 1000 / p }')"
}

for r in $(seq "${ZCPAIR_AB_ROUNDS:-5}"); do
	for ko in "${kos[@]}"; do
		pair_down >/dev/null 2>&1 || true
		rmmod zcpair 2>/dev/null || true
		if [ "$ko" = veth ]; then
			# guest-lib.sh's addresses and links, on a veth pair.
			if ! { ns_fresh $NS_A $NS_B >/dev/null &&
				ip link add zca netns $NS_A type veth peer name zcb netns $NS_B &&
				pair_config; }; then
				echo "# veth set-up failed"
				continue
			fi
		else
			ZCPAIR_KO=${ko%+nogro} pair_up >/dev/null 2>&1 || { echo "# pair_up with $ko failed"; continue; }
		fi
		case $ko in *+nogro) ip netns exec $NS_B ethtool -K zcb gro off ;; esac
		for w in ${ZCPAIR_AB_WHAT:-pktgen udp}; do
			"ab_$w" | while read -r what v; do
				echo "AB $r $(basename "$ko" .ko) $what $v"
			done
		done
	done
done | tee "$out"
pair_down >/dev/null 2>&1 || true
rmmod zcpair 2>/dev/null || true

# The median of each build's per-round ratio to the first entry.
first=$(basename "${kos[0]}" .ko)
awk -v first="$first" '$1 == "AB" { v[$2, $3, $4] = $5; r[$2] = 1; k[$3] = 1; w[$4] = 1 }
	END {
		for (what in w) for (name in k) {
			if (name == first) continue
			n = 0; list = ""
			for (round in r) if (((round, first, what) in v) && ((round, name, what) in v) && v[round, first, what] > 0) {
				x[++n] = v[round, name, what] / v[round, first, what]; list = list sprintf(" %.2f", x[n])
			}
			if (!n) continue
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			med = (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			printf "%-12s %s / %s: median %.2f, rounds%s\n", what, name, first, med, list
		}
	}' "$out" | sort
