// SPDX-License-Identifier: GPL-2.0

//! NAPI: the softirq polling context of a network device.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! Two types carry the rules of the C API:
//! - [`Napi`] keeps its state (detached, attached, enabled) and checks
//!   each transition, so that `napi_enable()` on an instance that is not
//!   attached, `netif_napi_add()` twice or `napi_disable()` on a disabled
//!   instance (each a `BUG_ON` or a hang in C) cannot be reached from safe
//!   code; an instance still attached when it is dropped is detached.
//! - [`PollCtx`] exists only inside a poll of its instance: what C allows
//!   only there (`napi_alloc_skb()`, `napi_gro_receive()`,
//!   `napi_consume_skb()` with a budget, `napi_complete_done()`) takes it.
//!
//! A [`Napi`] also carries a high-resolution timer
//! ([`include/linux/hrtimer.h`](srctree/include/linux/hrtimer.h)) that
//! schedules a poll later ([`Napi::schedule_within`]), as a NIC's
//! coalescing timers raise its interrupts; it is cancelled before the
//! instance goes.
//!
//! And an asynchronous cross-CPU call
//! ([`include/linux/smp.h`](srctree/include/linux/smp.h),
//! `smp_call_function_single_async()`) that schedules a poll on another
//! CPU ([`Napi::schedule_on`]), as a NIC's interrupt lands on the CPU its
//! affinity names rather than on the CPU that caused it; a call on its way
//! is waited for before the instance goes.

use super::bindings;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::types::Opaque;

/// A `call_single_data_t`, aligned as C aligns its typedef.
#[repr(C, align(32))]
struct Csd(Opaque<bindings::call_single_data_t>);

impl Csd {
    fn new(f: unsafe extern "C" fn(*mut core::ffi::c_void)) -> impl PinInit<Self> {
        // SAFETY: `Csd` is `repr(C)` around the csd, so its address is the
        // csd's; the helper initialises it completely.
        unsafe {
            kernel::init::pin_init_from_closure(move |slot: *mut Self| {
                bindings::zcpair_csd_init(slot.cast(), Some(f));
                Ok(())
            })
        }
    }
}

/// Where a [`Napi`] is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Zeroed or deleted: not known to any device.
    Detached,
    /// Added to a device (`netif_napi_add_weight()`), polls disabled.
    Attached,
    /// Polls allowed (`napi_enable()`).
    Enabled,
}

/// The C type of a poll function.
pub(crate) type PollFn = unsafe extern "C" fn(*mut bindings::napi_struct, i32) -> i32;

/// A `struct napi_struct` with its state.
///
/// # Invariants
///
/// `state` tells what was last done to `inner` (all transitions run under
/// the mutex): `Detached` when it is zeroed or was deleted; otherwise it is
/// added to the live device `dev`, on which we hold a reference (so the
/// device outlives the attachment), with a poll function that receives a
/// [`PollCtx`] only from within a poll.
///
/// `timer` is an initialised hrtimer whose function is [`Napi::timer_fn`];
/// it is not queued nor running once the value is dropped. `remote` is an
/// initialised csd whose function is [`Napi::remote_fn`] and whose
/// argument is the csd itself; `remote_pending` is true from before the
/// csd is queued until the last access of [`Napi::remote_fn`] to the
/// `Napi` (so false once the value is dropped), and only one caller
/// queues it at a time (the one that set `remote_pending`).
#[pin_data(PinnedDrop)]
pub(crate) struct Napi {
    #[pin]
    inner: Opaque<bindings::napi_struct>,
    #[pin]
    timer: Opaque<bindings::hrtimer>,
    #[pin]
    remote: Csd,
    remote_pending: AtomicBool,
    #[pin]
    state: Mutex<(State, Option<NonNull<bindings::net_device>>)>,
    /// The driver's number for the instance (its queue), handed to each
    /// poll in [`PollCtx::index`].
    index: u32,
}

// SAFETY: NAPI operations are safe from any CPU; the C side serialises
// polls, and our state changes under a mutex.
unsafe impl Send for Napi {}
// SAFETY: as above.
unsafe impl Sync for Napi {}

impl Napi {
    /// A zeroed, detached NAPI instance numbered `index` (the driver's
    /// queue), initialised in place (it must not move once attached).
    #[allow(clippy::new_ret_no_self)]
    pub(crate) fn new(index: u32) -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- Opaque::ffi_init(|slot: *mut bindings::napi_struct| {
                // SCHED is set as in a disabled instance, so that
                // `napi_schedule_prep()` refuses it until it is enabled.
                // SAFETY: `slot` is valid for one napi_struct; zeroes are its initial state.
                unsafe {
                    slot.write_bytes(0, 1);
                    (*slot).state = 1 << bindings::NAPI_STATE_SCHED;
                }
            }),
            timer <- Opaque::ffi_init(|slot: *mut bindings::hrtimer| {
                // SAFETY: `slot` is valid for one hrtimer, which is pinned
                // from here on (a `Napi` is only made in place); the
                // function is ours, for this field of a `Napi`.
                unsafe { bindings::zcpair_hrtimer_init(slot, Some(Self::timer_fn)) }
            }),
            remote <- Csd::new(Self::remote_fn),
            remote_pending: AtomicBool::new(false),
            state <- new_mutex!((State::Detached, None), "zcpair_napi_state"),
            index,
        })
    }

    /// The timer's function: schedules a poll (a no-op unless enabled).
    ///
    /// # Safety
    ///
    /// Only called by the hrtimer core for the `timer` field of a live
    /// `Napi`.
    unsafe extern "C" fn timer_fn(timer: *mut bindings::hrtimer) -> bindings::hrtimer_restart {
        let off = core::mem::offset_of!(Napi, timer);
        // Only `new` sets this function, on that field; `Opaque` is transparent.
        // SAFETY: `timer` is the `timer` field of a `Napi`, live: dropping it
        // cancels the timer, waiting for a running call like this one.
        let napi = unsafe { &*timer.cast::<u8>().sub(off).cast::<Napi>() };
        napi.schedule_with(|| ());
        bindings::hrtimer_restart_HRTIMER_NORESTART
    }

    /// The cross-CPU call's function, in hard interrupt context on the
    /// CPU it was queued for: schedules a poll there (a no-op unless
    /// enabled).
    ///
    /// # Safety
    ///
    /// Only called by the cross-CPU call code with the argument `new`
    /// gave: the `remote` field of a live `Napi` whose `remote_pending` is
    /// set.
    unsafe extern "C" fn remote_fn(csd: *mut core::ffi::c_void) {
        let off = core::mem::offset_of!(Napi, remote);
        // SAFETY: `csd` is the `remote` field of a `Napi` (caller), which
        // stays live while `remote_pending` is set: dropping it waits for
        // the store below, this call's last access.
        let napi = unsafe { &*csd.cast::<u8>().sub(off).cast::<Napi>() };
        napi.schedule_with(|| ());
        napi.remote_pending.store(false, Ordering::Release);
    }

    /// Schedules a poll on CPU `cpu`, from its hard interrupt context (an
    /// IPI): true when a call is queued there or was on its way already
    /// (a poll follows), false if `cpu` is not online or the call could
    /// not be queued (then nothing is scheduled). Any context but hard
    /// interrupts. A poll that is pending or running when the call runs
    /// is left as it is (it finds the work).
    pub(crate) fn schedule_on(&self, cpu: u32) -> bool {
        if self
            .remote_pending
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return true;
        }
        let csd = self.remote.0.get();
        // SAFETY: the csd is initialised and pinned (type invariant), and
        // ours to queue (we set `remote_pending`); the function checks
        // `cpu` against the online CPUs.
        let err = unsafe { bindings::smp_call_function_single_async(cpu as i32, csd) };
        if err != 0 {
            // Offline, or (never, with `remote_pending` serialising the
            // callers) still locked: nothing was queued.
            self.remote_pending.store(false, Ordering::Release);
            return false;
        }
        true
    }

    /// Schedules a poll in at most `usecs` microseconds: arms the timer
    /// unless it is set to fire sooner (the earlier deadline stands, so
    /// users of the one timer with different deadlines each get a poll
    /// by theirs, if not exactly at it: a poll that comes early for one
    /// of them arms the timer again for what is not due yet). Any context.
    pub(crate) fn schedule_within(&self, usecs: u32) {
        // SAFETY: the timer is initialised and pinned (type invariant).
        unsafe { bindings::zcpair_hrtimer_start_within(self.timer.get(), u64::from(usecs) * 1000) };
    }

    /// Cancels the timer and waits for a cross-CPU call on its way:
    /// neither schedules a poll after this returns, unless asked again.
    /// Any context with interrupts enabled.
    fn cancel_deferred(&self) {
        // SAFETY: the timer is initialised (type invariant); not called
        // from its own function (which only schedules).
        unsafe { bindings::hrtimer_cancel(self.timer.get()) };
        // A cross-CPU call on its way runs in hard interrupt context and
        // ends: spinning for it is sound while this CPU takes interrupts
        // (it may be the call's CPU).
        while self.remote_pending.load(Ordering::Acquire) {
            core::hint::spin_loop();
        }
    }

    /// The number of the `Napi` whose C structure is `raw`.
    ///
    /// # Safety
    ///
    /// `raw` must be the `inner` field of a live `Napi` (as every instance
    /// attached with [`Napi::attach_raw`] is).
    pub(crate) unsafe fn index_of_raw(raw: NonNull<bindings::napi_struct>) -> u32 {
        let off = core::mem::offset_of!(Napi, inner);
        // SAFETY: `raw` is the `inner` field of a live `Napi` (caller);
        // `Opaque` is transparent.
        let napi = unsafe { &*raw.as_ptr().cast::<u8>().sub(off).cast::<Napi>() };
        napi.index
    }

    /// The C structure.
    pub(crate) fn as_raw(&self) -> *mut bindings::napi_struct {
        self.inner.get()
    }

    /// Adds this instance to `dev` with `poll` (disabled until `enable`);
    /// `EBUSY` if it is attached already. Process context.
    ///
    /// # Safety
    ///
    /// `dev` must be a live `net_device` (its registration not finished
    /// tearing down), and `poll` must only build a [`PollCtx`] for the
    /// instance it is called with.
    pub(crate) unsafe fn attach_raw(
        &self,
        dev: NonNull<bindings::net_device>,
        poll: PollFn,
    ) -> Result {
        let mut state = self.state.lock();
        if state.0 != State::Detached {
            return Err(EBUSY);
        }
        // SAFETY: `dev` is live (caller); this reference is what keeps it
        // so while attached, dropped in `detach`.
        unsafe { bindings::zcpair_dev_hold(dev.as_ptr()) };
        // A `Napi` is `!Unpin` and only made in place by `new`: pinned memory.
        // SAFETY: `dev` is live; the instance does not move until detached
        // (at the latest when dropped) and is detached now, as required.
        unsafe {
            bindings::netif_napi_add_weight(
                dev.as_ptr(),
                self.as_raw(),
                Some(poll),
                bindings::NAPI_POLL_WEIGHT as i32,
            )
        };
        // INVARIANT: attached to `dev`, whose reference we hold.
        *state = (State::Attached, Some(dev));
        Ok(())
    }

    /// Allows polls; `EINVAL` unless attached (and not enabled already).
    /// Process context (from `ndo_open`).
    pub(crate) fn enable(&self) -> Result {
        let mut state = self.state.lock();
        if state.0 != State::Attached {
            return Err(EINVAL);
        }
        // SAFETY: attached and disabled (state, under the mutex).
        unsafe { bindings::napi_enable(self.as_raw()) };
        state.0 = State::Enabled;
        Ok(())
    }

    /// Waits for a running poll to end and forbids new ones (from
    /// `ndo_stop`; sleeps). Does nothing unless enabled.
    pub(crate) fn disable(&self) {
        self.cancel_deferred();
        let mut state = self.state.lock();
        Self::disable_locked(self.as_raw(), &mut state.0);
    }

    fn disable_locked(raw: *mut bindings::napi_struct, state: &mut State) {
        if *state == State::Enabled {
            // SAFETY: attached and enabled (state, under the mutex).
            unsafe { bindings::napi_disable(raw) };
            *state = State::Attached;
        }
    }

    /// Removes this instance from its device (disabling it first if
    /// needed; `netif_napi_del()` waits for RCU) and drops the device
    /// reference. Does nothing unless attached. Process context.
    pub(crate) fn detach(&self) {
        let mut state = self.state.lock();
        Self::detach_locked(self.as_raw(), &mut state);
    }

    fn detach_locked(
        raw: *mut bindings::napi_struct,
        state: &mut (State, Option<NonNull<bindings::net_device>>),
    ) {
        Self::disable_locked(raw, &mut state.0);
        if let (State::Attached, Some(dev)) = *state {
            // SAFETY: attached and disabled; its device is live (we hold a
            // reference on it).
            unsafe { bindings::zcpair_netif_napi_del(raw) };
            // SAFETY: the reference taken in `attach_raw`.
            unsafe { bindings::zcpair_dev_put(dev.as_ptr()) };
        }
        *state = (State::Detached, None);
    }

    /// Schedules a poll if none is pending (`napi_schedule_prep()`),
    /// running `before` first; returns whether it scheduled one. A no-op
    /// while disabled or detached. `before` sees a poll that has been
    /// claimed but cannot have started, so it may arm state the poll
    /// resets. Any context.
    pub(crate) fn schedule_with(&self, before: impl FnOnce()) -> bool {
        // SAFETY: the memory is live and initialised; `napi_schedule_prep`
        // claims only an enabled instance: a new, disabled or deleted one
        // has NAPI_STATE_SCHED set.
        if !unsafe { bindings::napi_schedule_prep(self.as_raw()) } {
            return false;
        }
        before();
        // SAFETY: `napi_schedule_prep` succeeded just above, which is what
        // `__napi_schedule` requires (the poll is ours to queue).
        unsafe { bindings::__napi_schedule(self.as_raw()) };
        true
    }
}

#[pinned_drop]
impl PinnedDrop for Napi {
    fn drop(self: Pin<&mut Self>) {
        // INVARIANT: the timer and the cross-CPU call neither queued nor
        // running from here on (nothing re-arms them: they are only set
        // through `&self`, which nobody else holds now).
        self.cancel_deferred();
        let raw = self.as_raw();
        let mut state = self.state.lock();
        Self::detach_locked(raw, &mut state);
    }
}

/// Proof of running inside a poll of a NAPI instance, with its budget.
///
/// # Invariants
///
/// Only built by a poll function for the instance it was called with, and
/// lives no longer than that call (it is not `Send`, and the poll hands
/// it out by value or by reference only). `complete_done` consumes it, so
/// a poll completes at most once.
pub(crate) struct PollCtx<'a> {
    napi: NonNull<bindings::napi_struct>,
    budget: i32,
    index: u32,
    _p: PhantomData<(&'a bindings::napi_struct, *mut ())>,
}

impl<'a> PollCtx<'a> {
    /// # Safety
    ///
    /// Call only from the poll function of the live instance `napi`, the
    /// `inner` field of a [`Napi`], with the budget it was given, and do not
    /// let the value outlive the call.
    pub(crate) unsafe fn new(napi: NonNull<bindings::napi_struct>, budget: i32) -> Self {
        // INVARIANT: the caller is `napi`'s poll.
        Self {
            napi,
            budget,
            // SAFETY: `napi` is the `inner` field of a live `Napi` (caller).
            index: unsafe { Napi::index_of_raw(napi) },
            _p: PhantomData,
        }
    }

    /// The poll's budget (0 when called from netpoll: no frames may be
    /// received, only transmit completions done).
    pub(crate) fn budget(&self) -> i32 {
        self.budget
    }

    /// The number the driver gave the instance being polled
    /// ([`Napi::new`]): which of its queues to serve.
    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    /// The instance being polled.
    pub(crate) fn as_raw(&self) -> *mut bindings::napi_struct {
        self.napi.as_ptr()
    }

    /// Hands the frames GRO queued for the stack so far (its batch of
    /// `gro_normal_batch` frames, `gro_normal_list()`) to the stack now,
    /// rather than when the poll ends.
    pub(crate) fn deliver_queued(&self) {
        // SAFETY: we are inside this instance's poll (type invariant),
        // which owns its receive list.
        unsafe { bindings::zcpair_gro_normal_list(self.napi.as_ptr()) };
    }

    /// Ends a poll that did `work` (< budget). False when the poll is not
    /// over: it did the whole budget (then it must not complete; the core
    /// polls again), it was missed and runs again, a busy poller owns it,
    /// or the stack defers it (`napi_defer_hard_irqs`, `gro_flush_timeout`)
    /// and its timer polls again; the driver must then keep its
    /// "interrupt" masked.
    ///
    /// Also returns the rest of the poll ([`PollTail`]): work that must not
    /// delay the completion (which flushes GRO, dropping from its lists what
    /// is older than the current jiffy when the flush is deferred) but
    /// still belongs to the poll, freeing sent frames, comes after it.
    pub(crate) fn complete_done(self, work: i32) -> (bool, PollTail<'a>) {
        let tail = PollTail {
            budget: self.budget,
            _p: PhantomData,
        };
        if work < 0 || work >= self.budget {
            return (false, tail);
        }
        // SAFETY: we are inside this instance's poll (type invariant) and
        // did less than the budget; consuming `self` completes only once.
        let done = unsafe { bindings::napi_complete_done(self.napi.as_ptr(), work) };
        (done, tail)
    }
}

/// The end of a poll, after [`PollCtx::complete_done`]: still inside the
/// poll function (softirq), so frames may still be freed with its budget
/// (`napi_consume_skb()`), but nothing of the instance's own (GRO, its
/// completion) may be touched.
///
/// # Invariants
///
/// Lives no longer than the poll function's call (made only from a
/// [`PollCtx`], which does not outlive it; not `Send`).
pub(crate) struct PollTail<'a> {
    budget: i32,
    _p: PhantomData<(&'a bindings::napi_struct, *mut ())>,
}

/// Proof of running inside a NAPI poll function with its budget: what
/// `napi_consume_skb()` needs.
pub(crate) trait InPoll {
    /// The poll's budget (0 from netpoll).
    fn poll_budget(&self) -> i32;
}

impl InPoll for PollCtx<'_> {
    fn poll_budget(&self) -> i32 {
        self.budget
    }
}

impl InPoll for PollTail<'_> {
    fn poll_budget(&self) -> i32 {
        self.budget
    }
}
