// SPDX-License-Identifier: GPL-2.0

//! DMA-coherent memory and the device it is allocated for.
//!
//! C headers: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h),
//! [`include/linux/platform_device.h`](srctree/include/linux/platform_device.h).

use super::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;
use kernel::str::CStr;

/// A counted reference to a `struct device` that DMA memory is allocated
/// for.
///
/// # Invariants
///
/// `dev` points to a live `struct device` on which this value owns one
/// reference (`get_device()`/`put_device()`), with a 64-bit coherent DMA
/// mask set.
pub(crate) struct DmaDevice {
    dev: NonNull<bindings::device>,
}

// SAFETY: device references may be taken and dropped on any CPU.
unsafe impl Send for DmaDevice {}
// SAFETY: `&DmaDevice` only allows DMA allocations, which are thread-safe.
unsafe impl Sync for DmaDevice {}

impl Clone for DmaDevice {
    fn clone(&self) -> Self {
        // SAFETY: by the type invariant the device is live and referenced.
        unsafe { bindings::get_device(self.dev.as_ptr()) };
        // INVARIANT: we took the reference the clone owns.
        Self { dev: self.dev }
    }
}

impl Drop for DmaDevice {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference.
        unsafe { bindings::put_device(self.dev.as_ptr()) };
    }
}

/// A platform device registered by the module so that its DMA-coherent
/// allocations have a device with a coherent DMA mask; unregistered on drop.
///
/// # Invariants
///
/// `pdev` is a registered platform device this value unregisters on drop;
/// `dma` holds a reference to its `struct device`.
pub(crate) struct PlatformDmaDevice {
    pdev: NonNull<bindings::platform_device>,
    dma: DmaDevice,
}

// SAFETY: the registration may be dropped on any CPU (in process context).
unsafe impl Send for PlatformDmaDevice {}
// SAFETY: `&PlatformDmaDevice` only hands out `&DmaDevice`.
unsafe impl Sync for PlatformDmaDevice {}

impl PlatformDmaDevice {
    /// Registers a platform device called `name` with a 64-bit coherent DMA
    /// mask.
    pub(crate) fn register(name: &'static CStr) -> Result<Self> {
        // SAFETY: `name` is a NUL-terminated string that outlives the device.
        let pdev = unsafe { bindings::zcpair_platform_device_register(name.as_char_ptr()) };
        let pdev = NonNull::new(pdev).ok_or(ENOMEM)?;
        // SAFETY: `pdev` is a registered platform device; its embedded
        // `struct device` lives as long as it does.
        let dev = unsafe { bindings::zcpair_platform_device_dev(pdev.as_ptr()) };
        // SAFETY: `dev` is live (see above); setting masks has no other
        // precondition.
        let ret = unsafe { bindings::zcpair_dma_set_mask_and_coherent(dev, u64::MAX) };
        // SAFETY: `dev` is live; this takes the reference `DmaDevice` owns.
        unsafe { bindings::get_device(dev) };
        // The reference just taken makes `dev` non-NULL and live.
        let dma = DmaDevice {
            dev: NonNull::new(dev).ok_or(EINVAL)?,
        };
        // INVARIANT: `pdev` is registered and `dma` holds a reference.
        let this = Self { pdev, dma };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(this)
    }

    /// The device to allocate DMA memory for.
    pub(crate) fn dma_device(&self) -> &DmaDevice {
        &self.dma
    }
}

impl Drop for PlatformDmaDevice {
    fn drop(&mut self) {
        // SAFETY: by the type invariant `pdev` is registered by us. Our
        // `DmaDevice` (and any clone) keeps the memory of the device alive.
        unsafe { bindings::platform_device_unregister(self.pdev.as_ptr()) };
    }
}

/// A zeroed DMA-coherent allocation, freed on drop.
///
/// Memory shared with "hardware" (here: the other end of a pair, which
/// reads and writes it concurrently) is only reachable through raw pointers
/// from this type; the ring abstraction built on it defines who may touch
/// which bytes when.
///
/// # Invariants
///
/// `cpu` points to `size` bytes returned by `dma_alloc_coherent()` for
/// `dev`, with bus address `handle`, owned by this value.
pub(crate) struct CoherentAllocation {
    dev: DmaDevice,
    cpu: NonNull<u8>,
    handle: bindings::dma_addr_t,
    size: usize,
}

// SAFETY: coherent memory may be used and freed (in process context) from
// any CPU.
unsafe impl Send for CoherentAllocation {}
// SAFETY: `&CoherentAllocation` only hands out raw pointers; their users
// synchronise (see `sgring`).
unsafe impl Sync for CoherentAllocation {}

impl CoherentAllocation {
    /// Allocates `size` zeroed bytes (GFP_KERNEL: process context).
    pub(crate) fn alloc(dev: &DmaDevice, size: usize) -> Result<Self> {
        let mut handle: bindings::dma_addr_t = 0;
        let raw = dev.dev.as_ptr();
        // SAFETY: `dev` is live with a coherent mask (type invariant);
        // `handle` is a valid place for the bus address.
        let cpu = unsafe { bindings::zcpair_dma_alloc_coherent(raw, size, &mut handle) };
        let cpu = NonNull::new(cpu as *mut u8).ok_or(ENOMEM)?;
        // INVARIANT: the allocation is ours; dma_alloc_coherent zeroes it.
        Ok(Self {
            dev: dev.clone(),
            cpu,
            handle,
            size,
        })
    }

    /// The CPU address of the first byte.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.cpu.as_ptr()
    }
}

impl Drop for CoherentAllocation {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the allocation is ours and was made
        // for `dev`, which is still referenced.
        unsafe {
            bindings::zcpair_dma_free_coherent(
                self.dev.dev.as_ptr(),
                self.size,
                self.cpu.as_ptr().cast(),
                self.handle,
            )
        };
    }
}

/// A module-wide slot publishing the DMA device to callbacks that have no
/// context pointer (rtnl `newlink`).
///
/// # Invariants
///
/// `dev` is NULL or a device on which the slot owns one reference; readers
/// take their own reference inside an RCU read-side section, and `clear`
/// waits for an RCU grace period before dropping the slot's reference.
pub(crate) struct DmaDeviceSlot {
    dev: core::sync::atomic::AtomicPtr<bindings::device>,
}

impl DmaDeviceSlot {
    /// An empty slot.
    pub(crate) const fn new() -> Self {
        Self {
            dev: core::sync::atomic::AtomicPtr::new(core::ptr::null_mut()),
        }
    }

    /// Publishes `dev` (the slot takes its own reference); fails if full.
    pub(crate) fn publish(&self, dev: &DmaDevice) -> Result {
        let r = dev.clone();
        let raw = r.dev.as_ptr();
        match self.dev.compare_exchange(
            core::ptr::null_mut(),
            raw,
            core::sync::atomic::Ordering::AcqRel,
            core::sync::atomic::Ordering::Acquire,
        ) {
            Ok(_) => {
                // INVARIANT: the slot owns the reference `r` took.
                core::mem::forget(r);
                Ok(())
            }
            Err(_) => Err(EBUSY),
        }
    }

    /// A reference to the published device, if any.
    pub(crate) fn get(&self) -> Option<DmaDevice> {
        let guard = super::rcu::read_lock();
        let raw = self.dev.load(core::sync::atomic::Ordering::Acquire);
        let dev = NonNull::new(raw).map(|dev| {
            // SAFETY: the slot's reference keeps the device live at least
            // until a grace period after it is cleared (type invariant), and
            // we are inside a read-side section.
            unsafe { bindings::get_device(dev.as_ptr()) };
            // INVARIANT: we took the reference the value owns.
            DmaDevice { dev }
        });
        drop(guard);
        dev
    }

    /// Empties the slot, waiting for readers (may sleep).
    pub(crate) fn clear(&self) {
        let raw = self
            .dev
            .swap(core::ptr::null_mut(), core::sync::atomic::Ordering::AcqRel);
        if let Some(dev) = NonNull::new(raw) {
            // SAFETY: no precondition; process context.
            unsafe { bindings::synchronize_rcu() };
            // INVARIANT: the grace period has passed; the reference the slot
            // owned is dropped now.
            drop(DmaDevice { dev });
        }
    }
}
