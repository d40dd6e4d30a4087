// SPDX-License-Identifier: GPL-2.0

//! Transmit: headers into the slot's pre-mapped buffer, the rest by
//! reference, one notification of the peer per batch; and the completion
//! side that releases frames once the peer has read them.

use crate::knet::netdev::{Device, Sent};
use crate::knet::sgring::TxLayout;
use crate::knet::skb::SkBuff;
use crate::pair::{add, EndData};
use crate::ZcPair;
use core::sync::atomic::Ordering;

const ETH_HLEN: usize = 14;

/// Wake a stopped queue once this many slots are free again.
const WAKE_THRESHOLD: u32 = 2;

/// `ndo_start_xmit`.
pub(crate) fn start_xmit(dev: &Device<ZcPair>, mut skb: SkBuff) -> Sent {
    let Some(data) = dev.data() else {
        return Sent;
    };
    let (end, peer) = (data.end(), data.peer());
    let len = skb.len();
    if !peer.up.load(Ordering::Acquire) || len < ETH_HLEN {
        add(&end.stats.tx_dropped, 1);
        return Sent;
    }
    // User pages of MSG_ZEROCOPY must not be completed to the sender while
    // the peer may still read them: hand the peer kernel copies instead.
    if skb.is_zerocopy() && skb.orphan_frags().is_err() {
        add(&end.stats.tx_dropped, 1);
        return Sent;
    }
    skb.tx_timestamp();

    let copybreak = data.pair.copybreak.load(Ordering::Relaxed) as usize;
    let layout = TxLayout {
        copy_whole: len <= copybreak,
        hdr_len: skb.headers_len(dev).max(ETH_HLEN),
        csum: skb.checksum(),
        gso: skb.gso(),
    };
    let more = dev.xmit_more();

    let mut ring = end.tx.lock();
    let posted = match ring.post(skb, &layout) {
        Ok(posted) => posted,
        Err(skb) => {
            drop(ring);
            drop(skb);
            add(&end.stats.tx_dropped, 1);
            peer.notify();
            return Sent;
        }
    };
    let full = ring.free_slots() == 0;
    if full {
        dev.stop_queue();
        add(&end.stats.tx_ring_full, 1);
    }
    let kick = dev.bql_sent(len as u32, more) || full;
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
    if kick {
        add(&s.tx_notifications, 1);
        peer.notify();
    }
    Sent
}

/// The transmit-complete work of our NAPI poll: release every frame the
/// peer has read, account it to BQL and wake the queue.
pub(crate) fn complete(dev: &Device<ZcPair>, data: &EndData, budget: i32) {
    let end = data.end();
    let mut ring = end.tx.lock();
    let mut bytes = 0u32;
    let n = ring.reap(|skb| {
        bytes += skb.len() as u32;
        skb.consume_in_napi(budget);
    });
    if n == 0 {
        return;
    }
    dev.bql_completed(n, bytes);
    add(&end.stats.tx_completions, n as u64);
    if dev.queue_stopped() && ring.free_slots() >= WAKE_THRESHOLD && dev.is_running() {
        dev.wake_queue();
    }
}

/// Empties our transmit ring (the device is closing or going away): the
/// peer skips what it has not read and every frame is released. Call with
/// BH disabled.
pub(crate) fn drain(dev: &Device<ZcPair>, data: &EndData) {
    let end = data.end();
    let mut ring = end.tx.lock();
    let mut consumer = data.peer().rx.lock();
    let mut bytes = 0u32;
    let n = ring.drain(&mut consumer, |skb| {
        bytes += skb.len() as u32;
        skb.consume_any();
    });
    drop(consumer);
    drop(ring);
    if n > 0 {
        add(&end.stats.tx_completions, n as u64);
    }
    dev.bql_reset();
}
