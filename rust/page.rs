// SPDX-License-Identifier: GPL-2.0

//! Page references and page fragments.
//!
//! C headers: [`include/linux/mm.h`](srctree/include/linux/mm.h),
//! [`include/linux/gfp.h`](srctree/include/linux/gfp.h).

use super::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;

/// One counted reference to a `struct page` (possibly the head of a
/// compound page).
///
/// # Invariants
///
/// `page` points to a live page on which this value owns one reference
/// (taken with `get_page()`, dropped with `put_page()`).
pub(crate) struct PageRef {
    page: NonNull<bindings::page>,
}

// SAFETY: page references may be taken and dropped from any context and
// any CPU; the refcount is atomic.
unsafe impl Send for PageRef {}
// SAFETY: `&PageRef` only exposes the page's address.
unsafe impl Sync for PageRef {}

impl PageRef {
    /// Takes a new reference on `page`.
    ///
    /// # Safety
    ///
    /// `page` must point to a live page on which someone holds a reference
    /// for the duration of this call.
    pub(crate) unsafe fn get(page: NonNull<bindings::page>) -> Self {
        // SAFETY: the caller guarantees the page is live and referenced, so
        // its refcount is non-zero and may be incremented.
        unsafe { bindings::zcpair_get_page(page.as_ptr()) };
        // INVARIANT: we just took the reference we own.
        Self { page }
    }

    /// Bytes from the start of this page to the end of its compound page.
    pub(crate) fn span(&self) -> usize {
        // SAFETY: by the type invariant the page is live.
        unsafe { page_span(self.page) }
    }

    /// The page frame number of this page. The base pages of a compound
    /// page have consecutive numbers, so `pfn() + off / PAGE_SIZE` names
    /// the base page holding byte `off` of the span.
    pub(crate) fn pfn(&self) -> u64 {
        // SAFETY: by the type invariant the page is live; `page_to_pfn` is
        // arithmetic on its address.
        unsafe { bindings::zcpair_page_to_pfn(self.page.as_ptr()) as u64 }
    }

    /// Gives up ownership of the reference without dropping it (for a
    /// callee that takes the reference over, like `skb_add_rx_frag()`).
    pub(crate) fn into_raw(self) -> *mut bindings::page {
        let page = self.page.as_ptr();
        core::mem::forget(self);
        page
    }
}

impl Drop for PageRef {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference on a live page.
        unsafe { bindings::zcpair_put_page(self.page.as_ptr()) };
    }
}

/// A buffer from the per-CPU network page-fragment allocator
/// (`netdev_alloc_frag()`), freed with `skb_free_frag()` on drop.
///
/// # Invariants
///
/// `addr` points to `len` bytes returned by `netdev_alloc_frag()` that this
/// value owns (one reference on the backing page).
pub(crate) struct PageFrag {
    addr: NonNull<u8>,
    len: usize,
}

// SAFETY: page fragments may be freed from any context and CPU.
unsafe impl Send for PageFrag {}
// SAFETY: shared references only read the buffer.
unsafe impl Sync for PageFrag {}

impl PageFrag {
    /// Allocates a fragment holding a copy of `data` (GFP_ATOMIC).
    pub(crate) fn copy_from(data: &[u8]) -> Result<Self> {
        let len32 = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        // SAFETY: `netdev_alloc_frag` may be called from any context.
        let addr = unsafe { bindings::zcpair_netdev_alloc_frag(len32) } as *mut u8;
        let addr = NonNull::new(addr).ok_or(ENOMEM)?;
        // SAFETY: `addr` is a fresh buffer of at least `data.len()` bytes that
        // nothing else references; `data` cannot overlap it.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), addr.as_ptr(), data.len()) };
        // INVARIANT: we own the fresh fragment.
        Ok(Self {
            addr,
            len: data.len(),
        })
    }

    /// The (head) page and the offset of the fragment within it.
    pub(crate) fn page_and_offset(&self) -> Option<(NonNull<bindings::page>, usize)> {
        // SAFETY: by the type invariant `addr` is a live page fragment.
        unsafe { page_of(self.addr.as_ptr()) }
    }

    /// The fragment's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Drop for PageFrag {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own the fragment.
        unsafe { bindings::zcpair_free_frag(self.addr.as_ptr().cast()) };
    }
}

/// The head page holding `addr` (in the kernel's direct map) and the offset
/// of `addr` from that page's start.
///
/// # Safety
///
/// `addr` must point into live, page-backed memory in the direct map (a
/// page fragment, the head of an skb with `head_frag`): not slab, vmalloc
/// or stack memory.
pub(crate) unsafe fn page_of(addr: *const u8) -> Option<(NonNull<bindings::page>, usize)> {
    // SAFETY: the caller guarantees a direct-map address of a live page;
    // `virt_to_head_page` is arithmetic on it and a read of that page's
    // `struct page`.
    let page = unsafe { bindings::zcpair_virt_to_head_page(addr.cast()) };
    // SAFETY: as above, `page_address` is arithmetic on the page's address.
    let base = unsafe { bindings::zcpair_page_address(page) } as usize;
    Some((NonNull::new(page)?, (addr as usize).checked_sub(base)?))
}

/// Bytes from the start of `page` to the end of the (compound) page it
/// belongs to: the most a frag at offset 0 of `page` may cover.
///
/// # Safety
///
/// `page` must point to a live page.
pub(crate) unsafe fn page_span(page: NonNull<bindings::page>) -> usize {
    // SAFETY: the caller guarantees a live page; the helper reads its
    // compound head and order.
    unsafe { bindings::zcpair_page_span(page.as_ptr()) }
}
