#!/usr/bin/env bash
# `make bench`: the normal kernel (cached), the module built against it,
# one boot that measures zcpair against veth and netkit
# (scripts/bench-guest.sh) and prints a table. Not a test: nothing fails
# on a slow number. See Documentation/performance.md.
#   ZCPAIR_BENCH_TIME=3 ZCPAIR_BENCH_ROUNDS=3 ZCPAIR_BENCH_KINDS="zcpair zcpair-mq veth netkit"
#   ZCPAIR_BENCH_SECTIONS="drv pairs md lan"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build normal
KDIR=$(kernel_builddir normal) "$ZCPAIR_ROOT/scripts/module.sh"
# zcpairctl send/recv measure the multi-destination path.
cargo build --release --quiet --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked

env=()
for v in ZCPAIR_BENCH_TIME ZCPAIR_BENCH_ROUNDS ZCPAIR_BENCH_KINDS ZCPAIR_BENCH_SECTIONS; do
	[ -z "${!v:-}" ] || env+=("$v='${!v}'")
done
# Other jobs on the machine slow the guest down: say how busy it was.
say "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
say "host load before the boot: $(uptime | sed 's/.*load average: //')"
rc=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$ZCPAIR_ROOT/scripts/vm.sh" normal "${env[*]:-} scripts/bench-guest.sh" 2>&1 | tee "$out" || rc=$?
say "host load after the boot:  $(uptime | sed 's/.*load average: //')"

# The plot of this boot's table (gnuplot): each row's medians relative
# to veth's, higher is better. The documentation's figure is redrawn only
# by a run of every pair type; a run of some (ZCPAIR_BENCH_KINDS) draws
# into the temporary directory unless ZCPAIR_BENCH_PNG names a file.
png=$ZCPAIR_ROOT/Documentation/performance.png
[ -z "${ZCPAIR_BENCH_KINDS:-}" ] || png=${TMPDIR:-/tmp}/zcpair-bench.png
png=${ZCPAIR_BENCH_PNG:-$png}
dat=$(mktemp)
sed -n '/^== plot data/,/^== end of plot data/p' "$out" | sed '1d;$d' | tr -d '\r' >"$dat"
if [ -s "$dat" ] && command -v gnuplot >/dev/null; then
	kinds=(${ZCPAIR_BENCH_KINDS:-zcpair zcpair-mq veth netkit})
	plots=()
	for i in "${!kinds[@]}"; do
		plots+=("'$dat' using $((i + 2)):xtic(1) title '${kinds[$i]}'")
	done
	gnuplot <<-EOF && say "plot: $png"
		set terminal pngcairo size 1100,520 font ',10'
		set output '$png'
		set title 'zcpair, veth, netkit: one boot of make bench, medians relative to veth (higher is better; latency inverted)'
		set style data histograms
		set style histogram cluster gap 1
		set style fill solid 0.8 border -1
		set datafile missing 'n/a'
		set yrange [0:*]
		set grid ytics
		set xtics rotate by -20
		set key top right
		plot $(IFS=,; echo "${plots[*]}"), 1 notitle lc rgb 'black' dt 2
	EOF
fi
rm -f "$dat"
exit $rc
