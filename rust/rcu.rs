// SPDX-License-Identifier: GPL-2.0

//! Read-copy-update: read-side sections and a pointer published to RCU
//! readers.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h).
//!
//! The data path reads an [`RcuArc`] inside a [`ReadGuard`] with no lock
//! and no reference count; writers, serialised by rtnl, publish a new
//! value and wait for a grace period (`synchronize_net()`) before they
//! give up their reference to the old one. Since the RCU flavours were
//! merged, a grace period also waits for code running with bottom halves
//! disabled (the transmit path) and for the core's own read-side sections
//! (the rx handler).

use super::bindings;
use super::rtnl_lock::Rtnl;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::sync::Arc;

/// An RCU read-side critical section (`rcu_read_lock()`), until dropped.
///
/// # Invariants
///
/// The current thread is inside `rcu_read_lock()` for the guard's life;
/// the guard is not `Send` (the unlock must run on the same thread).
pub(crate) struct ReadGuard(PhantomData<*mut ()>);

/// Enters an RCU read-side critical section.
pub(crate) fn read_lock() -> ReadGuard {
    // SAFETY: no precondition; balanced by the guard's drop.
    unsafe { bindings::zcpair_rcu_read_lock() };
    // INVARIANT: locked just now.
    ReadGuard(PhantomData)
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        // SAFETY: the guard's section began in `read_lock` on this thread.
        unsafe { bindings::zcpair_rcu_read_unlock() };
    }
}

/// An `Option<Arc<T>>` published to RCU readers (`rcu_assign_pointer()` /
/// `rcu_dereference()`).
///
/// # Invariants
///
/// `ptr` is null or comes from `Arc::into_raw` and owns that reference.
/// A pointer replaced by a writer keeps its reference until a grace period
/// has passed, so a reader that loaded it inside a [`ReadGuard`] holds a
/// live `T` for the guard's life.
pub(crate) struct RcuArc<T> {
    ptr: AtomicPtr<T>,
}

// SAFETY: the `RcuArc` hands out `&T` to readers on any CPU and `Arc<T>`s
// to writers: `T` must be `Send + Sync` as for `Arc<T>`.
unsafe impl<T: Send + Sync> Send for RcuArc<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for RcuArc<T> {}

impl<T: Send + Sync> RcuArc<T> {
    /// Nothing published.
    pub(crate) const fn new() -> Self {
        // INVARIANT: null.
        Self {
            ptr: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// What is published, for the life of the read-side section.
    pub(crate) fn get<'a>(&'a self, _guard: &'a ReadGuard) -> Option<&'a T> {
        // Acquire is at least the dependency ordering of rcu_dereference().
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: non-null means an `Arc<T>` reference that a writer
        // releases only after a grace period, which cannot end while the
        // guard's section lasts (type invariant).
        unsafe { p.as_ref() }
    }

    /// What is published, as a counted reference (writers, under rtnl).
    pub(crate) fn get_arc(&self, _rtnl: &Rtnl) -> Option<Arc<T>> {
        let p = self.ptr.load(Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        // Borrowing it and taking a new reference leaves `self`'s untouched.
        // SAFETY: `p` came from `Arc::into_raw`, its reference held by
        // `self`; rtnl serialises writers: nobody replaces and releases it.
        Some(unsafe { kernel::sync::ArcBorrow::from_raw(p) }.into())
    }

    /// Publishes `new` and waits for the readers of the old value before
    /// returning it (rtnl held; process context, sleeps).
    pub(crate) fn replace(&self, new: Option<Arc<T>>, _rtnl: &Rtnl) -> Option<Arc<T>> {
        let p = new.map_or(ptr::null_mut(), |a| Arc::into_raw(a).cast_mut());
        // Release: the new value's contents before its pointer, as
        // rcu_assign_pointer().
        let old = self.ptr.swap(p, Ordering::AcqRel);
        if old.is_null() {
            return None;
        }
        // SAFETY: no precondition beyond process context (rtnl is a mutex,
        // so the caller may sleep).
        unsafe { bindings::synchronize_net() };
        // SAFETY: `old` came from `Arc::into_raw` (type invariant) and was
        // owned by `self`, which no longer publishes it; the grace period
        // has passed, so no reader still uses it without a reference.
        Some(unsafe { Arc::from_raw(old) })
    }
}

impl<T> Drop for RcuArc<T> {
    fn drop(&mut self) {
        let p = *self.ptr.get_mut();
        if !p.is_null() {
            // SAFETY: owned reference from `Arc::into_raw` (type invariant).
            // Readers borrow `self`, so none is left when it is dropped.
            drop(unsafe { Arc::from_raw(p) });
        }
    }
}
