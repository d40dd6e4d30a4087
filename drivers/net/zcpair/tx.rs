// SPDX-License-Identifier: GPL-2.0

//! Transmit: headers into the slot's pre-mapped buffer, the rest by
//! reference, one notification of the peer per batch; and the completion
//! side that releases frames once the peer has read them.

use crate::counters::add;
use crate::knet::napi::{PollCtx, PollTail};
use crate::knet::netdev::{Device, Sent, TxQueue};
use crate::knet::sgring::TxLayout;
use crate::knet::skb::{Checksum, SkBuff};
use crate::moderation::RxModeration;
use crate::pair::{EndData, Queue, QueuePair};
use crate::ZcPair;
use crate::{lan, multidest, uplink};
use core::sync::atomic::{AtomicBool, Ordering};

const ETH_HLEN: usize = 14;

/// Wake a stopped queue once this many slots are free again.
const WAKE_THRESHOLD: u32 = 2;

/// `ndo_start_xmit`: the frame goes into the ring of the queue the stack
/// picked for it (`skb->queue_mapping`, by XPS or the flow hash), towards
/// the peer's queue of the same number.
///
/// With `noqueue` (the default) the queue is never stopped: a stopped
/// queue would make the stack drop every sender's frames with `-ENETDOWN`
/// ("asks to queue packet"), so a full ring drops the frame here, counted
/// in `tx_ring_full` and `tx_dropped`. With a qdisc attached the ring
/// pushes back instead: the queue stops when the ring fills and byte queue
/// limits account what is in flight, and the qdisc holds frames meanwhile.
pub(crate) fn start_xmit(dev: &Device<ZcPair>, skb: SkBuff) -> Sent {
    let Some(data) = dev.data() else {
        return Sent;
    };
    let index = u32::from(skb.queue_mapping());
    let (Some(qp), Some(txq)) = (data.queue(index), dev.txq(index)) else {
        // Never: the stack picks among the device's queues, and both ends
        // have as many. Counted on queue 0.
        if let Some(q) = data.end().queue(0) {
            return dropped(q, skb, false);
        }
        return Sent;
    };
    let (end, peer) = (data.end(), data.peer());
    let len = skb.len();
    if len < ETH_HLEN {
        return dropped(qp.ours, skb, false);
    }
    // A LAN member's frame goes to the member its destination names
    // (lan.rs), or through its uplink if none has it.
    if let Some(m) = &data.lan {
        return lan::xmit(dev, &txq, data, m, qp.ours, index, skb);
    }
    // With an uplink, the cross-talk detector decides first: only frames
    // for the peer (and broadcasts) go on to the ring.
    let Some(mut skb) = uplink::route(data, qp.ours, skb) else {
        return Sent;
    };
    // A peer that is down takes nothing: drop before any work on the frame
    // (checked again under the ring lock below, where it counts), unless
    // an uplink takes its frames meanwhile (`post` sends them there).
    if !peer.up.load(Ordering::Relaxed) && !uplink::attached(end) {
        return dropped(qp.ours, skb, false);
    }
    let more = dev.xmit_more();
    skb.tx_timestamp();
    // UDP GSO frames this end cuts itself go into its batch
    // (multidest.rs); anything else goes out behind what is held.
    if end.tx_segment.load(Ordering::Relaxed) {
        match multidest::take(&txq, data, qp, skb, more) {
            Ok(()) => return Sent,
            Err(back) => skb = back,
        }
    }
    let target = Target {
        ring: qp.ours,
        reader: qp.peers,
        reader_up: &peer.up,
        moderation: &peer.rx_moderation,
        shared: false,
    };
    post(dev, &txq, data, qp.ours, &target, skb, more, true);
    Sent
}

/// Where a frame goes: the queue whose transmit ring (producer) it is
/// written into, and the queue that reads that ring. For a pair, our own
/// ring, read by the peer; for a LAN member, the receiving member's ring,
/// which every member writes into (`shared`) and that member reads.
pub(crate) struct Target<'a> {
    pub(crate) ring: &'a Queue,
    pub(crate) reader: &'a Queue,
    /// The reading end is up (checked under the ring lock).
    pub(crate) reader_up: &'a AtomicBool,
    /// The reading end's notification moderation (moderation.rs).
    pub(crate) moderation: &'a RxModeration,
    /// Many producers: no byte queue limits (the frames are released by
    /// the reader, not by our poll) and a notification per frame (the
    /// next frame may go elsewhere).
    pub(crate) shared: bool,
}

/// Writes `skb` into `target`'s ring and notifies its reader when the
/// batch ends; counts on `q`, the sending queue (`frame`: the frame's
/// packets and bytes too, false for a flood's extra copies). Whether the
/// frame was posted (otherwise it was dropped and counted).
#[allow(clippy::too_many_arguments)]
pub(crate) fn post(
    dev: &Device<ZcPair>,
    txq: &TxQueue<'_, ZcPair>,
    data: &EndData,
    q: &Queue,
    target: &Target<'_>,
    skb: SkBuff,
    more: bool,
    frame: bool,
) -> bool {
    let len = skb.len();
    let mut layout = layout(dev, txq, data, &skb);
    if target.shared {
        layout.bql = false;
    }

    let mut ring = target.ring.tx.lock();
    // Checked under the ring lock: a reader going down sets `up` and then
    // takes this lock to skip what is queued, so nothing posted after it
    // can be left behind in its ring.
    if !target.reader_up.load(Ordering::Acquire) {
        drop(ring);
        // Our peer's frames follow our uplink while it is down, behind
        // what it left unread (uplink.rs).
        let skb = if target.shared {
            Some(skb)
        } else {
            match uplink::remap(data.end(), q, target.reader, txq, Some(skb)) {
                Ok(()) => return false,
                Err(skb) => skb,
            }
        };
        if let Some(skb) = skb {
            dropped(q, skb, false);
        }
        return false;
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
            // What the ring holds still needs reading: make sure the reader
            // polls even if this frame was the first of a batch.
            target.reader.notify();
            dropped(q, skb, full);
            return false;
        }
    };
    let full = ring.free_slots() == 0;
    // `urgent`: the sender can post no more until the reader reads, so the
    // notification cannot wait for the reader's moderation timer.
    let (kick, urgent) = if layout.bql {
        if full {
            txq.stop();
            add(&q.stats.tx_ring_full, 1);
        }
        let kick = txq.bql_sent(len as u32, more) || full;
        (kick, full || txq.xmit_stopped())
    } else {
        (!more || full || target.shared, full)
    };
    drop(ring);

    q.moderation.answering();
    let s = &q.stats;
    let steer = &data.pair.steer;
    steer.sent(data.end().steer_pps.load(Ordering::Relaxed));
    if frame {
        add(&s.tx_packets, 1);
        add(&s.tx_bytes, len as u64);
    }
    add(&s.tx_ring_packets, 1);
    add(&s.tx_ring_bytes, len as u64);
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
        let raised = if urgent {
            target.reader.notify_steered(steer, s);
            true
        } else {
            target.reader.notify_moderated(target.moderation, steer, s)
        };
        if raised {
            add(&s.tx_notifications, 1);
        }
    }
    true
}

/// Drops a frame that cannot be sent: `tx_dropped`, and `tx_ring_full`
/// when the ring had no free slot (`noqueue`).
pub(crate) fn dropped(q: &Queue, skb: SkBuff, ring_full: bool) -> Sent {
    drop(skb);
    if ring_full {
        add(&q.stats.tx_ring_full, 1);
    }
    add(&q.stats.tx_dropped, 1);
    Sent
}

/// How `skb` goes into a slot: whole when short (and not of user pages),
/// otherwise its headers (as far as the dissector finds them, and up to a
/// checksum field the receiver is to fill in when the slot holds that
/// much) copied, the rest referenced.
fn layout(
    dev: &Device<ZcPair>,
    txq: &TxQueue<'_, ZcPair>,
    data: &EndData,
    skb: &SkBuff,
) -> TxLayout {
    let len = skb.len();
    let copybreak = data.end().copybreak.load(Ordering::Relaxed) as usize;
    // User pages (MSG_ZEROCOPY) are never copied: they cross by reference
    // with their zero-copy state, however short the frame.
    let view = skb.view();
    let copy_whole = len <= copybreak && view.zcopy().is_none();
    let csum = view.checksum;
    // A frame copied whole needs no header length: no dissection. Nor does
    // one whose checksum the stack left to us (the local stack's TCP and
    // UDP): its transport header starts at the checksum's start.
    let mut hdr_len = if copy_whole {
        ETH_HLEN
    } else {
        match csum {
            Checksum::Partial { start, offset } => l4_end(skb.linear(), start, offset),
            _ => None,
        }
        .unwrap_or_else(|| dev.headers_len(skb))
        .max(ETH_HLEN)
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
        gso: view.gso,
        shared_frag: view.shared_frag,
        bql: txq.has_qdisc(),
    }
}

/// Where the transport header of a frame with a partial checksum ends, if
/// it is TCP (checksum at 16: its data offset says) or UDP (checksum at 6:
/// 8 bytes) and lies in the linear area; `None` sends the caller to the
/// flow dissector. A header found shorter than it is (another protocol
/// with its checksum at 6) only copies less: the receiver pulls what it
/// reads.
fn l4_end(linear: &[u8], start: u16, offset: u16) -> Option<usize> {
    let start = usize::from(start);
    let end = match offset {
        16 => start + usize::from(*linear.get(start + 12)? >> 4) * 4,
        6 => start + 8,
        _ => return None,
    };
    (end <= linear.len()).then_some(end)
}

/// The transmit-complete work of a queue's NAPI poll: release every frame
/// the peer has read, account it to BQL and wake the queue.
pub(crate) fn complete(dev: &Device<ZcPair>, qp: QueuePair<'_>, ctx: &PollCtx<'_>) {
    let q = qp.ours;
    let mut ring = q.tx.lock();
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
    let txq = dev.txq(qp.index);
    if let Some(txq) = &txq {
        if pkts > 0 {
            txq.bql_completed(pkts, bytes);
        }
    }
    add(&q.stats.tx_completions, n as u64);
    add(&q.stats.tx_completion_passes, 1);
    if let Some(txq) = txq {
        if txq.stopped() && ring.free_slots() >= WAKE_THRESHOLD && dev.is_running() {
            txq.wake();
        }
    }
}

/// After a queue's poll read the peer's frames (and completed: `tail`):
/// releases them here, when nothing of that needs the peer's own device
/// or poll (no frame accounted to its byte queue limits, whose completion
/// and queue wake-up are the peer device's; no multi-destination batch,
/// whose rest the peer's poll writes on completion). Otherwise the peer's
/// "transmit complete interrupt": its poll of the same queue releases them
/// (`tx_due` tells it to look at its transmit ring). Either way a frame is
/// released only once its whole batch was read. Saves the peer a poll per
/// batch, and its frames' memory goes back without one.
///
/// Only after our completion: freeing frames takes time (more under
/// KASAN), and a completion that crosses a jiffy boundary flushes what
/// GRO holds from the jiffy before, splitting a train of frames that GRO
/// would have merged (the kernel's gro.c test saw it).
pub(crate) fn release_peer(qp: QueuePair<'_>, data: &EndData, tail: &PollTail<'_>) {
    let peer = qp.peers;
    if data.peer().tx_segment.load(Ordering::Relaxed) {
        notify_release(qp);
        return;
    }
    let mut ring = peer.tx.lock();
    if ring.bql_in_flight() {
        drop(ring);
        notify_release(qp);
        return;
    }
    let n = ring.reap(|done| done.skb.consume_in_napi(tail));
    drop(ring);
    if n > 0 {
        add(&peer.stats.tx_completions, n as u64);
        add(&peer.stats.tx_completion_passes, 1);
    }
}

/// The peer's poll of the queue releases what we read (or skipped).
pub(crate) fn notify_release(qp: QueuePair<'_>) {
    qp.peers.tx_due.store(true, Ordering::Release);
    qp.peers.notify();
}

/// Empties our transmit rings (the device is closing or going away): the
/// peer skips what it has not read and every frame is released. Call with
/// BH disabled.
pub(crate) fn drain(dev: &Device<ZcPair>, data: &EndData) {
    for index in 0..data.end().nr_queues() {
        let Some(qp) = data.queue(index) else {
            continue;
        };
        let q = qp.ours;
        multidest::drop_held(q);
        let mut ring = q.tx.lock();
        let mut consumer = qp.peers.rx.lock();
        let n = ring.drain(&mut consumer, |done| done.skb.free_any());
        drop(consumer);
        drop(ring);
        add(&q.stats.tx_completions, n as u64);
        if let Some(txq) = dev.txq(index) {
            txq.bql_reset();
        }
    }
}
