// SPDX-License-Identifier: GPL-2.0

//! Receive notification moderation: how long the frames the peer posts
//! may wait for our poll, as a NIC's receive interrupt coalescing
//! (`ethtool -C DEV adaptive-rx on|off rx-usecs N rx-frames M
//! pkt-rate-low R`, on the reading end).
//!
//! Without it the peer notifies us for every frame it posts while we are
//! idle, and with one sender on the CPU that polls that is every frame:
//! each costs a poll of its own (scheduling, the softirq, GRO's flush,
//! the completion, the release), most of what handing a frame over costs
//! (Documentation/performance.md, "Per-frame cost by elimination"). With
//! it, a frame that may wait arms our timer (`rx-usecs`) and the frames
//! that follow before it fires, up to `rx-frames`, wait with it: one poll
//! takes them all. A full ring notifies at once, whatever the setting, as
//! does a frame after which byte queue limits stop the sender's queue.
//!
//! A frame that waits alone costs its whole wait: request/response
//! traffic (nothing else comes to share the poll) would pay `rx-usecs` on
//! every frame. So by default the moderation is adaptive
//! (`adaptive-rx on`): a frame is notified at once when the reading end
//! has transmitted on that queue since the peer's previous frame there
//! (it answered: request/response), or when that previous frame came
//! longer ago than `pkt-rate-low` frames per second allow (sparse
//! traffic). Only frames of a stream wait, and they have company
//! coming. `adaptive-rx off` lets every frame wait, as a NIC's fixed
//! coalescing does. (The kernel's DIM, which steps through fixed
//! profiles towards the highest rate, was measured first: it left
//! request/response latency 2.4 times longer; a gap rule alone, with the
//! gap `rx-usecs`, had to keep `rx-usecs` below the round trip:
//! Documentation/performance.md.)
//!
//! The settings are the reading end's; the sender reads them there as it
//! posts ([`Queue::notify_moderated`] in pair.rs is the sender's side),
//! and each of the reading end's queues keeps what the peer's frames to it
//! left ([`QueueModeration`]).

use crate::knet::ethtool::Coalesce;
use crate::knet::netlink::ExtAck;
use crate::knet::uapi::{ZCPAIR_RX_FRAMES_MAX, ZCPAIR_RX_USECS_MAX};
use crate::pair::Queue;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kernel::time::Ktime;

/// `rx-usecs` of a new end.
pub(crate) const RX_USECS_DEFAULT: u32 = 200;
/// `rx-frames` of a new end.
pub(crate) const RX_FRAMES_DEFAULT: u32 = 16;
/// `pkt-rate-low` of a new end.
pub(crate) const PKT_RATE_LOW_DEFAULT: u32 = 20000;

/// An end's receive moderation settings (`ethtool -C`), read by the
/// peer's transmit path as it posts; written only under rtnl.
pub(crate) struct RxModeration {
    /// `adaptive-rx`: only the frames of a one-way stream wait.
    adaptive: AtomicBool,
    /// `rx-usecs`: the longest a frame waits (0: notified at once).
    usecs: AtomicU32,
    /// `rx-frames` as set (0: no bound but the ring).
    frames: AtomicU32,
    /// `rx-frames` as the count that notifies (`u32::MAX` for 0).
    bound: AtomicU32,
    /// `pkt-rate-low` as set: under `adaptive`, a frame that follows the
    /// previous one by more than a frame's time at this rate does not
    /// wait (0: none is too far).
    rate_low: AtomicU32,
    /// `pkt-rate-low` as that gap, in ns (`u64::MAX` for 0).
    gap_ns: AtomicU64,
}

impl RxModeration {
    pub(crate) const fn new() -> Self {
        Self {
            adaptive: AtomicBool::new(true),
            usecs: AtomicU32::new(RX_USECS_DEFAULT),
            frames: AtomicU32::new(RX_FRAMES_DEFAULT),
            bound: AtomicU32::new(bound_of(RX_FRAMES_DEFAULT)),
            rate_low: AtomicU32::new(PKT_RATE_LOW_DEFAULT),
            gap_ns: AtomicU64::new(gap_of(PKT_RATE_LOW_DEFAULT)),
        }
    }

    /// `ethtool -c`.
    pub(crate) fn get(&self, c: &mut Coalesce) {
        c.rx_adaptive = self.adaptive.load(Ordering::Relaxed);
        c.rx_usecs = self.usecs.load(Ordering::Relaxed);
        c.rx_max_frames = self.frames.load(Ordering::Relaxed);
        c.pkt_rate_low = self.rate_low.load(Ordering::Relaxed);
    }

    /// Checks `ethtool -C`'s receive parameters (rtnl held).
    pub(crate) fn check(c: &Coalesce, extack: &ExtAck<'_>) -> Result {
        if c.rx_usecs > ZCPAIR_RX_USECS_MAX {
            return Err(extack.fail(None, c_str!("rx-usecs must not exceed 10000"), EINVAL));
        }
        if c.rx_max_frames > ZCPAIR_RX_FRAMES_MAX {
            return Err(extack.fail(None, c_str!("rx-frames must not exceed 4096"), EINVAL));
        }
        Ok(())
    }

    /// `ethtool -C`, checked (rtnl held): the peer's next frames follow
    /// it. Each field on its own: a frame posted meanwhile may see some of
    /// the new values with the old others, which only decides whether it
    /// waits.
    pub(crate) fn set(&self, c: &Coalesce) {
        self.usecs.store(c.rx_usecs, Ordering::Relaxed);
        self.frames.store(c.rx_max_frames, Ordering::Relaxed);
        self.bound
            .store(bound_of(c.rx_max_frames), Ordering::Relaxed);
        self.adaptive.store(c.rx_adaptive, Ordering::Relaxed);
        self.rate_low.store(c.pkt_rate_low, Ordering::Relaxed);
        self.gap_ns.store(gap_of(c.pkt_rate_low), Ordering::Relaxed);
    }
}

/// `rx-frames` as the count of waiting frames that notifies.
const fn bound_of(frames: u32) -> u32 {
    if frames == 0 {
        u32::MAX
    } else {
        frames
    }
}

/// `pkt-rate-low` as the gap between two frames, in ns, above which a
/// frame does not wait.
const fn gap_of(rate: u32) -> u64 {
    if rate == 0 {
        u64::MAX
    } else {
        1_000_000_000 / rate as u64
    }
}

/// As a poll of `q` (one of the reading end's queues) begins: the frames
/// posted so far are this poll's, the count of those waiting restarts.
pub(crate) fn poll_begins(q: &Queue) {
    // Before the poll reads the ring (sequentially consistent, as the
    // peer's increment after its ring update): a frame counted before it
    // is read by this poll; a frame this poll misses is seen by its check
    // for more after unmasking.
    q.moderation.waiting.store(0, Ordering::SeqCst);
}

/// A queue's side of the moderation: what the peer's frames to it left.
pub(crate) struct QueueModeration {
    /// The reading end transmitted on this queue since the peer's last
    /// frame to it.
    answered: AtomicBool,
    /// When the peer last posted a frame here (ns, `ktime_get()`).
    last_post: AtomicU64,
    /// Frames the peer posted without a notification since the reading
    /// end's last poll began.
    waiting: AtomicU32,
}

/// What a frame that may wait does (see [`QueueModeration::wait`]).
pub(crate) enum Wait {
    /// The first to wait: arm the timer.
    First,
    /// Waits with the others.
    More,
    /// `rx-frames` are waiting: notify.
    Enough,
}

impl QueueModeration {
    pub(crate) const fn new() -> Self {
        Self {
            answered: AtomicBool::new(false),
            last_post: AtomicU64::new(0),
            waiting: AtomicU32::new(0),
        }
    }

    /// The peer posted a frame here, under the reading end's settings
    /// `m`: `Some(rx-usecs)` if it may wait, `None` if it is to be
    /// notified at once.
    pub(crate) fn posted(&self, m: &RxModeration) -> Option<u32> {
        let usecs = m.usecs.load(Ordering::Relaxed);
        if usecs == 0 {
            return None;
        }
        if !m.adaptive.load(Ordering::Relaxed) {
            return Some(usecs);
        }
        let now = Ktime::ktime_get().to_ns() as u64;
        let last = self.last_post.swap(now, Ordering::Relaxed);
        let answered =
            self.answered.load(Ordering::Relaxed) && self.answered.swap(false, Ordering::Relaxed);
        let sparse = now.wrapping_sub(last) >= m.gap_ns.load(Ordering::Relaxed);
        (!answered && !sparse).then_some(usecs)
    }

    /// A frame that may wait, with notifications unmasked, joins the
    /// waiting ones.
    pub(crate) fn wait(&self, m: &RxModeration) -> Wait {
        let n = self.waiting.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
        if n >= m.bound.load(Ordering::Relaxed) {
            Wait::Enough
        } else if n == 1 {
            Wait::First
        } else {
            Wait::More
        }
    }

    /// The reading end transmits on this queue (tx.rs): the peer's next
    /// frame here answers it, and is notified at once under adaptive
    /// moderation.
    pub(crate) fn answering(&self) {
        if !self.answered.load(Ordering::Relaxed) {
            self.answered.store(true, Ordering::Relaxed);
        }
    }
}
