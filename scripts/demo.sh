#!/usr/bin/env bash
# `make demo`, the main job: the normal kernel, the module, one boot that
# loads the module and shows what it did.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZCPAIR_ROOT/scripts/setup.sh"
"$ZCPAIR_ROOT/scripts/kernel.sh" build normal
KDIR=$(kernel_builddir normal) "$ZCPAIR_ROOT/scripts/module.sh"
say "building zcpairctl"
cargo build --release --quiet --manifest-path "$ZCPAIR_ROOT/userspace-tools/Cargo.toml" --locked
exec "$ZCPAIR_ROOT/scripts/vm.sh" normal "scripts/demo-guest.sh"
