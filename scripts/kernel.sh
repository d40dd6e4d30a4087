#!/usr/bin/env bash
# Build (or find in the cache) the lean Rust-enabled test kernel.
#   scripts/kernel.sh build FLAVOR   unpack, configure and build; idempotent
#   scripts/kernel.sh dir FLAVOR     print the build tree's path
#   scripts/kernel.sh verify FLAVOR  diff the unpacked source against the tarball
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:-build}
flavor=${2:-debug}
check_flavor "$flavor"

src=$(kernel_srcdir)
out=$(kernel_builddir "$flavor")
kmake=(make -C "$src" O="$out" ARCH=x86_64 LLVM="$ZCPAIR_LLVM")

unpack() {
	[ -f "$src/.zcpair-unpacked" ] && return 0
	local tarball
	tarball=$(dpkg -L "$ZCPAIR_KPKG" | grep -E '\.tar\.(xz|bz2|gz)$' | head -n1)
	[ -n "$tarball" ] || die "no source tarball in $ZCPAIR_KPKG"
	say "unpacking $tarball into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball"
	mv "$src.tmp"/* "$src"
	rmdir "$src.tmp"
	touch "$src/.zcpair-unpacked"
}

configure() {
	local frag
	frag=$(mktemp)
	cat "$ZCPAIR_ROOT/scripts/kernel/base.config" \
	    "$ZCPAIR_ROOT/scripts/kernel/$flavor.config" >"$frag"
	say "configuring $flavor kernel: allnoconfig + scripts/kernel/{base,$flavor}.config"
	mkdir -p "$out"
	KCONFIG_ALLCONFIG="$frag" "${kmake[@]}" -s allnoconfig
	# Every option the fragments ask for must have survived dependency
	# resolution, or the tests would run on a kernel other than the one
	# we think we have.
	local bad=0 line sym val
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}; val=${line#*=}
			grep -qxF "$sym=$val" "$out/.config" || { say "config: $sym=$val did not take"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$out/.config" && { say "config: $sym is set, wanted off"; bad=1; } ;;
		esac
	done <"$frag"
	rm -f "$frag"
	[ "$bad" = 0 ] || die "kernel config fragments did not apply (see above)"
}

build() {
	local start log pid n last
	if [ -f "$out/.zcpair-built" ]; then
		say "$flavor kernel is cached: $out"
		return 0
	fi
	unpack
	"${kmake[@]}" -s rustavailable >/dev/null || {
		"${kmake[@]}" rustavailable || true
		die "the Rust toolchain is not usable for the kernel (run: make setup)"
	}
	[ -f "$out/.config" ] || configure
	log="$out/zcpair-build.log"
	say "building $flavor kernel in $out (log: $log)"
	start=$(date +%s)
	"${kmake[@]}" -j"$(nproc)" bzImage modules >"$log" 2>&1 &
	pid=$!
	# Progress: elapsed time, objects compiled, and the latest step.
	while kill -0 "$pid" 2>/dev/null; do
		sleep 30
		n=$(grep -cE '^  (CC|RUSTC|AS|LD)' "$log" || true)
		last=$(grep -E '^  [A-Z]' "$log" | tail -n1 | sed 's/^ *//' || true)
		say "$flavor kernel: $(( ($(date +%s) - start) / 60 ))m$(( ($(date +%s) - start) % 60 ))s, $n steps, at: $last"
	done
	if ! wait "$pid"; then
		tail -n 40 "$log" >&2
		die "$flavor kernel build failed (full log: $log)"
	fi
	echo "$(( $(date +%s) - start ))" >"$out/.zcpair-build-seconds"
	touch "$out/.zcpair-built"
	say "$flavor kernel built in $(( ($(date +%s) - start) / 60 ))m$(( ($(date +%s) - start) % 60 ))s: $out"
}

verify() {
	local tarball tmp
	tarball=$(dpkg -L "$ZCPAIR_KPKG" | grep -E '\.tar\.(xz|bz2|gz)$' | head -n1)
	tmp=$(mktemp -d)
	tar -C "$tmp" -xf "$tarball"
	if diff -r -q "$tmp"/* "$src" -x .zcpair-unpacked; then
		say "unpacked tree is identical to $tarball"
	else
		rm -rf "$tmp"; die "unpacked tree differs from $tarball"
	fi
	rm -rf "$tmp"
}

case "$cmd" in
build) build ;;
dir) printf '%s\n' "$out" ;;
verify) verify ;;
*) die "unknown command '$cmd'" ;;
esac
