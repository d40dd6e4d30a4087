#!/usr/bin/env bash
# `make check`: set-up, the debug kernel, the module, host-side tests, then
# every test in tests/ inside one debug-kernel boot. Non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
export FLAVOR=debug
"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build debug
"$ZCPAIR_ROOT/scripts/uapi.sh" --check
KDIR=$(kernel_builddir debug) "$ZCPAIR_ROOT/scripts/module.sh"
say "compile-fail cases: rules that types enforce (tests/compile-fail/)"
KDIR=$(kernel_builddir debug) "$ZCPAIR_ROOT/scripts/compile-fail.sh"
# Its directory, for the guest (finding it there takes a dozen processes).
ZCPAIR_SELFTESTS=$("$ZCPAIR_ROOT/scripts/selftests.sh")
export ZCPAIR_SELFTESTS
# The guest's root is read-only: Python there compiles every module it
# imports at each start, unless its .pyc is already there. The kernel's
# YNL library and selftest helpers (in the kernel source cache) and the
# tests' helper modules are compiled here, once.
ksrc=$(kernel_srcdir)
/usr/bin/python3 -m compileall -q "$ksrc/tools/net/ynl/lib" \
	"$ksrc/tools/testing/selftests/net/lib/py" "$ksrc/tools/testing/selftests/drivers/net/lib/py" \
	"$ZCPAIR_ROOT/scripts/zcnl.py" "$ZCPAIR_ROOT/tests/ktap.py" "$ZCPAIR_ROOT/tests/mmsg.py" >/dev/null

say "host tests: cargo test (userspace-tools), then zcpairctl for the guest"
cargo test --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked
cargo build --release --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked

say "booting the debug kernel for tests/ (one boot)"
rc=0
"$ZCPAIR_ROOT/scripts/vm.sh" debug "tests/run.sh ${TESTS:-}" || rc=$?
say "make check: $( [ "$rc" = 0 ] && echo passed || echo "FAILED ($rc)" ) in $(( ($(date +%s) - start) / 60 ))m$(( ($(date +%s) - start) % 60 ))s"
exit "$rc"
