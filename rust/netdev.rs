// SPDX-License-Identifier: GPL-2.0

//! Network devices.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/etherdevice.h`](srctree/include/linux/etherdevice.h).

use super::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;

/// A `struct net_device` allocated with `alloc_etherdev_mqs()` and not (yet)
/// registered, owned by this value and freed with `free_netdev()` on drop.
///
/// # Invariants
///
/// `ptr` points to a live `struct net_device` that was returned by
/// `alloc_etherdev_mqs()`, is not registered, and is owned only by this
/// value.
pub(crate) struct UnregisteredNetDevice {
    ptr: NonNull<bindings::net_device>,
}

impl UnregisteredNetDevice {
    /// Allocates an Ethernet device with `priv_size` bytes of private area and
    /// one transmit and one receive queue.
    pub(crate) fn alloc_ether(priv_size: usize) -> Result<Self> {
        let priv_size: i32 = priv_size.try_into().map_err(|_| EINVAL)?;
        // SAFETY: `alloc_etherdev_mqs` has no preconditions; it returns NULL
        // or a new, unregistered device.
        let raw = unsafe { bindings::alloc_etherdev_mqs(priv_size, 1, 1) };
        let ptr = NonNull::new(raw).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` is a new, unregistered device that nothing else owns.
        Ok(Self { ptr })
    }

    /// Offset of the driver's private area from the start of the device, as
    /// the C side computes it (`netdev_priv()`).
    pub(crate) fn priv_offset(&self) -> usize {
        // SAFETY: by the type invariant `ptr` points to a live net_device.
        let private = unsafe { bindings::zcpair_netdev_priv(self.ptr.as_ptr()) };
        private as usize - self.ptr.as_ptr() as usize
    }
}

impl Drop for UnregisteredNetDevice {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the device is live, unregistered and
        // owned only by us, so it may be freed; nothing uses it afterwards.
        unsafe { bindings::free_netdev(self.ptr.as_ptr()) };
    }
}

/// The layout of `struct net_device` seen from both languages.
pub(crate) struct Layout {
    /// `size_of::<net_device>()` in the generated bindings.
    pub(crate) rust_size: usize,
    /// Where the private area starts, computed from `rust_size` and
    /// `NETDEV_ALIGN` as `netdev_priv()` does.
    pub(crate) rust_priv_offset: usize,
    /// Where `netdev_priv()` (C) puts the private area of a real device.
    pub(crate) c_priv_offset: usize,
}

impl Layout {
    /// Measures the layout by allocating (and freeing) a device.
    pub(crate) fn probe() -> Result<Self> {
        // SAFETY: `zcpair_netdev_align` only returns a constant.
        let align = unsafe { bindings::zcpair_netdev_align() } as usize;
        let rust_size = core::mem::size_of::<bindings::net_device>();
        let dev = UnregisteredNetDevice::alloc_ether(0)?;
        Ok(Self {
            rust_size,
            rust_priv_offset: rust_size.next_multiple_of(align),
            c_priv_offset: dev.priv_offset(),
        })
    }

    /// Whether the generated bindings agree with the C compiler.
    pub(crate) fn agrees(&self) -> bool {
        self.rust_size > 0 && self.rust_priv_offset == self.c_priv_offset
    }
}
