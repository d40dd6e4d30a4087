#!/bin/bash
# Runs last: after everything else the kernel must have reported nothing:
# no leak (kmemleak, after a forced scan), no BUG/WARNING/KASAN/lockdep
# splat, and the module must unload.
. "$(dirname "$0")/lib.sh"

ktap_plan 3
ensure_debugfs

if module_loaded; then
	ktap_check "zcpair unloads at the end of the run" rmmod zcpair
else
	ktap_ok "zcpair is not loaded at the end of the run"
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	# An object is reported once it stayed unreferenced across a scan, so
	# scan twice, the second time after the grace period has passed.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -z "$leaks" ]; then
		ktap_ok "kmemleak: no leak reported"
	else
		ktap_fail "kmemleak: no leak reported" "$(printf '%s\n' "$leaks" | head -n 40)"
	fi
else
	ktap_skip "kmemleak: no leak reported" "kernel without CONFIG_DEBUG_KMEMLEAK"
fi

splat='BUG:|WARNING:|KASAN:|UBSAN|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|kmemleak: .*new suspected|refcount_t:|list_(add|del) corruption|Call Trace:|panicked at|rust_panic'
found=$(dmesg | grep -E "$splat" | head -n 20)
if [ -z "$found" ]; then
	ktap_ok "kernel log: no BUG/WARNING/KASAN/lockdep/kmemleak report"
else
	ktap_fail "kernel log: no BUG/WARNING/KASAN/lockdep/kmemleak report" \
		"$found" "--- last 80 lines of the kernel log ---" "$(dmesg | tail -n 80)"
fi
ktap_finish
