#!/bin/bash
# Runs every tests/NN-*.sh inside one boot (`make check` calls it in the VM)
# and ends with the line `N passed, N failed, N skipped` over all test points.
# Usage: tests/run.sh [PATTERN]   (PATTERN filters script names)
set -u
here=$(cd "$(dirname "$0")" && pwd)
pattern=${1:-}
. "$here/lib.sh"

ensure_debugfs
# Only what happens from here on is ours to answer for.
[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
echo "zcpair-tests: start" >/dev/kmsg

passed=0 failed=0 skipped=0 scripts=0
echo "TAP version 13"
for t in "$here"/[0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	scripts=$((scripts + 1))
	start=$(date +%s)
	log=$(mktemp)
	# Streamed as it runs; a stuck test is cut off and its kernel log shown.
	timeout "${ZCPAIR_TEST_TIMEOUT:-1800}" bash "$t" 2>&1 | tee "$log" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	out=$(cat "$log")
	rm -f "$log"
	if [ "$rc" -eq 124 ]; then
		echo "# $name timed out; kernel log tail:"
		dmesg | tail -n 40 | sed 's/^/#   /'
	fi
	p=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -c '# SKIP')
	f=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+')
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n1)
	ran=$((p + s + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $name exited $rc without reporting a failure"
		f=$((f + 1))
	fi
	if [ -n "$planned" ] && [ "$ran" -ne "$planned" ]; then
		echo "# $name planned $planned test points but reported $ran"
		f=$((f + 1))
	fi
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + f))
	if [ "$f" -eq 0 ]; then
		echo "ok $scripts $name ($(( $(date +%s) - start ))s)"
	else
		echo "not ok $scripts $name ($(( $(date +%s) - start ))s)"
	fi
done
echo "1..$scripts"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$scripts" -gt 0 ]
