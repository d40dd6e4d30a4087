#!/usr/bin/env bash
# rustfmt --check over all Rust sources, then a clippy build of the module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ZCPAIR_ROOT"
say "rustfmt --check"
rustfmt --check --edition 2021 --config-path .rustfmt.toml $(git ls-files "*.rs" | grep -v userspace-tools/)
if [ -f userspace-tools/Cargo.toml ]; then
	cargo fmt --manifest-path userspace-tools/Cargo.toml --all -- --check
	cargo clippy --manifest-path userspace-tools/Cargo.toml --locked --all-targets -- -D warnings
fi
say "clippy (module build with CLIPPY=1)"
touch drivers/net/zcpair/zcpair_drv.rs
CLIPPY=1 "$ZCPAIR_ROOT/scripts/module.sh" 2>&1 | tee /tmp/zcpair-clippy.log
! grep -qE '^(warning|error)' /tmp/zcpair-clippy.log
