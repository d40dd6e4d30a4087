// SPDX-License-Identifier: GPL-2.0

//! ethtool operations.
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h).

use super::bindings;
use super::callback;
use super::netdev::{Device, Driver};
use super::netlink::ExtAck;
use super::rtnl_lock::Rtnl;
use core::marker::PhantomData;
use kernel::build_error;
use kernel::error::{from_result, VTABLE_DEFAULT_ERROR};
use kernel::prelude::*;
use kernel::str::CStr;

/// `ethtool -i`: driver name, version and bus info.
pub(crate) struct DrvInfo {
    pub(crate) driver: &'static CStr,
    pub(crate) version: &'static CStr,
    pub(crate) bus_info: &'static CStr,
}

/// `ethtool -g/-G`: ring sizes (rx is the peer's tx ring).
#[derive(Clone, Copy, Default)]
pub(crate) struct RingParam {
    pub(crate) rx_max: u32,
    pub(crate) tx_max: u32,
    pub(crate) rx: u32,
    pub(crate) tx: u32,
}

/// `ethtool -c/-C`: the coalescing parameters a driver of this crate can
/// offer (`supported_coalesce_params`: `ETHTOOL_COALESCE_TX_USECS`,
/// `_TX_MAX_FRAMES`, `_RX_USECS`, `_RX_MAX_FRAMES`, `_USE_ADAPTIVE_RX`,
/// `_PKT_RATE_LOW`;
/// the core refuses the other parameters with an extack of its own).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Coalesce {
    /// `tx-usecs`: how long a frame may be held back to form a batch.
    pub(crate) tx_usecs: u32,
    /// `tx-frames`: how many frames a batch may hold at most.
    pub(crate) tx_max_frames: u32,
    /// `rx-usecs`: how long a received frame may wait for its poll.
    pub(crate) rx_usecs: u32,
    /// `rx-frames`: how many received frames may wait for their poll.
    pub(crate) rx_max_frames: u32,
    /// `adaptive-rx`: the driver decides which frames `rx-usecs` and
    /// `rx-frames` apply to.
    pub(crate) rx_adaptive: bool,
    /// `pkt-rate-low`: below this rate (packets per second) a received
    /// frame does not wait.
    pub(crate) pkt_rate_low: u32,
}

/// `ethtool -l/-L`: channels, each a transmit queue, a receive queue and
/// the NAPI instance serving both ("combined"; a driver of this crate
/// offers no rx-only, tx-only or other channels, so the core refuses
/// those counts against their maximum of 0).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Channels {
    /// Most combined channels the device can have.
    pub(crate) max_combined: u32,
    /// Combined channels in use.
    pub(crate) combined: u32,
}

const ETH_SS_STATS: i32 = 1;

fn copy_cstr(dst: &mut [u8], src: &CStr) {
    let src = src.as_bytes();
    let n = src.len().min(dst.len().saturating_sub(1));
    dst[..n].copy_from_slice(&src[..n]);
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}

/// A driver's `ethtool_ops`. Link state (`ethtool` "Link detected") is
/// always the carrier; what a driver leaves out is absent, as in C.
#[vtable]
pub(crate) trait EthtoolOps: Driver {
    /// Names of the driver's `ethtool -S` counters (none: no `-S`).
    const STATS: &'static [&'static CStr] = &[];

    /// `ethtool -i`.
    fn drvinfo(_dev: &Device<Self>) -> DrvInfo {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -g`.
    fn ringparam(_dev: &Device<Self>) -> RingParam {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -G` (rtnl held).
    fn set_ringparam(
        _dev: &Device<Self>,
        _rtnl: &Rtnl,
        _ring: RingParam,
        _extack: &ExtAck<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -c`.
    fn coalesce(_dev: &Device<Self>) -> Coalesce {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -C` (rtnl held).
    fn set_coalesce(
        _dev: &Device<Self>,
        _rtnl: &Rtnl,
        _c: Coalesce,
        _extack: &ExtAck<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -l`.
    fn channels(_dev: &Device<Self>) -> Channels {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -L combined N` (rtnl held; the core checked `N` against
    /// `max_combined` and that it is not 0). The C callback has no extack
    /// (6.12): an error is its errno alone.
    fn set_channels(_dev: &Device<Self>, _rtnl: &Rtnl, _combined: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -S`: fills `out`, one value per `STATS` name.
    fn stats(_dev: &Device<Self>, _out: &mut [u64]) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `ethtool_ops` of driver `D`, for its link kind's `setup`.
pub(crate) fn ops<D: EthtoolOps>() -> &'static bindings::ethtool_ops {
    &Adapter::<D>::ETHTOOL_OPS
}

/// The C ethtool callbacks of driver `D`.
struct Adapter<D: EthtoolOps>(PhantomData<D>);

impl<D: EthtoolOps> Adapter<D> {
    const HAS_STATS_TABLE: bool = D::HAS_STATS && !D::STATS.is_empty();

    const ETHTOOL_OPS: bindings::ethtool_ops = bindings::ethtool_ops {
        get_drvinfo: callback(D::HAS_DRVINFO, Self::get_drvinfo),
        get_link: Some(bindings::ethtool_op_get_link),
        get_ringparam: callback(D::HAS_RINGPARAM, Self::get_ringparam),
        set_ringparam: callback(D::HAS_SET_RINGPARAM, Self::set_ringparam),
        supported_coalesce_params: if D::HAS_COALESCE {
            bindings::ZCPAIR_COALESCE_TX_USECS
                | bindings::ZCPAIR_COALESCE_TX_MAX_FRAMES
                | bindings::ZCPAIR_COALESCE_RX_USECS
                | bindings::ZCPAIR_COALESCE_RX_MAX_FRAMES
                | bindings::ZCPAIR_COALESCE_USE_ADAPTIVE_RX
                | bindings::ZCPAIR_COALESCE_PKT_RATE_LOW
        } else {
            0
        },
        get_coalesce: callback(D::HAS_COALESCE, Self::get_coalesce),
        set_coalesce: callback(D::HAS_SET_COALESCE, Self::set_coalesce),
        get_channels: callback(D::HAS_CHANNELS, Self::get_channels),
        set_channels: callback(D::HAS_SET_CHANNELS, Self::set_channels),
        get_sset_count: callback(Self::HAS_STATS_TABLE, Self::get_sset_count),
        get_strings: callback(Self::HAS_STATS_TABLE, Self::get_strings),
        get_ethtool_stats: callback(Self::HAS_STATS_TABLE, Self::get_ethtool_stats),
        // SAFETY: all-zero is a valid ethtool_ops (no callbacks, no caps).
        ..unsafe { core::mem::zeroed() }
    };

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_drvinfo(
        dev: *mut bindings::net_device,
        info: *mut bindings::ethtool_drvinfo,
    ) {
        // SAFETY: the core calls us on a live device of ours with a valid
        // `info`.
        let (dev, info) = unsafe { (Device::<D>::from_raw(dev), &mut *info) };
        let d = D::drvinfo(dev);
        copy_cstr(&mut info.driver, d.driver);
        copy_cstr(&mut info.version, d.version);
        copy_cstr(&mut info.bus_info, d.bus_info);
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _kring: *mut bindings::kernel_ethtool_ringparam,
        _extack: *mut bindings::netlink_ext_ack,
    ) {
        // SAFETY: the core calls us on a live device of ours with a valid
        // `ring`.
        let (dev, ring) = unsafe { (Device::<D>::from_raw(dev), &mut *ring) };
        let r = D::ringparam(dev);
        ring.rx_max_pending = r.rx_max;
        ring.tx_max_pending = r.tx_max;
        ring.rx_pending = r.rx;
        ring.tx_pending = r.tx;
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn set_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _kring: *mut bindings::kernel_ethtool_ringparam,
        extack: *mut bindings::netlink_ext_ack,
    ) -> i32 {
        // SAFETY: the core calls us under rtnl on a live device of ours with
        // a valid `ring` and NULL or a live extack.
        let (dev, ring, rtnl, extack) = unsafe {
            (
                Device::<D>::from_raw(dev),
                &*ring,
                Rtnl::assume_held(),
                ExtAck::from_raw(extack),
            )
        };
        let r = RingParam {
            rx_max: ring.rx_max_pending,
            tx_max: ring.tx_max_pending,
            rx: ring.rx_pending,
            tx: ring.tx_pending,
        };
        from_result(|| D::set_ringparam(dev, &rtnl, r, &extack).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_channels(
        dev: *mut bindings::net_device,
        ch: *mut bindings::ethtool_channels,
    ) {
        // SAFETY: the core calls us on a live device of ours with a valid,
        // zeroed `ch`.
        let (dev, ch) = unsafe { (Device::<D>::from_raw(dev), &mut *ch) };
        let c = D::channels(dev);
        ch.max_combined = c.max_combined;
        ch.combined_count = c.combined;
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn set_channels(
        dev: *mut bindings::net_device,
        ch: *mut bindings::ethtool_channels,
    ) -> i32 {
        // SAFETY: the core calls us under rtnl on a live device of ours with
        // a valid `ch`.
        let (dev, ch, rtnl) = unsafe { (Device::<D>::from_raw(dev), &*ch, Rtnl::assume_held()) };
        from_result(|| D::set_channels(dev, &rtnl, ch.combined_count).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_coalesce(
        dev: *mut bindings::net_device,
        c: *mut bindings::ethtool_coalesce,
        _kc: *mut bindings::kernel_ethtool_coalesce,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> i32 {
        // SAFETY: the core calls us on a live device of ours with a valid,
        // zeroed `c`.
        let (dev, c) = unsafe { (Device::<D>::from_raw(dev), &mut *c) };
        let t = D::coalesce(dev);
        c.tx_coalesce_usecs = t.tx_usecs;
        c.tx_max_coalesced_frames = t.tx_max_frames;
        c.rx_coalesce_usecs = t.rx_usecs;
        c.rx_max_coalesced_frames = t.rx_max_frames;
        c.use_adaptive_rx_coalesce = u32::from(t.rx_adaptive);
        c.pkt_rate_low = t.pkt_rate_low;
        0
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn set_coalesce(
        dev: *mut bindings::net_device,
        c: *mut bindings::ethtool_coalesce,
        _kc: *mut bindings::kernel_ethtool_coalesce,
        extack: *mut bindings::netlink_ext_ack,
    ) -> i32 {
        // SAFETY: the core calls us under rtnl on a live device of ours with
        // a valid `c` and NULL or a live extack.
        let (dev, c, rtnl, extack) = unsafe {
            (
                Device::<D>::from_raw(dev),
                &*c,
                Rtnl::assume_held(),
                ExtAck::from_raw(extack),
            )
        };
        let t = Coalesce {
            tx_usecs: c.tx_coalesce_usecs,
            tx_max_frames: c.tx_max_coalesced_frames,
            rx_usecs: c.rx_coalesce_usecs,
            rx_max_frames: c.rx_max_coalesced_frames,
            rx_adaptive: c.use_adaptive_rx_coalesce != 0,
            pkt_rate_low: c.pkt_rate_low,
        };
        from_result(|| D::set_coalesce(dev, &rtnl, t, &extack).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_sset_count(_dev: *mut bindings::net_device, sset: i32) -> i32 {
        match sset {
            ETH_SS_STATS => D::STATS.len() as i32,
            _ => super::eopnotsupp().to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_strings(_dev: *mut bindings::net_device, sset: u32, data: *mut u8) {
        if sset as i32 != ETH_SS_STATS {
            return;
        }
        let len = bindings::ETH_GSTRING_LEN as usize;
        // SAFETY: the core passes room for `get_sset_count` strings of
        // ETH_GSTRING_LEN bytes each.
        let out = unsafe { core::slice::from_raw_parts_mut(data, D::STATS.len() * len) };
        for (name, dst) in D::STATS.iter().zip(out.chunks_mut(len)) {
            copy_cstr(dst, name);
        }
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_ethtool_stats(
        dev: *mut bindings::net_device,
        _stats: *mut bindings::ethtool_stats,
        data: *mut u64,
    ) {
        // SAFETY: the core calls us on a live device of ours with room for
        // `get_sset_count` values.
        let (dev, out) = unsafe {
            (
                Device::<D>::from_raw(dev),
                core::slice::from_raw_parts_mut(data, D::STATS.len()),
            )
        };
        out.fill(0);
        D::stats(dev, out);
    }
}
