// SPDX-License-Identifier: GPL-2.0

//! zcpair's user API: the constants of
//! [`include/uapi/linux/zcpair.h`](../include/uapi/linux/zcpair.h) (generated
//! from `Documentation/netlink/specs/zcpair.yaml` by `make uapi`), as
//! `u32`s (and the two name strings). Kbuild extracts them from the
//! module's bindings into `gen/uapi_generated.rs`; this is the one part of
//! the C API the driver names directly.

#![allow(dead_code, unreachable_pub)]

include!("../gen/uapi_generated.rs");
