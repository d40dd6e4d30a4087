// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, ring sizes and the driver counters.

use crate::knet::bindings::{ZCPAIR_RING_SIZE_MAX, ZCPAIR_RING_SIZE_MIN};
use crate::knet::ethtool::{DrvInfo, RingParam};
use crate::knet::netdev::with_bh_disabled;
use crate::knet::netdev::Device;
use crate::knet::rtnl::{ExtAck, Rtnl};
use crate::knet::sgring::Ring;
use crate::pair::get;
use crate::ZcPair;
use core::sync::atomic::Ordering;
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
    // The ring locks are also taken in softirq context; take one at a time.
    let (tx, rx) = dev.data().map_or((0, 0), |d| {
        with_bh_disabled(|| {
            let tx = d.end().tx.lock().slots();
            let rx = d.peer().tx.lock().slots();
            (tx, rx)
        })
    });
    RingParam {
        rx_max: ZCPAIR_RING_SIZE_MAX,
        tx_max: ZCPAIR_RING_SIZE_MAX,
        rx,
        tx,
    }
}

/// `ethtool -G`: our tx ring is the peer's rx ring and the other way
/// round, so `tx` resizes the ring towards the peer and `rx` the ring from
/// it. Both ends must be down: a ring is replaced, not resized in place.
pub(crate) fn set_ringparam(
    dev: &Device<ZcPair>,
    rtnl: &Rtnl,
    ring: RingParam,
    extack: &ExtAck<'_>,
) -> Result {
    let data = dev.data().ok_or(EINVAL)?;
    let cur = ringparam(dev);
    for size in [ring.tx, ring.rx] {
        if !size.is_power_of_two() || !(ZCPAIR_RING_SIZE_MIN..=ZCPAIR_RING_SIZE_MAX).contains(&size)
        {
            return Err(extack.fail(
                None,
                c_str!("ring size must be a power of two from 16 to 4096"),
                EINVAL,
            ));
        }
    }
    if ring.tx == cur.tx && ring.rx == cur.rx {
        return Ok(());
    }
    // Each end owns the ring it transmits into. Our receive ring is the
    // peer's transmit ring: changing it takes the right to change the
    // peer, which may live in a netns its caller does not administer.
    if ring.rx != cur.rx {
        if let Some(peer) = data.peer().device() {
            if !peer.get().net().caller_is_admin() {
                return Err(extack.fail(
                    None,
                    c_str!("the rx ring is the peer's tx ring: change it on the peer"),
                    EPERM,
                ));
            }
        }
    }
    if data.end().up.load(Ordering::Acquire) || data.peer().up.load(Ordering::Acquire) {
        return Err(extack.fail(
            None,
            c_str!("bring both ends of the pair down to change the ring size"),
            EBUSY,
        ));
    }
    let dma = crate::dma_device()?;
    let hdr = data.pair.hdr_buf;
    let to_peer = if ring.tx != cur.tx {
        Some(Ring::new(&dma, ring.tx, hdr)?)
    } else {
        None
    };
    let from_peer = if ring.rx != cur.rx {
        Some(Ring::new(&dma, ring.rx, hdr)?)
    } else {
        None
    };
    // Both ends are down: their NAPI is disabled and their rings were
    // emptied at ndo_stop, so swapping in fresh rings loses nothing.
    let old = with_bh_disabled(|| {
        let a = to_peer.map(|(p, c)| {
            let p = core::mem::replace(&mut *data.end().tx.lock(), p);
            let c = core::mem::replace(&mut *data.peer().rx.lock(), c);
            (p, c)
        });
        let b = from_peer.map(|(p, c)| {
            let p = core::mem::replace(&mut *data.peer().tx.lock(), p);
            let c = core::mem::replace(&mut *data.end().rx.lock(), c);
            (p, c)
        });
        (a, b)
    });
    // Coherent memory is freed with bottom halves enabled.
    drop(old);
    crate::genl::notify(
        rtnl,
        data,
        crate::knet::bindings::ZCPAIR_CMD_PAIR_CHANGE_NTF,
    );
    Ok(())
}
