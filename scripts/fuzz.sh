#!/usr/bin/env bash
# `make fuzz`: the long netlink fuzzing run (issue: robustness) on the
# debug kernel: zcfuzz with ZCPAIR_FUZZ_COUNT requests (50,000 by default)
# from ZCPAIR_FUZZ_SEED (the time by default; printed), then the kernel
# log and kmemleak checked (tests/26-fuzz.sh, tests/99-kernel-log.sh in
# one boot). `make check` runs a fixed-seed slice of 1,000.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

seed=${ZCPAIR_FUZZ_SEED:-$(date +%s)}
count=${ZCPAIR_FUZZ_COUNT:-50000}
"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build debug
KDIR=$(kernel_builddir debug) "$ZCPAIR_ROOT/scripts/module.sh"
cargo build --release --quiet --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked
say "zcfuzz: seed $seed, $count requests (reproduce: make fuzz ZCPAIR_FUZZ_SEED=$seed ZCPAIR_FUZZ_COUNT=$count)"
ZCPAIR_TEST_TIMEOUT=${ZCPAIR_TEST_TIMEOUT:-4000} "$ZCPAIR_ROOT/scripts/vm.sh" debug \
	"ZCPAIR_FUZZ_SEED=$seed ZCPAIR_FUZZ_COUNT=$count ZCPAIR_TEST_TIMEOUT=${ZCPAIR_TEST_TIMEOUT:-4000} tests/run.sh '26-fuzz|99-kernel-log'"
