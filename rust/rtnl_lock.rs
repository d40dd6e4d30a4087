// SPDX-License-Identifier: GPL-2.0

//! The rtnl lock, as a proof token: functions that the C API allows only
//! under rtnl take a `&Rtnl`.
//!
//! C header: [`include/linux/rtnetlink.h`](srctree/include/linux/rtnetlink.h).

use super::bindings;

/// Proof that the rtnl lock is held, handed to driver callbacks that the
/// core calls under it.
///
/// # Invariants
///
/// Exists only while the current thread holds the rtnl lock.
pub(crate) struct Rtnl(());

impl Rtnl {
    /// # Safety
    ///
    /// The caller must hold the rtnl lock for as long as the value lives.
    pub(crate) unsafe fn assume_held() -> Self {
        Self(())
    }

    /// Takes the rtnl lock (process context, may sleep) until the guard
    /// is dropped.
    pub(crate) fn lock() -> RtnlGuard {
        // SAFETY: no precondition beyond process context.
        unsafe { bindings::rtnl_lock() };
        // INVARIANT: locked just now; the guard unlocks when dropped.
        RtnlGuard(Rtnl(()))
    }
}

/// The rtnl lock, held until this is dropped; derefs to the [`Rtnl`] proof.
pub(crate) struct RtnlGuard(Rtnl);

impl core::ops::Deref for RtnlGuard {
    type Target = Rtnl;
    fn deref(&self) -> &Rtnl {
        &self.0
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: we took the lock in `Rtnl::lock`.
        unsafe { bindings::rtnl_unlock() };
    }
}
