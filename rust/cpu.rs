// SPDX-License-Identifier: GPL-2.0

//! CPUs and the tick: which CPU this code runs on, how many CPU numbers
//! there are, and the jiffies clock.
//!
//! C headers: [`include/linux/smp.h`](srctree/include/linux/smp.h),
//! [`include/linux/cpumask.h`](srctree/include/linux/cpumask.h),
//! [`include/linux/jiffies.h`](srctree/include/linux/jiffies.h).
//!
//! Every value here is a reading, not a guarantee: a task that can be
//! preempted may run on another CPU by the time it looks at
//! [`this_cpu`]'s answer. The driver uses them as hints (where to steer a
//! poll), never to index memory that only one CPU may touch.

use super::bindings;

/// The number of the CPU this runs on (`raw_smp_processor_id()`); below
/// [`nr_cpu_ids`].
pub(crate) fn this_cpu() -> u32 {
    // SAFETY: reads the running CPU's number; no precondition (the raw
    // variant does not assert that preemption is off).
    unsafe { bindings::zcpair_this_cpu() }
}

/// One more than the highest possible CPU number (`nr_cpu_ids`), fixed
/// after boot.
pub(crate) fn nr_cpu_ids() -> u32 {
    // SAFETY: reads a variable set during boot.
    unsafe { bindings::zcpair_nr_cpu_ids() }
}

/// Whether CPU `cpu` is online (false for numbers past [`nr_cpu_ids`]).
pub(crate) fn online(cpu: u32) -> bool {
    // SAFETY: reads the online mask; the helper bounds-checks `cpu`.
    unsafe { bindings::zcpair_cpu_online(cpu) }
}

/// The jiffies clock (an `unsigned long`: on 64-bit machines it never
/// wraps; it starts 5 minutes' worth of ticks below 2^32).
pub(crate) fn jiffies() -> u64 {
    // SAFETY: a `READ_ONCE()` of the kernel's tick counter.
    unsafe { bindings::zcpair_jiffies() as u64 }
}

/// Ticks per second (`HZ`).
pub(crate) fn hz() -> u32 {
    // SAFETY: returns a compile-time constant of the kernel.
    unsafe { bindings::zcpair_hz() }
}
