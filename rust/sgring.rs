// SPDX-License-Identifier: GPL-2.0

//! A single-producer, single-consumer descriptor ring in DMA-coherent
//! memory whose slots carry a copied header and scatter-gather references
//! to the rest of a frame.
//!
//! One coherent allocation holds, in this order: the producer index
//! (tail), the consumer index (head), each on its own cache line; the
//! descriptor array; one header buffer per slot. Everything is allocated
//! once, when the ring is made: the header buffers are the pre-mapped
//! transmit buffers that headers are copied into; nothing is mapped per
//! frame.
//!
//! The producer (a transmit path) copies the headers into the slot's buffer,
//! describes the remaining bytes as (page, offset, length) entries, keeps
//! the frame (and so its page references) in a shadow slot, and publishes
//! the descriptor with a release store of the tail. The consumer (the
//! peer's receive path) loads the tail with acquire semantics, takes its
//! own references on the pages, and publishes its progress with a release
//! store of the head; only then does the producer release the frame
//! ([`Producer::reap`]). Page lifetimes are therefore enforced by this
//! type, not by its users.
//!
//! Frames are written in batches ([`Batch`]), published together with one
//! store of the tail and released together once the consumer is past the
//! last of them. A frame may also be cut into segments ([`Cut`]), each a
//! descriptor of its own with a header the producer writes and a slice of
//! the frame's pages; every such descriptor holds its own reference on the
//! frame.

use super::bindings;
use super::dma::{CoherentAllocation, DmaDevice};
use super::page::{page_span, PageFrag, PageRef};
use super::skb::{Checksum, Gso, SharedSkb, SkBuff, Zcopy};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Scatter-gather entries per descriptor: the skb's frags plus the part of
/// its linear area past the copied headers.
pub(crate) const MAX_SG: usize = bindings::MAX_SKB_FRAGS as usize + 1;

const CACHELINE: usize = 64;

#[repr(C)]
#[derive(Clone, Copy)]
struct WireSg {
    page: u64,
    off: u32,
    len: u32,
}

const CSUM_NONE: u8 = 0;
const CSUM_UNNECESSARY: u8 = 1;
const CSUM_PARTIAL: u8 = 2;

/// `WireDesc::flags`: the frags are shared with something that may not be
/// written (`SKBFL_SHARED_FRAG`: spliced page-cache pages and the like).
const FLAG_SHARED_FRAG: u16 = 1 << 0;
/// `WireDesc::flags`: entry 0 is a copy the producer made into a page
/// fragment of its own (the part of a kmalloc'ed linear area past the
/// headers), packed with other frames' copies.
const FLAG_SG0_COPY: u16 = 1 << 1;

/// A descriptor as it sits in coherent memory: its fixed part, then room
/// for `MAX_SG` entries of which the first `head.nr_sg` are used. Both
/// sides touch only what a frame uses: the producer writes the entries it
/// fills and then the fixed part, the consumer reads the fixed part once
/// and each entry where it takes it, never the whole 320 bytes.
#[repr(C)]
struct WireDesc {
    head: WireHead,
    sg: [WireSg; MAX_SG],
}

/// The fixed part of a [`WireDesc`].
#[repr(C)]
#[derive(Clone, Copy)]
struct WireHead {
    len: u32,
    hdr_len: u16,
    nr_sg: u8,
    csum: u8,
    csum_start: u16,
    csum_offset: u16,
    gso_size: u16,
    flags: u16,
    gso_type: u32,
    /// The frame's `struct ubuf_info` (zero-copy state), or 0.
    zc: u64,
}

/// The coherent memory of one ring and its geometry.
///
/// # Invariants
///
/// `mem` is laid out as the module documentation says for `slots` (a power
/// of two) slots with `hdr_size`-byte header buffers.
pub(crate) struct Ring {
    mem: CoherentAllocation,
    slots: u32,
    hdr_size: u32,
}

impl Ring {
    const PROD_OFF: usize = 0;
    const CONS_OFF: usize = CACHELINE;
    const DESC_OFF: usize = 2 * CACHELINE;

    /// Bytes of coherent memory a ring of this geometry takes.
    pub(crate) fn bytes(slots: u32, hdr_size: u32) -> usize {
        Self::DESC_OFF + slots as usize * (core::mem::size_of::<WireDesc>() + hdr_size as usize)
    }

    /// Allocates a ring and returns its two ends. `slots` must be a power
    /// of two, `hdr_size` a multiple of 8 of at least 64.
    #[allow(clippy::new_ret_no_self)]
    pub(crate) fn new(dev: &DmaDevice, slots: u32, hdr_size: u32) -> Result<(Producer, Consumer)> {
        if !slots.is_power_of_two() || hdr_size < 64 || hdr_size % 8 != 0 {
            return Err(EINVAL);
        }
        let mem = CoherentAllocation::alloc(dev, Self::bytes(slots, hdr_size))?;
        // INVARIANT: the allocation has the size of this geometry.
        let ring = Arc::new(
            Ring {
                mem,
                slots,
                hdr_size,
            },
            GFP_KERNEL,
        )?;
        let mut shadow = KVec::with_capacity(slots as usize, GFP_KERNEL)?;
        for _ in 0..slots {
            shadow.push(Slot::EMPTY, GFP_KERNEL)?;
        }
        Ok((
            Producer {
                ring: ring.clone(),
                shadow,
                prod: 0,
                clean: 0,
                bql_frames: 0,
            },
            Consumer { ring, cons: 0 },
        ))
    }

    fn index(&self, off: usize) -> &AtomicU32 {
        // SAFETY: `off` is PROD_OFF or CONS_OFF, inside the allocation and
        // 4-byte aligned (coherent memory is page aligned); the index words
        // are only ever accessed atomically.
        unsafe { AtomicU32::from_ptr(self.mem.as_ptr().add(off).cast()) }
    }

    fn desc_ptr(&self, idx: u32) -> *mut WireDesc {
        let slot = (idx & (self.slots - 1)) as usize;
        // SAFETY: `slot < slots`, so the descriptor is inside the allocation
        // (type invariant); WireDesc needs 8-byte alignment, which DESC_OFF
        // and the descriptor size keep.
        unsafe {
            self.mem
                .as_ptr()
                .add(Self::DESC_OFF + slot * core::mem::size_of::<WireDesc>())
                .cast()
        }
    }

    /// The fixed part of slot `idx`'s descriptor.
    fn head_ptr(&self, idx: u32) -> *mut WireHead {
        // SAFETY: `desc_ptr` is in bounds and aligned; no reference is made.
        unsafe { core::ptr::addr_of_mut!((*self.desc_ptr(idx)).head) }
    }

    /// The first of slot `idx`'s scatter-gather entries (`MAX_SG` follow
    /// in a row).
    fn sg_ptr(&self, idx: u32) -> *mut WireSg {
        // SAFETY: as in `head_ptr`.
        unsafe { core::ptr::addr_of_mut!((*self.desc_ptr(idx)).sg).cast() }
    }

    fn hdr_ptr(&self, idx: u32) -> *mut u8 {
        let slot = (idx & (self.slots - 1)) as usize;
        let base = Self::DESC_OFF + self.slots as usize * core::mem::size_of::<WireDesc>();
        // SAFETY: `slot < slots`: the buffer is inside the allocation.
        unsafe { self.mem.as_ptr().add(base + slot * self.hdr_size as usize) }
    }

    /// The published tail (frames posted so far).
    pub(crate) fn tail(&self) -> u32 {
        self.index(Self::PROD_OFF).load(Ordering::Acquire)
    }

    /// The published head (frames consumed so far).
    pub(crate) fn head(&self) -> u32 {
        self.index(Self::CONS_OFF).load(Ordering::Acquire)
    }
}

/// A ring's geometry and indices at one moment.
pub(crate) struct RingState {
    /// Descriptor slots.
    pub(crate) slots: u32,
    /// Bytes of each slot's header buffer.
    pub(crate) hdr_size: u32,
    /// Consumer index (free running).
    pub(crate) head: u32,
    /// Producer index (free running).
    pub(crate) tail: u32,
}

impl Ring {
    fn state(&self) -> RingState {
        RingState {
            slots: self.slots,
            hdr_size: self.hdr_size,
            head: self.head(),
            tail: self.tail(),
        }
    }
}

/// How a frame is to be placed in a slot.
pub(crate) struct TxLayout {
    /// Copy the whole frame into the header buffer (it fits).
    pub(crate) copy_whole: bool,
    /// Otherwise: copy this many leading bytes of the linear area.
    pub(crate) hdr_len: usize,
    /// Checksum state to hand over.
    pub(crate) csum: Checksum,
    /// GSO metadata to hand over.
    pub(crate) gso: Option<Gso>,
    /// The frags may not be written by the receiver (`SKBFL_SHARED_FRAG`).
    pub(crate) shared_frag: bool,
    /// The frame was accounted to byte queue limits: [`Producer::reap`]
    /// reports it so that completions match what was queued.
    pub(crate) bql: bool,
}

/// What posting a frame did.
#[derive(Default, Clone, Copy)]
pub(crate) struct Posted {
    /// Bytes copied into the header buffer.
    pub(crate) copied: u32,
    /// Bytes referenced by scatter-gather entries (pages of the frame).
    pub(crate) referenced: u32,
    /// Bytes of a kmalloc'ed linear area past the headers, copied into a
    /// page fragment because slab memory cannot be page-referenced.
    pub(crate) linear_copied: u32,
    /// Scatter-gather entries used.
    pub(crate) sg: u32,
    /// The frame's user pages crossed with its zero-copy state.
    pub(crate) zerocopy: bool,
}

struct Shadow {
    skb: SharedSkb,
    /// Bytes accounted to byte queue limits for the frame, on the slot of
    /// its last descriptor.
    bql: Option<u32>,
    _copy: Option<PageFrag>,
}

/// A slot's producer-side state.
struct Slot {
    /// A reference on the frame whose bytes the slot's descriptor
    /// references (each segment of a cut frame holds its own).
    frame: Option<Shadow>,
    /// Not the last slot of its batch: frames are released a whole batch
    /// at a time.
    open: bool,
}

impl Slot {
    const EMPTY: Slot = Slot {
        frame: None,
        open: false,
    };
}

/// A frame the consumer is done with, handed back by [`Producer::reap`].
pub(crate) struct Completed {
    /// A reference on the frame (the frame's last one is freed with it).
    pub(crate) skb: SharedSkb,
    /// Bytes accounted to byte queue limits when the frame was posted, on
    /// the completion of its last descriptor.
    pub(crate) bql: Option<u32>,
}

/// The producing end of a ring. Not `Clone`: one producer per ring.
///
/// # Invariants
///
/// `clean <= head <= tail <= prod` (modulo 2^32) and `prod - clean <=
/// slots`; `tail == prod` but while a [`Batch`] is open, which writes
/// `tail..prod` and publishes them when it ends; `shadow[i & mask]` holds
/// a reference on the frame of every index `i` in `clean..prod` whose
/// descriptor has scatter-gather entries (or a zero-copy state), and
/// nothing outside `clean..prod`.
pub(crate) struct Producer {
    ring: Arc<Ring>,
    shadow: KVec<Slot>,
    prod: u32,
    clean: u32,
    /// Frames in `clean..prod` accounted to byte queue limits.
    bql_frames: u32,
}

/// A frame whose payload is cut into segments, each posted as a frame of
/// its own ([`Batch::post_segment`]) behind a header the caller writes
/// from the frame's own headers (the template). The segments reference
/// the frame's pages; the frame lives until the last of them is released.
///
/// # Invariants
///
/// `skb` (until the last segment takes it) has exactly `hdr_len` linear
/// bytes and its payload in page frags; the cursor (`frag`, `frag_off`)
/// points at the first of the `left` bytes not yet posted.
pub(crate) struct Cut {
    skb: Option<SharedSkb>,
    hdr_len: usize,
    frag: usize,
    frag_off: u32,
    left: usize,
    bql: Option<u32>,
}

impl Cut {
    /// Prepares `skb` for cutting behind its `hdr_len` header bytes: its
    /// linear part must be just those (the payload all in page frags, as
    /// the stack builds GSO frames for a device with scatter-gather), and
    /// there must be a payload; otherwise `skb` is handed back. `bql`: the
    /// frame is accounted to byte queue limits.
    pub(crate) fn new(
        skb: SkBuff,
        hdr_len: usize,
        bql: bool,
    ) -> core::result::Result<Self, SkBuff> {
        let len = skb.len();
        let nr_frags = skb.nr_frags();
        if skb.linear().len() != hdr_len || len <= hdr_len || nr_frags == 0 {
            return Err(skb);
        }
        for i in 0..nr_frags {
            if skb.frag(i).is_none() {
                return Err(skb);
            }
        }
        // INVARIANT: checked just above; nothing is posted yet.
        Ok(Cut {
            skb: Some(skb.into_shared()),
            hdr_len,
            frag: 0,
            frag_off: 0,
            left: len - hdr_len,
            bql: bql.then_some(len as u32),
        })
    }

    /// Payload bytes not posted yet.
    pub(crate) fn remaining(&self) -> usize {
        self.left
    }
}

/// Frames written into a ring, published together when this ends (on
/// drop): the consumer sees the whole batch at once, and the producer
/// releases it only once the consumer is done with every descriptor of
/// it.
pub(crate) struct Batch<'a> {
    p: &'a mut Producer,
}

impl Producer {
    /// The ring's geometry and published indices.
    pub(crate) fn state(&self) -> RingState {
        self.ring.state()
    }

    /// Number of slots of the ring.
    pub(crate) fn slots(&self) -> u32 {
        self.ring.slots
    }

    /// Slots that can take a frame now.
    pub(crate) fn free_slots(&self) -> u32 {
        self.ring.slots - self.prod.wrapping_sub(self.clean)
    }

    /// Opens a batch.
    pub(crate) fn batch(&mut self) -> Batch<'_> {
        Batch { p: self }
    }

    /// Posts `skb` into the next slot and publishes it (a batch of one).
    /// On failure (ring full, or out of memory for copying a slab linear
    /// area) the frame is handed back.
    pub(crate) fn post(
        &mut self,
        skb: SkBuff,
        layout: &TxLayout,
    ) -> core::result::Result<Posted, SkBuff> {
        self.batch().post(skb, layout)
    }

    /// Where releasing may go up to now: just past the last slot the
    /// consumer is done with that ends a batch.
    fn releasable(&self) -> u32 {
        let head = self.ring.head();
        // Only a consumer of this ring moves the head, and only over
        // published descriptors (`RxDesc::advance`, `Consumer::skip_all`):
        // `head - clean <= prod - clean`. Checked anyway, as a bound.
        if head.wrapping_sub(self.clean) > self.prod.wrapping_sub(self.clean) {
            return self.clean;
        }
        let mask = self.ring.slots - 1;
        let mut end = self.clean;
        let mut i = self.clean;
        while i != head {
            i = i.wrapping_add(1);
            if !self.shadow[(i.wrapping_sub(1) & mask) as usize].open {
                end = i;
            }
        }
        end
    }

    /// Whether a frame in flight is accounted to byte queue limits: its
    /// completion is then the transmitting device's to report.
    pub(crate) fn bql_in_flight(&self) -> bool {
        self.bql_frames > 0
    }

    /// Hands every frame reference of the batches the consumer is done
    /// with to `f`; returns how many descriptors were released.
    pub(crate) fn reap(&mut self, mut f: impl FnMut(Completed)) -> u32 {
        let end = self.releasable();
        let mut n = 0;
        while self.clean != end {
            let slot = (self.clean & (self.ring.slots - 1)) as usize;
            let slot = core::mem::replace(&mut self.shadow[slot], Slot::EMPTY);
            if let Some(shadow) = slot.frame {
                if shadow.bql.is_some() {
                    self.bql_frames -= 1;
                }
                f(Completed {
                    skb: shadow.skb,
                    bql: shadow.bql,
                });
            }
            self.clean = self.clean.wrapping_add(1);
            n += 1;
        }
        n
    }

    /// Empties the ring: the consumer skips everything pending and every
    /// frame goes to `f`. Holding both ends proves nobody reads the ring.
    pub(crate) fn drain(&mut self, consumer: &mut Consumer, f: impl FnMut(Completed)) -> u32 {
        consumer.skip_all();
        self.reap(f)
    }

    /// Takes back up to `max` frames the consumer has not read (it is
    /// going down: holding it proves it reads nothing meanwhile), oldest
    /// first, for the producer to send elsewhere: each frame's reference
    /// goes to `f`, and the consumer moves past their descriptors as if it
    /// had read them, so the slots come back through [`Producer::reap`]
    /// with nothing left to release. Frames it did read stay for `reap`.
    /// Returns how many were taken (fewer than `max`: none are left).
    pub(crate) fn take_unread(
        &mut self,
        consumer: &mut Consumer,
        max: u32,
        mut f: impl FnMut(Completed),
    ) -> u32 {
        if !Arc::ptr_eq(&self.ring, &consumer.ring) {
            return 0;
        }
        let start = consumer.cons;
        // The consumer reads only published slots: `cons` is in
        // `clean..=prod`. Checked anyway, as a bound.
        let unread = self.prod.wrapping_sub(start);
        if unread > self.prod.wrapping_sub(self.clean) {
            return 0;
        }
        let n = unread.min(max);
        let mask = self.ring.slots - 1;
        for k in 0..n {
            let slot = &mut self.shadow[(start.wrapping_add(k) & mask) as usize];
            // The slot stays in the ring (and closes its batch if it did);
            // only its frame leaves.
            if let Some(shadow) = slot.frame.take() {
                if shadow.bql.is_some() {
                    self.bql_frames -= 1;
                }
                f(Completed {
                    skb: shadow.skb,
                    bql: shadow.bql,
                });
            }
        }
        let published = self.ring.head() == start;
        consumer.cons = start.wrapping_add(n);
        // A poll that read frames before these publishes the head itself
        // once they are in the stack's hands (`Consumer::publish`, which
        // then covers these too).
        if published {
            consumer.publish();
        }
        n
    }

    /// The header buffer and the scatter-gather entries of slot `idx`,
    /// which must be in `tail..prod + 1` with a free slot for it
    /// (unpublished, so the consumer does not read it).
    fn slot(&mut self, idx: u32) -> (&mut [u8], &mut [WireSg]) {
        let ring = &self.ring;
        // The consumer reads only `head..tail`; `idx >= tail` (unpublished).
        // The two slices do not overlap (the header buffers follow the
        // descriptor array); any bit pattern is a valid `WireSg`.
        // SAFETY: slot `idx` is free (`idx - slots < clean <= head`, type
        // invariant) and unpublished; `&mut self` keeps this the only access.
        unsafe {
            (
                core::slice::from_raw_parts_mut(ring.hdr_ptr(idx), ring.hdr_size as usize),
                core::slice::from_raw_parts_mut(ring.sg_ptr(idx), MAX_SG),
            )
        }
    }

    /// Writes `head` into slot `prod`, whose entries the caller filled
    /// (see `slot`), and its frame into the shadow; does not publish. The
    /// slot must be free.
    fn push(&mut self, head: WireHead, frame: Option<Shadow>) {
        let idx = self.prod;
        // SAFETY: the slot is free and unpublished (see `slot`); the
        // pointer is aligned.
        unsafe { self.ring.head_ptr(idx).write(head) };
        if frame.as_ref().is_some_and(|f| f.bql.is_some()) {
            self.bql_frames += 1;
        }
        // INVARIANT: the frame goes into the shadow of `idx` before `idx` is
        // published; its pages stay referenced until `reap`.
        self.shadow[(idx & (self.ring.slots - 1)) as usize] = Slot { frame, open: true };
        self.prod = idx.wrapping_add(1);
    }
}

const EMPTY_HEAD: WireHead = WireHead {
    len: 0,
    hdr_len: 0,
    nr_sg: 0,
    csum: CSUM_NONE,
    csum_start: 0,
    csum_offset: 0,
    gso_size: 0,
    flags: 0,
    gso_type: 0,
    zc: 0,
};

fn set_csum(desc: &mut WireHead, csum: Checksum) {
    match csum {
        Checksum::None => {}
        Checksum::Unnecessary => desc.csum = CSUM_UNNECESSARY,
        Checksum::Partial { start, offset } => {
            desc.csum = CSUM_PARTIAL;
            desc.csum_start = start;
            desc.csum_offset = offset;
        }
    }
}

impl Batch<'_> {
    /// Descriptors written in this batch so far.
    pub(crate) fn len(&self) -> u32 {
        self.p.prod.wrapping_sub(self.p.ring.tail())
    }

    /// Writes `skb` into the next slot. On failure (ring full, or out of
    /// memory for copying a slab linear area) the frame is handed back.
    pub(crate) fn post(
        &mut self,
        skb: SkBuff,
        layout: &TxLayout,
    ) -> core::result::Result<Posted, SkBuff> {
        if self.p.free_slots() == 0 {
            return Err(skb);
        }
        let idx = self.p.prod;
        let (hdr, sg) = self.p.slot(idx);
        let hdr_size = hdr.len();
        let mut desc = WireHead {
            len: skb.len() as u32,
            ..EMPTY_HEAD
        };
        let mut posted = Posted::default();
        let mut copy = None;

        if layout.copy_whole {
            let len = skb.len();
            if len > hdr_size || skb.copy_bits(0, &mut hdr[..len]).is_err() {
                return Err(skb);
            }
            desc.hdr_len = len as u16;
            posted.copied = len as u32;
        } else {
            // Frames of user pages cross with their zero-copy state: the
            // sender hears of completion when the peer's skb is done.
            let view = skb.view();
            desc.zc = view.zcopy().map_or(0, |u| u.as_ptr() as u64);
            let linear = skb.linear();
            let hdr_len = layout.hdr_len.min(linear.len()).min(hdr_size);
            hdr[..hdr_len].copy_from_slice(&linear[..hdr_len]);
            desc.hdr_len = hdr_len as u16;
            posted.copied = hdr_len as u32;
            let rest = &linear[hdr_len..];
            let mut n = 0;
            if !rest.is_empty() {
                let (page, off) = if let Some(p) = skb.linear_page(hdr_len) {
                    p
                } else {
                    let Ok(frag) = PageFrag::copy_from(rest) else {
                        return Err(skb);
                    };
                    let Some(p) = frag.page_and_offset() else {
                        return Err(skb);
                    };
                    posted.linear_copied = frag.len() as u32;
                    desc.flags |= FLAG_SG0_COPY;
                    copy = Some(frag);
                    p
                };
                let Some(e) = sg.first_mut() else {
                    return Err(skb);
                };
                *e = WireSg {
                    page: page.as_ptr() as u64,
                    off: off as u32,
                    len: rest.len() as u32,
                };
                if posted.linear_copied == 0 {
                    posted.referenced += rest.len() as u32;
                }
                n = 1;
            }
            for i in 0..view.nr_frags {
                let Some((page, off, len)) = skb.frag(i) else {
                    return Err(skb);
                };
                let Some(e) = sg.get_mut(n) else {
                    return Err(skb);
                };
                *e = WireSg {
                    page: page.as_ptr() as u64,
                    off,
                    len,
                };
                posted.referenced += len;
                n += 1;
            }
            desc.nr_sg = n as u8;
            posted.sg = n as u32;
        }
        set_csum(&mut desc, layout.csum);
        if let Some(gso) = layout.gso {
            desc.gso_size = gso.size;
            desc.gso_type = gso.kind;
        }
        if layout.shared_frag {
            desc.flags |= FLAG_SHARED_FRAG;
        }
        posted.zerocopy = desc.zc != 0;
        let bql = layout.bql.then_some(skb.len() as u32);
        self.p.push(
            desc,
            Some(Shadow {
                skb: skb.into_shared(),
                bql,
                _copy: copy,
            }),
        );
        Ok(posted)
    }

    /// Writes the next `len` payload bytes of `cut` (fewer if fewer are
    /// left) into the next slot as a frame of their own, behind a header
    /// that `header` writes into the slot's header buffer from the cut's
    /// template (returning its length, or `None` when it cannot), with
    /// checksum state `csum`. `ENOSPC` when the ring is full, `EINVAL` when
    /// nothing is left, the header cannot be written or the bytes span
    /// more entries than a descriptor holds; the cut is then unchanged.
    pub(crate) fn post_segment(
        &mut self,
        cut: &mut Cut,
        len: usize,
        csum: Checksum,
        header: impl FnOnce(&[u8], &mut [u8]) -> Option<usize>,
    ) -> Result<Posted> {
        if self.p.free_slots() == 0 {
            return Err(ENOSPC);
        }
        let len = len.min(cut.left);
        let skb = cut.skb.as_ref().ok_or(EINVAL)?;
        if len == 0 {
            return Err(EINVAL);
        }
        let mut desc = EMPTY_HEAD;
        let idx = self.p.prod;
        let (hdr, sg) = self.p.slot(idx);
        // The payload: from the cursor on, over as many frags as it takes.
        let (mut frag, mut off, mut need, mut n) = (cut.frag, cut.frag_off, len as u32, 0);
        while need > 0 {
            let (page, foff, flen) = skb.frag(frag).ok_or(EINVAL)?;
            let take = (flen - off).min(need);
            let e = sg.get_mut(n).ok_or(EINVAL)?;
            *e = WireSg {
                page: page.as_ptr() as u64,
                off: foff + off,
                len: take,
            };
            n += 1;
            need -= take;
            off += take;
            if off == flen {
                frag += 1;
                off = 0;
            }
        }
        let hdr_len = header(&skb.linear()[..cut.hdr_len], hdr).ok_or(EINVAL)?;
        if hdr_len > hdr.len() {
            return Err(EINVAL);
        }
        desc.len = (hdr_len + len) as u32;
        desc.hdr_len = hdr_len as u16;
        desc.nr_sg = n as u8;
        let view = skb.view();
        desc.zc = view.zcopy().map_or(0, |u| u.as_ptr() as u64);
        if view.shared_frag {
            desc.flags |= FLAG_SHARED_FRAG;
        }
        set_csum(&mut desc, csum);
        let posted = Posted {
            copied: hdr_len as u32,
            referenced: len as u32,
            linear_copied: 0,
            sg: n as u32,
            zerocopy: desc.zc != 0,
        };
        // Each segment holds a reference on the frame; the last one takes
        // the cut's own, with the frame's byte queue accounting.
        let other = (len < cut.left).then(|| skb.clone());
        // INVARIANT: the cursor moves past the bytes posted.
        cut.frag = frag;
        cut.frag_off = off;
        cut.left -= len;
        let (skb, bql) = match other {
            Some(skb) => (skb, None),
            None => (cut.skb.take().ok_or(EINVAL)?, cut.bql),
        };
        self.p.push(
            desc,
            Some(Shadow {
                skb,
                bql,
                _copy: None,
            }),
        );
        Ok(posted)
    }
}

impl Drop for Batch<'_> {
    /// Publishes what the batch wrote: its last slot closes it, and the
    /// tail moves past it with a release store.
    fn drop(&mut self) {
        let p = &mut *self.p;
        if p.prod == p.ring.tail() {
            return;
        }
        let last = (p.prod.wrapping_sub(1) & (p.ring.slots - 1)) as usize;
        p.shadow[last].open = false;
        // INVARIANT: `tail == prod` again.
        p.ring
            .index(Ring::PROD_OFF)
            .store(p.prod, Ordering::Release);
    }
}

/// The descriptor at the consumer's head, borrowed from the [`Consumer`]
/// that [`Consumer::peek`]ed it. Moving past it consumes it
/// ([`RxDesc::advance`]): the head can only move over a descriptor that was
/// read, and nothing read from it outlives the move.
///
/// # Invariants
///
/// `hdr` points to the `hdr_len` header bytes of the slot at
/// `consumer.cons`, which is in `head..tail`; `desc` is a copy of that slot's
/// descriptor's fixed part with `nr_sg <= MAX_SG` unless `malformed`; `sg`
/// points to that slot's `MAX_SG` scatter-gather entries.
pub(crate) struct RxDesc<'a> {
    consumer: &'a mut Consumer,
    desc: WireHead,
    sg: *const WireSg,
    hdr: *const u8,
    hdr_len: usize,
    malformed: bool,
}

impl RxDesc<'_> {
    /// Moves the consumer past this descriptor; once the head is
    /// published ([`Consumer::publish`]) the producer may release the frame
    /// (and its pages).
    pub(crate) fn advance(self) {
        self.consumer.advance();
    }

    /// The descriptor cannot be used (more scatter-gather entries than a
    /// descriptor holds): drop it and advance.
    pub(crate) fn is_malformed(&self) -> bool {
        self.malformed
    }

    /// The frame's zero-copy state, if it has one, for as long as this
    /// descriptor is held.
    pub(crate) fn zcopy(&self) -> Option<Zcopy<'_>> {
        let uarg = NonNull::new(self.desc.zc as usize as *mut bindings::ubuf_info)?;
        // SAFETY: the producer wrote the state of a frame it keeps (holding
        // a reference on that state) in its shadow until the head passes
        // this slot, which only `advance` does, consuming `self`.
        Some(unsafe { Zcopy::from_raw(uarg) })
    }

    /// The frags may not be written in place (`SKBFL_SHARED_FRAG`).
    pub(crate) fn shared_frag(&self) -> bool {
        self.desc.flags & FLAG_SHARED_FRAG != 0
    }

    /// Length of the frame.
    pub(crate) fn len(&self) -> usize {
        self.desc.len as usize
    }

    /// The copied header bytes.
    pub(crate) fn header(&self) -> &[u8] {
        // SAFETY: by the type invariant the slot is published and ours to
        // read until `advance`, which consumes `self`; the producer does not
        // write it before the head passes it.
        unsafe { core::slice::from_raw_parts(self.hdr, self.hdr_len) }
    }

    /// Number of scatter-gather entries (0 when malformed).
    pub(crate) fn nr_sg(&self) -> usize {
        if self.malformed {
            0
        } else {
            self.desc.nr_sg as usize
        }
    }

    /// Length of entry `i`.
    pub(crate) fn sg_len(&self, i: usize) -> u32 {
        self.wire_sg(i).map_or(0, |s| s.len)
    }

    /// A copy of entry `i`, if it is one.
    fn wire_sg(&self, i: usize) -> Option<WireSg> {
        if i >= self.nr_sg() {
            return None;
        }
        // SAFETY: `i < nr_sg <= MAX_SG`: the entry is in the slot's array
        // (type invariant), published and not written until `advance`,
        // which consumes `self`; any bit pattern is a valid `WireSg`.
        Some(unsafe { self.sg.add(i).read() })
    }

    /// Entry `i`: its page, offset and length, if it is one and lies within
    /// its (compound) page.
    fn entry(&self, i: usize) -> Option<(NonNull<bindings::page>, u32, u32)> {
        let e = self.wire_sg(i)?;
        let page = NonNull::new(e.page as usize as *mut bindings::page)?;
        // SAFETY: the producer wrote this page of a frame it keeps (with its
        // references) in its shadow until the head passes this slot, which
        // only `advance` does, consuming `self`: the page is live.
        let span = unsafe { page_span(page) };
        (e.len > 0 && e.off as usize + e.len as usize <= span).then_some((page, e.off, e.len))
    }

    /// Whether entry `i` is a copy the producer made into a page fragment
    /// of its own (densely packed with other frames' copies), rather than
    /// a slice of the sender's pages.
    pub(crate) fn sg_is_copy(&self, i: usize) -> bool {
        i == 0 && self.desc.flags & FLAG_SG0_COPY != 0
    }

    /// Entry `i` as a new page reference, offset and length.
    pub(crate) fn sg(&self, i: usize) -> Option<(PageRef, u32, u32)> {
        let (page, off, len) = self.entry(i)?;
        // SAFETY: the page is live and referenced by the producer's frame
        // (see `entry`).
        Some((unsafe { PageRef::get(page) }, off, len))
    }

    /// Entry `i`'s bytes, to copy from.
    pub(crate) fn sg_bytes(&self, i: usize) -> Option<&[u8]> {
        let (page, off, len) = self.entry(i)?;
        // SAFETY: the page is live (see `entry`) and in the direct map, and
        // `off + len` lies within it; the producer's frame covers these
        // bytes and nobody writes them while in flight.
        unsafe {
            let base = bindings::zcpair_page_address(page.as_ptr()) as *const u8;
            Some(core::slice::from_raw_parts(
                base.add(off as usize),
                len as usize,
            ))
        }
    }

    /// Checksum state from the sender.
    pub(crate) fn checksum(&self) -> Checksum {
        match self.desc.csum {
            CSUM_PARTIAL => Checksum::Partial {
                start: self.desc.csum_start,
                offset: self.desc.csum_offset,
            },
            CSUM_UNNECESSARY => Checksum::Unnecessary,
            _ => Checksum::None,
        }
    }

    /// GSO metadata from the sender.
    pub(crate) fn gso(&self) -> Option<Gso> {
        (self.desc.gso_size != 0).then_some(Gso {
            size: self.desc.gso_size,
            kind: self.desc.gso_type,
        })
    }
}

/// The consuming end of a ring. Not `Clone`: one consumer per ring.
///
/// # Invariants
///
/// `cons` is at or past the published head (descriptors in between were
/// read, and their frames are not released before [`Consumer::publish`]);
/// descriptors `cons..tail` are readable.
pub(crate) struct Consumer {
    ring: Arc<Ring>,
    cons: u32,
}

impl Consumer {
    /// The ring's geometry and published indices.
    pub(crate) fn state(&self) -> RingState {
        self.ring.state()
    }

    /// Descriptors waiting.
    pub(crate) fn pending(&self) -> u32 {
        self.ring.tail().wrapping_sub(self.cons)
    }

    /// The next descriptor, if any; [`RxDesc::advance`] moves past it.
    pub(crate) fn peek(&mut self) -> Option<RxDesc<'_>> {
        let tail = self.ring.tail();
        if tail == self.cons {
            return None;
        }
        // SAFETY: `cons` is in `head..tail` and was published with a release
        // store that our acquire load of `tail` pairs with: the descriptor is
        // complete and nobody writes it until we advance.
        let desc = unsafe { self.ring.head_ptr(self.cons).read() };
        let hdr_len = (desc.hdr_len as usize).min(self.ring.hdr_size as usize);
        let malformed = desc.nr_sg as usize > MAX_SG;
        let hdr = self.ring.hdr_ptr(self.cons);
        let sg = self.ring.sg_ptr(self.cons);
        // INVARIANT: `cons` is in `head..tail`; `hdr_len` is within the
        // slot's header buffer; `malformed` flags an oversized `nr_sg`.
        Some(RxDesc {
            consumer: self,
            desc,
            sg,
            hdr,
            hdr_len,
            malformed,
        })
    }

    fn advance(&mut self) {
        self.cons = self.cons.wrapping_add(1);
    }

    /// Publishes the head: the producer may release every frame read so
    /// far. A consumer publishes once what it built from them is in the
    /// stack's hands, so that the producer releasing a batch is the last to
    /// hold its frames.
    pub(crate) fn publish(&mut self) {
        self.ring
            .index(Ring::CONS_OFF)
            .store(self.cons, Ordering::Release);
    }

    /// Moves past every published descriptor without reading them (the
    /// consuming end is going down); returns how many.
    pub(crate) fn skip_all(&mut self) -> u32 {
        let tail = self.ring.tail();
        let n = tail.wrapping_sub(self.cons);
        self.cons = tail;
        self.ring
            .index(Ring::CONS_OFF)
            .store(self.cons, Ordering::Release);
        n
    }
}
