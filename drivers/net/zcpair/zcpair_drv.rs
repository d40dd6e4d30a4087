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

#[deny(unsafe_code)]
mod ethtool;
#[deny(unsafe_code)]
mod genl;
#[deny(unsafe_code)]
mod link;
#[deny(unsafe_code)]
mod pair;
#[deny(unsafe_code)]
mod rx;
#[deny(unsafe_code)]
mod tx;

use knet::dma::{DmaDevice, DmaDeviceSlot, PlatformDmaDevice};
use knet::ethtool::{DrvInfo, RingParam};
use knet::genl::FamilyRegistration;
use knet::napi::PollCtx;
use knet::netdev::DeviceRef;
use knet::netdev::{Device, Driver, Layout, Sent, Stats64};
use knet::rtnl::{
    Attrs, Created, ExtAck, LinkKind, LinkRegistration, NewLink, Rtnl, UnregisterQueue,
};
use knet::skb::SkBuff;

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

/// The `zcpair` link kind.
pub(crate) struct ZcPair;

/// Its registration with rtnetlink; its ops' address identifies our devices.
pub(crate) static LINK: LinkKind<ZcPair> = LinkKind::new();

impl Driver for ZcPair {
    type Data = pair::EndData;

    const KIND: &'static CStr = c_str!("zcpair");
    const MIN_MTU: u32 = 68;
    const MAX_MTU: u32 = 65535;
    const FEATURES: u64 = knet::netdev::features::ZCPAIR;
    const STATS: &'static [&'static CStr] = ethtool::STATS;
    const MAXTYPE: u32 = knet::bindings::ZCPAIR_INFO_MAX;

    fn policy() -> &'static [knet::bindings::nla_policy] {
        &link::POLICY.0
    }
    fn validate(data: &Attrs<'_>, extack: &ExtAck<'_>) -> Result {
        link::validate(data, extack)
    }
    fn newlink<'a>(ctx: &NewLink<'a, Self>) -> Result<Created<'a, Self>> {
        link::newlink(ctx)
    }
    fn newlink_done(dev: &Device<Self>, rtnl: &Rtnl) {
        link::newlink_done(dev, rtnl)
    }
    fn dellink(dev: &Device<Self>, rtnl: &Rtnl, queue: &mut UnregisterQueue<'_>) {
        link::dellink(dev, rtnl, queue)
    }
    fn init(dev: &Device<Self>, rtnl: &Rtnl) -> Result {
        link::init(dev, rtnl)
    }
    fn uninit(dev: &Device<Self>, rtnl: &Rtnl) {
        link::uninit(dev, rtnl)
    }
    fn open(dev: &Device<Self>, rtnl: &Rtnl) -> Result {
        link::open(dev, rtnl)
    }
    fn stop(dev: &Device<Self>, rtnl: &Rtnl) {
        link::stop(dev, rtnl)
    }
    fn start_xmit(dev: &Device<Self>, skb: SkBuff) -> Sent {
        tx::start_xmit(dev, skb)
    }
    fn stats64(dev: &Device<Self>) -> Stats64 {
        let Some(data) = dev.data() else {
            return Stats64::default();
        };
        let s = &data.end().stats;
        Stats64 {
            rx_packets: pair::get(&s.rx_packets),
            rx_bytes: pair::get(&s.rx_bytes),
            tx_packets: pair::get(&s.tx_packets),
            tx_bytes: pair::get(&s.tx_bytes),
            rx_dropped: pair::get(&s.rx_dropped),
            tx_dropped: pair::get(&s.tx_dropped),
        }
    }
    fn iflink(dev: &Device<Self>) -> i32 {
        Self::link_peer(dev).map_or(0, |p| p.get().ifindex())
    }
    fn link_peer(dev: &Device<Self>) -> Option<DeviceRef<Self>> {
        dev.data().and_then(|d| d.peer().device())
    }
    fn poll(dev: &Device<Self>, ctx: PollCtx<'_>) -> i32 {
        rx::poll(dev, ctx)
    }
    fn drvinfo(dev: &Device<Self>) -> DrvInfo {
        ethtool::drvinfo(dev)
    }
    fn ringparam(dev: &Device<Self>) -> RingParam {
        ethtool::ringparam(dev)
    }
    fn set_ringparam(
        dev: &Device<Self>,
        rtnl: &Rtnl,
        ring: RingParam,
        extack: &ExtAck<'_>,
    ) -> Result {
        ethtool::set_ringparam(dev, rtnl, ring, extack)
    }
    fn ethtool_stats(dev: &Device<Self>, out: &mut [u64]) {
        ethtool::stats(dev, out)
    }
}

struct ZcPairModule {
    // Dropped in this order: the link kind (deleting every pair, which
    // announces them gone) first, then the genetlink family, then the DMA
    // device their rings were allocated for.
    _link: LinkRegistration<ZcPair>,
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
            knet::bindings::ZCPAIR_FAMILY_VERSION,
            &genl::POLICY.0,
            &genl::OPS.0,
            &genl::MCGRPS.0,
        );
        let link = family.and_then(|family| Ok((LINK.register()?, family)));
        let (link, family) = match link {
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
