# shellcheck shell=bash
# KTAP helpers for zcpair's kselftest-style tests. Each test script sources
# this, declares its plan and reports every test point.

ZCPAIR_ROOT=${ZCPAIR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# The pair, counters and helpers the guest scripts share.
. "$ZCPAIR_ROOT/scripts/guest-lib.sh"
_ktap_n=0
_ktap_fail=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# Each result is preceded by the script's running time (bash's SECONDS,
# no process started), to see where a slow guest spends it.
ktap_ok() {
	echo "# ${SECONDS}s"
	_ktap_n=$((_ktap_n + 1))
	echo "ok $_ktap_n $*"
}

ktap_fail() {
	echo "# ${SECONDS}s"
	_ktap_n=$((_ktap_n + 1))
	_ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n $1"
	shift
	local line
	for line in "$@"; do echo "# $line"; done
}

ktap_skip() {
	echo "# ${SECONDS}s"
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

# has_line TEXT LINE: one of TEXT's lines is LINE (what grep -qx says).
has_line() {
	[[ $'\n'$1$'\n' == *$'\n'"$2"$'\n'* ]]
}

# refused MESSAGE command...: the command fails and says MESSAGE (the
# kernel's extack, as the tool prints it).
refused() {
	local msg=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "succeeded: $out"
		return 1
	fi
	[[ $out == *"$msg"* ]] && return 0
	echo "failed without '$msg': $out"
	return 1
}

# ktap_forward WHAT WANT RC: a helper program's output (stdin) as this
# script's points: its "ok DESC"/"not ok DESC" lines become points, other
# lines diagnostics; points it did not report (it stopped early, exit RC)
# fail, so that the plan of WANT points still holds.
ktap_forward() {
	local what=$1 want=$2 rc=$3 n=0 line
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ktap_ok "${line#ok }"; n=$((n + 1)) ;;
		"not ok "*) ktap_fail "${line#not ok }"; n=$((n + 1)) ;;
		*) echo "# $line" ;;
		esac
	done
	while [ "$n" -lt "$want" ]; do
		ktap_fail "$what reported $n of $want points" "exit $rc"
		n=$((n + 1))
	done
}

ktap_finish() {
	exit $((_ktap_fail > 0))
}

# Kernel log lines written since the mark was taken.
