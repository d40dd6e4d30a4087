// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, ring sizes and the driver counters.

use crate::counters::Counters;
use crate::knet::ethtool::{DrvInfo, EthtoolOps, RingParam, TxCoalesce};
use crate::knet::netdev::with_bh_disabled;
use crate::knet::netdev::Device;
use crate::knet::netlink::ExtAck;
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::sgring::Ring;
use crate::knet::uapi::{
    ZCPAIR_RING_SIZE_MAX, ZCPAIR_RING_SIZE_MIN, ZCPAIR_TX_FRAMES_MAX, ZCPAIR_TX_USECS_MAX,
};
use crate::ZcPair;
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;

#[vtable]
impl EthtoolOps for ZcPair {
    const STATS: &'static [&'static CStr] = &Counters::NAMES;

    fn drvinfo(_dev: &Device<ZcPair>) -> DrvInfo {
        DrvInfo {
            driver: c_str!("zcpair"),
            version: crate::VERSION_CSTR,
            bus_info: c_str!("platform:zcpair"),
        }
    }

    fn ringparam(dev: &Device<ZcPair>) -> RingParam {
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
    fn set_ringparam(
        dev: &Device<ZcPair>,
        rtnl: &Rtnl,
        ring: RingParam,
        extack: &ExtAck<'_>,
    ) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        let cur = Self::ringparam(dev);
        for size in [ring.tx, ring.rx] {
            if !size.is_power_of_two()
                || !(ZCPAIR_RING_SIZE_MIN..=ZCPAIR_RING_SIZE_MAX).contains(&size)
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
                if !peer.net().caller_is_admin() {
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
        crate::genl::notify(rtnl, data, crate::knet::uapi::ZCPAIR_CMD_PAIR_CHANGE_NTF);
        Ok(())
    }

    /// `ethtool -c`: this end's transmit batching (multidest.rs).
    fn coalesce(dev: &Device<ZcPair>) -> TxCoalesce {
        dev.data().map_or(TxCoalesce::default(), |d| TxCoalesce {
            usecs: d.end().tx_usecs.load(Ordering::Relaxed),
            max_frames: d.end().tx_frames.load(Ordering::Relaxed),
        })
    }

    /// `ethtool -C tx-usecs N tx-frames M`: how long and up to how many
    /// frames this end holds segmented UDP GSO frames to form a batch.
    fn set_coalesce(
        dev: &Device<ZcPair>,
        _rtnl: &Rtnl,
        c: TxCoalesce,
        extack: &ExtAck<'_>,
    ) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        if c.usecs > ZCPAIR_TX_USECS_MAX {
            return Err(extack.fail(None, c_str!("tx-usecs must not exceed 100000"), EINVAL));
        }
        if c.max_frames > ZCPAIR_TX_FRAMES_MAX {
            return Err(extack.fail(None, c_str!("tx-frames must not exceed 64 (0: 64)"), EINVAL));
        }
        let end = data.end();
        end.tx_usecs.store(c.usecs, Ordering::Relaxed);
        end.tx_frames.store(c.max_frames, Ordering::Relaxed);
        Ok(())
    }

    fn stats(dev: &Device<ZcPair>, out: &mut [u64]) {
        if let Some(data) = dev.data() {
            for (o, v) in out.iter_mut().zip(data.end().stats.values()) {
                *o = v;
            }
        }
    }
}
