// SPDX-License-Identifier: GPL-2.0

//! Multi-destination transmit: UDP GSO frames cut into segments by the
//! driver, destinations interleaved within a batch, one notification of
//! the peer and one completion pass per batch (document 004).
//!
//! Read top to bottom:
//! 1. [`take`]: with `tx-segment` on, `start_xmit` hands us each UDP GSO
//!    frame. Its headers (Ethernet + IPv4/IPv6 + UDP) become the frame's
//!    header template ([`Template`]); the frame is held in the [`Held`]
//!    batch of its transmit queue (each queue batches into its own ring),
//!    in the lane of its destination (IP destination and UDP port).
//! 2. A batch closes when it holds `tx-frames` frames, when the stack says
//!    nothing more follows and `tx-usecs` is 0, when a frame we do not cut
//!    must go out behind it, or `tx-usecs` after its first frame: the
//!    queue's NAPI timer then polls, and the poll calls [`flush_due`].
//! 3. [`flush`] writes the batch into the ring in rounds, one segment of
//!    each lane per round (d1s1, d2s1, ..., dNs1, d1s2, ...). Each segment's
//!    header is the template with lengths, IPv4 id and checksums fixed up
//!    ([`write_header`]), written into the slot's pre-mapped header buffer;
//!    its payload is a slice of the frame's pages, never copied. The ring
//!    publishes the batch at once and releases it at once, when the peer
//!    has read every descriptor of it: the sender's zero-copy notifications
//!    for the batch then come back together.

use crate::counters::{add, max};
use crate::knet::netdev::{Device, TxQueue};
use crate::knet::sgring::Cut;
use crate::knet::skb::{Checksum, SkBuff};
use crate::knet::uapi::ZCPAIR_TX_FRAMES_MAX;
use crate::pair::{EndData, Queue, QueuePair};
use crate::ZcPair;
use core::sync::atomic::Ordering;
use kernel::error::code::ENOSPC;
use kernel::time::Ktime;

const N: usize = ZCPAIR_TX_FRAMES_MAX as usize;
const ETH_HLEN: usize = 14;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
const IPPROTO_UDP: u8 = 17;
const UDP_HLEN: usize = 8;

/// Where a frame's headers are and where it goes: enough to build each
/// segment's header from the frame's own.
#[derive(Clone, Copy)]
pub(crate) struct Template {
    /// Offset of the IP header (after Ethernet).
    l3: usize,
    /// Offset of the UDP header.
    l4: usize,
    v6: bool,
    /// Payload bytes per segment (the frame's gso_size).
    mss: usize,
    /// IPv4 id of the first segment.
    id: u16,
    /// Destination address (v4 in the first 4 bytes) and UDP port.
    dest: ([u8; 16], u16),
}

impl Template {
    /// The template of a UDP GSO frame whose headers are plain Ethernet +
    /// IPv4 (no options needed, not a fragment) or IPv6 (UDP directly) +
    /// UDP, checksum to be completed in the UDP header; `None` for any
    /// other frame, which crosses whole.
    fn of(skb: &SkBuff) -> Option<Template> {
        let view = skb.view();
        let gso = view.gso?;
        if !gso.is_udp_l4() || gso.size == 0 {
            return None;
        }
        let h = skb.linear();
        let ethertype = u16::from_be_bytes([*h.get(12)?, *h.get(13)?]);
        let l3 = ETH_HLEN;
        let (l4, v6, id, mut dest) = match ethertype {
            ETH_P_IP => {
                let ihl = usize::from(h.get(l3)? & 0x0f) * 4;
                let frag = u16::from_be_bytes([*h.get(l3 + 6)?, *h.get(l3 + 7)?]) & 0x3fff;
                if ihl < 20 || *h.get(l3 + 9)? != IPPROTO_UDP || frag != 0 {
                    return None;
                }
                let mut dest = [0u8; 16];
                dest[..4].copy_from_slice(h.get(l3 + 16..l3 + 20)?);
                let id = u16::from_be_bytes([*h.get(l3 + 4)?, *h.get(l3 + 5)?]);
                (l3 + ihl, false, id, dest)
            }
            ETH_P_IPV6 => {
                if *h.get(l3 + 6)? != IPPROTO_UDP {
                    return None;
                }
                let dest: [u8; 16] = h.get(l3 + 24..l3 + 40)?.try_into().ok()?;
                (l3 + 40, true, 0, dest)
            }
            _ => return None,
        };
        let port = u16::from_be_bytes([*h.get(l4 + 2)?, *h.get(l4 + 3)?]);
        if h.len() != l4 + UDP_HLEN {
            return None;
        }
        if view.checksum
            != (Checksum::Partial {
                start: l4 as u16,
                offset: 6,
            })
        {
            return None;
        }
        if !v6 {
            dest[4..].fill(0);
        }
        Some(Template {
            l3,
            l4,
            v6,
            mss: gso.size.into(),
            id,
            dest: (dest, port),
        })
    }

    fn hdr_len(&self) -> usize {
        self.l4 + UDP_HLEN
    }
}

/// One's complement sum of big-endian 16-bit words, not folded.
fn sum16(data: &[u8], mut acc: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = chunks.remainder() {
        acc += u32::from(*b) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn put16(out: &mut [u8], at: usize, v: u16) -> Option<()> {
    out.get_mut(at..at + 2)?.copy_from_slice(&v.to_be_bytes());
    Some(())
}

/// Segment `seg` (of `payload` bytes) of a frame: the template `tmpl`
/// with the IP and UDP lengths, the IPv4 id (the frame's plus `seg`, as
/// the stack's own segmentation numbers them) and the IPv4 header checksum
/// fixed up, and the UDP checksum field seeded with the pseudo-header sum
/// for the segment's length, to be completed by whoever completes
/// `CHECKSUM_PARTIAL` (the receiver trusts it, a NIC fills it in).
/// Returns the header's length.
pub(crate) fn write_header(
    t: &Template,
    tmpl: &[u8],
    out: &mut [u8],
    seg: usize,
    payload: usize,
) -> Option<usize> {
    let hlen = t.hdr_len();
    out.get_mut(..hlen)?.copy_from_slice(tmpl.get(..hlen)?);
    let udp_len = u16::try_from(UDP_HLEN + payload).ok()?;
    let pseudo = if t.v6 {
        put16(out, t.l3 + 4, udp_len)?;
        // Source and destination addresses, length, next header.
        sum16(
            out.get(t.l3 + 8..t.l3 + 40)?,
            u32::from(udp_len) + u32::from(IPPROTO_UDP),
        )
    } else {
        let tot = u16::try_from(t.l4 - t.l3 + UDP_HLEN + payload).ok()?;
        put16(out, t.l3 + 2, tot)?;
        put16(out, t.l3 + 4, t.id.wrapping_add(seg as u16))?;
        put16(out, t.l3 + 10, 0)?;
        let csum = !fold(sum16(out.get(t.l3..t.l4)?, 0));
        put16(out, t.l3 + 10, csum)?;
        sum16(
            out.get(t.l3 + 12..t.l3 + 20)?,
            u32::from(udp_len) + u32::from(IPPROTO_UDP),
        )
    };
    put16(out, t.l4 + 4, udp_len)?;
    put16(out, t.l4 + 6, fold(pseudo))?;
    Some(hlen)
}

/// A frame held for the next batch.
struct Frame {
    cut: Cut,
    t: Template,
    /// Its destination's lane (index into `Held::dests`).
    lane: u8,
    /// Segments written so far.
    seg: usize,
    len: u32,
}

/// The frames a queue holds for its next batch, in arrival order.
pub(crate) struct Held {
    frames: [Option<Frame>; N],
    n: usize,
    /// The destinations of the held frames, in order of first appearance.
    dests: [([u8; 16], u16); N],
    nr_dests: usize,
    /// When the batch must go (ns, `ktime_get`).
    deadline: i64,
    /// The lane each round starts with: where the last batch stopped when
    /// the ring was full, so that its next segment is not of the lane
    /// written just before.
    start: usize,
}

impl Held {
    pub(crate) const fn new() -> Self {
        Held {
            frames: [const { None }; N],
            n: 0,
            dests: [([0; 16], 0); N],
            nr_dests: 0,
            deadline: 0,
            start: 0,
        }
    }

    /// Drops every held frame (the end is going down); returns how many.
    pub(crate) fn drop_all(&mut self) -> usize {
        let n = self.n;
        for f in self.frames.iter_mut().take(n) {
            f.take();
        }
        self.n = 0;
        self.nr_dests = 0;
        self.start = 0;
        n
    }
}

/// Takes a UDP GSO frame into the end's batch (`tx-segment` on; BH
/// disabled); `more`: the stack has another frame for us right away.
/// Frames we cannot cut are handed back, after the held ones are flushed
/// so that they go out in order.
pub(crate) fn take(
    txq: &TxQueue<'_, ZcPair>,
    data: &EndData,
    qp: QueuePair<'_>,
    skb: SkBuff,
    more: bool,
) -> Result<(), SkBuff> {
    let (end, q) = (data.end(), qp.ours);
    let mut held = q.held.lock();
    let Some(t) = Template::of(&skb) else {
        flush(txq, data, qp, &mut held);
        return Err(skb);
    };
    let len = skb.len() as u32;
    // Its sender cannot add to the batch until something of it is freed:
    // waiting for more would wait for the timer.
    let sender_full = skb.sender_full();
    if held.n >= N {
        // What the ring had no room for fills the batch: try again.
        flush(txq, data, qp, &mut held);
        if held.n >= N {
            drop(held);
            drop(skb);
            add(&q.stats.tx_ring_full, 1);
            add(&q.stats.tx_dropped, 1);
            return Ok(());
        }
    }
    let cut = match Cut::new(skb, t.hdr_len(), txq.has_qdisc()) {
        Ok(cut) => cut,
        Err(skb) => {
            flush(txq, data, qp, &mut held);
            return Err(skb);
        }
    };
    let lane = match held.dests[..held.nr_dests]
        .iter()
        .position(|d| *d == t.dest)
    {
        Some(l) => l,
        None => {
            let l = held.nr_dests;
            held.dests[l] = t.dest;
            held.nr_dests += 1;
            l
        }
    };
    let i = held.n;
    held.frames[i] = Some(Frame {
        cut,
        t,
        lane: lane as u8,
        seg: 0,
        len,
    });
    held.n += 1;
    q.held_pending.store(true, Ordering::Relaxed);
    let usecs = end.tx_usecs.load(Ordering::Relaxed);
    let cap = match end.tx_frames.load(Ordering::Relaxed) as usize {
        0 => N,
        f => f.min(N),
    };
    if held.n >= cap || (usecs == 0 && !more) || sender_full {
        flush(txq, data, qp, &mut held);
    } else if held.n == 1 && usecs > 0 {
        held.deadline = Ktime::ktime_get().to_ns() + i64::from(usecs) * 1000;
        q.napi.schedule_within(usecs);
    }
    Ok(())
}

/// From the queue's poll: writes the held batch out if its time has come,
/// under the queue's transmit lock as `start_xmit` would (byte queue
/// limits are the transmit path's to update).
pub(crate) fn flush_due(dev: &Device<ZcPair>, data: &EndData, qp: QueuePair<'_>) {
    if !qp.ours.held_pending.load(Ordering::Relaxed) {
        return;
    }
    let Some(txq) = dev.txq(qp.index) else { return };
    txq.with_xmit_lock(|txq| {
        let mut held = qp.ours.held.lock();
        if held.n == 0 {
            return;
        }
        let left = held.deadline - Ktime::ktime_get().to_ns();
        if left <= 0 {
            flush(txq, data, qp, &mut held);
        } else {
            // An early poll (the timer is shared with the reader's
            // notification moderation, pair.rs): the batch's own deadline
            // is still to come.
            let usecs = u32::try_from(left / 1000 + 1).unwrap_or(u32::MAX);
            qp.ours.napi.schedule_within(usecs);
        }
    });
}

/// Writes the held frames into the ring, destinations interleaved, as one
/// batch, and notifies the peer once. A batch the ring cannot take whole
/// is written as far as the ring has room (segments of a frame may then
/// span two batches); the rest stays held, due at once, and goes out when
/// the peer's reading frees slots (our completion pass, [`flush_due`]).
pub(crate) fn flush(txq: &TxQueue<'_, ZcPair>, data: &EndData, qp: QueuePair<'_>, held: &mut Held) {
    let n = held.n;
    if n == 0 {
        return;
    }
    let (q, peer) = (qp.ours, data.peer());
    let nr_dests = held.nr_dests;
    if !peer.up.load(Ordering::Acquire) {
        drop_all(q, held);
        return;
    }

    let mut ring = q.tx.lock();
    // Checked under the ring lock, as in `start_xmit`.
    if !peer.up.load(Ordering::Acquire) {
        drop(ring);
        drop_all(q, held);
        return;
    }
    let s = &q.stats;
    let mut batch = ring.batch();
    let (mut segs, mut hdr, mut payload, mut zc, mut frames, mut bytes) = (0u64, 0, 0, 0, 0, 0);
    let (mut last_lane, mut run, mut max_run) = (usize::MAX, 0u64, 0u64);
    let mut bql_frames: [u32; N] = [0; N];
    let mut nr_bql = 0;
    // Frames and lanes with a segment in this batch.
    let mut touched = [false; N];
    let mut lanes = [false; N];
    // Each lane's current frame (index into `frames`).
    let mut cur = [usize::MAX; N];
    for (lane, c) in cur.iter_mut().enumerate().take(nr_dests) {
        *c = next_of(held, lane, 0, n);
    }
    let mut stopped = None;
    'rounds: loop {
        let active = cur[..nr_dests].iter().filter(|&&c| c < n).count();
        if active == 0 {
            break;
        }
        for k in 0..nr_dests {
            let lane = (held.start + k) % nr_dests;
            let c = &mut cur[lane];
            let i = *c;
            let Some(f) = held.frames.get_mut(i).and_then(Option::as_mut) else {
                continue;
            };
            let (t, seg) = (f.t, f.seg);
            let want = f.t.mss.min(f.cut.remaining());
            let res = batch.post_segment(&mut f.cut, want, csum(&t), |tmpl, out| {
                write_header(&t, tmpl, out, seg, want)
            });
            let done = match res {
                Ok(p) => {
                    segs += 1;
                    hdr += u64::from(p.copied);
                    payload += u64::from(p.referenced);
                    f.seg += 1;
                    touched[i] = true;
                    lanes[lane] = true;
                    run = if lane == last_lane { run + 1 } else { 1 };
                    last_lane = lane;
                    if active > 1 {
                        max_run = max_run.max(run);
                    }
                    if f.cut.remaining() == 0 {
                        frames += 1;
                        bytes += u64::from(f.len);
                        zc += u64::from(p.zerocopy);
                        if let Some(b) = bql_frames.get_mut(nr_bql) {
                            *b = f.len;
                            nr_bql += 1;
                        }
                        true
                    } else {
                        false
                    }
                }
                // The ring is full: the rest waits for free slots.
                Err(e) if e == ENOSPC => {
                    stopped = Some(held.dests[lane]);
                    break 'rounds;
                }
                // A segment that cannot be described (its bytes span more
                // entries than a descriptor holds): the frame is dropped.
                Err(_) => {
                    add(&s.tx_dropped, 1);
                    true
                }
            };
            if done {
                held.frames[i] = None;
                *c = next_of(held, lane, i + 1, n);
            }
        }
    }
    let ring_full = stopped.is_some();
    let posted = batch.len();
    drop(batch);
    // Byte queue limits (with a qdisc) are told of the frames now in the
    // ring, before the ring lock goes (the completion pass takes it); the
    // ring reports each frame's bytes back on completion.
    if txq.has_qdisc() {
        for (k, len) in bql_frames.iter().take(nr_bql).enumerate() {
            txq.bql_sent(*len, k + 1 < nr_bql);
        }
        if ring_full || ring.free_slots() == 0 {
            txq.stop();
        }
    }
    drop(ring);
    held.compact(stopped);
    q.held_pending.store(held.n > 0, Ordering::Relaxed);
    add(&s.tx_packets, frames);
    add(&s.tx_bytes, bytes);
    add(&s.tx_ring_packets, frames);
    add(&s.tx_ring_bytes, bytes);
    add(&s.tx_segments, segs);
    add(&s.tx_header_bytes_copied, hdr);
    add(&s.tx_payload_bytes_referenced, payload);
    add(&s.tx_sg_descriptors, segs);
    add(&s.tx_zerocopy_frames, zc);
    if ring_full {
        add(&s.tx_ring_full, 1);
    }
    if posted > 0 {
        add(&s.tx_batches, 1);
        add(
            &s.tx_batch_frames,
            touched.iter().filter(|&&t| t).count() as u64,
        );
        add(
            &s.tx_batch_destinations,
            lanes.iter().filter(|&&l| l).count() as u64,
        );
        max(&s.tx_batch_max_run, max_run);
        add(&s.tx_notifications, 1);
        qp.peers.notify();
    }
}

/// The first held frame at or after `from` in `lane`, or `usize::MAX`.
fn next_of(held: &Held, lane: usize, from: usize, n: usize) -> usize {
    (from..n)
        .find(|&i| {
            held.frames[i]
                .as_ref()
                .is_some_and(|f| usize::from(f.lane) == lane)
        })
        .unwrap_or(usize::MAX)
}

fn csum(t: &Template) -> Checksum {
    Checksum::Partial {
        start: t.l4 as u16,
        offset: 6,
    }
}

impl Held {
    /// Closes the gaps that written frames left, keeping the order of the
    /// rest, and renumbers the lanes of their destinations (so there are
    /// never more lanes than frames); the next round starts with the lane
    /// of `stopped`, where the ring ran full. Whatever is left is due at
    /// once.
    fn compact(&mut self, stopped: Option<([u8; 16], u16)>) {
        let old = self.dests;
        let (mut k, mut lanes) = (0, 0);
        for i in 0..self.n {
            let Some(mut f) = self.frames[i].take() else {
                continue;
            };
            let dest = old[usize::from(f.lane)];
            let lane = match self.dests[..lanes].iter().position(|d| *d == dest) {
                Some(l) => l,
                None => {
                    self.dests[lanes] = dest;
                    lanes += 1;
                    lanes - 1
                }
            };
            f.lane = lane as u8;
            self.frames[k] = Some(f);
            k += 1;
        }
        self.n = k;
        self.nr_dests = lanes;
        self.deadline = 0;
        self.start = stopped
            .and_then(|d| self.dests[..lanes].iter().position(|x| *x == d))
            .unwrap_or(0);
    }
}

/// Drops what a queue holds (its end or the peer is going down); counted
/// as dropped.
fn drop_all(q: &Queue, held: &mut Held) {
    add(&q.stats.tx_dropped, held.drop_all() as u64);
    q.held_pending.store(false, Ordering::Relaxed);
}

/// Drops what a queue holds (its end is going down).
pub(crate) fn drop_held(q: &Queue) {
    drop_all(q, &mut q.held.lock());
}
