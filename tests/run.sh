#!/bin/bash
# Runs every tests/NN-*.sh inside one boot (`make check` calls it in the VM)
# and ends with the line `N passed, N failed, N skipped` over all test points.
# Usage: tests/run.sh [PATTERN]   (PATTERN filters script names; A|B: either)
# A script's output is streamed and counted by bash itself: under TCG with
# the debug kernel every process started costs a second or so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
pattern=${1:-}
. "$here/lib.sh"

ensure_debugfs
# Only what happens from here on is ours to answer for.
[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
echo "zcpair-tests: start" >/dev/kmsg

passed=0 failed=0 skipped=0 scripts=0
# A script's exit status, written after its output's end.
rcfile=/tmp/zcpair-run.$$.rc
echo "TAP version 13"
for t in "$here"/[0-9][0-9]-*.sh; do
	name=${t##*/}
	name=${name%.sh}
	want=
	IFS='|' read -r -a pats <<<"$pattern"
	[ ${#pats[@]} -gt 0 ] || pats=("")
	for p in "${pats[@]}"; do
		case "$name" in *"$p"*) want=1 ;; esac
	done
	[ -n "$want" ] || continue
	scripts=$((scripts + 1))
	start=$SECONDS
	p=0 s=0 f=0 planned=
	# Streamed as it runs; a stuck test is cut off and its kernel log shown.
	while IFS= read -r line; do
		printf '# %s\n' "$line"
		case "$line" in
		"ok "[0-9]*"# SKIP"*) s=$((s + 1)) ;;
		"ok "[0-9]*) p=$((p + 1)) ;;
		"not ok "[0-9]*) f=$((f + 1)) ;;
		1..[0-9]*) [ -n "$planned" ] || planned=${line#1..} ;;
		esac
	done < <(timeout "${ZCPAIR_TEST_TIMEOUT:-1800}" bash "$t" 2>&1; echo "$?" >"$rcfile")
	rc=125
	read -r rc <"$rcfile"
	if [ "$rc" -eq 124 ]; then
		echo "# $name timed out; kernel log tail:"
		dmesg | tail -n 40 | sed 's/^/#   /'
	fi
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
		echo "ok $scripts $name ($((SECONDS - start))s)"
	else
		echo "not ok $scripts $name ($((SECONDS - start))s)"
	fi
done
rm -f "$rcfile"
echo "1..$scripts"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$scripts" -gt 0 ]
