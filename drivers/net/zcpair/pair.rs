// SPDX-License-Identifier: GPL-2.0

//! The state two ends of a pair share: their queues (each a ring pair and
//! a NAPI instance per end), counters and parameters.
//!
//! Queue `i` of end A transmits into ring `i` towards B, which B's queue
//! `i` reads; B's queue `i` transmits into the ring back, which A's queue
//! `i` reads: A's transmit ring `i` *is* B's receive ring `i`. Both ends
//! have the same number of queues, fixed at creation (`numtxqueues`);
//! `ethtool -L` changes how many the stack uses. Each end's private data
//! holds an `Arc<Pair>` and which end it is, so the pair lives until both
//! devices are gone.

use crate::counters::{add, Counters};
use crate::knet::dma::DmaDevice;
use crate::knet::lower::MacAddr;
use crate::knet::napi::Napi;
use crate::knet::netdev::DeviceRef;
use crate::knet::rcu::RcuArc;
use crate::knet::sgring::{Consumer, Producer, Ring};
use crate::lan::Membership;
use crate::moderation::{QueueModeration, RxModeration, Wait};
use crate::multidest::Held;
use crate::steer::Steer;
use crate::uplink::Uplink;
use crate::ZcPair;
use core::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::alloc::KBox;
use kernel::prelude::*;
use kernel::sync::{Arc, SpinLock};
use kernel::{new_spinlock, pin_init};

/// Which end of the pair a device is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    A,
    B,
}

impl Side {
    pub(crate) fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// A device's private data.
pub(crate) struct EndData {
    pub(crate) pair: Arc<Pair>,
    pub(crate) side: Side,
    /// The uplink the creating request named (ifindex), attached once both
    /// ends are registered.
    pub(crate) initial_uplink: Option<u32>,
    /// A LAN member's LAN (lan.rs). A member is a "pair" of one end whose
    /// rings loop back: each queue's transmit ring is its own receive
    /// ring, which the other members write into; it is its own peer.
    pub(crate) lan: Option<Membership>,
}

impl EndData {
    pub(crate) fn end(&self) -> &End {
        self.pair.end(self.side)
    }

    /// The other end; a LAN member's is itself.
    pub(crate) fn peer(&self) -> &End {
        if self.lan.is_some() {
            return self.end();
        }
        self.pair.end(self.side.peer())
    }

    /// Whether this is one end of a pair (not a LAN member).
    pub(crate) fn is_pair(&self) -> bool {
        self.lan.is_none()
    }

    /// Our queue `index` with the peer's queue of the same number.
    pub(crate) fn queue(&self, index: u32) -> Option<QueuePair<'_>> {
        Some(QueuePair {
            ours: self.end().queue(index)?,
            peers: self.peer().queue(index)?,
            index,
        })
    }
}

/// Queue `index` of an end and the peer's queue of the same number, which
/// reads what ours transmits (and the other way round).
#[derive(Clone, Copy)]
pub(crate) struct QueuePair<'a> {
    pub(crate) ours: &'a Queue,
    pub(crate) peers: &'a Queue,
    pub(crate) index: u32,
}

/// Geometry and tunables of a new pair (ring sizes can change later with
/// `ethtool -G`; the rings themselves know their size).
#[derive(Clone, Copy)]
pub(crate) struct Params {
    pub(crate) ring_size: u32,
    pub(crate) hdr_buf: u32,
    pub(crate) copybreak: u32,
}

/// One queue of an end.
#[pin_data]
pub(crate) struct Queue {
    /// This queue's NAPI instance: receive from the peer's ring of the same
    /// number and clean our own transmit ring.
    #[pin]
    pub(crate) napi: Napi,
    /// Producer of our transmit ring.
    #[pin]
    pub(crate) tx: SpinLock<Producer>,
    /// Consumer of the peer's transmit ring.
    #[pin]
    pub(crate) rx: SpinLock<Consumer>,
    /// The frames held for the next batch (multidest.rs); taken before the
    /// transmit ring's lock.
    #[pin]
    pub(crate) held: SpinLock<Held>,
    /// `held` holds frames (set and cleared under its lock): only then
    /// does the poll look at it.
    pub(crate) held_pending: AtomicBool,
    /// The peer read frames of ours that it left for our poll to release
    /// (byte queue limits or a multi-destination batch need our device or
    /// our poll), or skipped them going down.
    pub(crate) tx_due: AtomicBool,
    /// The peer's notifications ("interrupts") to this queue are masked:
    /// set when one schedules our poll, cleared when a poll ends with
    /// `napi_complete_done()` true. While it is set, a poll is pending,
    /// running or deferred by the stack, and that poll finds the work.
    masked: AtomicBool,
    /// Notification moderation of the peer's frames to this queue
    /// (moderation.rs).
    pub(crate) moderation: QueueModeration,
    /// This queue's counters (each queue's own cache lines: two queues
    /// on two CPUs do not share them).
    pub(crate) stats: Counters,
}

impl Queue {
    fn new(index: u32, tx: Producer, rx: Consumer) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            napi <- Napi::new(index),
            tx <- new_spinlock!(tx, "zcpair_tx_ring"),
            rx <- new_spinlock!(rx, "zcpair_rx_ring"),
            held <- new_spinlock!(Held::new(), "zcpair_held"),
            held_pending: AtomicBool::new(false),
            tx_due: AtomicBool::new(false),
            masked: AtomicBool::new(false),
            moderation: QueueModeration::new(),
            stats: Counters::default(),
        }? Error)
    }

    /// The "interrupt" of this queue, raised by the peer after it published
    /// frames for us or consumed frames of ours (and by this end to pick
    /// up work): schedules our poll unless notifications are masked.
    pub(crate) fn notify(&self) {
        self.raise(None);
    }

    /// [`Queue::notify`] from the data path: the poll goes to the CPU
    /// `steer` names for this one, if any (steer.rs), else here; counted
    /// in `stats` when it goes elsewhere.
    pub(crate) fn notify_steered(&self, steer: &Steer, stats: &Counters) {
        self.raise(Some((steer, stats)));
    }

    /// [`Queue::notify_steered`] under this queue's notification
    /// moderation: false if the notification was left to the moderation
    /// timer (armed by the first frame that waits; the poll that follows
    /// takes every frame posted before it), true if raised (a masked one
    /// schedules nothing, as with `notify`), under `m`, the settings of
    /// the end this queue belongs to. For frames the peer posts one at a
    /// time; a full ring notifies at once (tx.rs).
    pub(crate) fn notify_moderated(
        &self,
        m: &RxModeration,
        steer: &Steer,
        stats: &Counters,
    ) -> bool {
        // As in `raise`: the ring update before the reads of the mask and
        // of the count.
        fence(Ordering::SeqCst);
        // Every frame's bookkeeping, masked or not: it is about the
        // previous frame, whoever polled it.
        let wait = self.moderation.posted(m);
        if self.masked.load(Ordering::Relaxed) {
            return true;
        }
        if let Some(usecs) = wait {
            match self.moderation.wait(m) {
                Wait::First => {
                    self.napi.schedule_within(usecs);
                    return false;
                }
                Wait::More => return false,
                Wait::Enough => {}
            }
        }
        self.raise_fenced(Some((steer, stats)));
        true
    }

    /// Both notifications: schedules our poll unless masked, on the CPU
    /// `steer` names if any.
    fn raise(&self, steer: Option<(&Steer, &Counters)>) {
        // Order the caller's ring update before the read of the mask;
        // pairs with the fence in `unmask`.
        fence(Ordering::SeqCst);
        if self.masked.load(Ordering::Relaxed) {
            return;
        }
        self.raise_fenced(steer);
    }

    /// `raise` after its fence and mask check.
    fn raise_fenced(&self, steer: Option<(&Steer, &Counters)>) {
        if let Some((steer, stats)) = steer {
            if let Some(cpu) = steer.target() {
                // Masked before the poll is queued there, as
                // `schedule_with` masks before `__napi_schedule`: the poll
                // that unmasks comes after. If a poll is pending or running
                // when the call runs, that poll unmasks when it ends and
                // looks at the ring again.
                self.masked.store(true, Ordering::Relaxed);
                if self.napi.schedule_on(cpu) {
                    add(&stats.tx_notifications_steered, 1);
                    return;
                }
            }
        }
        self.napi
            .schedule_with(|| self.masked.store(true, Ordering::Relaxed));
    }

    /// Unmasks notifications: after a poll ended for good
    /// (`napi_complete_done()` returned true), or before polls are
    /// enabled. A poll that unmasks must then look at its rings once more
    /// and `notify` itself if work arrived while it was masked.
    pub(crate) fn unmask(&self) {
        self.masked.store(false, Ordering::Relaxed);
        // Order the store of the mask before the caller's reads of the
        // rings; pairs with the fence in `notify`.
        fence(Ordering::SeqCst);
    }
}

/// One end of the pair.
#[pin_data]
pub(crate) struct End {
    /// The end's queues, as many as the peer has.
    queues: KVec<Pin<KBox<Queue>>>,
    /// The device, while registered (rtnl paths only).
    #[pin]
    pub(crate) dev: SpinLock<Option<DeviceRef<ZcPair>>>,
    /// Administratively up.
    pub(crate) up: AtomicBool,
    /// This end transmits frames up to this length copied whole (runtime
    /// tunable, per end: each end's admin sets its own).
    pub(crate) copybreak: AtomicU32,
    /// This end cuts UDP GSO frames into segments itself (genl
    /// `tx-segment`, per end).
    pub(crate) tx_segment: AtomicBool,
    /// A CPU transmitting more frames per second than this through the
    /// end has the reader's poll steered to another CPU (steer.rs; genl
    /// `steer-pps`, per end; 0: never).
    pub(crate) steer_pps: AtomicU32,
    /// `ethtool -C tx-usecs`: how long a batch may wait for more frames.
    pub(crate) tx_usecs: AtomicU32,
    /// `ethtool -C tx-frames`: frames per batch at most (0: the maximum).
    pub(crate) tx_frames: AtomicU32,
    /// `ethtool -C adaptive-rx/rx-usecs/rx-frames`: how long the peer's
    /// frames may wait for our polls (moderation.rs).
    pub(crate) rx_moderation: RxModeration,
    /// The device's MAC (kept by the netdevice notifier): the peer's
    /// cross-talk detector compares destinations with it (uplink.rs).
    mac: AtomicU64,
    /// The uplink, if the end has one (uplink.rs).
    pub(crate) uplink: RcuArc<Uplink>,
}

impl End {
    fn new(queues: KVec<Pin<KBox<Queue>>>, copybreak: u32) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            queues,
            dev <- new_spinlock!(None, "zcpair_dev"),
            up: AtomicBool::new(false),
            copybreak: AtomicU32::new(copybreak),
            tx_segment: AtomicBool::new(false),
            steer_pps: AtomicU32::new(0),
            tx_usecs: AtomicU32::new(0),
            tx_frames: AtomicU32::new(0),
            rx_moderation: RxModeration::new(),
            mac: AtomicU64::new(0),
            uplink: RcuArc::new(),
        }? Error)
    }

    /// The device's MAC, as last registered or changed.
    pub(crate) fn mac(&self) -> MacAddr {
        let v = self.mac.load(Ordering::Relaxed).to_le_bytes();
        [v[0], v[1], v[2], v[3], v[4], v[5]]
    }

    pub(crate) fn set_mac(&self, a: MacAddr) {
        let v = u64::from_le_bytes([a[0], a[1], a[2], a[3], a[4], a[5], 0, 0]);
        self.mac.store(v, Ordering::Relaxed);
    }

    /// Queue `index`, if the end has it.
    pub(crate) fn queue(&self, index: u32) -> Option<&Queue> {
        self.queues.get(index as usize).map(|q| &**q)
    }

    /// Every queue, in order.
    pub(crate) fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.iter().map(|q| &**q)
    }

    /// How many queues the end has.
    pub(crate) fn nr_queues(&self) -> u32 {
        self.queues.len() as u32
    }

    /// Every counter, over all queues (sums; maxima for the maxima).
    pub(crate) fn totals(&self) -> [u64; Counters::COUNT] {
        Counters::total(self.queues().map(|q| &q.stats))
    }

    /// A counted reference to the device, if registered.
    pub(crate) fn device(&self) -> Option<DeviceRef<ZcPair>> {
        self.dev.lock().clone()
    }
}

/// The state both ends share.
#[pin_data]
pub(crate) struct Pair {
    #[pin]
    a: End,
    #[pin]
    b: End,
    /// Bytes of each slot's header buffer (rings made later use it too).
    pub(crate) hdr_buf: u32,
    /// Set by the first `dellink` of either end (both go together).
    pub(crate) deleting: AtomicBool,
    /// Which CPUs transmit through the pair at a high rate (steer.rs).
    pub(crate) steer: Steer,
}

impl Pair {
    /// Allocates both rings of each of `queues` queues for `params` on
    /// `dma`, and the shared state.
    pub(crate) fn new(dma: &DmaDevice, params: Params, queues: u32) -> Result<Arc<Self>> {
        let mut a = KVec::with_capacity(queues as usize, GFP_KERNEL)?;
        let mut b = KVec::with_capacity(queues as usize, GFP_KERNEL)?;
        for i in 0..queues {
            let (a_tx, b_rx) = Ring::new(dma, params.ring_size, params.hdr_buf)?;
            let (b_tx, a_rx) = Ring::new(dma, params.ring_size, params.hdr_buf)?;
            a.push(
                KBox::pin_init(Queue::new(i, a_tx, a_rx), GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
            b.push(
                KBox::pin_init(Queue::new(i, b_tx, b_rx), GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        let steer = Steer::new()?;
        Arc::pin_init(
            try_pin_init!(Self {
                a <- End::new(a, params.copybreak),
                b <- End::new(b, params.copybreak),
                hdr_buf: params.hdr_buf,
                deleting: AtomicBool::new(false),
                steer,
            }? Error),
            GFP_KERNEL,
        )
    }

    /// The state of a LAN member: end A with, per queue, one ring whose
    /// producer half (`tx`, locked by every member that writes into it)
    /// and consumer half (`rx`, read by the member's poll) are both
    /// its own; end B has no queues and no device.
    pub(crate) fn new_member(dma: &DmaDevice, params: Params, queues: u32) -> Result<Arc<Self>> {
        let mut a = KVec::with_capacity(queues as usize, GFP_KERNEL)?;
        for i in 0..queues {
            let (tx, rx) = Ring::new(dma, params.ring_size, params.hdr_buf)?;
            a.push(
                KBox::pin_init(Queue::new(i, tx, rx), GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        let steer = Steer::new()?;
        Arc::pin_init(
            try_pin_init!(Self {
                a <- End::new(a, params.copybreak),
                b <- End::new(KVec::new(), params.copybreak),
                hdr_buf: params.hdr_buf,
                deleting: AtomicBool::new(false),
                steer,
            }? Error),
            GFP_KERNEL,
        )
    }

    pub(crate) fn end(&self, side: Side) -> &End {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }
}

/// `pin_init!` is used by the macros above.
#[allow(unused_imports)]
use pin_init as _;
