#!/usr/bin/env bash
# `make stress`: the long robustness campaign (issue: robustness) on the
# debug kernel, one boot: tests/27-stress.sh with ZCPAIR_STRESS=long
# (stale bytes, a 5-minute mixed-size integrity stress over every path,
# ring resizes and MTU changes under traffic, allocation failures injected
# into zcpair's allocations, netns deletion with pairs inside, insmod/rmmod
# under traffic, 1,000 create/delete cycles under load), then the kernel
# log and kmemleak (tests/99-kernel-log.sh). `make check` runs a short
# slice (stale bytes and fault injection). ZCPAIR_STRESS_SEED changes the
# sizes and contents (default 20261202); ZCPAIR_STRESS_SECTIONS picks
# sections.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build debug
KDIR=$(kernel_builddir debug) "$ZCPAIR_ROOT/scripts/module.sh"
env=(ZCPAIR_STRESS=long "ZCPAIR_TEST_TIMEOUT=${ZCPAIR_TEST_TIMEOUT:-5400}")
[ -n "${ZCPAIR_STRESS_SEED:-}" ] && env+=("ZCPAIR_STRESS_SEED=$ZCPAIR_STRESS_SEED")
[ -n "${ZCPAIR_STRESS_SECTIONS:-}" ] && env+=("ZCPAIR_STRESS_SECTIONS='$ZCPAIR_STRESS_SECTIONS'")
say "stress: the long campaign, seed ${ZCPAIR_STRESS_SEED:-20261202}"
"$ZCPAIR_ROOT/scripts/vm.sh" debug "${env[*]} tests/run.sh '27-stress|99-kernel-log'"
