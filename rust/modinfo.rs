// SPDX-License-Identifier: GPL-2.0

//! Module information the `module!` macro of 6.12 cannot emit.

/// Adds a `key=value` entry to the loadable module's `.modinfo` section,
/// where `modinfo(8)` and the module loader read it.
///
/// Only for loadable modules: built-in modules prefix their keys with the
/// module name, and zcpair is always built out of tree.
#[macro_export]
macro_rules! modinfo {
    ($key:ident, $value:expr) => {
        const _: () = {
            const ENTRY: &str = concat!(stringify!($key), "=", $value, "\0");
            #[link_section = ".modinfo"]
            #[used]
            static MODINFO: [u8; ENTRY.len()] = {
                let mut out = [0u8; ENTRY.len()];
                let bytes = ENTRY.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    out[i] = bytes[i];
                    i += 1;
                }
                out
            };
        };
    };
}
