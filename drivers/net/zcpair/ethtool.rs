// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, ring sizes and the driver counters.

use crate::knet::ethtool::{DrvInfo, RingParam};
use crate::knet::netdev::Device;
use crate::knet::rtnl::{ExtAck, Rtnl};
use crate::pair::get;
use crate::ZcPair;
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;

/// `ethtool -S` names, in the order `stats` fills them.
pub(crate) const STATS: &[&CStr] = &[
    c_str!("tx_header_bytes_copied"),
    c_str!("tx_payload_bytes_referenced"),
    c_str!("tx_linear_bytes_copied"),
    c_str!("tx_frames_copied_whole"),
    c_str!("tx_sg_descriptors"),
    c_str!("tx_ring_full"),
    c_str!("tx_notifications"),
    c_str!("tx_completions"),
    c_str!("rx_gro_frames"),
    c_str!("tx_queue_0_packets"),
    c_str!("tx_queue_0_bytes"),
    c_str!("tx_queue_0_dropped"),
    c_str!("rx_queue_0_packets"),
    c_str!("rx_queue_0_bytes"),
    c_str!("rx_queue_0_dropped"),
];

pub(crate) fn stats(dev: &Device<ZcPair>, out: &mut [u64]) {
    let Some(data) = dev.data() else { return };
    let s = &data.end().stats;
    let values = [
        get(&s.tx_header_bytes_copied),
        get(&s.tx_payload_bytes_referenced),
        get(&s.tx_linear_bytes_copied),
        get(&s.tx_frames_copied_whole),
        get(&s.tx_sg_descriptors),
        get(&s.tx_ring_full),
        get(&s.tx_notifications),
        get(&s.tx_completions),
        get(&s.rx_gro_frames),
        get(&s.tx_packets),
        get(&s.tx_bytes),
        get(&s.tx_dropped),
        get(&s.rx_packets),
        get(&s.rx_bytes),
        get(&s.rx_dropped),
    ];
    for (o, v) in out.iter_mut().zip(values) {
        *o = v;
    }
}

pub(crate) fn drvinfo(_dev: &Device<ZcPair>) -> DrvInfo {
    DrvInfo {
        driver: c_str!("zcpair"),
        version: crate::VERSION_CSTR,
        bus_info: c_str!("platform:zcpair"),
    }
}

pub(crate) fn ringparam(dev: &Device<ZcPair>) -> RingParam {
    let size = dev.data().map_or(0, |d| d.pair.params.ring_size);
    RingParam {
        rx_max: crate::knet::bindings::ZCPAIR_RING_SIZE_MAX,
        tx_max: crate::knet::bindings::ZCPAIR_RING_SIZE_MAX,
        rx: size,
        tx: size,
    }
}

pub(crate) fn set_ringparam(
    _dev: &Device<ZcPair>,
    _rtnl: &Rtnl,
    _ring: RingParam,
    extack: &ExtAck<'_>,
) -> Result {
    Err(extack.fail(
        None,
        c_str!("zcpair: ring size is fixed at creation for now"),
        crate::knet::eopnotsupp(),
    ))
}
