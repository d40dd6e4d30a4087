// SPDX-License-Identifier: GPL-2.0

//! Transmit: headers into the slot's pre-mapped buffer, the rest by
//! reference, one notification of the peer per batch; and the completion
//! side that releases frames once the peer has read them.

use crate::counters::add;
use crate::knet::napi::PollCtx;
use crate::knet::netdev::{Device, Sent};
use crate::knet::sgring::TxLayout;
use crate::knet::skb::{Checksum, SkBuff};
use crate::multidest;
use crate::pair::EndData;
use crate::ZcPair;
use core::sync::atomic::Ordering;

const ETH_HLEN: usize = 14;

/// Wake a stopped queue once this many slots are free again.
const WAKE_THRESHOLD: u32 = 2;

/// `ndo_start_xmit`.
///
/// With `noqueue` (the default) the queue is never stopped: a stopped
/// queue would make the stack drop every sender's frames with `-ENETDOWN`
/// ("asks to queue packet"), so a full ring drops the frame here, counted
/// in `tx_ring_full` and `tx_dropped`. With a qdisc attached the ring
/// pushes back instead: the queue stops when the ring fills and byte queue
/// limits account what is in flight, and the qdisc holds frames meanwhile.
pub(crate) fn start_xmit(dev: &Device<ZcPair>, mut skb: SkBuff) -> Sent {
    let Some(data) = dev.data() else {
        return Sent;
    };
    let (end, peer) = (data.end(), data.peer());
    let len = skb.len();
    // A peer that is down takes nothing: drop before any work on the frame
    // (checked again under the ring lock below, where it counts).
    if len < ETH_HLEN || !peer.up.load(Ordering::Relaxed) {
        return dropped(end, skb, false);
    }
    let more = dev.xmit_more();
    skb.tx_timestamp();
    // UDP GSO frames this end cuts itself go into its batch
    // (multidest.rs); anything else goes out behind what is held.
    if end.tx_segment.load(Ordering::Relaxed) {
        match multidest::take(dev, data, skb, more) {
            Ok(()) => return Sent,
            Err(back) => skb = back,
        }
    }
    let layout = layout(dev, data, &skb);

    let mut ring = end.tx.lock();
    // Checked under the ring lock: a peer going down sets `up` and then
    // takes this lock to skip what is queued, so nothing posted after it
    // can be left behind in its ring.
    if !peer.up.load(Ordering::Acquire) {
        drop(ring);
        return dropped(end, skb, false);
    }
    let full = ring.free_slots() == 0;
    let res = if full {
        Err(skb)
    } else {
        ring.post(skb, &layout)
    };
    let posted = match res {
        Ok(posted) => posted,
        Err(skb) => {
            drop(ring);
            // What the ring holds still needs reading: make sure the peer
            // polls even if this frame was the first of a batch.
            peer.notify();
            return dropped(end, skb, full);
        }
    };
    let full = ring.free_slots() == 0;
    let kick = if layout.bql {
        if full {
            dev.stop_queue();
            add(&end.stats.tx_ring_full, 1);
        }
        dev.bql_sent(len as u32, more) || full
    } else {
        !more || full
    };
    drop(ring);

    let s = &end.stats;
    add(&s.tx_packets, 1);
    add(&s.tx_bytes, len as u64);
    add(&s.tx_header_bytes_copied, posted.copied as u64);
    add(&s.tx_payload_bytes_referenced, posted.referenced as u64);
    add(&s.tx_linear_bytes_copied, posted.linear_copied as u64);
    if layout.copy_whole {
        add(&s.tx_frames_copied_whole, 1);
    }
    if posted.sg > 0 {
        add(&s.tx_sg_descriptors, 1);
    }
    if posted.zerocopy {
        add(&s.tx_zerocopy_frames, 1);
    }
    if kick {
        add(&s.tx_notifications, 1);
        peer.notify();
    }
    Sent
}

/// Drops a frame that cannot be sent: `tx_dropped`, and `tx_ring_full`
/// when the ring had no free slot (`noqueue`).
fn dropped(end: &crate::pair::End, skb: SkBuff, ring_full: bool) -> Sent {
    drop(skb);
    if ring_full {
        add(&end.stats.tx_ring_full, 1);
    }
    add(&end.stats.tx_dropped, 1);
    Sent
}

/// How `skb` goes into a slot: whole when short (and not of user pages),
/// otherwise its headers (as far as the dissector finds them, and up to a
/// checksum field the receiver is to fill in when the slot holds that
/// much) copied, the rest referenced.
fn layout(dev: &Device<ZcPair>, data: &EndData, skb: &SkBuff) -> TxLayout {
    let len = skb.len();
    let copybreak = data.end().copybreak.load(Ordering::Relaxed) as usize;
    // User pages (MSG_ZEROCOPY) are never copied: they cross by reference
    // with their zero-copy state, however short the frame.
    let copy_whole = len <= copybreak && skb.zcopy_raw().is_none();
    let csum = skb.checksum();
    // A frame copied whole needs no header length: no dissection.
    let mut hdr_len = if copy_whole {
        ETH_HLEN
    } else {
        dev.headers_len(skb).max(ETH_HLEN)
    };
    if let Checksum::Partial { start, offset } = csum {
        let csum_end = start as usize + offset as usize + 2;
        let room = (data.pair.hdr_buf as usize).min(skb.linear().len());
        hdr_len = hdr_len.max(csum_end.min(room));
    }
    TxLayout {
        copy_whole,
        hdr_len,
        csum,
        gso: skb.gso(),
        shared_frag: skb.has_shared_frag(),
        bql: dev.has_qdisc(),
    }
}

/// The transmit-complete work of our NAPI poll: release every frame the
/// peer has read, account it to BQL and wake the queue.
pub(crate) fn complete(dev: &Device<ZcPair>, data: &EndData, ctx: &PollCtx<'_>) {
    let end = data.end();
    let mut ring = end.tx.lock();
    let mut bytes = 0u32;
    let mut pkts = 0u32;
    let n = ring.reap(|done| {
        if let Some(len) = done.bql {
            pkts += 1;
            bytes += len;
        }
        done.skb.consume_in_napi(ctx);
    });
    if n == 0 {
        return;
    }
    if pkts > 0 {
        dev.bql_completed(pkts, bytes);
    }
    add(&end.stats.tx_completions, n as u64);
    add(&end.stats.tx_completion_passes, 1);
    if dev.queue_stopped() && ring.free_slots() >= WAKE_THRESHOLD && dev.is_running() {
        dev.wake_queue();
    }
}

/// After our poll read the peer's frames: the peer's "transmit complete
/// interrupt". Its poll releases them (`tx_due` tells it to look at its
/// transmit ring), once their whole batch was read.
///
/// Releasing them here instead, in our poll, saves the peer a poll per
/// batch (UDP 64 B 50 -> 61 kpps in one boot) but changed when the
/// peer's NAPI instance runs relative to its deferred GRO flush, and the
/// kernel's gro.c `ip` case then failed all its tries in two runs: not
/// done until that is understood.
pub(crate) fn release_peer(data: &EndData, _ctx: &PollCtx<'_>) {
    let peer = data.peer();
    peer.tx_due.store(true, Ordering::Release);
    peer.notify();
}

/// Empties our transmit ring (the device is closing or going away): the
/// peer skips what it has not read and every frame is released. Call with
/// BH disabled.
pub(crate) fn drain(dev: &Device<ZcPair>, data: &EndData) {
    let end = data.end();
    multidest::drop_held(end);
    let mut ring = end.tx.lock();
    let mut consumer = data.peer().rx.lock();
    let n = ring.drain(&mut consumer, |done| done.skb.consume_any());
    drop(consumer);
    drop(ring);
    if n > 0 {
        add(&end.stats.tx_completions, n as u64);
    }
    dev.bql_reset();
}
