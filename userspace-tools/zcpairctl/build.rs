// SPDX-License-Identifier: GPL-2.0
//! Generates the zcpair netlink constants from the uapi header.
//!
//! `include/uapi/linux/zcpair.h` is the one definition of the attribute,
//! command and limit numbers (it is generated from the YNL spec by
//! `make uapi`). bindgen turns its anonymous enums and `#define`s into Rust
//! `pub const`s in `$OUT_DIR/zcpair_uapi.rs`; `src/uapi.rs` includes them.
//!
//! bindgen loads libclang at run time (clang-sys's `runtime` feature). The
//! search honours `LIBCLANG_PATH`; when that is unset we point it at the
//! LLVM the rest of the project uses (`libclang-22-dev`, installed by
//! `scripts/setup.sh`), and otherwise leave clang-sys to its own search of
//! the usual places (`llvm-config`, `/usr/lib/llvm-*/lib`, ...).

use std::env;
use std::path::PathBuf;

/// The project's LLVM (see `ZCPAIR_LLVM` in `scripts/lib.sh`).
const PROJECT_LIBCLANG_DIR: &str = "/usr/lib/llvm-22/lib";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let header = manifest_dir.join("../../include/uapi/linux/zcpair.h");
    let header = header
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", header.display()));

    println!("cargo::rerun-if-changed={}", header.display());
    println!("cargo::rerun-if-env-changed=LIBCLANG_PATH");

    if env::var_os("LIBCLANG_PATH").is_none()
        && PathBuf::from(PROJECT_LIBCLANG_DIR)
            .join("libclang.so")
            .exists()
    {
        // Only this build script's process reads it: clang-sys loads
        // libclang from here when bindgen first needs it.
        env::set_var("LIBCLANG_PATH", PROJECT_LIBCLANG_DIR);
    }

    let bindings = bindgen::Builder::default()
        .header(header.to_str().expect("header path is not UTF-8"))
        // Only what the header itself defines, nothing from libc.
        .allowlist_file(".*/zcpair\\.h")
        .allowlist_var("ZCPAIR_.*")
        .allowlist_type("ZCPAIR_.*")
        .use_core()
        .layout_tests(false)
        .generate()
        .unwrap_or_else(|e| panic!("bindgen on {}: {e}", header.display()));

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let out = out_dir.join("zcpair_uapi.rs");
    bindings
        .write_to_file(&out)
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()));

    // The counters: every member of the `stats` attribute set, in the
    // header's order, named as the spec names them (the C name without its
    // prefix, lower case, `-` for `_`), so a counter added to the spec is
    // one the tool prints.
    let text =
        std::fs::read_to_string(&header).unwrap_or_else(|e| panic!("{}: {e}", header.display()));
    let mut table = String::from("pub const ALL: &[(&str, u16)] = &[\n");
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if let Some(rest) = word.strip_prefix("ZCPAIR_A_STATS_") {
            if rest != "MAX" && !table.contains(&format!("raw::{word})")) {
                let name = rest.to_ascii_lowercase().replace('_', "-");
                table.push_str(&format!("    (\"{name}\", attr(raw::{word})),\n"));
            }
        }
    }
    table.push_str("];\n");
    let out = out_dir.join("zcpair_stats.rs");
    std::fs::write(&out, table).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
