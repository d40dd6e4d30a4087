# shellcheck shell=bash
# KTAP helpers for zcpair's kselftest-style tests. Each test script sources
# this, declares its plan and reports every test point.

ZCPAIR_ROOT=${ZCPAIR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZCPAIR_KO=${ZCPAIR_KO:-$ZCPAIR_ROOT/zcpair.ko}
_ktap_n=0
_ktap_fail=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok() {
	_ktap_n=$((_ktap_n + 1))
	echo "ok $_ktap_n $*"
}

ktap_fail() {
	_ktap_n=$((_ktap_n + 1))
	_ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n $1"
	shift
	local line
	for line in "$@"; do echo "# $line"; done
}

ktap_skip() {
	_ktap_n=$((_ktap_n + 1))
	echo "ok $_ktap_n $1 # SKIP ${2:-}"
}

# ktap_check "description" command...: ok when the command succeeds; its
# output goes into the diagnostics when it fails.
ktap_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "command: $*" "${out:-(no output)}"
	fi
}

# ktap_expect_eq "description" expected actual
ktap_expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "expected: '$2'" "got:      '$3'"
	fi
}

ktap_finish() {
	exit $((_ktap_fail > 0))
}

# Kernel log lines written since the mark was taken.
dmesg_mark() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +"$(($1 + 1))"; }

ensure_debugfs() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
}

module_loaded() { [ -d /sys/module/zcpair ]; }
