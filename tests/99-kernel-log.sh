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
	# (nap and $(<): no process started.)
	echo scan >/sys/kernel/debug/kmemleak
	nap 6
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(</sys/kernel/debug/kmemleak)
	if [ -z "$leaks" ]; then
		ktap_ok "kmemleak: no leak reported"
	else
		ktap_fail "kmemleak: no leak reported" "$(printf '%s\n' "$leaks" | head -n 40)"
	fi
else
	ktap_skip "kmemleak: no leak reported" "kernel without CONFIG_DEBUG_KMEMLEAK"
fi

splat='BUG:|WARNING:|KASAN:|UBSAN|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|kmemleak: .*new suspected|refcount_t:|list_(add|del) corruption|Call Trace:|panicked at|rust_panic'
# The first 20 lines that match, from one `dmesg` read by bash (grep -E's
# extended expressions are bash's =~).
found=
n=0
while IFS= read -r line; do
	[[ $line =~ $splat ]] || continue
	found+="${found:+$'\n'}$line"
	n=$((n + 1))
	[ $n -lt 20 ] || break
done < <(dmesg)
if [ -z "$found" ]; then
	ktap_ok "kernel log: no BUG/WARNING/KASAN/lockdep/kmemleak report"
else
	ktap_fail "kernel log: no BUG/WARNING/KASAN/lockdep/kmemleak report" \
		"$found" "--- last 80 lines of the kernel log ---" "$(dmesg | tail -n 80)"
fi
ktap_finish
