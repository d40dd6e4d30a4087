#!/usr/bin/env bash
# Build zcpair.ko against a Rust-enabled kernel build tree.
#   KDIR=<tree>   any Rust-enabled build tree; default: the cached FLAVOR tree
#   CLIPPY=1      lint the Rust code with clippy while building
# Prints nothing on success but Kbuild's own lines; the module is ./zcpair.ko.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${FLAVOR:-debug}
kdir=${KDIR:-}
if [ -z "$kdir" ]; then
	check_flavor "$flavor"
	"$ZCPAIR_ROOT/scripts/kernel.sh" build "$flavor"
	kdir=$(kernel_builddir "$flavor")
fi
kdir=$(cd "$kdir" && pwd)
[ -f "$kdir/.config" ] || die "KDIR=$kdir is not a configured kernel build tree"
grep -q '^CONFIG_RUST=y' "$kdir/.config" || die "KDIR=$kdir was built without CONFIG_RUST=y"

# Build with the compiler the tree was built with.
llvm=()
if [ -n "${LLVM:-}" ]; then
	llvm=(LLVM="$LLVM")
elif grep -q '^CONFIG_CC_IS_CLANG=y' "$kdir/.config"; then
	major=$(( $(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$kdir/.config") / 10000 ))
	if command -v "clang-$major" >/dev/null; then llvm=(LLVM="-$major"); else llvm=(LLVM=1); fi
fi

# Kbuild builds external modules in place: start afresh when the tree changes.
stamp=$ZCPAIR_ROOT/.zcpair-kdir
if [ "$(cat "$stamp" 2>/dev/null)" != "$kdir" ]; then
	make -s -C "$kdir" M="$ZCPAIR_ROOT" "${llvm[@]}" clean
	printf '%s\n' "$kdir" >"$stamp"
fi
make -C "$kdir" M="$ZCPAIR_ROOT" "${llvm[@]}" ${CLIPPY:+CLIPPY=1} modules
