#!/usr/bin/env bash
# Generate the module's own Rust bindings with exactly the bindgen command
# and C flags the kernel recorded for its own `kernel::bindings`, pointed at
# our header list instead of the kernel's.
#
#   module-bindgen.sh KDIR HEADER OUTPUT DEPFILE [EXTRA_CLANG_ARG...]
#
# Runs in KDIR because the recorded command uses paths relative to it.
set -euo pipefail

kdir=$1 header=$2 output=$3 depfile=$4
shift 4

cmdfile=$kdir/rust/bindings/.bindings_generated.rs.cmd
[ -f "$cmdfile" ] || { echo "module-bindgen: $cmdfile missing: is $kdir a built Rust-enabled tree?" >&2; exit 1; }

cmd=$(sed -n 's/^savedcmd_rust\/bindings\/bindings_generated\.rs := //p' "$cmdfile")
[ -n "$cmd" ] || { echo "module-bindgen: no recorded bindgen command in $cmdfile" >&2; exit 1; }

# The recorded command is: bindgen <srctree>/rust/bindings/bindings_helper.h
# ... -o rust/bindings/bindings_generated.rs -- -Wp,-MMD,<dep> <cflags> ;
# sed ... rust/bindings/bindings_generated.rs
orig_header=$(printf '%s\n' "$cmd" | awk '{print $2}')
case "$orig_header" in
*/rust/bindings/bindings_helper.h) ;;
*) echo "module-bindgen: unexpected recorded command: ${cmd:0:200}" >&2; exit 1 ;;
esac

cmd=${cmd/"$orig_header"/"$header"}
cmd=${cmd//"rust/bindings/bindings_generated.rs"/"$output"}
cmd=${cmd/"-Wp,-MMD,rust/bindings/.bindings_generated.rs.d"/"-Wp,-MMD,$depfile"}
# Our extra clang arguments (include paths) go right after `--`.
extra=$(printf ' %q' "$@")
cmd=${cmd/" -- "/" -- $extra "}

cd "$kdir"
eval "$cmd"
