#!/usr/bin/env bash
# The kernel's own net selftest programs that tests/30-kselftests.sh runs
# over a zcpair pair, built with gcc from the unpacked kernel source (never
# copied into the checkout) into a cache directory keyed by the kernel
# package version, this script and the compiler. The tests find it with
# `scripts/selftests.sh dir` (the guest sees the host's root file system).
#   scripts/selftests.sh [build]   build what is missing, print the directory
#   scripts/selftests.sh dir       print the directory (built or not)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The programs, as the selftests Makefile builds them (TEST_GEN_FILES).
progs=(msg_zerocopy io_uring_zerocopy_tx gro udpgso_bench_tx udpgso_bench_rx)

src=$(kernel_srcdir)
net=$src/tools/testing/selftests/net
# startgate.so, our own, holds a program before main() until released
# (see its source).
gate=$ZCPAIR_ROOT/tests/lib/startgate.c
key=$(kernel_pkg_version)-$( { cat "$0" "$gate"; gcc --version | head -n1; } |
	sha256sum | cut -c1-12)
# Not under $ZCPAIR_CACHE (/var/cache): virtme-ng mounts a tmpfs over
# /var/cache in the guest, which would hide the programs from the tests.
out=${ZCPAIR_SELFTESTS_CACHE:-/var/lib/zcpair/selftests}/$key

case "${1:-build}" in
dir) echo "$out"; exit 0 ;;
build) ;;
*) die "usage: $0 [build|dir]" ;;
esac

if [ -f "$out/.zcpair-built" ]; then
	say "kernel selftests: cached in $out"
	echo "$out"
	exit 0
fi
[ -d "$net" ] || die "no kernel source in $src (run: make setup && make kernel)"

say "kernel selftests: building ${progs[*]} into $out"
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
# The uapi headers of this kernel (the selftests Makefile's KHDR_INCLUDES),
# installed from the read-only source with an out-of-tree object dir.
make -s -C "$src" O="$tmp/obj" INSTALL_HDR_PATH="$tmp/usr" headers_install >&2
rm -rf "$tmp/obj"

# The selftests Makefile's CFLAGS, plus its per-program additions.
cflags=(-Wall -Wl,--no-as-needed -O2 -g -isystem "$tmp/usr/include" -I"$src/tools/testing/selftests")
for p in "${progs[@]}"; do
	extra=()
	[ "$p" = io_uring_zerocopy_tx ] && extra=(-I"$src/tools/include")
	gcc "${cflags[@]}" "${extra[@]}" -o "$tmp/$p" "$net/$p.c" >&2
done
gcc -Wall -O2 -shared -fPIC -o "$tmp/startgate.so" "$gate" >&2
touch "$tmp/.zcpair-built"
rm -rf "$out"
mv "$tmp" "$out"
say "kernel selftests: built in $out"
echo "$out"
