// SPDX-License-Identifier: GPL-2.0

//! Network devices.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/etherdevice.h`](srctree/include/linux/etherdevice.h).

use super::bindings;
use super::callback;
use super::napi::{Napi, PollCtx};
use super::rtnl_lock::Rtnl;
use super::skb::{RxSkb, SkBuff};
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::build_error;
use kernel::error::{from_result, to_result, VTABLE_DEFAULT_ERROR};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::types::{ARef, AlwaysRefCounted, Opaque};

/// Link statistics reported by `ndo_get_stats64` (`ip -s link`).
#[derive(Default, Clone, Copy)]
pub(crate) struct Stats64 {
    pub(crate) rx_packets: u64,
    pub(crate) rx_bytes: u64,
    pub(crate) tx_packets: u64,
    pub(crate) tx_bytes: u64,
    pub(crate) rx_dropped: u64,
    pub(crate) tx_dropped: u64,
}

/// The statistics of one receive queue (`struct netdev_queue_stats_rx`,
/// include/net/netdev_queues.h; their meaning is the netdev family's YNL
/// spec, `qstats`). A counter the driver does not collect stays `None`
/// and is not reported.
#[derive(Clone, Copy, Default)]
pub(crate) struct RxQueueStats {
    pub(crate) packets: Option<u64>,
    pub(crate) bytes: Option<u64>,
    /// Buffers the driver failed to allocate.
    pub(crate) alloc_fail: Option<u64>,
    /// Frames that entered the device and never left it.
    pub(crate) hw_drops: Option<u64>,
}

/// The statistics of one transmit queue (`struct netdev_queue_stats_tx`),
/// as [`RxQueueStats`].
#[derive(Clone, Copy, Default)]
pub(crate) struct TxQueueStats {
    pub(crate) packets: Option<u64>,
    pub(crate) bytes: Option<u64>,
    /// Frames that reached the device and never left it.
    pub(crate) hw_drops: Option<u64>,
    /// Times the queue was stopped because it was full.
    pub(crate) stop: Option<u64>,
    /// Times it was woken again.
    pub(crate) wake: Option<u64>,
}

/// The sum of two counters the driver collects (`None`: not collected).
fn add_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

impl RxQueueStats {
    /// Field by field sum (queues taken together).
    pub(crate) fn add(&self, o: &Self) -> Self {
        Self {
            packets: add_opt(self.packets, o.packets),
            bytes: add_opt(self.bytes, o.bytes),
            alloc_fail: add_opt(self.alloc_fail, o.alloc_fail),
            hw_drops: add_opt(self.hw_drops, o.hw_drops),
        }
    }

    /// Writes the collected counters, leaving the others as they are (the
    /// core preset them to "not collected").
    fn write(&self, s: &mut bindings::netdev_queue_stats_rx) {
        let set = |f: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *f = v;
            }
        };
        set(&mut s.packets, self.packets);
        set(&mut s.bytes, self.bytes);
        set(&mut s.alloc_fail, self.alloc_fail);
        set(&mut s.hw_drops, self.hw_drops);
    }
}

impl TxQueueStats {
    /// Field by field sum (queues taken together).
    pub(crate) fn add(&self, o: &Self) -> Self {
        Self {
            packets: add_opt(self.packets, o.packets),
            bytes: add_opt(self.bytes, o.bytes),
            hw_drops: add_opt(self.hw_drops, o.hw_drops),
            stop: add_opt(self.stop, o.stop),
            wake: add_opt(self.wake, o.wake),
        }
    }

    /// As [`RxQueueStats::write`].
    fn write(&self, s: &mut bindings::netdev_queue_stats_tx) {
        let set = |f: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *f = v;
            }
        };
        set(&mut s.packets, self.packets);
        set(&mut s.bytes, self.bytes);
        set(&mut s.hw_drops, self.hw_drops);
        set(&mut s.stop, self.stop);
        set(&mut s.wake, self.wake);
    }
}

/// What `ndo_start_xmit` did with a frame: it always takes the frame over
/// (sent or dropped), so the queue never sees `NETDEV_TX_BUSY`.
pub(crate) struct Sent;

/// A network device driver: its private state and `net_device_ops`.
///
/// Every callback receives the device as `&Device<Self>`, whose private
/// state is `Self::Data` (see [`Device::data`]). Callbacks a driver leaves
/// out are absent from its ops table, as in C. The other tables are
/// separate traits: [`NapiPoll`] here, `EthtoolOps` (ethtool.rs) and
/// `LinkOps` (rtnl.rs).
#[vtable]
pub(crate) trait Driver: Sized + Send + Sync + 'static {
    /// Per-device private state.
    type Data: Send + Sync;

    /// Smallest MTU.
    const MIN_MTU: u32;
    /// Largest MTU.
    const MAX_MTU: u32;
    /// `NETIF_F_*` features the device offers (and has on by default).
    const FEATURES: u64;

    /// `ndo_init`: the device is being registered (rtnl held).
    fn init(_dev: &Device<Self>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_uninit`: the device is being unregistered (rtnl held).
    fn uninit(_dev: &Device<Self>, _rtnl: &Rtnl) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_open` (rtnl held).
    fn open(_dev: &Device<Self>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_stop` (rtnl held).
    fn stop(_dev: &Device<Self>, _rtnl: &Rtnl) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_start_xmit` (BH disabled).
    fn start_xmit(dev: &Device<Self>, skb: SkBuff) -> Sent;
    /// `ndo_change_mtu` (rtnl held): whether the MTU may become `mtu`
    /// (already checked against the device's minimum and maximum by the
    /// core); on `Ok` the adapter sets it.
    fn change_mtu(_dev: &Device<Self>, _mtu: u32, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_get_stats64` (any context, no sleeping).
    fn stats64(_dev: &Device<Self>) -> Stats64 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `ndo_get_iflink`: the ifindex of the device this one is linked to
    /// (RCU).
    fn iflink(_dev: &Device<Self>) -> i32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `netdev_stat_ops.get_queue_stats_rx` (rtnl held): receive queue
    /// `idx`, one of the device's live queues. A driver that has this has
    /// [`Driver::queue_stats_tx`] and [`Driver::base_stats`] too: the three
    /// make the device's `netdev_stat_ops`, which the netdev family's
    /// `qstats-get` reads.
    fn queue_stats_rx(_dev: &Device<Self>, _idx: u32) -> RxQueueStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `netdev_stat_ops.get_queue_stats_tx` (rtnl held).
    fn queue_stats_tx(_dev: &Device<Self>, _idx: u32) -> TxQueueStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `netdev_stat_ops.get_base_stats` (rtnl held): what the device
    /// counted outside its live queues (0 for each counter the queues hold
    /// in full), so that base plus queues is the device's total.
    fn base_stats(_dev: &Device<Self>) -> (RxQueueStats, TxQueueStats) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The poll function of the NAPI instances a driver attaches to its
/// devices ([`Device::attach_napi`]).
pub(crate) trait NapiPoll: Driver {
    /// Polls: returns the work done (at most `ctx.budget()`).
    fn poll(dev: &Device<Self>, ctx: PollCtx<'_>) -> i32;
}

/// The private area of a device of driver `D` (`netdev_priv()`).
///
/// # Invariants
///
/// `data` is written only while the device is invisible to other threads:
/// before it is registered, or after it is unregistered and an RCU grace
/// period has passed (in the destructor). In between it is only read.
struct Slot<T> {
    data: UnsafeCell<Option<T>>,
}

/// A network device of driver `D`.
///
/// # Invariants
///
/// The wrapped `struct net_device` is live, was allocated with `D`'s
/// `rtnl_link_ops` (its private area is a `Slot<D::Data>` initialised in
/// `setup`).
#[repr(transparent)]
pub(crate) struct Device<D: Driver>(Opaque<bindings::net_device>, PhantomData<D>);

impl<D: Driver> Device<D> {
    /// # Safety
    ///
    /// `dev` must point to a live device of driver `D` that stays live for
    /// the returned lifetime.
    pub(crate) unsafe fn from_raw<'a>(dev: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper; the caller guarantees
        // liveness and the driver.
        unsafe { &*(dev as *const Self) }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    fn slot(&self) -> &Slot<D::Data> {
        // SAFETY: by the type invariant the private area holds an
        // initialised `Slot<D::Data>` that lives as long as the device.
        unsafe { &*(bindings::zcpair_netdev_priv(self.as_raw()) as *const Slot<D::Data>) }
    }

    /// The driver's private state; `None` until the driver set it while
    /// creating the device.
    pub(crate) fn data(&self) -> Option<&D::Data> {
        // SAFETY: by the `Slot` invariant nobody writes `data` while the
        // device can be reached through a `&Device` by other threads; the
        // writers below take `&mut`-like exclusive paths.
        unsafe { (*self.slot().data.get()).as_ref() }
    }

    /// Sets the private state of a device that is not registered yet.
    ///
    /// # Safety
    ///
    /// The device must not be registered (nothing else reads the slot).
    pub(crate) unsafe fn set_data(&self, data: D::Data) {
        // SAFETY: the caller guarantees exclusive access (see `Slot`).
        unsafe { *self.slot().data.get() = Some(data) };
    }

    /// Drops the private state.
    ///
    /// # Safety
    ///
    /// The device must be unregistered with an RCU grace period passed, or
    /// never registered (nothing else reads the slot).
    pub(crate) unsafe fn drop_data(&self) {
        // SAFETY: the caller guarantees exclusive access (see `Slot`).
        let data = unsafe { (*self.slot().data.get()).take() };
        drop(data);
    }

    /// The interface index.
    pub(crate) fn ifindex(&self) -> i32 {
        // SAFETY: by the type invariant the device is live.
        unsafe { (*self.as_raw()).ifindex }
    }

    /// The device's name. Stable while the rtnl lock is held.
    pub(crate) fn name(&self) -> &CStr {
        // SAFETY: by the type invariant the device is live; `name` is a
        // NUL-terminated array inside it.
        unsafe { CStr::from_char_ptr(bindings::zcpair_netdev_name(self.as_raw())) }
    }

    /// The network namespace the device is in (stable under rtnl).
    pub(crate) fn net(&self) -> &Net {
        // SAFETY: the device is live and holds its netns while it is in it.
        unsafe { Net::from_raw(bindings::zcpair_dev_net(self.as_raw())) }
    }

    /// Whether the device is administratively up (`netif_running()`).
    pub(crate) fn is_running(&self) -> bool {
        // SAFETY: by the type invariant the device is live.
        unsafe { bindings::zcpair_netif_running(self.as_raw()) }
    }

    /// Signals carrier (any context).
    pub(crate) fn carrier_on(&self) {
        // SAFETY: by the type invariant the device is live.
        unsafe { bindings::netif_carrier_on(self.as_raw()) };
    }

    /// Signals loss of carrier (any context).
    pub(crate) fn carrier_off(&self) {
        // SAFETY: by the type invariant the device is live.
        unsafe { bindings::netif_carrier_off(self.as_raw()) };
    }

    /// Starts every transmit queue (`ndo_open`).
    pub(crate) fn start_queues(&self) {
        // SAFETY: by the type invariant the device is live.
        unsafe { bindings::zcpair_netif_tx_start_all_queues(self.as_raw()) };
    }

    /// Stops every queue and waits for running transmits to end
    /// (`ndo_stop`).
    pub(crate) fn tx_disable(&self) {
        // SAFETY: by the type invariant the device is live.
        unsafe { bindings::zcpair_netif_tx_disable(self.as_raw()) };
    }

    /// How many transmit queues the device was allocated with
    /// (`numtxqueues`); fixed for its life.
    pub(crate) fn num_tx_queues(&self) -> u32 {
        // SAFETY: by the type invariant the device is live; the field is
        // set at allocation and never changes.
        unsafe { (*self.as_raw()).num_tx_queues }
    }

    /// How many receive queues it was allocated with (`numrxqueues`).
    pub(crate) fn num_rx_queues(&self) -> u32 {
        // SAFETY: as `num_tx_queues`.
        unsafe { (*self.as_raw()).num_rx_queues }
    }

    /// How many transmit queues are in use (`real_num_tx_queues`).
    pub(crate) fn real_num_tx_queues(&self) -> u32 {
        // SAFETY: the device is live; the field changes only under rtnl,
        // and a racy read is a valid (old or new) count.
        unsafe { core::ptr::read_volatile(&(*self.as_raw()).real_num_tx_queues) }
    }

    /// How many receive queues are in use (`real_num_rx_queues`).
    pub(crate) fn real_num_rx_queues(&self) -> u32 {
        // SAFETY: as `real_num_tx_queues`.
        unsafe { core::ptr::read_volatile(&(*self.as_raw()).real_num_rx_queues) }
    }

    /// Sets how many transmit and receive queues are in use
    /// (`netif_set_real_num_queues()`), each from 1 to the number the
    /// device was allocated with.
    pub(crate) fn set_real_num_queues(&self, _rtnl: &Rtnl, tx: u32, rx: u32) -> Result {
        if tx == 0 || rx == 0 || tx > self.num_tx_queues() || rx > self.num_rx_queues() {
            return Err(EINVAL);
        }
        // SAFETY: the device is live and rtnl is held (`_rtnl`); the
        // counts are within what it was allocated with.
        to_result(unsafe { bindings::netif_set_real_num_queues(self.as_raw(), tx, rx) })
    }

    /// Transmit queue `index` (`netdev_get_tx_queue()`), if the device has
    /// it.
    pub(crate) fn txq(&self, index: u32) -> Option<TxQueue<'_, D>> {
        if index >= self.num_tx_queues() {
            return None;
        }
        // SAFETY: the device is live and `index` is below its number of
        // transmit queues: the queue lives as long as the device.
        let raw = unsafe { bindings::zcpair_netdev_txq(self.as_raw(), index) };
        // INVARIANT: a queue of `self`, live as long as it.
        NonNull::new(raw).map(|raw| TxQueue {
            raw,
            _dev: PhantomData,
        })
    }

    /// Whether the stack has more frames for us right after this one
    /// (only meaningful inside `start_xmit`).
    pub(crate) fn xmit_more(&self) -> bool {
        // SAFETY: reads per-CPU state; no precondition.
        unsafe { bindings::zcpair_netdev_xmit_more() }
    }

    /// Attaches `napi` to this device, with [`Driver::poll`] as its poll
    /// (`ndo_init`); `EBUSY` if it is attached already.
    pub(crate) fn attach_napi(&self, napi: &Napi) -> Result
    where
        D: NapiPoll,
    {
        let dev = NonNull::new(self.as_raw()).ok_or(EINVAL)?;
        // SAFETY: the device is live (type invariant); `poll_trampoline`
        // builds a `PollCtx` only for the instance it is called with.
        unsafe { napi.attach_raw(dev, poll_trampoline::<D>) }
    }

    /// Length of the frame's protocol headers (L2, VLAN, L3 with IPv4
    /// options or IPv6 extension headers, L4) as the kernel's flow
    /// dissector finds them in the linear area (`eth_get_headlen()`).
    pub(crate) fn headers_len(&self, skb: &SkBuff) -> usize {
        let linear = skb.linear();
        // SAFETY: the device is live; `linear` is readable for its length.
        unsafe {
            bindings::eth_get_headlen(self.as_raw(), linear.as_ptr().cast(), linear.len() as u32)
                as usize
        }
    }

    /// The `NETIF_F_*` features in use (`dev->features`, changed under
    /// rtnl: a reader outside it sees the old set or the new one).
    pub(crate) fn features(&self) -> u64 {
        // SAFETY: the device is live; the field is a plain integer.
        unsafe { core::ptr::read_volatile(&(*self.as_raw()).features) }
    }

    /// Receives a frame built in the poll `ctx`: sets its protocol from the
    /// Ethernet header (`eth_type_trans()`) and hands it to GRO, or, when
    /// GRO could only pass it on unmerged ([`gro_may_hold`]), straight to
    /// the poll's list of frames for the stack, where GRO would have put
    /// it: same order, without the protocols' GRO handlers looking at it
    /// first. Returns whether GRO merged it into another; `EINVAL` (the
    /// frame dropped) if its linear part is shorter than an Ethernet
    /// header.
    pub(crate) fn receive(&self, skb: RxSkb, ctx: &PollCtx<'_>) -> Result<bool> {
        let skb = skb.into_skb();
        if skb.linear().len() < ETH_HLEN {
            return Err(EINVAL);
        }
        let gro = gro_may_hold(skb.linear(), self.features());
        let skb = skb.into_raw();
        // SAFETY: we own the live skb, whose linear part holds an Ethernet
        // header (checked), and the device is live.
        unsafe { bindings::zcpair_skb_set_protocol_eth(skb, self.as_raw()) };
        if !gro {
            // SAFETY: `ctx` proves we are in the poll of its instance, whose
            // list this is; the list takes the skb over.
            unsafe { bindings::zcpair_napi_receive_normal(ctx.as_raw(), skb) };
            return Ok(false);
        }
        // SAFETY: `ctx` proves we are in the poll of its instance; GRO
        // takes the skb over.
        let res = unsafe { bindings::napi_gro_receive(ctx.as_raw(), skb) };
        Ok(matches!(
            res,
            bindings::gro_result_GRO_MERGED | bindings::gro_result_GRO_MERGED_FREE
        ))
    }
}

/// Whether GRO (net/core/gro.c and the protocols' `gro_receive`
/// handlers) could hold `frame` to merge a later frame into it, judged
/// from its first bytes and the receiving device's `features`; `false`
/// only where GRO is sure to pass it on unmerged (`GRO_NORMAL`):
/// - GRO off (`netif_elide_gro()`);
/// - ARP, ICMP, ICMPv6: no GRO handler (`inet_offloads[]`,
///   `inet6_offloads[]`, the offload list of net/core/gro.c);
/// - IPv4 with options or a fragment (`inet_gro_receive()` flushes them);
/// - UDP, unless a socket asked for GRO or encapsulation (UDP_GRO, a
///   tunnel) or the device merges forwarded UDP (`rx-udp-gro-forwarding`,
///   `rx-gro-list`): `udp_gro_receive()` passes the rest on.
///
/// Anything else (TCP, tunnels, VLAN, a frame too short to tell) goes to
/// GRO, which decides.
fn gro_may_hold(frame: &[u8], features: u64) -> bool {
    use features::bit;
    if features & bit(bindings::NETIF_F_GRO_BIT) == 0 {
        return false;
    }
    let udp = || {
        let forwards =
            bit(bindings::NETIF_F_GRO_FRAGLIST_BIT) | bit(bindings::NETIF_F_GRO_UDP_FWD_BIT);
        // SAFETY: reads two static keys.
        features & forwards != 0 || unsafe { bindings::zcpair_udp_encap_needed() }
    };
    let Some(&[t0, t1]) = frame.get(12..14) else {
        return true;
    };
    match u32::from(u16::from_be_bytes([t0, t1])) {
        bindings::ETH_P_ARP => false,
        bindings::ETH_P_IP => {
            let Some(ip) = frame.get(ETH_HLEN..ETH_HLEN + 20) else {
                return true;
            };
            // Version 4, 20 bytes, not a fragment (MF or an offset).
            if ip[0] != 0x45 || u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0 {
                return false;
            }
            match u32::from(ip[9]) {
                bindings::IPPROTO_ICMP => false,
                bindings::IPPROTO_UDP => udp(),
                _ => true,
            }
        }
        bindings::ETH_P_IPV6 => {
            let Some(ip) = frame.get(ETH_HLEN..ETH_HLEN + 40) else {
                return true;
            };
            match u32::from(ip[6]) {
                bindings::IPPROTO_ICMPV6 => false,
                bindings::IPPROTO_UDP => udp(),
                _ => true,
            }
        }
        _ => true,
    }
}

/// A transmit queue of a device (`struct netdev_queue`,
/// include/linux/netdevice.h): its stop/wake state, byte queue limits and
/// qdisc.
///
/// # Invariants
///
/// `raw` is a transmit queue of the device borrowed for `'a`, live as long
/// as it.
pub(crate) struct TxQueue<'a, D: Driver> {
    raw: NonNull<bindings::netdev_queue>,
    _dev: PhantomData<&'a Device<D>>,
}

impl<D: Driver> TxQueue<'_, D> {
    fn as_raw(&self) -> *mut bindings::netdev_queue {
        self.raw.as_ptr()
    }

    /// Stops the queue (from its transmit path).
    pub(crate) fn stop(&self) {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_stop(self.as_raw()) };
    }

    /// Restarts a stopped queue and reschedules its qdisc.
    pub(crate) fn wake(&self) {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_wake(self.as_raw()) };
    }

    /// Whether the queue is stopped (by the driver).
    pub(crate) fn stopped(&self) -> bool {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_stopped(self.as_raw()) }
    }

    /// Whether the stack sends nothing more to the queue: stopped by the
    /// driver or by byte queue limits (`netif_xmit_stopped()`).
    pub(crate) fn xmit_stopped(&self) -> bool {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_xmit_stopped(self.as_raw()) }
    }

    /// Whether the queue has a qdisc that holds frames back while it is
    /// stopped. Not with `noqueue` (our default, as for every
    /// `IFF_NO_QUEUE` device): there a stopped queue makes the stack drop
    /// frames with `-ENETDOWN`, so the driver must never stop it, and byte
    /// queue limits (which stop it) must not be used. Meaningful in
    /// `start_xmit` and under [`TxQueue::with_xmit_lock`], where the qdisc
    /// cannot change.
    pub(crate) fn has_qdisc(&self) -> bool {
        // SAFETY: the queue is live; the helper reads the qdisc under RCU.
        unsafe { bindings::zcpair_txq_has_qdisc(self.as_raw()) }
    }

    /// Runs `f` holding the queue's transmit lock, as `start_xmit` runs:
    /// for the byte queue limit calls made outside it. Call with bottom
    /// halves disabled (a NAPI poll), never from `start_xmit` of the same
    /// queue.
    pub(crate) fn with_xmit_lock<R>(&self, f: impl FnOnce(&Self) -> R) -> R {
        // SAFETY: the queue is live; the lock is released below.
        unsafe { bindings::zcpair_txq_lock(self.as_raw()) };
        let r = f(self);
        // SAFETY: taken just above.
        unsafe { bindings::zcpair_txq_unlock(self.as_raw()) };
        r
    }

    /// BQL: `bytes` were queued to the ring. Returns whether the peer must
    /// be notified now (no more frames coming, or BQL stopped the queue).
    /// Under the queue's transmit lock (`start_xmit`, or
    /// [`TxQueue::with_xmit_lock`]).
    pub(crate) fn bql_sent(&self, bytes: u32, more: bool) -> bool {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_sent(self.as_raw(), bytes, more) }
    }

    /// BQL: `pkts` frames of `bytes` left the ring.
    pub(crate) fn bql_completed(&self, pkts: u32, bytes: u32) {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_completed(self.as_raw(), pkts, bytes) };
    }

    /// BQL: forget everything in flight (the ring was emptied).
    pub(crate) fn bql_reset(&self) {
        // SAFETY: the queue is live (type invariant).
        unsafe { bindings::zcpair_txq_reset(self.as_raw()) };
    }
}

const ETH_HLEN: usize = bindings::ETH_HLEN as usize;

/// The C poll function of a NAPI instance attached by
/// [`Device::attach_napi`].
///
/// # Safety
///
/// Only called by the kernel as a NAPI poll function, for an instance
/// attached to a live device of driver `D`.
unsafe extern "C" fn poll_trampoline<D: NapiPoll>(
    napi: *mut bindings::napi_struct,
    budget: i32,
) -> i32 {
    // SAFETY: the C side calls this with an attached instance, whose
    // `dev` is the live device it was attached to.
    let dev = unsafe { bindings::zcpair_napi_dev(napi) };
    // SAFETY: the instance was attached by `Device::<D>::attach_napi`, so
    // its device is one of `D`'s, live during the poll.
    let dev = unsafe { Device::<D>::from_raw(dev) };
    let Some(raw) = NonNull::new(napi) else {
        return 0;
    };
    // SAFETY: we are that instance's poll, and `attach_napi` attached it
    // as a `Napi`'s `inner` field; the context lives only for the call of
    // `D::poll`, which receives it by value.
    let ctx = unsafe { PollCtx::new(raw, budget) };
    D::poll(dev, ctx).clamp(0, budget)
}

/// A counted reference to a device of driver `D` (`dev_hold()`), which
/// keeps its `struct net_device` from being freed; `ARef::from(&dev)`
/// takes one, `clone` another.
pub(crate) type DeviceRef<D> = ARef<Device<D>>;

// SAFETY: `dev_hold()`/`dev_put()` are the device's reference count: a
// `&Device` is live, so taking a reference is allowed, and the device is not
// freed while one is held.
unsafe impl<D: Driver> AlwaysRefCounted for Device<D> {
    fn inc_ref(&self) {
        // SAFETY: the device is live (type invariant).
        unsafe { bindings::zcpair_dev_hold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller gives up a reference it holds on a live device.
        unsafe { bindings::zcpair_dev_put(obj.as_ptr().cast()) };
    }
}

// SAFETY: a device may be referenced and released from any CPU, and all
// of `Device`'s methods may be called concurrently (the private state is
// written only while no other thread can reach the device, see `Slot`).
unsafe impl<D: Driver> Send for Device<D> {}
// SAFETY: as above.
unsafe impl<D: Driver> Sync for Device<D> {}

/// A network namespace (`struct net`).
///
/// # Invariants
///
/// The wrapped `struct net` is live for the lifetime of the reference.
#[repr(transparent)]
pub(crate) struct Net(Opaque<bindings::net>);

impl Net {
    /// # Safety
    ///
    /// `raw` is a live netns for the returned lifetime.
    pub(crate) unsafe fn from_raw<'a>(raw: *mut bindings::net) -> &'a Net {
        // SAFETY: `Net` is a transparent wrapper; the caller guarantees
        // liveness.
        unsafe { &*(raw as *const Net) }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// Whether `self` and `other` are the same namespace.
    pub(crate) fn is(&self, other: &Net) -> bool {
        core::ptr::eq(self, other)
    }

    /// The id `other` has in this namespace (`peernet2id_alloc()`, as
    /// `ip link` shows as link-netnsid), allocated if it has none.
    pub(crate) fn id_of(&self, other: &Net, _rtnl: &Rtnl) -> i32 {
        // SAFETY: both namespaces are live (type invariant); rtnl is held
        // as `rtnl_fill_ifinfo()` holds it for the same call.
        unsafe {
            bindings::peernet2id_alloc(self.as_raw(), other.as_raw(), kernel::bindings::GFP_KERNEL)
        }
    }

    /// Whether the calling task has `CAP_NET_ADMIN` over this netns (in the
    /// user namespace that owns it), as rtnetlink asks of whoever changes a
    /// device there. From process context (a netlink request).
    pub(crate) fn caller_is_admin(&self) -> bool {
        // SAFETY: the netns is live (type invariant); `ns_capable` checks
        // the current task's credentials.
        unsafe { bindings::zcpair_net_admin_capable(self.as_raw()) }
    }
}

/// Runs `f` with bottom halves disabled, as process-context code must when
/// it shares locks with NAPI polls and the transmit path.
pub(crate) fn with_bh_disabled<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: balanced with the enable below.
    unsafe { bindings::zcpair_local_bh_disable() };
    let r = f();
    // SAFETY: balances the disable above.
    unsafe { bindings::zcpair_local_bh_enable() };
    r
}

/// The C callbacks of driver `D`.
pub(crate) struct Adapter<D: Driver>(PhantomData<D>);

impl<D: Driver> Adapter<D> {
    const NETDEV_OPS: bindings::net_device_ops = bindings::net_device_ops {
        ndo_init: callback(D::HAS_INIT, Self::init),
        ndo_uninit: callback(D::HAS_UNINIT, Self::uninit),
        ndo_open: callback(D::HAS_OPEN, Self::open),
        ndo_stop: callback(D::HAS_STOP, Self::stop),
        ndo_start_xmit: Some(Self::start_xmit),
        ndo_get_stats64: callback(D::HAS_STATS64, Self::get_stats64),
        ndo_get_iflink: callback(D::HAS_IFLINK, Self::get_iflink),
        ndo_change_mtu: callback(D::HAS_CHANGE_MTU, Self::change_mtu),
        ndo_set_mac_address: Some(bindings::eth_mac_addr),
        ndo_features_check: Some(bindings::passthru_features_check),
        // SAFETY: all-zero is a valid net_device_ops (no callbacks).
        ..unsafe { core::mem::zeroed() }
    };

    const STAT_OPS: bindings::netdev_stat_ops = bindings::netdev_stat_ops {
        get_queue_stats_rx: callback(D::HAS_QUEUE_STATS_RX, Self::get_queue_stats_rx),
        get_queue_stats_tx: callback(D::HAS_QUEUE_STATS_TX, Self::get_queue_stats_tx),
        get_base_stats: callback(D::HAS_BASE_STATS, Self::get_base_stats),
    };

    /// The device's `netdev_stat_ops`, if the driver has all three (the
    /// core calls the queue callbacks without checking them).
    const fn stat_ops() -> *const bindings::netdev_stat_ops {
        if D::HAS_QUEUE_STATS_RX && D::HAS_QUEUE_STATS_TX && D::HAS_BASE_STATS {
            &Self::STAT_OPS
        } else {
            core::ptr::null()
        }
    }

    /// The part of `rtnl_link_ops.setup` that is ours: called by the link
    /// kind's `setup` on a fresh, zeroed device whose private area is
    /// `priv_size::<D>()` bytes, with the driver's ethtool ops (or NULL).
    ///
    /// # Safety
    ///
    /// Only from `rtnl_link_ops.setup` of a kind whose devices are `D`'s;
    /// `ethtool_ops` is NULL or a `'static` table.
    pub(crate) unsafe fn setup(
        dev: *mut bindings::net_device,
        ethtool_ops: *const bindings::ethtool_ops,
    ) {
        // SAFETY: the private area is `sizeof(Slot<D::Data>)` bytes (our
        // `priv_size`), suitably aligned (NETDEV_ALIGN) and unused so far.
        unsafe {
            let slot = bindings::zcpair_netdev_priv(dev) as *mut Slot<D::Data>;
            slot.write(Slot {
                data: UnsafeCell::new(None),
            });
        }
        // SAFETY: `dev` is a fresh device being set up; the ops tables are
        // 'static constants.
        unsafe {
            bindings::zcpair_netdev_setup(
                dev,
                D::MIN_MTU,
                D::MAX_MTU,
                D::FEATURES,
                &Self::NETDEV_OPS,
                ethtool_ops,
                Some(Self::destructor),
                Self::stat_ops(),
            );
            bindings::zcpair_netdev_lockdep_set_classes(dev);
        }
    }

    /// `priv_destructor`: the device is unregistered and about to be freed.
    ///
    /// # Safety
    ///
    /// Only called by the kernel as the `priv_destructor` of `D`'s devices.
    unsafe extern "C" fn destructor(dev: *mut bindings::net_device) {
        // SAFETY: called once by the core for a device of ours after
        // unregistration and an RCU grace period (or on a failed
        // registration, when nobody else saw it).
        unsafe { Device::<D>::from_raw(dev).drop_data() };
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn init(dev: *mut bindings::net_device) -> i32 {
        // SAFETY: the core calls ndo_init with rtnl held on our live device.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(dev), Rtnl::assume_held()) };
        from_result(|| D::init(dev, &rtnl).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn uninit(dev: *mut bindings::net_device) {
        // SAFETY: the core calls ndo_uninit with rtnl held on our live device.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(dev), Rtnl::assume_held()) };
        D::uninit(dev, &rtnl);
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn open(dev: *mut bindings::net_device) -> i32 {
        // SAFETY: the core calls ndo_open with rtnl held on our live device.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(dev), Rtnl::assume_held()) };
        from_result(|| D::open(dev, &rtnl).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn stop(dev: *mut bindings::net_device) -> i32 {
        // SAFETY: the core calls ndo_stop with rtnl held on our live device.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(dev), Rtnl::assume_held()) };
        D::stop(dev, &rtnl);
        0
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn start_xmit(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
    ) -> bindings::netdev_tx_t {
        // SAFETY: the core hands us the skb and calls us on a live device.
        let dev = unsafe { Device::<D>::from_raw(dev) };
        // SAFETY: ndo_start_xmit owns the skb it is given.
        if let Some(skb) = unsafe { SkBuff::from_raw(skb) } {
            let Sent = D::start_xmit(dev, skb);
        }
        bindings::netdev_tx_NETDEV_TX_OK
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_stats64(
        dev: *mut bindings::net_device,
        out: *mut bindings::rtnl_link_stats64,
    ) {
        // SAFETY: the core calls us on a live device.
        let dev = unsafe { Device::<D>::from_raw(dev) };
        let s = D::stats64(dev);
        // SAFETY: all-zero is a valid rtnl_link_stats64.
        let mut st: bindings::rtnl_link_stats64 = unsafe { core::mem::zeroed() };
        st.rx_packets = s.rx_packets;
        st.rx_bytes = s.rx_bytes;
        st.tx_packets = s.tx_packets;
        st.tx_bytes = s.tx_bytes;
        st.rx_dropped = s.rx_dropped;
        st.tx_dropped = s.tx_dropped;
        // SAFETY: `out` is valid for writing (the core zeroed it); it may sit
        // in a netlink attribute with only 4-byte alignment.
        unsafe { out.write_unaligned(st) };
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_queue_stats_rx(
        dev: *mut bindings::net_device,
        idx: core::ffi::c_int,
        stats: *mut bindings::netdev_queue_stats_rx,
    ) {
        // SAFETY: the core calls us on a live device, with `stats` valid
        // for reading and writing and nobody else's for the call.
        let (dev, stats) = unsafe { (Device::<D>::from_raw(dev), &mut *stats) };
        D::queue_stats_rx(dev, idx as u32).write(stats);
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_queue_stats_tx(
        dev: *mut bindings::net_device,
        idx: core::ffi::c_int,
        stats: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: as in `get_queue_stats_rx`.
        let (dev, stats) = unsafe { (Device::<D>::from_raw(dev), &mut *stats) };
        D::queue_stats_tx(dev, idx as u32).write(stats);
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_base_stats(
        dev: *mut bindings::net_device,
        rx: *mut bindings::netdev_queue_stats_rx,
        tx: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: the core calls us on a live device, with `rx` and `tx`
        // valid for reading and writing and nobody else's for the call.
        let (dev, rx, tx) = unsafe { (Device::<D>::from_raw(dev), &mut *rx, &mut *tx) };
        let (r, t) = D::base_stats(dev);
        r.write(rx);
        t.write(tx);
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn change_mtu(raw: *mut bindings::net_device, new_mtu: i32) -> i32 {
        // SAFETY: the core calls ndo_change_mtu with rtnl held on our live
        // device.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(raw), Rtnl::assume_held()) };
        from_result(|| {
            let mtu = u32::try_from(new_mtu).map_err(|_| EINVAL)?;
            D::change_mtu(dev, mtu, &rtnl)?;
            // SAFETY: live device, rtnl held: the store the core makes
            // itself for a device without ndo_change_mtu.
            unsafe { bindings::zcpair_netdev_set_mtu_field(raw, mtu) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_iflink(dev: *const bindings::net_device) -> i32 {
        // SAFETY: the core calls us on a live device.
        let dev = unsafe { Device::<D>::from_raw(dev as *mut _) };
        D::iflink(dev)
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
        // SAFETY: `alloc_etherdev_mqs` has no preconditions; it returns NULL
        // or a new, unregistered device that we own.
        let dev = unsafe { bindings::alloc_etherdev_mqs(0, 1, 1) };
        if dev.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `dev` is live.
        let private = unsafe { bindings::zcpair_netdev_priv(dev) } as usize;
        // SAFETY: `dev` is ours, unregistered; nothing uses it afterwards.
        unsafe { bindings::free_netdev(dev) };
        // SAFETY: `zcpair_netdev_align` only returns a constant.
        let align = unsafe { bindings::zcpair_netdev_align() } as usize;
        let rust_size = core::mem::size_of::<bindings::net_device>();
        Ok(Self {
            rust_size,
            rust_priv_offset: rust_size.next_multiple_of(align),
            c_priv_offset: private - dev as usize,
        })
    }

    /// Whether the generated bindings agree with the C compiler.
    pub(crate) fn agrees(&self) -> bool {
        self.rust_size > 0 && self.rust_priv_offset == self.c_priv_offset
    }
}

/// Size of the private area a device of `D` needs.
pub(crate) const fn priv_size<D: Driver>() -> usize {
    core::mem::size_of::<Slot<D::Data>>()
}

/// `NETIF_F_*` feature sets.
pub(crate) mod features {
    use super::bindings;

    /// The mask of feature bit `b` (`NETIF_F_*_BIT`).
    pub(super) const fn bit(b: u32) -> u64 {
        1u64 << b
    }

    /// What a zcpair end offers: scatter-gather, any checksum, TSO v4/v6,
    /// UDP segmentation, high memory, receive checksum, GRO. No frag lists:
    /// the stack linearises those before they reach us.
    pub(crate) const ZCPAIR: u64 = bit(bindings::NETIF_F_SG_BIT)
        | bit(bindings::NETIF_F_HW_CSUM_BIT)
        | bit(bindings::NETIF_F_TSO_BIT)
        | bit(bindings::NETIF_F_TSO6_BIT)
        | bit(bindings::NETIF_F_TSO_ECN_BIT)
        | bit(bindings::NETIF_F_GSO_UDP_L4_BIT)
        | bit(bindings::NETIF_F_HIGHDMA_BIT)
        | bit(bindings::NETIF_F_RXCSUM_BIT)
        | bit(bindings::NETIF_F_GRO_BIT);
}
