#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# include/uapi/linux/zcpair.h is generated from the YNL spec
# Documentation/netlink/specs/zcpair.yaml by the kernel's own generator
# (tools/net/ynl/ynl-gen-c.py of the unpacked kernel source), so the
# attribute numbers are defined once and the module, zcpairctl and YNL's
# cli.py cannot disagree.
#
#   scripts/uapi.sh          regenerate the header
#   scripts/uapi.sh --check  fail if the committed header is stale
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(kernel_srcdir)
[ -x "$src/tools/net/ynl/ynl-gen-c.py" ] || [ -f "$src/tools/net/ynl/ynl-gen-c.py" ] ||
	die "no kernel source at $src (run: make kernel)"

# The generator validates against the schema next to the spec's directory
# and looks upwards for MAINTAINERS to name the spec in the header: give it
# a tree of that shape.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs"
touch "$tmp/MAINTAINERS"
ln -s "$src"/Documentation/netlink/genetlink*.yaml "$tmp/Documentation/netlink/"
cp "$ZCPAIR_ROOT/Documentation/netlink/specs/zcpair.yaml" "$tmp/Documentation/netlink/specs/"
(cd "$src" && python3 tools/net/ynl/ynl-gen-c.py --mode uapi --header \
	--spec "$tmp/Documentation/netlink/specs/zcpair.yaml") >"$tmp/zcpair.h"

out=$ZCPAIR_ROOT/include/uapi/linux/zcpair.h
if [ "${1:-}" = --check ]; then
	if ! diff -u "$out" "$tmp/zcpair.h"; then
		die "include/uapi/linux/zcpair.h differs from the YNL spec (run: make uapi)"
	fi
	say "uapi header matches Documentation/netlink/specs/zcpair.yaml"
else
	cp "$tmp/zcpair.h" "$out"
	say "wrote include/uapi/linux/zcpair.h"
fi
