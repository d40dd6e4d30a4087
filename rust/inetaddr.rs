// SPDX-License-Identifier: GPL-2.0

//! Address notifiers: every IPv4 and IPv6 address configured on or
//! removed from any device (`register_inetaddr_notifier()`,
//! `register_inet6addr_notifier()`).
//!
//! C headers: [`include/linux/inetdevice.h`](srctree/include/linux/inetdevice.h),
//! [`include/net/addrconf.h`](srctree/include/net/addrconf.h).
//!
//! The IPv4 chain is blocking and runs under rtnl; the IPv6 chain is
//! atomic and may run in softirq (addresses from router advertisements)
//! or without rtnl: a receiver must not sleep, and gets no rtnl proof.

use super::bindings;
use super::lower::NetDevice;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::types::Opaque;

/// An IP address, network byte order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpAddr {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl IpAddr {
    /// Its bytes (4 or 16).
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            IpAddr::V4(a) => a,
            IpAddr::V6(a) => a,
        }
    }
}

/// What happened to an address.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddrEvent {
    /// Configured (`NETDEV_UP`).
    Added,
    /// Removed (`NETDEV_DOWN`).
    Removed,
}

/// A receiver of address events. Called in atomic context for IPv6
/// (must not sleep) and with `dev` alive for the call.
pub(crate) trait AddrEvents: 'static {
    fn event(event: AddrEvent, dev: &NetDevice, addr: IpAddr);
}

/// Both address notifier blocks, for a `static`.
///
/// # Invariants
///
/// `nb4` and `nb6` are registered with the core while `registered` is
/// true, and only written before that.
pub(crate) struct AddrNotifier<E: AddrEvents> {
    nb4: Opaque<bindings::notifier_block>,
    nb6: Opaque<bindings::notifier_block>,
    registered: AtomicBool,
    _p: PhantomData<E>,
}

// SAFETY: the blocks are written only while unregistered (type invariant).
unsafe impl<E: AddrEvents> Sync for AddrNotifier<E> {}

impl<E: AddrEvents> AddrNotifier<E> {
    pub(crate) const fn new() -> Self {
        Self {
            nb4: Opaque::uninit(),
            nb6: Opaque::uninit(),
            registered: AtomicBool::new(false),
            _p: PhantomData,
        }
    }

    /// Registers both notifiers. Addresses that exist already are not
    /// replayed.
    pub(crate) fn register(&'static self) -> Result<AddrNotifierRegistration<E>> {
        if self.registered.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        // SAFETY: not registered, so nobody reads the blocks; all-zero is
        // a valid notifier_block, then the callbacks are set.
        unsafe {
            let nb = self.nb4.get();
            nb.write(core::mem::zeroed());
            (*nb).notifier_call = Some(inet4_trampoline::<E>);
            let nb = self.nb6.get();
            nb.write(core::mem::zeroed());
            (*nb).notifier_call = Some(inet6_trampoline::<E>);
        }
        // SAFETY: `nb4` is 'static and initialised.
        let r = to_result(unsafe { bindings::register_inetaddr_notifier(self.nb4.get()) });
        if let Err(e) = r {
            self.registered.store(false, Ordering::Release);
            return Err(e);
        }
        // SAFETY: `nb6` is 'static and initialised.
        let r = to_result(unsafe { bindings::register_inet6addr_notifier(self.nb6.get()) });
        if let Err(e) = r {
            // SAFETY: registered just above.
            unsafe { bindings::unregister_inetaddr_notifier(self.nb4.get()) };
            self.registered.store(false, Ordering::Release);
            return Err(e);
        }
        Ok(AddrNotifierRegistration(self))
    }
}

/// Registered address notifiers; unregistered when dropped (the chains'
/// unregistration waits for callbacks in progress).
pub(crate) struct AddrNotifierRegistration<E: AddrEvents + 'static>(&'static AddrNotifier<E>);

impl<E: AddrEvents> Drop for AddrNotifierRegistration<E> {
    fn drop(&mut self) {
        // SAFETY: both registered in `register` (type invariant).
        unsafe {
            bindings::unregister_inet6addr_notifier(self.0.nb6.get());
            bindings::unregister_inetaddr_notifier(self.0.nb4.get());
        }
        self.0.registered.store(false, Ordering::Release);
    }
}

fn addr_event(event: kernel::ffi::c_ulong) -> Option<AddrEvent> {
    match event as u32 {
        bindings::netdev_cmd_NETDEV_UP => Some(AddrEvent::Added),
        bindings::netdev_cmd_NETDEV_DOWN => Some(AddrEvent::Removed),
        _ => None,
    }
}

/// The IPv4 chain's callback.
///
/// # Safety
///
/// Only called by the inetaddr chain: `ptr` is a live `struct in_ifaddr`
/// of a live device.
unsafe extern "C" fn inet4_trampoline<E: AddrEvents>(
    _nb: *mut bindings::notifier_block,
    event: kernel::ffi::c_ulong,
    ptr: *mut kernel::ffi::c_void,
) -> kernel::ffi::c_int {
    if let Some(ev) = addr_event(event) {
        let mut addr: bindings::__be32 = 0;
        // SAFETY: `ptr` is an in_ifaddr (the chain's contract); its
        // in_device holds its device for the call.
        let dev = unsafe { NetDevice::from_live(bindings::zcpair_ifa4(ptr, &mut addr)) };
        // `__be32` holds the address in network order: its bytes in
        // memory order are the address.
        E::event(ev, dev, IpAddr::V4(addr.to_ne_bytes()));
    }
    bindings::NOTIFY_DONE as i32
}

/// The IPv6 chain's callback.
///
/// # Safety
///
/// Only called by the inet6addr chain: `ptr` is a live `struct
/// inet6_ifaddr` of a live device.
unsafe extern "C" fn inet6_trampoline<E: AddrEvents>(
    _nb: *mut bindings::notifier_block,
    event: kernel::ffi::c_ulong,
    ptr: *mut kernel::ffi::c_void,
) -> kernel::ffi::c_int {
    if let Some(ev) = addr_event(event) {
        // SAFETY: all-zero is a valid in6_addr.
        let mut addr: bindings::in6_addr = unsafe { core::mem::zeroed() };
        // SAFETY: `ptr` is an inet6_ifaddr (the chain's contract); its
        // inet6_dev holds its device for the call.
        let dev = unsafe { NetDevice::from_live(bindings::zcpair_ifa6(ptr, &mut addr)) };
        // SAFETY: every member of the in6_addr union is 16 plain bytes.
        let bytes = unsafe { addr.in6_u.u6_addr8 };
        E::event(ev, dev, IpAddr::V6(bytes));
    }
    bindings::NOTIFY_DONE as i32
}
