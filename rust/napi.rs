// SPDX-License-Identifier: GPL-2.0

//! NAPI: the softirq polling context of a network device.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).

use super::bindings;
use super::netdev::{Device, Driver};
use kernel::pin_init;
use kernel::prelude::*;
use kernel::types::Opaque;

/// A `struct napi_struct`.
///
/// It is embedded in pinned driver state, attached to a device with
/// [`Napi::attach`] in `ndo_init` and detached with [`Napi::detach`] in
/// `ndo_uninit`; the device's driver [`Driver::poll`] is its poll function.
///
/// # Invariants
///
/// The C struct starts out zeroed. Between `attach` and `detach` it is
/// registered with a live device whose driver is the `D` it was attached
/// with; polls call `D::poll` with a `&Napi` only from NAPI context.
#[repr(transparent)]
#[pin_data]
pub(crate) struct Napi {
    #[pin]
    inner: Opaque<bindings::napi_struct>,
}

// SAFETY: NAPI operations are safe from any CPU; the C side serialises polls.
unsafe impl Send for Napi {}
// SAFETY: as above.
unsafe impl Sync for Napi {}

impl Napi {
    /// A zeroed, detached NAPI instance, initialised in place (it must not
    /// move once attached).
    #[allow(clippy::new_ret_no_self)]
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- Opaque::ffi_init(|slot: *mut bindings::napi_struct| {
                // SAFETY: `slot` is valid for writing one napi_struct; all
                // zeroes is its expected initial state.
                unsafe { slot.write_bytes(0, 1) }
            }),
        })
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::napi_struct {
        self.inner.get()
    }

    /// Registers this instance with `dev` (disabled until `enable`).
    ///
    /// Must be called once, from `ndo_init` (rtnl held), on a `Napi` that
    /// stays pinned until [`Napi::detach`].
    pub(crate) fn attach<D: Driver>(&self, dev: &Device<D>) {
        // SAFETY: `dev` is live; `self` was made in place by `new`, never
        // moves and is detached in ndo_uninit before it is freed (caller);
        // `poll_trampoline::<D>` matches the C prototype.
        unsafe {
            bindings::netif_napi_add_weight(
                dev.as_raw(),
                self.as_raw(),
                Some(poll_trampoline::<D>),
                bindings::NAPI_POLL_WEIGHT as i32,
            )
        };
    }

    /// Unregisters this instance (`netif_napi_del()`, waits for RCU).
    /// From `ndo_uninit`.
    pub(crate) fn detach(&self) {
        // SAFETY: the instance was attached (callers pair attach/detach) and
        // is no longer enabled (the device is closed).
        unsafe { bindings::zcpair_netif_napi_del(self.as_raw()) };
    }

    /// Allows polls (from `ndo_open`).
    pub(crate) fn enable(&self) {
        // SAFETY: the instance is attached and disabled (`ndo_open` pairs
        // with `ndo_stop`).
        unsafe { bindings::napi_enable(self.as_raw()) };
    }

    /// Waits for a running poll to end and forbids new ones (from
    /// `ndo_stop`; may sleep).
    pub(crate) fn disable(&self) {
        // SAFETY: the instance is attached and enabled.
        unsafe { bindings::napi_disable(self.as_raw()) };
    }

    /// Schedules a poll if none is pending (`napi_schedule_prep()`),
    /// running `before` first; returns whether it scheduled one. A no-op
    /// while disabled or detached. `before` sees a poll that has been
    /// claimed but cannot have started, so it may arm state the poll
    /// resets.
    pub(crate) fn schedule_with(&self, before: impl FnOnce()) -> bool {
        // SAFETY: the memory is live and initialised (zeroed or attached);
        // `napi_schedule_prep` only claims an enabled instance.
        if !unsafe { bindings::napi_schedule_prep(self.as_raw()) } {
            return false;
        }
        before();
        // SAFETY: `napi_schedule_prep` succeeded just above, which is what
        // `__napi_schedule` requires (the poll is ours to queue).
        unsafe { bindings::__napi_schedule(self.as_raw()) };
        true
    }

    /// Ends a poll that did `work` < budget. False when the poll is not
    /// over: it was missed and runs again, a busy poller owns it, or the
    /// stack defers it (`napi_defer_hard_irqs`, `gro_flush_timeout`) and
    /// its timer polls again; the driver must then keep its "interrupt"
    /// masked.
    pub(crate) fn complete_done(&self, work: i32) -> bool {
        // SAFETY: only called from within this instance's poll (a `&Napi`
        // in `Driver::poll`).
        unsafe { bindings::napi_complete_done(self.as_raw(), work) }
    }
}

/// # Safety
///
/// Only called by the kernel as the C callback it is registered as, with
/// the arguments that callback's contract guarantees.
unsafe extern "C" fn poll_trampoline<D: Driver>(
    napi: *mut bindings::napi_struct,
    budget: i32,
) -> i32 {
    // SAFETY: the C side calls this with an attached instance, whose
    // `dev` is the live device it was attached to.
    let dev = unsafe { bindings::zcpair_napi_dev(napi) };
    // SAFETY: `napi` was attached with driver `D` (type invariant), so its
    // device is one of `D`'s.
    let dev = unsafe { Device::<D>::from_raw(dev) };
    // SAFETY: `Napi` is a transparent wrapper of the live napi_struct.
    let napi = unsafe { &*(napi as *const Napi) };
    D::poll(dev, napi, budget)
}
