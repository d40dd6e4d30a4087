// SPDX-License-Identifier: GPL-2.0

//! Steering: on which CPU a notification schedules the reader's poll.
//!
//! A notification is the pair's interrupt. By default it schedules the
//! reader's poll on the CPU that raises it, where it runs as soon as the
//! sender re-enables bottom halves: no IPI and no wake-up, the shortest
//! way from one end to the other (the request/response rows of
//! Documentation/performance.md). Under load that same CPU does all the
//! work of both ends, one frame after the other, while other CPUs idle.
//!
//! So each pair keeps, per CPU, how many frames that CPU transmitted
//! through it in the current tick. With the sending end's `steer-pps` set
//! (genl, per end), a CPU that sent more than that many frames per
//! second's worth in a tick is *busy* for the two ticks that follow. When
//! a busy CPU notifies, the poll goes to the next online CPU (in number
//! order, wrapping) that is not busy sending through the pair, by a
//! cross-CPU call there ([`Napi::schedule_on`], an IPI): the sender keeps
//! sending while that CPU receives, as a NIC's interrupt lands on the CPU
//! its affinity names. When every CPU is busy (one pktgen thread per CPU,
//! say) the poll stays where it is: moving it would only add an IPI to a
//! CPU that has its own frames to send. As the load goes, so does the
//! steering, within two ticks.
//!
//! Off by default (`steer-pps` 0). It pays where the receiving side is
//! the stack alone (frames forwarded or dropped, as pktgen's are: 2.2
//! times the frames per second in Documentation/performance.md), and
//! costs where a local socket reads them: the sender, no longer slowed by
//! the receive work, outruns the reading process, whose CPU now also runs
//! the polls, and most datagrams die in the socket's full buffer (UDP
//! 64 B: 77 % loss and less than half the datagrams received). The driver
//! cannot tell the two apart; the administrator can.
//!
//! The per-CPU records are hints, read and written without locks: a
//! sender that migrates between reading its CPU number and writing its
//! record only miscounts a frame.
//!
//! [`Napi::schedule_on`]: crate::knet::napi::Napi::schedule_on

use crate::knet::cpu;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use kernel::prelude::*;

/// How many ticks a busy CPU stays busy after its last busy tick.
const BUSY_TICKS: u64 = 2;

/// One CPU's record (its own cache line: each CPU writes only its own).
#[repr(align(64))]
#[derive(Default)]
struct CpuLoad {
    /// The tick `frames` counts in.
    tick: AtomicU64,
    /// Frames this CPU transmitted through the pair in `tick`.
    frames: AtomicU32,
    /// The CPU is busy before this tick.
    busy_until: AtomicU64,
}

/// The per-CPU transmit load of a pair.
pub(crate) struct Steer {
    cpus: KVec<CpuLoad>,
    /// Ticks per second.
    hz: u32,
}

impl Steer {
    pub(crate) fn new() -> Result<Self> {
        let n = cpu::nr_cpu_ids() as usize;
        let mut cpus = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            cpus.push(CpuLoad::default(), GFP_KERNEL)?;
        }
        Ok(Self {
            cpus,
            hz: cpu::hz(),
        })
    }

    /// Counts a frame transmitted from this CPU by an end whose
    /// `steer-pps` is `pps` (0: not counted, the CPU never busy).
    pub(crate) fn sent(&self, pps: u32) {
        if pps == 0 {
            return;
        }
        let Some(l) = self.cpus.get(cpu::this_cpu() as usize) else {
            return;
        };
        let now = cpu::jiffies();
        let n = if l.tick.load(Ordering::Relaxed) != now {
            l.tick.store(now, Ordering::Relaxed);
            1
        } else {
            l.frames.load(Ordering::Relaxed).wrapping_add(1)
        };
        l.frames.store(n, Ordering::Relaxed);
        // `hz` is never 0; `checked_div` keeps a panic path out.
        if n == pps.checked_div(self.hz).unwrap_or(pps).max(1) {
            l.busy_until.store(now + 1 + BUSY_TICKS, Ordering::Relaxed);
        }
    }

    fn busy(l: &CpuLoad, now: u64) -> bool {
        l.busy_until.load(Ordering::Relaxed) > now
    }

    /// Where a notification raised on this CPU should schedule the
    /// reader's poll: `None` for here, or another CPU that is not busy
    /// while this one is.
    pub(crate) fn target(&self) -> Option<u32> {
        let me = cpu::this_cpu() as usize;
        let now = cpu::jiffies();
        if !Self::busy(self.cpus.get(me)?, now) {
            return None;
        }
        // The CPUs after this one, then those before it.
        let after = self.cpus.iter().enumerate().skip(me + 1);
        let before = self.cpus.iter().enumerate().take(me);
        Iterator::chain(after, before)
            .find(|(c, l)| !Self::busy(l, now) && cpu::online(*c as u32))
            .map(|(c, _)| c as u32)
    }
}
