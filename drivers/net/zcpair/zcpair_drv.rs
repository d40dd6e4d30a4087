// SPDX-License-Identifier: GPL-2.0

//! zcpair: paired virtual Ethernet devices whose two ends talk only through
//! shared DMA-coherent descriptor rings.
//!
//! A frame follows `tx::start_xmit` (headers copied into the slot's
//! pre-mapped buffer, the rest referenced, one notification per batch) to
//! the peer's `rx::poll` (skb built from the header bytes and frags on the
//! sender's pages, handed to GRO), which tells the sender to release it
//! (`tx::complete`). `link` creates and deletes pairs; `pair` is their
//! shared state. Everything that touches the C API lives in `rust/` (the
//! `knet` module); the driver itself is safe Rust.

use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;

#[path = "../../../rust/mod.rs"]
mod knet;

#[forbid(unsafe_code)]
mod counters;
#[forbid(unsafe_code)]
mod ethtool;
#[forbid(unsafe_code)]
mod genl;
#[forbid(unsafe_code)]
mod lan;
#[forbid(unsafe_code)]
mod link;
#[forbid(unsafe_code)]
mod moderation;
#[forbid(unsafe_code)]
mod multidest;
#[forbid(unsafe_code)]
mod pair;
#[forbid(unsafe_code)]
mod rx;
#[forbid(unsafe_code)]
mod steer;
#[forbid(unsafe_code)]
mod tx;
#[forbid(unsafe_code)]
mod uplink;

use knet::dma::{DmaDevice, DmaDeviceSlot, PlatformDmaDevice};
use knet::genl::FamilyRegistration;
use knet::inetaddr::{AddrNotifier, AddrNotifierRegistration};
use knet::lower::{Notifier, NotifierRegistration};
use knet::netdev::Layout;
use knet::rtnl::{LinkKind, LinkRegistration};

macro_rules! zcpair_version {
    () => {
        "0.1.0"
    };
}

/// The driver's version, reported by `modinfo` and `ethtool -i`.
pub(crate) const VERSION_CSTR: &CStr = c_str!(zcpair_version!());

module! {
    type: ZcPairModule,
    name: "zcpair",
    author: "zcpair developers",
    description: "Paired virtual Ethernet devices over shared DMA-coherent descriptor rings",
    license: "GPL",
    alias: ["rtnl-link-zcpair"],
}

modinfo!(version, zcpair_version!());

/// The device all rings are allocated for, published while the module is
/// loaded.
static DMA_DEVICE: DmaDeviceSlot = DmaDeviceSlot::new();

/// The DMA device, for `newlink`.
pub(crate) fn dma_device() -> Result<DmaDevice> {
    DMA_DEVICE.get().ok_or(ENODEV)
}

/// The `zcpair` driver. Its ops tables are implemented where their concern
/// lives: `Driver` (net_device_ops) and `LinkOps` (the link kind) in
/// `link`, `NapiPoll` in `rx`, `EthtoolOps` in `ethtool`; the generic
/// netlink family is `genl::ZcPairGenl`.
pub(crate) struct ZcPair;

/// Its registration with rtnetlink; its ops' address identifies our devices.
pub(crate) static LINK: LinkKind<ZcPair> = LinkKind::new();

/// The netdevice notifier: our ends' MACs, uplinks going away.
static EVENTS: Notifier<uplink::Events> = Notifier::new();

/// The address notifiers: LAN members' addresses are their LAN's routes.
static ADDRS: AddrNotifier<lan::Addrs> = AddrNotifier::new();

struct ZcPairModule {
    // Dropped in this order: the link kind (deleting every pair, which
    // announces them gone and detaches their uplinks) first, then the
    // address notifiers, the netdevice notifier, the genetlink family, then the DMA device their
    // rings were allocated for.
    _link: LinkRegistration<ZcPair>,
    _addrs: AddrNotifierRegistration<lan::Addrs>,
    _events: NotifierRegistration<uplink::Events>,
    _genl: FamilyRegistration<genl::ZcPairGenl>,
    _dma: PlatformDmaDevice,
}

impl kernel::Module for ZcPairModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
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
        let dma = PlatformDmaDevice::register(c_str!("zcpair"))?;
        DMA_DEVICE.publish(dma.dma_device())?;
        let family = genl::FAMILY.register(
            module,
            c_str!("zcpair"),
            knet::uapi::ZCPAIR_FAMILY_VERSION,
            &genl::POLICY,
            &genl::OPS,
            &genl::MCGRPS,
        );
        // The notifier before the link kind: it learns each end's MAC at
        // registration.
        let link = family.and_then(|family| {
            let events = EVENTS.register()?;
            let addrs = ADDRS.register()?;
            Ok((LINK.register()?, addrs, events, family))
        });
        let (link, addrs, events, family) = match link {
            Ok(v) => v,
            Err(e) => {
                DMA_DEVICE.clear();
                return Err(e);
            }
        };
        pr_info!(
            "{}: net_device is {} bytes, private area at +{} (Rust and C agree)\n",
            zcpair_version!(),
            layout.rust_size,
            layout.c_priv_offset
        );
        Ok(ZcPairModule {
            _link: link,
            _addrs: addrs,
            _events: events,
            _genl: family,
            _dma: dma,
        })
    }
}

impl Drop for ZcPairModule {
    fn drop(&mut self) {
        DMA_DEVICE.clear();
        pr_info!("{}: unloaded\n", zcpair_version!());
    }
}
