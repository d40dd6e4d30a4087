// SPDX-License-Identifier: GPL-2.0

//! Receive: the NAPI poll builds each skb from the copied header bytes
//! plus frags that reference the sender's pages (no payload copy), restores
//! checksum and GSO state, and hands it to GRO (or, when GRO could only
//! pass it on, straight to the stack's list); then it tells the sender
//! that its frames were read. Each queue has its own poll, serving the
//! peer's ring of the same number.

use crate::counters::add;
use crate::knet::napi::PollCtx;
use crate::knet::netdev::{Device, NapiPoll};
use crate::knet::sgring::{RxDesc, MAX_SG};
use crate::knet::skb::{Charge, RxSkb};
use crate::pair::EndData;
use crate::{moderation, multidest, tx, uplink, ZcPair};
use core::sync::atomic::Ordering;
use kernel::prelude::*;

const ETH_HLEN: usize = 14;

/// Builds the skb of one descriptor.
fn build(ctx: &PollCtx<'_>, desc: &RxDesc<'_>) -> Result<RxSkb> {
    let hdr = desc.header();
    if hdr.len() < ETH_HLEN || desc.is_malformed() {
        return Err(EINVAL);
    }
    // A frame with the most frags plus a linear remainder has one entry
    // more than an skb holds: its first entry (the remainder of the
    // sender's linear area, small) is copied into our linear area.
    let copy_first = desc.nr_sg() == MAX_SG;
    let extra = if copy_first {
        desc.sg_len(0) as usize
    } else {
        0
    };
    let mut skb = RxSkb::alloc_with(ctx, hdr.len() + extra, hdr)?;
    let mut first = 0;
    if copy_first {
        skb.put(desc.sg_bytes(0).ok_or(EINVAL)?)?;
        first = 1;
    }
    for i in first..desc.nr_sg() {
        let (page, off, len) = desc.sg(i).ok_or(EINVAL)?;
        // The sender's own copy of a linear area sits packed in a page
        // fragment, like a NIC's receive buffer; other entries are slices
        // of the sender's pages, charged the pages they keep alive.
        let charge = if desc.sg_is_copy(i) {
            Charge::Packed
        } else {
            Charge::Pages
        };
        skb.add_frag(page, off, len, charge)?;
    }
    if desc.shared_frag() {
        skb.set_shared_frag();
    }
    // User pages: the sender's completion now waits for this skb.
    if let Some(z) = desc.zcopy() {
        skb.attach_zcopy(&z);
    }
    if skb.len() != desc.len() {
        return Err(EINVAL);
    }
    skb.set_checksum(desc.checksum())?;
    if let Some(gso) = desc.gso() {
        let payload = desc.len().saturating_sub(hdr.len()) as u32;
        skb.set_gso(gso, payload.div_ceil(gso.size.max(1) as u32));
    }
    Ok(skb)
}

/// Skips everything the peer queued for us (we are going down, `up` is
/// already clear); the peer releases those frames on its next poll. The
/// peer's producer lock is taken first: the peer checks `up` under it
/// before posting, so nothing can be posted after this skip. A peer with
/// an uplink sends what we leave unread through it instead, under its
/// queue's transmit lock (uplink.rs). Call with BH disabled.
pub(crate) fn skip_pending(data: &EndData) {
    let peer_dev = data.peer().device();
    for index in 0..data.end().nr_queues() {
        let Some(qp) = data.queue(index) else {
            continue;
        };
        if let Some(txq) = peer_dev.as_ref().and_then(|d| d.txq(index)) {
            let remapped = txq.with_xmit_lock(|txq| {
                uplink::remap(data.peer(), qp.peers, qp.ours, txq, None).is_ok()
            });
            if remapped {
                continue;
            }
        }
        let producer = qp.peers.tx.lock();
        let skipped = qp.ours.rx.lock().skip_all();
        drop(producer);
        add(&qp.ours.stats.rx_dropped, skipped as u64);
        if skipped > 0 {
            // Their frames are the peer's to release.
            tx::notify_release(qp);
        }
    }
}

impl NapiPoll for ZcPair {
    /// A queue's NAPI poll: transmit completions first, then up to `budget`
    /// frames from the peer's ring of the same number.
    fn poll(dev: &Device<ZcPair>, ctx: PollCtx<'_>) -> i32 {
        let budget = ctx.budget();
        let Some(data) = dev.data() else { return 0 };
        let Some(qp) = data.queue(ctx.index()) else {
            return 0;
        };
        let q = qp.ours;
        // Frames of ours the peer read but left to us (it releases the
        // others itself, `tx::release_peer`).
        if q.tx_due.swap(false, Ordering::Acquire) {
            tx::complete(dev, qp, &ctx);
        }
        moderation::poll_begins(q);
        // A batch held for `tx-usecs`: its timer brought us here.
        multidest::flush_due(dev, data, qp);
        // The stack's per-queue views (RPS) know queues below its count.
        let record = (qp.index < dev.real_num_rx_queues()).then_some(qp.index as u16);

        // Build under the ring lock, deliver after it: delivery may transmit
        // (a TCP ACK), which takes other ring locks.
        let mut batch: [Option<RxSkb>; 64] = [const { None }; 64];
        let limit = (budget.max(0) as usize).min(batch.len());
        let mut n = 0;
        let mut dropped = 0u64;
        {
            let mut ring = q.rx.lock();
            while n + (dropped as usize) < limit {
                let Some(desc) = ring.peek() else { break };
                match build(&ctx, &desc) {
                    Ok(mut skb) => {
                        if let Some(i) = record {
                            skb.record_rx_queue(i);
                        }
                        batch[n] = Some(skb);
                        n += 1;
                    }
                    Err(_) => dropped += 1,
                }
                desc.advance();
            }
        }
        let mut bytes = 0u64;
        let mut merged = 0u64;
        let mut received = 0u64;
        let mut refused = 0u64;
        for skb in batch.iter_mut().take(n).filter_map(Option::take) {
            let len = skb.len() as u64;
            match dev.receive(skb, &ctx) {
                Ok(gro_merged) => {
                    received += 1;
                    bytes += len;
                    merged += u64::from(gro_merged);
                }
                Err(_) => refused += 1,
            }
        }
        let s = &q.stats;
        add(&s.rx_packets, received);
        add(&s.rx_bytes, bytes);
        add(&s.rx_gro_frames, merged);
        add(&s.rx_dropped, dropped + refused);
        let work = n as i32 + dropped as i32;
        if work > 0 {
            // The stack takes the frames GRO still queues before the peer
            // hears they were read: a receiving stack that copies zero-copy
            // frags has then let go of the sender's pages, and the peer
            // releasing a batch is the last to hold its frames, so their
            // notifications reach the sender together.
            ctx.deliver_queued();
            q.rx.lock().publish();
        }
        // Only a poll that is over unmasks: when the stack defers it
        // (`napi_defer_hard_irqs`) its timer polls again, and the frames the
        // peer posts meanwhile reach GRO together. A poll that used its whole
        // budget is not over (`complete_done` refuses it).
        let (over, tail) = ctx.complete_done(work);
        if over {
            q.unmask();
            // One ring lock at a time (the transmit path nests tx before rx).
            let pending = q.rx.lock().pending() > 0;
            if pending || q.tx_due.load(Ordering::Acquire) {
                q.notify();
            }
        }
        if work > 0 {
            tx::release_peer(qp, data, &tail);
        }
        work.min(budget)
    }
}
