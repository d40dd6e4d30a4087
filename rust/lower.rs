// SPDX-License-Identifier: GPL-2.0

//! Other drivers' network devices, as a zcpair end's uplink: a device of
//! any driver ([`NetDevice`]), a tracked reference to one ([`Lower`]),
//! transmitting through it, the rx handler that claims what it receives
//! ([`RxHandler`]), and the netdevice notifier that reports every device's
//! events ([`Notifier`]).
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)
//! (`netdev_hold()`, `dev_queue_xmit()`, `netdev_rx_handler_register()`,
//! `netdev_upper_dev_link()`, `dev_uc_add()`, `dev_uc_del()`,
//! `register_netdevice_notifier()`),
//! [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h)
//! (`skb_share_check()`, `skb_clone()`).

use super::bindings;
use super::netdev::{Device, Driver, Net};
use super::netlink::ExtAck;
use super::rtnl_lock::Rtnl;
use super::skb::SkBuff;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use kernel::types::Opaque;

/// An Ethernet address.
pub(crate) type MacAddr = [u8; 6];

/// `a` in a buffer of `MAX_ADDR_LEN` bytes, zero-padded: the core reads a
/// device's `addr_len` bytes of an address it is given, which for an
/// Ethernet device is 6 but is not checked here.
fn padded(a: &MacAddr) -> [u8; bindings::MAX_ADDR_LEN as usize] {
    let mut buf = [0u8; bindings::MAX_ADDR_LEN as usize];
    buf[..a.len()].copy_from_slice(a);
    buf
}

/// Whether `a` is a group (broadcast or multicast) address.
pub(crate) fn is_group(a: &MacAddr) -> bool {
    a[0] & 1 != 0
}

/// A network device of any driver.
///
/// # Invariants
///
/// The wrapped `struct net_device` is registered (or being unregistered,
/// still in the notifier chain) for the lifetime of the reference.
#[repr(transparent)]
pub(crate) struct NetDevice(Opaque<bindings::net_device>);

impl NetDevice {
    /// # Safety
    ///
    /// `raw` is a live device for the returned lifetime.
    unsafe fn from_raw<'a>(raw: *mut bindings::net_device) -> &'a Self {
        // SAFETY: transparent wrapper; the caller guarantees liveness.
        unsafe { &*(raw as *const Self) }
    }

    /// [`NetDevice::from_raw`], for the notifiers of sibling modules.
    ///
    /// # Safety
    ///
    /// `raw` is a live device for the returned lifetime.
    pub(super) unsafe fn from_live<'a>(raw: *mut bindings::net_device) -> &'a Self {
        // SAFETY: the caller's guarantee is `from_raw`'s.
        unsafe { Self::from_raw(raw) }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// The device with `ifindex` in `net` (rtnl keeps it registered for
    /// the borrow).
    pub(crate) fn by_index<'a>(net: &Net, ifindex: i32, _rtnl: &'a Rtnl) -> Option<&'a Self> {
        // SAFETY: rtnl is held; `net` is live.
        let raw = unsafe { bindings::__dev_get_by_index(net.as_raw(), ifindex) };
        if raw.is_null() {
            return None;
        }
        // SAFETY: non-null: registered, and rtnl (borrowed for 'a) keeps it.
        Some(unsafe { Self::from_raw(raw) })
    }

    /// Whether `self` and `other` are one device.
    pub(crate) fn is(&self, other: &NetDevice) -> bool {
        core::ptr::eq(self, other)
    }

    pub(crate) fn ifindex(&self) -> i32 {
        // SAFETY: live (type invariant); a plain field.
        unsafe { (*self.as_raw()).ifindex }
    }

    pub(crate) fn name(&self) -> &CStr {
        // SAFETY: live (type invariant); `name` is a NUL-terminated array.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    pub(crate) fn mtu(&self) -> u32 {
        // SAFETY: live (type invariant).
        unsafe { bindings::zcpair_netdev_mtu(self.as_raw()) }
    }

    /// Its hardware address (read without rtnl: a concurrent change may be
    /// seen half done, as the stack's own readers may).
    pub(crate) fn addr(&self) -> MacAddr {
        let mut a = [0u8; 6];
        // SAFETY: live (type invariant); `dev_addr` points to at least
        // `addr_len` bytes, and an Ethernet device's is 6; other devices'
        // addresses are at least `MAX_ADDR_LEN` allocated.
        unsafe {
            let p = bindings::zcpair_netdev_addr(self.as_raw());
            core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), a.len());
        }
        a
    }

    /// Whether an rx handler (a bridge, bond, macvlan port, ours...) has
    /// the device.
    pub(crate) fn has_rx_handler(&self, _rtnl: &Rtnl) -> bool {
        // SAFETY: live (type invariant); rtnl serialises registration.
        unsafe { bindings::zcpair_netdev_has_rx_handler(self.as_raw()) }
    }

    /// An Ethernet device (`ARPHRD_ETHER`) other than a loopback.
    pub(crate) fn is_ethernet(&self) -> bool {
        // SAFETY: live (type invariant).
        unsafe { bindings::zcpair_netdev_is_ethernet(self.as_raw()) }
    }
}

impl<D: Driver> Device<D> {
    /// The device as a device of any driver.
    pub(crate) fn as_netdevice(&self) -> &NetDevice {
        // SAFETY: a `Device<D>` is a live device.
        unsafe { NetDevice::from_raw(self.as_raw()) }
    }

    pub(crate) fn mtu(&self) -> u32 {
        self.as_netdevice().mtu()
    }

    /// Changes the MTU as `ip link set mtu` does (`dev_set_mtu()`, with its
    /// notifications).
    pub(crate) fn set_mtu(&self, mtu: u32, _rtnl: &Rtnl) -> Result {
        let mtu = i32::try_from(mtu).map_err(|_| EINVAL)?;
        // SAFETY: rtnl held, device live.
        to_result(unsafe { bindings::dev_set_mtu(self.as_raw(), mtu) })
    }
}

/// A reference to another driver's device (`netdev_hold()` with a
/// reference tracker), for as long as it is kept: the device's
/// unregistration waits for it, so whoever keeps one must drop it when the
/// notifier reports `NETDEV_UNREGISTER`.
///
/// # Invariants
///
/// `dev` is a device on which this value holds a reference, tracked by
/// `tracker`.
pub(crate) struct Lower {
    dev: NonNull<bindings::net_device>,
    tracker: bindings::netdevice_tracker,
}

// SAFETY: a device reference may be dropped on any CPU; the tracker is only
// touched at hold and put.
unsafe impl Send for Lower {}
// SAFETY: `&Lower` only reads the device.
unsafe impl Sync for Lower {}

impl Lower {
    /// Takes a reference to `dev` (process context).
    pub(crate) fn hold(dev: &NetDevice) -> Self {
        // SAFETY: an all-zero tracker is the "none yet" state in both
        // configurations (a NULL pointer, or an empty struct).
        let mut tracker: bindings::netdevice_tracker = unsafe { core::mem::zeroed() };
        // SAFETY: `dev` is live; `tracker` is written with the tracking
        // object (GFP_KERNEL: process context).
        unsafe { bindings::zcpair_netdev_hold(dev.as_raw(), &mut tracker) };
        // INVARIANT: held just now, tracked by `tracker`.
        Self {
            // SAFETY: a reference is never NULL.
            dev: unsafe { NonNull::new_unchecked(dev.as_raw()) },
            tracker,
        }
    }

    /// Sends `skb` through the device (`dev_queue_xmit()`), which takes it
    /// over: whether it was queued or sent.
    pub(crate) fn xmit(&self, skb: SkBuff) -> bool {
        // SAFETY: the device is live (type invariant); the skb is ours to
        // give (`into_raw`); BH may or may not be disabled.
        unsafe { bindings::zcpair_dev_queue_xmit_on(skb.into_raw(), self.dev.as_ptr()) == 0 }
    }

    /// Adds `addr` to the device's unicast address list (`dev_uc_add()`,
    /// counted: each add is undone by one [`Lower::uc_del`]), so that it
    /// accepts frames for that address: by its filter, or promiscuously
    /// when it has none (`IFF_UNICAST_FLT`: the core's fallback).
    pub(crate) fn uc_add(&self, addr: &MacAddr, _rtnl: &Rtnl) -> Result {
        let a = padded(addr);
        // SAFETY: rtnl held, device live; the core reads `addr_len` bytes
        // of `a`, at most `MAX_ADDR_LEN`, all of them initialised.
        to_result(unsafe { bindings::dev_uc_add(self.dev.as_ptr(), a.as_ptr()) })
    }

    /// Undoes one [`Lower::uc_add`] of `addr`.
    pub(crate) fn uc_del(&self, addr: &MacAddr, _rtnl: &Rtnl) {
        let a = padded(addr);
        // SAFETY: as in `uc_add`. An address that is not on the list is
        // refused (-ENOENT), which leaves the list as it is.
        let _ = unsafe { bindings::dev_uc_del(self.dev.as_ptr(), a.as_ptr()) };
    }

    /// Makes `upper` an upper device of this one (`netdev_upper_dev_link()`:
    /// refuses loops and stacks deeper than the core allows).
    pub(crate) fn link_upper<D: Driver>(
        &self,
        upper: &Device<D>,
        extack: &ExtAck<'_>,
        _rtnl: &Rtnl,
    ) -> Result {
        // SAFETY: rtnl held, both devices live; the extack is NULL or live.
        to_result(unsafe {
            bindings::netdev_upper_dev_link(self.dev.as_ptr(), upper.as_raw(), extack.as_raw())
        })
    }

    /// Undoes [`Lower::link_upper`].
    pub(crate) fn unlink_upper<D: Driver>(&self, upper: &Device<D>, _rtnl: &Rtnl) {
        // SAFETY: rtnl held, both devices live and linked.
        unsafe { bindings::netdev_upper_dev_unlink(self.dev.as_ptr(), upper.as_raw()) };
    }
}

impl core::ops::Deref for Lower {
    type Target = NetDevice;
    fn deref(&self) -> &NetDevice {
        // SAFETY: the reference keeps the device's memory (type invariant).
        unsafe { NetDevice::from_raw(self.dev.as_ptr()) }
    }
}

impl Drop for Lower {
    fn drop(&mut self) {
        // SAFETY: the reference and its tracker are ours (type invariant).
        unsafe { bindings::zcpair_netdev_put(self.dev.as_ptr(), &mut self.tracker) };
    }
}

/// A frame another driver's device received, handed to its rx handler
/// (the mac header is set; `data` is at the network header).
///
/// # Invariants
///
/// `*pskb` is a live skb the handler may act on, until the frame is
/// consumed by one of the methods returning a [`Verdict`].
pub(crate) struct RxFrame<'a> {
    pskb: &'a mut *mut bindings::sk_buff,
}

/// What an rx handler did with its frame; only [`RxFrame`]'s methods make
/// one, so each path says what became of the skb.
pub(crate) struct Verdict(bindings::rx_handler_result);

impl RxFrame<'_> {
    fn eth(&self) -> &bindings::ethhdr {
        // SAFETY: live skb whose mac header is set (type invariant).
        unsafe { &*bindings::zcpair_skb_eth_hdr(*self.pskb) }
    }

    pub(crate) fn dest(&self) -> MacAddr {
        self.eth().h_dest
    }

    pub(crate) fn source(&self) -> MacAddr {
        self.eth().h_source
    }

    /// Length with the Ethernet header.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: live skb (type invariant).
        unsafe { bindings::zcpair_skb_len(*self.pskb) as usize + 14 }
    }

    /// Looped back by the stack (no Ethernet header of its own).
    pub(crate) fn is_loopback(&self) -> bool {
        // SAFETY: live skb (type invariant).
        unsafe { bindings::zcpair_skb_is_loopback(*self.pskb) }
    }

    /// Leaves the frame to the device's own stack.
    pub(crate) fn pass(self) -> Verdict {
        Verdict(bindings::rx_handler_result_RX_HANDLER_PASS)
    }

    /// Drops the frame.
    pub(crate) fn drop_frame(self) -> Verdict {
        // SAFETY: the skb is the handler's to consume (type invariant).
        unsafe { bindings::zcpair_kfree_skb(*self.pskb) };
        Verdict(bindings::rx_handler_result_RX_HANDLER_CONSUMED)
    }

    /// Hands the frame to `dev` as addressed to it: the core delivers it
    /// again as received by `dev`. `Err` if it could not be unshared (no
    /// memory; the frame is gone).
    pub(crate) fn redirect<D: Driver>(
        self,
        dev: &Device<D>,
    ) -> core::result::Result<Verdict, Verdict> {
        // SAFETY: live skb; `skb_share_check` returns it, an unshared
        // clone (dropping our hold on the original) or NULL (freed).
        let skb = unsafe { bindings::zcpair_skb_share_check(*self.pskb) };
        if skb.is_null() {
            return Err(Verdict(bindings::rx_handler_result_RX_HANDLER_CONSUMED));
        }
        *self.pskb = skb;
        // SAFETY: `skb` is ours and unshared; `dev` is live.
        unsafe { bindings::zcpair_skb_to_host(skb, dev.as_raw()) };
        Ok(Verdict(bindings::rx_handler_result_RX_HANDLER_ANOTHER))
    }

    /// Delivers a copy of the frame (a clone: the data is shared) to `dev`
    /// through its backlog (`netif_rx()`). False if there was no memory or
    /// the backlog was full.
    pub(crate) fn deliver_copy<D: Driver>(&self, dev: &Device<D>) -> bool {
        // SAFETY: live skb (type invariant); atomic context.
        let c = unsafe { bindings::skb_clone(*self.pskb, kernel::bindings::GFP_ATOMIC) };
        if c.is_null() {
            return false;
        }
        // SAFETY: `c` is our clone; `dev` is live; `netif_rx` takes it.
        unsafe {
            bindings::zcpair_skb_set_dev(c, dev.as_raw());
            bindings::netif_rx(c) == 0
        }
    }
}

/// An rx handler (`rx_handler_func_t`) registered on another driver's
/// device with `Self` as its data, shared by whoever attaches to that
/// device.
pub(crate) trait RxHandler: Send + Sync + Sized + 'static {
    /// A frame the device received (RCU read side, BH context).
    fn handle(&self, frame: RxFrame<'_>) -> Verdict;

    /// Registers `data` as `dev`'s rx handler (`-EBUSY` if it has one).
    fn register(dev: &NetDevice, data: Arc<Self>, _rtnl: &Rtnl) -> Result {
        let p = Arc::into_raw(data);
        // SAFETY: rtnl held, device live; `p` stays valid until
        // `unregister` takes it back after the grace period.
        let r = unsafe {
            bindings::netdev_rx_handler_register(
                dev.as_raw(),
                Some(rx_handler_trampoline::<Self>),
                p as *mut kernel::ffi::c_void,
            )
        };
        if let Err(e) = to_result(r) {
            // SAFETY: not registered: the reference is still ours.
            drop(unsafe { Arc::from_raw(p) });
            return Err(e);
        }
        Ok(())
    }

    /// `dev`'s handler data, if its rx handler is this one.
    fn registered(dev: &NetDevice, _rtnl: &Rtnl) -> Option<Arc<Self>> {
        // SAFETY: rtnl held, device live.
        let ours = unsafe {
            bindings::zcpair_netdev_rx_handler_is(dev.as_raw(), Some(rx_handler_trampoline::<Self>))
        };
        if !ours {
            return None;
        }
        // SAFETY: rtnl held; our handler's data is an `Arc<Self>` from
        // `register`, whose reference the device keeps until `unregister`
        // (under rtnl, which we hold).
        let p = unsafe { bindings::zcpair_netdev_rx_handler_data(dev.as_raw()) } as *const Self;
        // SAFETY: as above: borrowing it to take a new reference.
        Some(unsafe { kernel::sync::ArcBorrow::from_raw(p) }.into())
    }

    /// Unregisters this handler from `dev` (no CPU runs it any more when
    /// this returns) and gives back its data.
    fn unregister(dev: &NetDevice, rtnl: &Rtnl) -> Option<Arc<Self>> {
        let data = Self::registered(dev, rtnl)?;
        // SAFETY: rtnl held; the handler is ours (checked above).
        let p = unsafe { bindings::zcpair_netdev_rx_handler_data(dev.as_raw()) } as *const Self;
        // SAFETY: as above; it waits for a grace period (synchronize_net).
        unsafe { bindings::netdev_rx_handler_unregister(dev.as_raw()) };
        // SAFETY: the device's reference from `register`, no longer used.
        drop(unsafe { Arc::from_raw(p) });
        Some(data)
    }
}

/// The C rx handler of [`RxHandler`] `H`.
///
/// # Safety
///
/// Only called by the kernel as the rx handler `H::register` installed,
/// with the arguments that callback's contract guarantees.
unsafe extern "C" fn rx_handler_trampoline<H: RxHandler>(
    pskb: *mut *mut bindings::sk_buff,
) -> bindings::rx_handler_result {
    // SAFETY: the core calls the handler under rcu_read_lock() with the
    // data `register` published (an `Arc<H>` kept until after the grace
    // period of `unregister`), and a live skb in `*pskb`.
    let (h, pskb) = unsafe {
        let dev = bindings::zcpair_skb_dev(*pskb);
        (
            &*(bindings::zcpair_netdev_rx_handler_data(dev) as *const H),
            &mut *pskb,
        )
    };
    // INVARIANT: the skb is the handler's.
    h.handle(RxFrame { pskb }).0
}

/// What the netdevice notifier reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// Registered (or arrived from another netns).
    Register,
    /// Being unregistered (or leaving for another netns).
    Unregister,
    /// Its MTU changed.
    ChangeMtu,
    /// Its hardware address changed.
    ChangeAddr,
    /// Something else.
    Other,
}

/// A receiver of every device's events (`register_netdevice_notifier()`).
pub(crate) trait NetdevEvents: 'static {
    /// An event of `dev` (process context, rtnl held).
    fn event(event: Event, dev: &NetDevice, rtnl: &Rtnl);
}

/// A netdevice notifier block for a `static`.
///
/// # Invariants
///
/// `nb` is registered with the core while `registered` is true, and only
/// written before that.
pub(crate) struct Notifier<E: NetdevEvents> {
    nb: Opaque<bindings::notifier_block>,
    registered: AtomicBool,
    _p: PhantomData<E>,
}

// SAFETY: `nb` is written only while unregistered (type invariant).
unsafe impl<E: NetdevEvents> Sync for Notifier<E> {}

impl<E: NetdevEvents> Notifier<E> {
    pub(crate) const fn new() -> Self {
        Self {
            nb: Opaque::uninit(),
            registered: AtomicBool::new(false),
            _p: PhantomData,
        }
    }

    /// Registers the notifier (takes rtnl itself: not from an rtnl
    /// callback). The core replays `Register` for every existing device.
    pub(crate) fn register(&'static self) -> Result<NotifierRegistration<E>> {
        if self.registered.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        // SAFETY: not registered, so nobody reads `nb`; all-zero is a
        // valid notifier_block, then the callback is set.
        unsafe {
            let nb = self.nb.get();
            nb.write(core::mem::zeroed());
            (*nb).notifier_call = Some(notifier_trampoline::<E>);
        }
        // SAFETY: `nb` is 'static and initialised.
        let r = to_result(unsafe { bindings::register_netdevice_notifier(self.nb.get()) });
        if let Err(e) = r {
            self.registered.store(false, Ordering::Release);
            return Err(e);
        }
        Ok(NotifierRegistration(self))
    }
}

/// A registered notifier; unregistered when dropped.
pub(crate) struct NotifierRegistration<E: NetdevEvents + 'static>(&'static Notifier<E>);

impl<E: NetdevEvents> Drop for NotifierRegistration<E> {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant of `Notifier`).
        unsafe { bindings::unregister_netdevice_notifier(self.0.nb.get()) };
        self.0.registered.store(false, Ordering::Release);
    }
}

/// The C notifier callback of [`Notifier`]`<E>`.
///
/// # Safety
///
/// Only called by the kernel's netdevice notifier chain, with the
/// arguments that chain's contract guarantees.
unsafe extern "C" fn notifier_trampoline<E: NetdevEvents>(
    _nb: *mut bindings::notifier_block,
    event: kernel::ffi::c_ulong,
    ptr: *mut kernel::ffi::c_void,
) -> kernel::ffi::c_int {
    let ev = match event as u32 {
        bindings::netdev_cmd_NETDEV_REGISTER => Event::Register,
        bindings::netdev_cmd_NETDEV_UNREGISTER => Event::Unregister,
        bindings::netdev_cmd_NETDEV_CHANGEMTU => Event::ChangeMtu,
        bindings::netdev_cmd_NETDEV_CHANGEADDR => Event::ChangeAddr,
        _ => Event::Other,
    };
    if ev == Event::Other {
        return bindings::NOTIFY_DONE as i32;
    }
    // SAFETY: netdevice notifiers get a `netdev_notifier_info` naming a
    // live device, and run under rtnl.
    let (dev, rtnl) = unsafe {
        (
            NetDevice::from_raw(bindings::zcpair_netdev_notifier_info_to_dev(ptr)),
            Rtnl::assume_held(),
        )
    };
    E::event(ev, dev, &rtnl);
    bindings::NOTIFY_DONE as i32
}
