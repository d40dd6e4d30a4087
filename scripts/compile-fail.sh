#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rules of rust/ that types enforce must stay enforced: each
# tests/compile-fail/NAME.rs is driver code that breaks one of them, and
# must not compile, failing with the error its first line names
# (`// expect: error[E...]: ...`). Each case is added to a copy of the
# driver crate and built against the kernel tree (one build per case:
# rustc stops before borrow checking when type checking failed). The copy
# is made once and only the driver's root file changes from case to case:
# Kbuild then rebuilds the driver crate only, not the bindings (bindgen
# over the kernel headers), whose inputs are the same for every case.
#   KDIR=<tree>   the kernel build tree (default: the cached debug tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${KDIR:-$(kernel_builddir "${FLAVOR:-debug}")}
[ -f "$kdir/.config" ] || die "no kernel build tree at $kdir (run: make kernel)"
major=$(( $(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$kdir/.config") / 10000 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/tree"
(cd "$ZCPAIR_ROOT" && cp -r Kbuild drivers rust include scripts "$tmp/tree/")
drv=$tmp/tree/drivers/net/zcpair/zcpair_drv.rs
cp "$drv" "$tmp/zcpair_drv.rs"
for case in "$ZCPAIR_ROOT"/tests/compile-fail/*.rs; do
	name=$(basename "$case" .rs)
	expect=$(sed -n '1s|^// expect: ||p' "$case")
	[ -n "$expect" ] || die "$case: first line must be '// expect: <error>'"
	# The driver as it is, and the case (a new file: Kbuild rebuilds the
	# crate).
	{
		cat "$tmp/zcpair_drv.rs"
		echo
		echo "/// Compile-fail case $name (scripts/compile-fail.sh)."
		echo "#[allow(dead_code, unused_imports)]"
		echo "#[forbid(unsafe_code)]"
		echo "mod compile_fail_case {"
		echo "    use crate::knet::sgring::Consumer;"
		cat "$case"
		echo "}"
	} >"$drv"
	if out=$(make -s -C "$kdir" M="$tmp/tree" LLVM="-$major" modules 2>&1); then
		say "compile-fail $name: compiled, but must fail with: $expect"
		fail=1
	elif printf '%s\n' "$out" | grep -qF -- "$expect"; then
		say "compile-fail $name: refused as expected ($expect)"
	else
		say "compile-fail $name: failed, but not with: $expect"
		printf '%s\n' "$out" | grep -E '^(error|warning)' | head -n 10 >&2
		fail=1
	fi
done
exit "$fail"
