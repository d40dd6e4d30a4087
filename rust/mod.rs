// SPDX-License-Identifier: GPL-2.0

//! zcpair's safe abstractions over the kernel's C networking API.
//!
//! The 6.12 `kernel` crate has no netdev, skb, NAPI, DMA, rtnl_link_ops,
//! genetlink or ethtool API, so zcpair carries its own, one file per kernel
//! concept. This is the only place in zcpair with `unsafe` code: every
//! `unsafe` block says, in a `// SAFETY:` comment, which invariant or
//! caller guarantee makes it sound, and every type states its invariants.
//! The driver (`drivers/net/zcpair/`) builds on these types in safe Rust.

mod bindings;
pub(crate) mod cpu;
pub(crate) mod dma;
pub(crate) mod ethtool;
pub(crate) mod genl;
pub(crate) mod inetaddr;
pub(crate) mod lower;
pub(crate) mod modinfo;
pub(crate) mod napi;
pub(crate) mod netdev;
pub(crate) mod netlink;
pub(crate) mod page;
pub(crate) mod rcu;
pub(crate) mod rtnl;
pub(crate) mod rtnl_lock;
pub(crate) mod sgring;
pub(crate) mod skb;
pub(crate) mod uapi;

/// The entry of a C ops table for a `#[vtable]` callback: `f` if the
/// driver implements it (`has`, its `HAS_*` constant), else NULL.
pub(crate) const fn callback<F: Copy>(has: bool, f: F) -> Option<F> {
    if has {
        Some(f)
    } else {
        None
    }
}

/// `EOPNOTSUPP`, which the 6.12 kernel crate does not name.
pub(crate) fn eopnotsupp() -> kernel::error::Error {
    kernel::error::Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}
