#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rules of rust/ that types enforce must stay enforced: each
# tests/compile-fail/NAME.rs is driver code that breaks one of them, and
# must not compile, failing with the error its first line names
# (`// expect: error[E...]: ...`). Each case is added to a copy of the
# driver crate and built against the kernel tree (one build per case:
# rustc stops before borrow checking when type checking failed). The cases
# are shared out among up to nproc workers, each with its own copy, made
# once: from case to case only the driver's root file changes, so Kbuild
# rebuilds the driver crate and not the bindings (bindgen over the kernel
# headers), whose inputs are the same for every case. Each case's lines
# are printed in the cases' order once all are done.
#   KDIR=<tree>   the kernel build tree (default: the cached debug tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${KDIR:-$(kernel_builddir "${FLAVOR:-debug}")}
[ -f "$kdir/.config" ] || die "no kernel build tree at $kdir (run: make kernel)"
major=$(( $(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$kdir/.config") / 10000 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_case TREE CASE: CASE added to the driver in TREE and built; its
# lines into $tmp/NAME.log; false unless it failed with its error.
check_case() {
	local tree=$1 case=$2 name expect out drv
	name=$(basename "$case" .rs)
	drv=$tree/drivers/net/zcpair/zcpair_drv.rs
	exec 3>"$tmp/$name.log"
	expect=$(sed -n '1s|^// expect: ||p' "$case")
	if [ -z "$expect" ]; then
		say "error: $case: first line must be '// expect: <error>'" 2>&3
		return 1
	fi
	# The driver as it is, and the case (a new file: Kbuild rebuilds the
	# crate).
	{
		cat "$tree/zcpair_drv.rs.orig"
		echo
		echo "/// Compile-fail case $name (scripts/compile-fail.sh)."
		echo "#[allow(dead_code, unused_imports)]"
		echo "#[forbid(unsafe_code)]"
		echo "mod compile_fail_case {"
		echo "    use crate::knet::sgring::Consumer;"
		cat "$case"
		echo "}"
	} >"$drv"
	if out=$(make -s -C "$kdir" M="$tree" LLVM="-$major" modules 2>&1); then
		say "compile-fail $name: compiled, but must fail with: $expect" 2>&3
		return 1
	elif printf '%s\n' "$out" | grep -qF -- "$expect"; then
		say "compile-fail $name: refused as expected ($expect)" 2>&3
	else
		say "compile-fail $name: failed, but not with: $expect" 2>&3
		printf '%s\n' "$out" | grep -E '^(error|warning)' | head -n 10 >&3
		return 1
	fi
}

# worker TREE CASE...: a copy of the checkout in TREE, then each CASE.
worker() {
	local tree=$1 case rc=0
	shift
	mkdir -p "$tree"
	(cd "$ZCPAIR_ROOT" && cp -r Kbuild drivers rust include scripts "$tree/")
	cp "$tree/drivers/net/zcpair/zcpair_drv.rs" "$tree/zcpair_drv.rs.orig"
	for case; do
		check_case "$tree" "$case" || rc=1
	done
	return $rc
}

cases=("$ZCPAIR_ROOT"/tests/compile-fail/*.rs)
n=$(nproc)
[ "$n" -le ${#cases[@]} ] || n=${#cases[@]}
pids=()
for ((w = 0; w < n; w++)); do
	mine=()
	for ((i = w; i < ${#cases[@]}; i += n)); do mine+=("${cases[i]}"); done
	worker "$tmp/tree$w" "${mine[@]}" &
	pids+=($!)
done
fail=0
for pid in "${pids[@]}"; do
	wait "$pid" || fail=1
done
for case in "${cases[@]}"; do
	name=$(basename "$case" .rs)
	if [ -s "$tmp/$name.log" ]; then
		cat "$tmp/$name.log" >&2
	else
		say "compile-fail $name: no result"
		fail=1
	fi
done
exit "$fail"
