#!/usr/bin/env bash
# `make bench`: the normal kernel (cached), the module built against it,
# one boot that measures zcpair against veth and netkit
# (scripts/bench-guest.sh) and prints a table. Not a test: nothing fails
# on a slow number. See Documentation/performance.md.
#   ZCPAIR_BENCH_TIME=3 ZCPAIR_BENCH_ROUNDS=3 ZCPAIR_BENCH_KINDS="zcpair veth netkit"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build normal
KDIR=$(kernel_builddir normal) "$ZCPAIR_ROOT/scripts/module.sh"
# zcpairctl send/recv measure the multi-destination path.
cargo build --release --quiet --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked

env=()
for v in ZCPAIR_BENCH_TIME ZCPAIR_BENCH_ROUNDS ZCPAIR_BENCH_KINDS; do
	[ -z "${!v:-}" ] || env+=("$v='${!v}'")
done
# Other jobs on the machine slow the guest down: say how busy it was.
say "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
say "host load before the boot: $(uptime | sed 's/.*load average: //')"
rc=0
"$ZCPAIR_ROOT/scripts/vm.sh" normal "${env[*]:-} scripts/bench-guest.sh" || rc=$?
say "host load after the boot:  $(uptime | sed 's/.*load average: //')"
exit $rc
