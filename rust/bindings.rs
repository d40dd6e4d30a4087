// SPDX-License-Identifier: GPL-2.0

//! Raw bindings to the kernel's C networking API.
//!
//! Generated at build time by `scripts/module-bindgen.sh` from
//! `rust/bindings_helper.h`, with the bindgen command and C flags the kernel
//! recorded for its own `kernel::bindings`, so the layouts are those of the
//! tree the module is built against. Only the abstractions in `rust/` use
//! this module.

#![allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    unknown_lints,
    unnecessary_transmutes
)]

// The generated code names C types as `ffi::c_int` and so on.
use kernel::ffi;

// Types the recorded bindgen parameters block-list, defined as the kernel
// crate defines them.
type __kernel_size_t = usize;
type __kernel_ssize_t = isize;
type __kernel_ptrdiff_t = isize;

include!("../gen/bindings_generated.rs");
