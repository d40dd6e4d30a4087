// SPDX-License-Identifier: GPL-2.0

//! zcpair: paired virtual Ethernet devices whose two ends talk only through
//! shared DMA-coherent descriptor rings.
//!
//! This file is the module's entry point. Everything that touches the C API
//! lives in `rust/` (the `knet` module); the driver itself is safe Rust.

use kernel::prelude::*;

#[path = "../../../rust/mod.rs"]
mod knet;

use knet::netdev::Layout;

/// The driver's version, reported by `modinfo` and `ethtool -i`.
pub(crate) const VERSION: &str = "0.1.0";

module! {
    type: ZcPair,
    name: "zcpair",
    author: "zcpair developers",
    description: "Paired virtual Ethernet devices over shared DMA-coherent descriptor rings",
    license: "GPL",
    alias: ["rtnl-link-zcpair"],
}

modinfo!(version, "0.1.0");

struct ZcPair;

impl kernel::Module for ZcPair {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let layout = Layout::probe()?;
        if !layout.agrees() {
            pr_err!(
                "bindings disagree with C: net_device {} bytes, private area at +{} (Rust) vs +{} (C)\n",
                layout.rust_size,
                layout.rust_priv_offset,
                layout.c_priv_offset
            );
            return Err(EINVAL);
        }
        pr_info!(
            "zcpair {}: net_device is {} bytes, private area at +{} (Rust and C agree)\n",
            VERSION,
            layout.rust_size,
            layout.c_priv_offset
        );
        Ok(ZcPair)
    }
}

impl Drop for ZcPair {
    fn drop(&mut self) {
        pr_info!("zcpair {}: unloaded\n", VERSION);
    }
}
