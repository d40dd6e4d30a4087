// SPDX-License-Identifier: GPL-2.0

//! The `zcpair` link kind: creating and deleting pairs, their kind
//! attributes, and bringing ends up and down.

use crate::counters::{get, Counters};
use crate::knet::netdev::{
    with_bh_disabled, Device, DeviceRef, Driver, RxQueueStats, Sent, Stats64, TxQueueStats,
};
use crate::knet::netlink::{Attrs, ExtAck, Policy, Range};
use crate::knet::rtnl::{Created, LinkOps, NewLink, UnregisterQueue};
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::skb::SkBuff;
use crate::knet::uapi::{
    ZCPAIR_CMD_PAIR_CREATE_NTF, ZCPAIR_CMD_PAIR_DELETE_NTF, ZCPAIR_COPYBREAK_DEFAULT,
    ZCPAIR_HDR_BUF_DEFAULT, ZCPAIR_HDR_BUF_MAX, ZCPAIR_HDR_BUF_MIN, ZCPAIR_INFO_COPYBREAK,
    ZCPAIR_INFO_HDR_BUF, ZCPAIR_INFO_LAN, ZCPAIR_INFO_MAX, ZCPAIR_INFO_PEER, ZCPAIR_INFO_RING_SIZE,
    ZCPAIR_INFO_UPLINK, ZCPAIR_QUEUES_MAX, ZCPAIR_RING_SIZE_DEFAULT, ZCPAIR_RING_SIZE_MAX,
    ZCPAIR_RING_SIZE_MIN,
};
use crate::pair::{EndData, Pair, Params, Side};
use crate::{genl, lan, tx, uplink, ZcPair};
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;

/// Size of `struct ifinfomsg`, the minimum payload of ZCPAIR_INFO_PEER.
const IFINFOMSG_LEN: u16 = 16;

static RING_RANGE: Range = Range::new(ZCPAIR_RING_SIZE_MIN as u64, ZCPAIR_RING_SIZE_MAX as u64);
static HDR_RANGE: Range = Range::new(ZCPAIR_HDR_BUF_MIN as u64, ZCPAIR_HDR_BUF_MAX as u64);
static COPYBREAK_RANGE: Range = Range::new(0, ZCPAIR_HDR_BUF_MAX as u64);
static UPLINK_RANGE: Range = Range::new(1, i32::MAX as u64);
static LAN_RANGE: Range = Range::new(0, i32::MAX as u64);

/// The netlink policy of the kind attributes.
pub(crate) static POLICY: [Policy; ZCPAIR_INFO_MAX as usize + 1] = [
    Policy::unspec(),
    Policy::binary_min(IFINFOMSG_LEN),
    Policy::u32_range(&RING_RANGE),
    Policy::u32_range(&HDR_RANGE),
    Policy::u32_range(&COPYBREAK_RANGE),
    Policy::u32_range(&UPLINK_RANGE),
    Policy::u32_range(&LAN_RANGE),
];

/// Reads and checks the pair parameters of a request; defaults for what
/// is absent.
pub(crate) fn params(data: Option<&Attrs<'_>>, extack: &ExtAck<'_>) -> Result<Params> {
    let get = |ty: u32, default: u32| data.and_then(|d| d.u32(ty)).unwrap_or(default);
    let p = Params {
        ring_size: get(ZCPAIR_INFO_RING_SIZE, ZCPAIR_RING_SIZE_DEFAULT),
        hdr_buf: get(ZCPAIR_INFO_HDR_BUF, ZCPAIR_HDR_BUF_DEFAULT),
        copybreak: get(ZCPAIR_INFO_COPYBREAK, ZCPAIR_COPYBREAK_DEFAULT),
    };
    let attr = |ty: u32| data.and_then(|d| d.get(ty));
    if !p.ring_size.is_power_of_two() {
        return Err(extack.fail(
            attr(ZCPAIR_INFO_RING_SIZE),
            c_str!("ring size must be a power of two"),
            EINVAL,
        ));
    }
    if p.hdr_buf % 8 != 0 {
        return Err(extack.fail(
            attr(ZCPAIR_INFO_HDR_BUF),
            c_str!("header buffer size must be a multiple of 8"),
            EINVAL,
        ));
    }
    if p.copybreak > p.hdr_buf {
        return Err(extack.fail(
            attr(ZCPAIR_INFO_COPYBREAK),
            c_str!("copybreak must not exceed the header buffer size"),
            EINVAL,
        ));
    }
    Ok(p)
}

/// The number of queues of a new pair: each queue is a ring pair read and
/// written by a queue of each end, so both ends need as many transmit as
/// receive queues, and the same number.
fn queue_count(dev: &Device<ZcPair>, peer: &Device<ZcPair>, extack: &ExtAck<'_>) -> Result<u32> {
    let n = dev.num_tx_queues();
    let same = [
        dev.num_rx_queues(),
        peer.num_tx_queues(),
        peer.num_rx_queues(),
    ]
    .iter()
    .all(|&m| m == n);
    if !same {
        return Err(extack.fail(
            None,
            c_str!("zcpair: numtxqueues and numrxqueues must be equal, and the same on both ends"),
            EINVAL,
        ));
    }
    if n > ZCPAIR_QUEUES_MAX {
        return Err(extack.fail(None, c_str!("zcpair: at most 16 queues"), EINVAL));
    }
    Ok(n)
}

/// `newlink` of a LAN member (kind attribute `lan`): no peer; the LAN's
/// ring geometry; the slot is taken once registered (`newlink_done`).
fn new_member<'a>(
    ctx: &NewLink<'a, ZcPair>,
    which: u32,
    params: Params,
) -> Result<Created<'a, ZcPair>> {
    let extack = ctx.extack();
    let data = ctx.data();
    let attr = |ty: u32| data.and_then(|d| d.get(ty));
    if attr(ZCPAIR_INFO_PEER).is_some() {
        return Err(extack.fail(
            attr(ZCPAIR_INFO_PEER),
            c_str!("a LAN member has no peer"),
            EINVAL,
        ));
    }
    let dev = ctx.device();
    // An uplink carries the frames for no member; checked now, attached
    // once registered (`newlink_done`).
    let uplink = data.and_then(|d| d.u32(ZCPAIR_INFO_UPLINK));
    if let Some(ifindex) = uplink {
        uplink::check(dev, ifindex, extack, ctx.rtnl())?;
    }
    let n = dev.num_tx_queues();
    if dev.num_rx_queues() != n || n > ZCPAIR_QUEUES_MAX {
        return Err(extack.fail(
            None,
            c_str!("zcpair: numtxqueues and numrxqueues must be equal, at most 16"),
            EINVAL,
        ));
    }
    let m = lan::join(dev, which, params, extack, ctx.rtnl())?;
    // Every member's rings have the LAN's geometry: a joining member that
    // asks for another is refused rather than silently given the LAN's.
    let lp = m.lan.params;
    if (attr(ZCPAIR_INFO_RING_SIZE).is_some() && params.ring_size != lp.ring_size)
        || (attr(ZCPAIR_INFO_HDR_BUF).is_some() && params.hdr_buf != lp.hdr_buf)
    {
        return Err(extack.fail(
            None,
            c_str!("a LAN member's ring and header sizes are the LAN's"),
            EINVAL,
        ));
    }
    let params = Params {
        copybreak: params.copybreak.min(lp.hdr_buf),
        ..lp
    };
    let pair = Pair::new_member(&crate::dma_device()?, params, n)?;
    Ok(Created::new(
        EndData {
            pair,
            side: Side::A,
            initial_uplink: uplink,
            lan: Some(m),
        },
        None,
    ))
}

#[vtable]
impl LinkOps for ZcPair {
    const KIND: &'static CStr = c_str!("zcpair");
    const MAXTYPE: u32 = ZCPAIR_INFO_MAX;

    fn policy() -> &'static [Policy] {
        &POLICY
    }

    /// `validate`: everything that can be checked before creating anything.
    fn validate(data: &Attrs<'_>, extack: &ExtAck<'_>) -> Result {
        params(Some(data), extack).map(|_| ())
    }

    /// `newlink`: create the peer, make the pair's shared state for their
    /// queues, register the peer, then the requested device (last, so
    /// failures before it need no unregistering of it).
    fn newlink<'a>(ctx: &NewLink<'a, ZcPair>) -> Result<Created<'a, ZcPair>> {
        let params = params(ctx.data(), ctx.extack())?;
        if let Some(which) = ctx.data().and_then(|d| d.u32(ZCPAIR_INFO_LAN)) {
            return new_member(ctx, which, params);
        }
        // The uplink is checked before anything is created and attached
        // once both ends are registered (`newlink_done`).
        let uplink = ctx.data().and_then(|d| d.u32(ZCPAIR_INFO_UPLINK));
        if let Some(ifindex) = uplink {
            uplink::check(ctx.device(), ifindex, ctx.extack(), ctx.rtnl())?;
        }
        let mut spec = ctx.peer_spec(ZCPAIR_INFO_PEER)?;
        // `numtxqueues N` given once sizes both ends.
        ctx.inherit_queue_counts(&mut spec);
        let peer = ctx.create_peer(&mut spec)?;
        let queues = queue_count(ctx.device(), peer.device(), ctx.extack())?;
        let pair = Pair::new(&crate::dma_device()?, params, queues)?;
        let peer = peer.register(EndData {
            pair: pair.clone(),
            side: Side::B,
            initial_uplink: None,
            lan: None,
        })?;
        Ok(Created::new(
            EndData {
                pair,
                side: Side::A,
                initial_uplink: uplink,
                lan: None,
            },
            Some(peer),
        ))
    }

    /// Both ends are registered: announce the pair.
    fn newlink_done(dev: &Device<ZcPair>, rtnl: &Rtnl) {
        let Some(data) = dev.data() else { return };
        lan::publish(data, rtnl);
        if let Some(ifindex) = data.initial_uplink {
            // Checked in `newlink`, under the same rtnl hold: only memory
            // can fail here.
            if uplink::set(dev, ifindex, &ExtAck::none(), rtnl).is_err() {
                pr_warn!("{}: could not attach the uplink\n", dev.name());
            }
        }
        genl::notify(rtnl, data, ZCPAIR_CMD_PAIR_CREATE_NTF);
    }

    /// `dellink`: both ends go, whichever was named. When a netns or the
    /// module goes, the core calls this for each end; the pair is announced
    /// gone once.
    fn dellink(dev: &Device<ZcPair>, rtnl: &Rtnl, queue: &mut UnregisterQueue<'_>) {
        if let Some(data) = dev.data() {
            if !data.pair.deleting.swap(true, Ordering::Relaxed) {
                genl::notify(rtnl, data, ZCPAIR_CMD_PAIR_DELETE_NTF);
            }
        }
        queue.add(dev, rtnl);
        let peer = dev
            .data()
            .filter(|d| d.is_pair())
            .and_then(|d| d.peer().device());
        if let Some(peer) = peer {
            queue.add(&peer, rtnl);
        }
    }

    fn link_peer(dev: &Device<ZcPair>) -> Option<DeviceRef<ZcPair>> {
        dev.data().and_then(|d| d.peer().device())
    }
}

#[vtable]
impl Driver for ZcPair {
    type Data = EndData;

    const MIN_MTU: u32 = 68;
    const MAX_MTU: u32 = 65535;
    const FEATURES: u64 = crate::knet::netdev::features::ZCPAIR;

    /// `ndo_init`: attach each queue's NAPI and publish the device in the
    /// pair. A new end has no carrier until both ends are up (`open`), so
    /// the stack neither sends into a ring nobody reads nor reports an
    /// unknown operstate.
    fn init(dev: &Device<ZcPair>, _rtnl: &Rtnl) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        let end = data.end();
        dev.carrier_off();
        for q in end.queues() {
            dev.attach_napi(&q.napi)?;
        }
        *end.dev.lock() = Some(DeviceRef::from(dev));
        Ok(())
    }

    /// `ndo_uninit`: the device is closed and going away; release all frames
    /// still in our transmit rings, detach NAPI and drop our device
    /// reference.
    fn uninit(dev: &Device<ZcPair>, rtnl: &Rtnl) {
        let Some(data) = dev.data() else { return };
        // A LAN member first leaves: no member writes into its rings after.
        lan::leave(data, rtnl);
        let end = data.end();
        with_bh_disabled(|| tx::drain(dev, data));
        for q in end.queues() {
            q.napi.detach();
        }
        let me = end.dev.lock().take();
        drop(me);
    }

    /// `ndo_open`: carrier comes up once both ends are up. Every queue's
    /// poll runs while up, also those `ethtool -L` took out of use (what
    /// their rings still hold is read and released).
    fn open(dev: &Device<ZcPair>, _rtnl: &Rtnl) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        let end = data.end();
        for q in end.queues() {
            q.unmask();
            q.napi.enable()?;
        }
        end.up.store(true, Ordering::Release);
        dev.start_queues();
        if data.peer().up.load(Ordering::Acquire) {
            dev.carrier_on();
            if let Some(peer) = data.peer().device() {
                peer.carrier_on();
            }
        } else if uplink::attached(end) {
            // Frames for the peer follow the uplink meanwhile.
            dev.carrier_on();
        }
        // Frames may have waited in our receive rings while we were down.
        for q in end.queues() {
            q.notify();
        }
        Ok(())
    }

    /// `ndo_stop`: carrier goes down on both ends; our transmit rings are
    /// emptied and what the peer had queued for us is skipped.
    fn stop(dev: &Device<ZcPair>, _rtnl: &Rtnl) {
        let Some(data) = dev.data() else { return };
        let end = data.end();
        end.up.store(false, Ordering::Release);
        dev.carrier_off();
        if let Some(peer) = data.peer().device() {
            // A peer with an uplink keeps sending, through it.
            if !uplink::attached(data.peer()) {
                peer.carrier_off();
            }
        }
        dev.tx_disable();
        for q in end.queues() {
            q.napi.disable();
        }
        with_bh_disabled(|| {
            tx::drain(dev, data);
            crate::rx::skip_pending(data);
        });
        // The peer releases the frames we skipped.
        for q in data.peer().queues() {
            q.notify();
        }
    }

    /// `ndo_change_mtu`: an end with an uplink stays at or below the
    /// uplink's MTU (the lower device would drop its larger frames), as a
    /// macvlan does; `EINVAL` otherwise.
    fn change_mtu(dev: &Device<ZcPair>, mtu: u32, _rtnl: &Rtnl) -> Result {
        let data = dev.data().ok_or(EINVAL)?;
        if uplink::mtu_fits(data.end(), mtu) {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    fn start_xmit(dev: &Device<ZcPair>, skb: SkBuff) -> Sent {
        tx::start_xmit(dev, skb)
    }

    fn stats64(dev: &Device<ZcPair>) -> Stats64 {
        let Some(data) = dev.data() else {
            return Stats64::default();
        };
        let end = data.end();
        let sum = |f: fn(&Counters) -> u64| end.queues().map(|q| f(&q.stats)).sum();
        Stats64 {
            rx_packets: sum(|s| get(&s.rx_packets)),
            rx_bytes: sum(|s| get(&s.rx_bytes)),
            tx_packets: sum(|s| get(&s.tx_packets)),
            tx_bytes: sum(|s| get(&s.tx_bytes)),
            rx_dropped: sum(|s| get(&s.rx_dropped)),
            tx_dropped: sum(|s| get(&s.tx_dropped)),
        }
    }

    /// Receive queue `idx` (the core asks for those in use).
    fn queue_stats_rx(dev: &Device<ZcPair>, idx: u32) -> RxQueueStats {
        dev.data()
            .and_then(|d| d.end().queue(idx))
            .map_or(RxQueueStats::default(), |q| rx_stats(&q.stats))
    }

    /// Transmit queue `idx`.
    fn queue_stats_tx(dev: &Device<ZcPair>, idx: u32) -> TxQueueStats {
        dev.data()
            .and_then(|d| d.end().queue(idx))
            .map_or(TxQueueStats::default(), |q| tx_stats(&q.stats))
    }

    /// What the queues out of use (`ethtool -L`) counted, so that the
    /// queues' sum and this add up to the device's totals.
    fn base_stats(dev: &Device<ZcPair>) -> (RxQueueStats, TxQueueStats) {
        let zero = Counters::default();
        let (mut rx, mut tx) = (rx_stats(&zero), tx_stats(&zero));
        let Some(data) = dev.data() else {
            return (rx, tx);
        };
        let (nrx, ntx) = (dev.real_num_rx_queues(), dev.real_num_tx_queues());
        for (i, q) in data.end().queues().enumerate() {
            let i = i as u32;
            if i >= nrx {
                rx = rx.add(&rx_stats(&q.stats));
            }
            if i >= ntx {
                tx = tx.add(&tx_stats(&q.stats));
            }
        }
        (rx, tx)
    }

    /// The peer's ifindex.
    fn iflink(dev: &Device<ZcPair>) -> i32 {
        dev.data()
            .and_then(|d| d.peer().device())
            .map_or(0, |p| p.ifindex())
    }
}

/// What a queue reports of its receive side to the netdev family.
fn rx_stats(s: &Counters) -> RxQueueStats {
    RxQueueStats {
        packets: Some(get(&s.rx_packets)),
        bytes: Some(get(&s.rx_bytes)),
        alloc_fail: None,
        hw_drops: Some(get(&s.rx_dropped)),
    }
}

/// What a queue reports of its transmit side.
fn tx_stats(s: &Counters) -> TxQueueStats {
    TxQueueStats {
        packets: Some(get(&s.tx_packets)),
        bytes: Some(get(&s.tx_bytes)),
        hw_drops: Some(get(&s.tx_dropped)),
        stop: None,
        wake: None,
    }
}
