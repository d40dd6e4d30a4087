// SPDX-License-Identifier: GPL-2.0

//! Socket buffers.
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).

use super::bindings;
use super::napi::{InPoll, PollCtx};
use super::page::{page_of, PageRef};
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::prelude::*;

/// `CHECKSUM_NONE`, `CHECKSUM_UNNECESSARY`, `CHECKSUM_COMPLETE` and
/// `CHECKSUM_PARTIAL`: the checksum state of a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Checksum {
    /// Nothing is known; the receiver verifies in software.
    None,
    /// Verified already.
    Unnecessary,
    /// Still to be filled in at `start` + `offset` (from the frame's start).
    Partial {
        /// Where checksumming starts, from the start of the frame.
        start: u16,
        /// Where the checksum goes, from `start`.
        offset: u16,
    },
}

/// The segmentation offload metadata of a GSO frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Gso {
    /// Payload bytes per segment.
    pub(crate) size: u16,
    /// The `SKB_GSO_*` bits.
    pub(crate) kind: u32,
}

/// What [`SkBuff::view`] read of a frame. Only that method makes one, so
/// a view's zero-copy pointer is always one a live frame held.
pub(crate) struct SkbView {
    /// The checksum state.
    pub(crate) checksum: Checksum,
    /// GSO metadata, if this is a GSO frame.
    pub(crate) gso: Option<Gso>,
    zcopy: Option<NonNull<bindings::ubuf_info>>,
    /// Number of paged fragments.
    pub(crate) nr_frags: usize,
    /// The frags are shared with something the receiver must not write
    /// (`skb_has_shared_frag()`: spliced page-cache pages, ...).
    pub(crate) shared_frag: bool,
}

impl SkbView {
    /// The frame's zero-copy state (`struct ubuf_info`: its frags are
    /// user memory whose owner is told when the kernel is done with it),
    /// if it has one. A raw pointer, for the ring to carry: it stays valid
    /// while the frame lives (the frame holds a reference on it).
    pub(crate) fn zcopy(&self) -> Option<NonNull<bindings::ubuf_info>> {
        self.zcopy
    }
}

impl Gso {
    /// UDP segmentation (`SKB_GSO_UDP_L4`: `UDP_SEGMENT`), each segment a
    /// datagram of its own.
    pub(crate) fn is_udp_l4(&self) -> bool {
        self.kind & bindings::SKB_GSO_UDP_L4 != 0
    }
}

/// An owned `struct sk_buff`, freed (as dropped) on drop.
///
/// # Invariants
///
/// `skb` points to a live sk_buff owned by this value: unshared, or, when
/// this value sits inside a [`SharedSkb`], one counted reference
/// (`skb->users`) of several whose holders all only read the frame.
pub(crate) struct SkBuff {
    skb: NonNull<bindings::sk_buff>,
}

// SAFETY: an owned skb may be handed to and freed on any CPU.
unsafe impl Send for SkBuff {}
// SAFETY: shared references only read it.
unsafe impl Sync for SkBuff {}

impl SkBuff {
    /// Takes ownership of `skb`.
    ///
    /// # Safety
    ///
    /// `skb` must point to a live sk_buff that the caller owns and hands over.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: the caller hands us the ownership.
        NonNull::new(skb).map(|skb| Self { skb })
    }

    /// The C structure (for the abstractions above this one).
    pub(crate) fn raw(&self) -> *mut bindings::sk_buff {
        self.skb.as_ptr()
    }

    /// Gives up ownership: the caller hands the skb to C, which frees it.
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let skb = self.raw();
        core::mem::forget(self);
        skb
    }

    /// Length of the frame.
    pub(crate) fn len(&self) -> usize {
        // A plain field of `struct sk_buff` (bindgen's layout), read
        // directly: this is on every frame's path, several times.
        // SAFETY: by the type invariant `skb` is live.
        unsafe { (*self.raw()).len as usize }
    }

    /// The transmit queue the stack picked for the frame
    /// (`skb_get_queue_mapping()`; a plain field, read directly).
    pub(crate) fn queue_mapping(&self) -> u16 {
        // SAFETY: by the type invariant `skb` is live.
        unsafe { (*self.raw()).queue_mapping }
    }

    /// The linear part of the frame (`skb->data`, `skb_headlen()` bytes).
    pub(crate) fn linear(&self) -> &[u8] {
        // `skb_headlen()` is `len - data_len`, plain fields as `data` is,
        // read through the pointer (no reference to the whole struct).
        let skb = self.raw();
        // SAFETY: by the type invariant `skb` is live and we own it, so the
        // `headlen` bytes at `data` are initialised and nobody writes them
        // while `self` is borrowed.
        unsafe {
            let len = ((*skb).len - (*skb).data_len) as usize;
            core::slice::from_raw_parts((*skb).data as *const u8, len)
        }
    }

    /// The page and offset of byte `offset` of the linear part, when the
    /// linear part lives in a page fragment (`skb->head_frag`) and so may
    /// be referenced by page; `None` for a kmalloc'ed head or an offset
    /// past the linear part.
    pub(crate) fn linear_page(&self, offset: usize) -> Option<(NonNull<bindings::page>, usize)> {
        let linear = self.linear();
        if offset >= linear.len() {
            return None;
        }
        // SAFETY: by the type invariant `skb` is live.
        if !unsafe { bindings::zcpair_skb_head_frag(self.raw()) } {
            return None;
        }
        // SAFETY: `head_frag` says the head is a page fragment in the direct
        // map, and `offset` is inside its linear part.
        unsafe { page_of(linear.as_ptr().add(offset)) }
    }

    /// What a transmit path reads of the frame before placing it, read in
    /// one call (`struct zcpair_skb_view`, rust/helpers.h): a snapshot,
    /// true while the frame is not changed (`&self` keeps it so).
    pub(crate) fn view(&self) -> SkbView {
        let mut v = core::mem::MaybeUninit::<bindings::zcpair_skb_view>::uninit();
        // SAFETY: by the type invariant `skb` is live; the helper writes
        // every member of `v`.
        let v = unsafe {
            bindings::zcpair_skb_view(self.raw(), v.as_mut_ptr());
            v.assume_init()
        };
        let checksum = match u32::from(v.ip_summed) {
            bindings::CHECKSUM_PARTIAL => Checksum::Partial {
                start: v.csum_start as u16,
                offset: v.csum_offset as u16,
            },
            bindings::CHECKSUM_UNNECESSARY => Checksum::Unnecessary,
            _ => Checksum::None,
        };
        SkbView {
            checksum,
            gso: (v.gso_size != 0).then_some(Gso {
                size: v.gso_size as u16,
                kind: v.gso_type,
            }),
            zcopy: NonNull::new(v.uarg),
            nr_frags: v.nr_frags as usize,
            shared_frag: v.shared_frag,
        }
    }

    /// Number of paged fragments.
    pub(crate) fn nr_frags(&self) -> usize {
        self.view().nr_frags
    }

    /// Paged fragment `i`: its page (None for non-page memory), offset and
    /// length. The page stays referenced while the skb lives.
    pub(crate) fn frag(&self, i: usize) -> Option<(NonNull<bindings::page>, u32, u32)> {
        let i = u32::try_from(i).ok()?;
        let (mut off, mut size) = (0, 0);
        // SAFETY: by the type invariant `skb` is live; the helper checks
        // `i` against the frame's frags and writes only the two integers.
        let page = unsafe { bindings::zcpair_skb_frag(self.raw(), i, &mut off, &mut size) };
        Some((NonNull::new(page)?, off, size))
    }

    /// Copies `out.len()` bytes starting at `offset` of the frame (linear
    /// part and frags) into `out`.
    pub(crate) fn copy_bits(&self, offset: usize, out: &mut [u8]) -> Result {
        let off = i32::try_from(offset).map_err(|_| EINVAL)?;
        let len = i32::try_from(out.len()).map_err(|_| EINVAL)?;
        // SAFETY: `skb` is live (type invariant); `out` is writable for
        // `len` bytes; `skb_copy_bits` checks the range against the frame.
        let ret = unsafe { bindings::skb_copy_bits(self.raw(), off, out.as_mut_ptr().cast(), len) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(())
    }

    /// A clone (`skb_clone()`, GFP_ATOMIC): a second skb sharing the data.
    pub(crate) fn clone_atomic(&self) -> Option<SkBuff> {
        // SAFETY: `skb` is live (type invariant); atomic context allowed.
        let c = unsafe { bindings::skb_clone(self.raw(), kernel::bindings::GFP_ATOMIC) };
        // SAFETY: NULL or a new skb that is ours.
        unsafe { SkBuff::from_raw(c) }
    }

    /// Writes `mac` over the destination MAC (the frame's first 6 bytes),
    /// first making them the skb's own (`skb_ensure_writable()`: a clone's
    /// or a shared header is copied).
    pub(crate) fn set_dest_mac(&mut self, mac: &[u8; 6]) -> Result {
        // SAFETY: by the type invariant we own the live skb.
        let ret = unsafe { bindings::skb_ensure_writable(self.raw(), mac.len() as u32) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        // SAFETY: skb_ensure_writable() succeeded: the first 6 bytes at
        // `data` are linear and written by nobody else.
        unsafe { core::ptr::copy_nonoverlapping(mac.as_ptr(), (*self.raw()).data, mac.len()) };
        Ok(())
    }

    /// Records the software transmit timestamp, if one was asked for.
    pub(crate) fn tx_timestamp(&mut self) {
        // SAFETY: by the type invariant we own the live skb.
        unsafe { bindings::zcpair_skb_tx_timestamp(self.raw()) };
    }

    /// Whether the socket that sent this frame has used up its send
    /// buffer (the frames it has in flight, this one included, fill it):
    /// it can send nothing more until one of them is freed.
    pub(crate) fn sender_full(&self) -> bool {
        // SAFETY: by the type invariant the skb is live; it holds its
        // socket, if any, while it is charged to it.
        unsafe { bindings::zcpair_skb_sender_full(self.raw()) }
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: we own the skb; a dropped skb is a dropped frame.
        unsafe { bindings::zcpair_kfree_skb(self.raw()) };
    }
}

/// A counted reference to a frame that several holders keep alive
/// together (`skb_get()`): the frame, its pages and its zero-copy state
/// live until the last holder lets go. Holders only read the frame (this
/// type derefs to `&SkBuff` only) and release it.
///
/// # Invariants
///
/// `skb` holds one reference on a live sk_buff; every other reference is
/// held by a `SharedSkb` too.
pub(crate) struct SharedSkb {
    skb: core::mem::ManuallyDrop<SkBuff>,
}

impl SkBuff {
    /// Turns the sole owner into the first of many holders.
    pub(crate) fn into_shared(self) -> SharedSkb {
        // INVARIANT: the reference of the unshared owner, the only one.
        SharedSkb {
            skb: core::mem::ManuallyDrop::new(self),
        }
    }
}

impl Clone for SharedSkb {
    fn clone(&self) -> Self {
        // SAFETY: the skb is live (type invariant); `skb_get` takes another
        // reference, which the new holder owns.
        unsafe { bindings::zcpair_skb_get(self.skb.raw()) };
        // INVARIANT: the new reference, held by a `SharedSkb`.
        Self {
            skb: core::mem::ManuallyDrop::new(SkBuff { skb: self.skb.skb }),
        }
    }
}

impl core::ops::Deref for SharedSkb {
    type Target = SkBuff;

    fn deref(&self) -> &SkBuff {
        &self.skb
    }
}

impl SharedSkb {
    /// Lets go of this reference as a sent frame, from a NAPI poll (the
    /// last one frees it, bulk-freed with the poll's budget).
    pub(crate) fn consume_in_napi(self, ctx: &impl InPoll) {
        let skb = self.into_raw();
        // SAFETY: we give up our reference; `ctx` proves we are in a NAPI
        // poll, and its budget is that poll's. `napi_consume_skb` drops one
        // reference and frees the skb with the last.
        unsafe { bindings::napi_consume_skb(skb, ctx.poll_budget()) };
    }

    /// Lets go of this reference from any context; the last one frees the
    /// frame as dropped (`dev_kfree_skb_any()`: drop monitors see it), as
    /// a ring emptied on close may hold frames the peer never read.
    pub(crate) fn free_any(self) {
        let skb = self.into_raw();
        // SAFETY: we give up our reference; the helper drops one reference
        // and frees the skb with the last.
        unsafe { bindings::zcpair_dev_kfree_skb_any(skb) };
    }

    /// The frame back as its sole owner, if this is its last reference
    /// (`!skb_shared()`); otherwise the reference, unchanged.
    pub(crate) fn into_unique(self) -> core::result::Result<SkBuff, SharedSkb> {
        // SAFETY: the skb is live (type invariant).
        if unsafe { bindings::zcpair_skb_shared(self.skb.raw()) } {
            return Err(self);
        }
        let skb = self.skb.skb;
        core::mem::forget(self);
        // INVARIANT: every other reference would be held by a `SharedSkb`
        // (type invariant), and `users` is 1: ours is the only one, so its
        // owner owns the frame. Nobody takes one meanwhile: taking one
        // needs a `SharedSkb` to clone.
        Ok(SkBuff { skb })
    }

    fn into_raw(self) -> *mut bindings::sk_buff {
        let skb = self.skb.raw();
        core::mem::forget(self);
        skb
    }
}

impl Drop for SharedSkb {
    fn drop(&mut self) {
        // SAFETY: we hold one reference and give it up; `kfree_skb` frees
        // the frame (as dropped) with the last.
        unsafe { bindings::zcpair_kfree_skb(self.skb.raw()) };
    }
}

/// The zero-copy state of a frame in flight, borrowed for as long as the
/// frame that holds a reference on it is kept (`'a`), to be attached to a
/// new skb that carries the same user pages.
///
/// # Invariants
///
/// `uarg` is a live `struct ubuf_info` on which some skb that lives for
/// `'a` holds a reference.
pub(crate) struct Zcopy<'a> {
    uarg: NonNull<bindings::ubuf_info>,
    _p: PhantomData<&'a ()>,
}

impl Zcopy<'_> {
    /// # Safety
    ///
    /// `uarg` must be the zero-copy state of an skb that stays live (with
    /// its reference) for the returned lifetime.
    pub(crate) unsafe fn from_raw(uarg: NonNull<bindings::ubuf_info>) -> Self {
        // INVARIANT: the caller guarantees the holder's lifetime.
        Self {
            uarg,
            _p: PhantomData,
        }
    }
}

/// What a frag is charged to the skb (see [`RxSkb::add_frag`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charge {
    /// A slice of someone else's pages: every base page it touches.
    Pages,
    /// A slice of a page fragment packed with other frames' slices: its
    /// length.
    Packed,
}

/// An skb being built by a receive path in NAPI context.
pub(crate) struct RxSkb {
    skb: SkBuff,
    nr_frags: u32,
    /// The last base page (pfn) the frags added so far reach into.
    last_pfn: Option<u64>,
}

impl RxSkb {
    /// Allocates an skb with `room` bytes of linear room from the NAPI
    /// cache of the poll `ctx` and puts `data` (at most `room` bytes) into
    /// it, in one call (a frame's receive would otherwise make three).
    pub(crate) fn alloc_with(ctx: &PollCtx<'_>, room: usize, data: &[u8]) -> Result<Self> {
        let room = u32::try_from(room).map_err(|_| EINVAL)?;
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        if len > room {
            return Err(EINVAL);
        }
        // SAFETY: `ctx` proves we are in the poll of its live instance;
        // `data` is readable for `len` bytes, which fit in the new skb's
        // room (checked; the helper bounds the copy too).
        let skb = unsafe {
            bindings::zcpair_napi_alloc_skb_data(ctx.as_raw(), room, data.as_ptr().cast(), len)
        };
        // SAFETY: the helper returns NULL or a new skb that we own.
        let skb = unsafe { SkBuff::from_raw(skb) }.ok_or(ENOMEM)?;
        Ok(Self {
            skb,
            nr_frags: 0,
            last_pfn: None,
        })
    }

    /// Appends `data` to the linear part; `ENOSPC` when it does not fit in
    /// the tailroom (or after a frag was added).
    pub(crate) fn put(&mut self, data: &[u8]) -> Result {
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        // SAFETY: we own the live skb.
        let room = unsafe { bindings::zcpair_skb_tailroom(self.skb.raw()) };
        if self.nr_frags != 0 || len > room {
            return Err(ENOSPC);
        }
        // SAFETY: we own the live skb, it is linear and `len` fits in its
        // tailroom, so `skb_put` cannot overflow.
        unsafe { bindings::zcpair_skb_put_data(self.skb.raw(), data.as_ptr().cast(), len) };
        Ok(())
    }

    /// Appends `len` bytes at `off` of `page` as a paged fragment; the skb
    /// takes over the page reference. `EINVAL` when the range is empty or
    /// leaves the (compound) page.
    ///
    /// The skb is charged (`truesize`) the memory the fragment keeps alive.
    /// For a slice of someone else's pages (`Charge::Pages`) that is every
    /// base page it touches, `PAGE_ALIGN(off % PAGE_SIZE + len)`, as
    /// `__zerocopy_sg_from_iter()` (net/core/datagram.c) charges pinned
    /// pages, except a base page an earlier frag of this skb already
    /// reaches into: a socket that never reads then holds no more page
    /// memory than its receive buffer, whatever slices of pages the sender
    /// made its frames of. For a slice of a page fragment packed with
    /// other frames' slices (`Charge::Packed`, as a NIC's receive buffers)
    /// it is the slice, as the kernel charges page-fragment memory
    /// (Documentation/design.md, "Memory accounting").
    pub(crate) fn add_frag(&mut self, page: PageRef, off: u32, len: u32, charge: Charge) -> Result {
        if self.nr_frags as usize >= bindings::MAX_SKB_FRAGS as usize {
            return Err(ENOSPC);
        }
        if len == 0 || off as usize + len as usize > page.span() {
            return Err(EINVAL);
        }
        let shift = kernel::page::PAGE_SHIFT as u32;
        let first = page.pfn() + u64::from(off >> shift);
        let last = page.pfn() + u64::from((off + len - 1) >> shift);
        let truesize = match charge {
            Charge::Packed => len,
            Charge::Pages => {
                let mut pages = last - first + 1;
                if self.last_pfn == Some(first) {
                    pages -= 1;
                }
                u32::try_from(pages << shift).unwrap_or(u32::MAX).max(len)
            }
        };
        self.last_pfn = Some(last);
        let page = page.into_raw();
        // SAFETY: we own the live skb, `nr_frags` is below MAX_SKB_FRAGS,
        // `off..off + len` lies within the page, and `page` carries a
        // reference that the frag now owns.
        unsafe {
            bindings::zcpair_skb_add_rx_frag(
                self.skb.raw(),
                self.nr_frags,
                page,
                off,
                len,
                truesize,
            )
        };
        self.nr_frags += 1;
        Ok(())
    }

    /// Makes this skb hold the zero-copy state `z` (its own reference, and
    /// `z`'s flags: `SKBFL_ZEROCOPY_ENABLE`, shared frags, ...): the
    /// sender's completion waits until this skb is freed, or its frags are
    /// copied by whoever needs them orphaned (`skb_orphan_frags_rx()` before
    /// local delivery), which reports the copy. Does nothing if the skb has
    /// zero-copy state already.
    pub(crate) fn attach_zcopy(&mut self, z: &Zcopy<'_>) {
        // SAFETY: we own the live skb; `z.uarg` is live (type invariant)
        // and the helper takes our own reference on it.
        unsafe { bindings::zcpair_skb_zcopy_attach(self.skb.raw(), z.uarg.as_ptr()) };
    }

    /// Marks the frags as shared (`SKBFL_SHARED_FRAG`): whoever writes
    /// them in place (ESP decryption, ...) must copy first.
    pub(crate) fn set_shared_frag(&mut self) {
        // SAFETY: we own the live skb.
        unsafe { bindings::zcpair_skb_set_shared_frag(self.skb.raw()) };
    }

    /// Records the receive queue the frame arrived on
    /// (`skb_record_rx_queue()`), for RPS and the stack's per-queue views.
    pub(crate) fn record_rx_queue(&mut self, index: u16) {
        // SAFETY: we own the live skb.
        unsafe { bindings::zcpair_skb_record_rx_queue(self.skb.raw(), index) };
    }

    /// Restores the sender's checksum state. Call before `finish`, while
    /// the data still starts at the Ethernet header.
    pub(crate) fn set_checksum(&mut self, csum: Checksum) -> Result {
        match csum {
            Checksum::None => {}
            Checksum::Unnecessary => {
                // SAFETY: we own the live skb.
                unsafe {
                    bindings::zcpair_skb_set_ip_summed(
                        self.skb.raw(),
                        bindings::CHECKSUM_UNNECESSARY as u8,
                    )
                };
            }
            Checksum::Partial { start, offset } => {
                // The stack wants the checksum field in the linear area
                // (`skb_checksum_help()`): pull the bytes up to it when the
                // sender's headers went past what the slot held.
                let end = u32::from(start) + u32::from(offset) + 2;
                // SAFETY: we own the live skb; `pskb_may_pull` copies at
                // most up to its length, reallocating the head if needed.
                if !unsafe { bindings::zcpair_pskb_may_pull(self.skb.raw(), end) } {
                    return Err(EINVAL);
                }
                // SAFETY: we own the live skb; the function checks the
                // offsets against its linear area.
                if !unsafe { bindings::skb_partial_csum_set(self.skb.raw(), start, offset) } {
                    return Err(EINVAL);
                }
            }
        }
        Ok(())
    }

    /// Restores GSO metadata; the stack recounts segments when needed.
    pub(crate) fn set_gso(&mut self, gso: Gso, segs: u32) {
        // SAFETY: we own the live skb.
        unsafe { bindings::zcpair_skb_set_gso(self.skb.raw(), gso.size as u32, gso.kind, segs) };
    }

    /// Length of the frame built so far.
    pub(crate) fn len(&self) -> usize {
        self.skb.len()
    }

    /// The frame built, to be received (see `Device::receive`).
    pub(crate) fn into_skb(self) -> SkBuff {
        self.skb
    }
}
