// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, ring sizes, channels (queues) and the driver
//! counters.

use crate::counters::Counters;
use crate::knet::ethtool::{Channels, Coalesce, DrvInfo, EthtoolOps, RingParam};
use crate::knet::netdev::with_bh_disabled;
use crate::knet::netdev::Device;
use crate::knet::netlink::ExtAck;
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::sgring::Ring;
use crate::knet::uapi::{
    ZCPAIR_RING_SIZE_MAX, ZCPAIR_RING_SIZE_MIN, ZCPAIR_TX_FRAMES_MAX, ZCPAIR_TX_USECS_MAX,
};
use crate::moderation::RxModeration;
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
        // Every queue's rings have the size of queue 0's. The ring locks
        // are also taken in softirq context; take one at a time.
        let (tx, rx) = dev.data().and_then(|d| d.queue(0)).map_or((0, 0), |qp| {
            with_bh_disabled(|| {
                let tx = qp.ours.tx.lock().slots();
                let rx = qp.peers.tx.lock().slots();
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
        if !data.is_pair() {
            return Err(extack.fail(
                None,
                c_str!("a LAN member's rings have the LAN's size, fixed at its creation"),
                crate::knet::eopnotsupp(),
            ));
        }
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
        let n = data.end().nr_queues() as usize;
        // Every ring first (nothing changes if one cannot be had), one per
        // queue and direction that changes.
        let mut to_peer = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut from_peer = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            if ring.tx != cur.tx {
                to_peer.push(Ring::new(&dma, ring.tx, hdr)?, GFP_KERNEL)?;
            }
            if ring.rx != cur.rx {
                from_peer.push(Ring::new(&dma, ring.rx, hdr)?, GFP_KERNEL)?;
            }
        }
        // Both ends are down: their NAPI is disabled and their rings were
        // emptied at ndo_stop, so swapping in fresh rings loses nothing.
        with_bh_disabled(|| {
            for (i, (p, c)) in to_peer.iter_mut().enumerate() {
                if let Some(qp) = data.queue(i as u32) {
                    core::mem::swap(&mut *qp.ours.tx.lock(), p);
                    core::mem::swap(&mut *qp.peers.rx.lock(), c);
                }
            }
            for (i, (p, c)) in from_peer.iter_mut().enumerate() {
                if let Some(qp) = data.queue(i as u32) {
                    core::mem::swap(&mut *qp.peers.tx.lock(), p);
                    core::mem::swap(&mut *qp.ours.rx.lock(), c);
                }
            }
        });
        // The old rings, swapped into the vectors: coherent memory is freed
        // with bottom halves enabled.
        drop(to_peer);
        drop(from_peer);
        crate::genl::notify(rtnl, data, crate::knet::uapi::ZCPAIR_CMD_PAIR_CHANGE_NTF);
        Ok(())
    }

    /// `ethtool -l`: one combined channel per queue.
    fn channels(dev: &Device<ZcPair>) -> Channels {
        Channels {
            max_combined: dev.num_tx_queues(),
            combined: dev.real_num_tx_queues(),
        }
    }

    /// `ethtool -L combined N`: how many queues both ends use (queue `i`
    /// of one end is a ring pair with queue `i` of the other, so the count
    /// is the pair's). Up or down: every queue's poll keeps running while
    /// its end is up, so what a queue taken out of use still holds is
    /// delivered and released. The peer may live in another netns: its
    /// administrator must be the caller's too.
    fn set_channels(dev: &Device<ZcPair>, rtnl: &Rtnl, combined: u32) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        if combined == dev.real_num_tx_queues() && combined == dev.real_num_rx_queues() {
            return Ok(());
        }
        let peer = data.peer().device();
        if let Some(peer) = &peer {
            if !peer.net().caller_is_admin() {
                return Err(EPERM);
            }
            peer.set_real_num_queues(rtnl, combined, combined)?;
        }
        if let Err(e) = dev.set_real_num_queues(rtnl, combined, combined) {
            // Put the peer back as it was: both ends agree again.
            if let Some(peer) = &peer {
                let (t, r) = (dev.real_num_tx_queues(), dev.real_num_rx_queues());
                let _ = peer.set_real_num_queues(rtnl, t, r);
            }
            return Err(e);
        }
        crate::genl::notify(rtnl, data, crate::knet::uapi::ZCPAIR_CMD_PAIR_CHANGE_NTF);
        Ok(())
    }

    /// `ethtool -c`: this end's transmit batching (multidest.rs) and
    /// receive notification moderation (moderation.rs).
    fn coalesce(dev: &Device<ZcPair>) -> Coalesce {
        let mut c = Coalesce::default();
        if let Some(d) = dev.data() {
            c.tx_usecs = d.end().tx_usecs.load(Ordering::Relaxed);
            c.tx_max_frames = d.end().tx_frames.load(Ordering::Relaxed);
            d.end().rx_moderation.get(&mut c);
        }
        c
    }

    /// `ethtool -C tx-usecs N tx-frames M`: how long and up to how many
    /// frames this end holds segmented UDP GSO frames to form a batch;
    /// `adaptive-rx on|off rx-usecs N rx-frames M`: how long the peer's
    /// frames may wait for this end's polls. Nothing changes unless all
    /// is valid.
    fn set_coalesce(
        dev: &Device<ZcPair>,
        _rtnl: &Rtnl,
        c: Coalesce,
        extack: &ExtAck<'_>,
    ) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        if c.tx_usecs > ZCPAIR_TX_USECS_MAX {
            return Err(extack.fail(None, c_str!("tx-usecs must not exceed 100000"), EINVAL));
        }
        if c.tx_max_frames > ZCPAIR_TX_FRAMES_MAX {
            return Err(extack.fail(None, c_str!("tx-frames must not exceed 64 (0: 64)"), EINVAL));
        }
        RxModeration::check(&c, extack)?;
        let end = data.end();
        end.rx_moderation.set(&c);
        end.tx_usecs.store(c.tx_usecs, Ordering::Relaxed);
        end.tx_frames.store(c.tx_max_frames, Ordering::Relaxed);
        Ok(())
    }

    fn stats(dev: &Device<ZcPair>, out: &mut [u64]) {
        if let Some(data) = dev.data() {
            for (o, v) in out.iter_mut().zip(data.end().totals()) {
                *o = v;
            }
        }
    }
}
