#!/usr/bin/env bash
# Idempotent set-up of everything zcpair needs on a Debian bookworm machine.
# Prints what it installs; skips what is present.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Debian packages: kernel build, LLVM matching rustc, VM, test tools.
pkgs=(
	"$ZCPAIR_KPKG" build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils zstd rsync
	"clang$ZCPAIR_LLVM" "lld$ZCPAIR_LLVM" "llvm$ZCPAIR_LLVM" "libclang$ZCPAIR_LLVM-dev"
	qemu-system-x86 python3-yaml iproute2 iputils-ping ethtool socat iperf3 jq util-linux
	sockperf gnuplot-nox python3-jsonschema
	procps coreutils
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] && sudo= || sudo=sudo
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	say "Debian packages: all ${#pkgs[@]} present"
fi

command -v rustup >/dev/null || die "rustup is required (the Rust toolchain comes from rustup)"
for c in rust-src rustfmt clippy; do
	if rustup component list --installed 2>/dev/null | grep -q "^$c"; then
		say "rustup component $c: present"
	else
		say "installing rustup component $c"
		rustup component add "$c"
	fi
done

if [ "$(bindgen --version 2>/dev/null)" = "bindgen $ZCPAIR_BINDGEN_VERSION" ]; then
	say "bindgen $ZCPAIR_BINDGEN_VERSION: present"
else
	say "installing bindgen-cli $ZCPAIR_BINDGEN_VERSION (cargo install --locked)"
	cargo install --locked --force bindgen-cli --version "$ZCPAIR_BINDGEN_VERSION"
fi

if [ "$(vng --version 2>/dev/null | awk '{print $NF}')" = "$ZCPAIR_VNG_VERSION" ]; then
	say "virtme-ng $ZCPAIR_VNG_VERSION: present"
else
	say "installing virtme-ng $ZCPAIR_VNG_VERSION (pip)"
	python3 -m pip install -q --root-user-action=ignore "virtme-ng==$ZCPAIR_VNG_VERSION" ||
		python3 -m pip install -q --break-system-packages "virtme-ng==$ZCPAIR_VNG_VERSION"
	hash -r
	command -v vng >/dev/null || die "vng is not on PATH after installing virtme-ng"
fi
