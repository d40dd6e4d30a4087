# shellcheck shell=bash
# Common settings for the zcpair scripts. Source it; do not run it.

ZCPAIR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZCPAIR_CACHE=${ZCPAIR_CACHE:-/var/cache/zcpair}
# The LLVM suffix: clang-22/ld.lld-22 share rustc 1.95's LLVM major, which
# KASAN + Rust needs (see README).
ZCPAIR_LLVM=${ZCPAIR_LLVM:--22}
ZCPAIR_KPKG=linux-source-6.12
ZCPAIR_BINDGEN_VERSION=0.72.1
ZCPAIR_VNG_VERSION=1.42

export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PATH"
# pyenv shims (where pip puts vng on this kind of machine).
[ -d "$HOME/.pyenv/shims" ] && export PATH="$HOME/.pyenv/shims:$PATH"

say() { printf '[zcpair] %s\n' "$*" >&2; }
die() { printf '[zcpair] error: %s\n' "$*" >&2; exit 1; }

kernel_pkg_version() {
	dpkg-query -W -f='${Version}' "$ZCPAIR_KPKG" 2>/dev/null | tr '~+:' '___'
}

# The cache key of a flavor: kernel package version + hash of the config
# fragments and of the toolchain that the module must share with the kernel.
kernel_key() {
	local flavor=$1 ver
	ver=$(kernel_pkg_version) || die "$ZCPAIR_KPKG is not installed (run: make setup)"
	local h
	h=$( {
		cat "$ZCPAIR_ROOT/scripts/kernel/base.config" \
		    "$ZCPAIR_ROOT/scripts/kernel/$flavor.config"
		rustc --version
		"clang$ZCPAIR_LLVM" --version | head -n1
		bindgen --version
	} | sha256sum | cut -c1-12)
	printf '%s-%s-%s\n' "$ver" "$flavor" "$h"
}

kernel_srcdir() { printf '%s/src/%s-%s\n' "$ZCPAIR_CACHE" "$ZCPAIR_KPKG" "$(kernel_pkg_version)"; }
kernel_builddir() { printf '%s/build/%s\n' "$ZCPAIR_CACHE" "$(kernel_key "$1")"; }

check_flavor() {
	case "$1" in
	normal|debug) ;;
	*) die "FLAVOR must be 'normal' or 'debug', not '$1'" ;;
	esac
}
