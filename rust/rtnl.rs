// SPDX-License-Identifier: GPL-2.0

//! rtnetlink link kinds (`ip link add ... type KIND`): registration of
//! the kind, `newlink` with peer creation, `dellink`.
//!
//! C header: [`include/net/rtnetlink.h`](srctree/include/net/rtnetlink.h).

use super::bindings;
use super::callback;
use super::ethtool::{self, EthtoolOps};
use super::lower::NetDevice;
use super::netdev::{priv_size, Adapter, Device, DeviceRef, Driver, Net};
use super::netlink::{Attrs, ExtAck, Policy};
use super::rtnl_lock::Rtnl;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::build_error;
use kernel::error::{from_err_ptr, from_result, to_result, VTABLE_DEFAULT_ERROR};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::types::Opaque;

/// A link kind (`struct rtnl_link_ops`): `ip link add ... type KIND`.
/// What a driver leaves out is absent from its ops, as in C (without
/// `dellink`, the core unregisters the one device).
#[vtable]
pub(crate) trait LinkOps: EthtoolOps {
    /// The kind's name.
    const KIND: &'static CStr;
    /// Highest kind attribute (`IFLA_INFO_DATA`) number.
    const MAXTYPE: u32;

    /// The netlink policy of the kind attributes, `MAXTYPE + 1` entries.
    fn policy() -> &'static [Policy];
    /// Checks the attributes of a new link before anything is created.
    fn validate(_data: &Attrs<'_>, _extack: &ExtAck<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Creates the link's private state (and, for pair devices, registers
    /// its peer); the adapter then registers the link itself.
    fn newlink<'a>(ctx: &NewLink<'a, Self>) -> Result<Created<'a, Self>>;
    /// The link made by `newlink` is registered (rtnl held).
    fn newlink_done(_dev: &Device<Self>, _rtnl: &Rtnl) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Queues the link (and what goes with it) for unregistration.
    fn dellink(_dev: &Device<Self>, _rtnl: &Rtnl, _queue: &mut UnregisterQueue<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// The other end of a pair device, whose netns `ip link` shows as the
    /// link netns (`get_link_net`, rtnl held).
    fn link_peer(_dev: &Device<Self>) -> Option<DeviceRef<Self>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `unregister_netdevice_many()` batch that `dellink` adds devices to.
pub(crate) struct UnregisterQueue<'a> {
    head: *mut bindings::list_head,
    _p: PhantomData<&'a ()>,
}

impl UnregisterQueue<'_> {
    /// Queues `dev` for unregistration (again: it moves to the tail). A
    /// device that is not registered (never was, or is going already) is
    /// left alone: the core would `BUG()` on it.
    pub(crate) fn add<D: Driver>(&mut self, dev: &Device<D>, _rtnl: &Rtnl) {
        // SAFETY: `dev` is live; rtnl is held, so its state is stable.
        if !unsafe { bindings::zcpair_netdev_is_registered(dev.as_raw()) } {
            return;
        }
        // SAFETY: rtnl is held; `dev` is live and registered; `head` is the
        // core's kill list for this batch.
        unsafe { bindings::unregister_netdevice_queue(dev.as_raw(), self.head) };
    }
}

/// The peer half of a pair-creating request: the `ifinfomsg` and IFLA_*
/// attributes nested in one kind attribute (as veth's `VETH_INFO_PEER`).
pub(crate) struct PeerSpec {
    ifm: Option<bindings::ifinfomsg>,
    tb: KVec<*mut bindings::nlattr>,
}

/// What a driver's `newlink` made: the private state for the request's
/// device and, for a pair device, its registered peer. The adapter sets
/// the state and registers the request's device last (so nothing can fail
/// after it); if that fails, the peer is unregistered again.
pub(crate) struct Created<'a, D: LinkOps> {
    data: D::Data,
    peer: Option<RegisteredPeer<'a, D>>,
}

impl<'a, D: LinkOps> Created<'a, D> {
    /// The request's device gets `data`; `peer` stays only if it does get
    /// registered.
    pub(crate) fn new(data: D::Data, peer: Option<RegisteredPeer<'a, D>>) -> Self {
        Self { data, peer }
    }
}

/// The state of one `newlink` request.
pub(crate) struct NewLink<'a, D: LinkOps> {
    src_net: *mut bindings::net,
    dev: &'a Device<D>,
    tb: *mut *mut bindings::nlattr,
    data: Option<Attrs<'a>>,
    extack: ExtAck<'a>,
    rtnl: Rtnl,
}

impl<'a, D: LinkOps> NewLink<'a, D> {
    /// The kind attributes (`IFLA_INFO_DATA`), if any.
    pub(crate) fn data(&self) -> Option<&Attrs<'a>> {
        self.data.as_ref()
    }

    /// Where errors go.
    /// Proof of rtnl, held for the whole of `newlink`.
    pub(crate) fn rtnl(&self) -> &Rtnl {
        &self.rtnl
    }

    pub(crate) fn extack(&self) -> &ExtAck<'a> {
        &self.extack
    }

    /// The request's device (allocated, not registered yet).
    pub(crate) fn device(&self) -> &'a Device<D> {
        self.dev
    }

    /// Sets the private state of the request's device and registers it,
    /// with a random address unless the request gave one; keeps the peer
    /// only if that worked.
    fn register(&self, created: Created<'a, D>) -> Result {
        // SAFETY: `newlink` runs before the core's device is registered,
        // and this is the one place that registers it.
        unsafe { self.dev.set_data(created.data) };
        // SAFETY: the core's `tb` has `__IFLA_MAX` entries.
        let addr = unsafe { *self.tb.add(bindings::IFLA_ADDRESS as usize) };
        if addr.is_null() {
            // SAFETY: the device is ours and unregistered.
            unsafe { bindings::zcpair_eth_hw_addr_random(self.dev.as_raw()) };
        }
        // SAFETY: rtnl is held; the device is ours and unregistered.
        let ret = unsafe { bindings::register_netdevice(self.dev.as_raw()) };
        // On failure the peer (if any) is dropped: unregistered.
        to_result(ret)?;
        if let Some(peer) = created.peer {
            peer.keep();
        }
        Ok(())
    }

    /// Parses the peer's `ifinfomsg` + attributes from kind attribute `ty`;
    /// without it, the peer is described by the request's own attributes.
    pub(crate) fn peer_spec(&self, ty: u32) -> Result<PeerSpec> {
        let n = bindings::__IFLA_MAX as usize;
        let mut tb = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            tb.push(core::ptr::null_mut(), GFP_KERNEL)?;
        }
        let Some(attr) = self.data.as_ref().and_then(|d| d.get(ty)) else {
            // SAFETY: the core's `tb` has `__IFLA_MAX` entries.
            let own = unsafe { core::slice::from_raw_parts(self.tb, n) };
            tb.copy_from_slice(own);
            return Ok(PeerSpec { ifm: None, tb });
        };
        if attr.payload().len() < core::mem::size_of::<bindings::ifinfomsg>() {
            return Err(EINVAL);
        }
        // SAFETY: `attr` is a live, validated attribute whose payload starts
        // with a `struct ifinfomsg` (length checked just above).
        let ifm = unsafe {
            core::ptr::read_unaligned(
                bindings::zcpair_nla_data(attr.as_raw()) as *const bindings::ifinfomsg
            )
        };
        // SAFETY: `tb` has `__IFLA_MAX` entries; `attr` is live; the extack
        // is NULL or live.
        let ret = unsafe {
            bindings::rtnl_nla_parse_ifinfomsg(tb.as_mut_ptr(), attr.as_raw(), self.extack.as_raw())
        };
        to_result(ret)?;
        Ok(PeerSpec { ifm: Some(ifm), tb })
    }

    /// Gives a peer described by its own header the request's queue counts
    /// (`IFLA_NUM_TX_QUEUES`, `IFLA_NUM_RX_QUEUES`) where it names none,
    /// so that `numtxqueues N` on the request sizes both ends. A peer
    /// without a header shares the request's attributes already.
    pub(crate) fn inherit_queue_counts(&self, spec: &mut PeerSpec) {
        if spec.ifm.is_none() {
            return;
        }
        for ty in [bindings::IFLA_NUM_TX_QUEUES, bindings::IFLA_NUM_RX_QUEUES] {
            let ty = ty as usize;
            if spec.tb.get(ty).is_some_and(|p| p.is_null()) {
                // SAFETY: the core's `tb` has `__IFLA_MAX` entries, each
                // NULL or an attribute validated against the link policy
                // (u32 for these), live for the request.
                spec.tb[ty] = unsafe { *self.tb.add(ty) };
            }
        }
    }

    /// Creates (unregistered) the peer device described by `spec`: its name
    /// (or KIND%d), its netns (or the request's), its address (or random).
    pub(crate) fn create_peer(&self, spec: &mut PeerSpec) -> Result<NewDevice<'a, D>> {
        let mut name = [0u8; bindings::IFNAMSIZ as usize];
        // Without a peer header the table is the request's own: its name
        // belongs to the requested device, not to the peer.
        let named = spec
            .ifm
            .and(spec.tb.get(bindings::IFLA_IFNAME as usize).copied())
            .filter(|p| !p.is_null());
        let assign = if let Some(attr) = named {
            // SAFETY: `attr` is a validated IFLA_IFNAME (NUL-terminated
            // string policy); `name` has IFNAMSIZ bytes.
            unsafe { bindings::nla_strscpy(name.as_mut_ptr(), attr, name.len()) };
            bindings::NET_NAME_USER
        } else {
            let kind = D::KIND.as_bytes();
            let n = kind.len().min(name.len() - 3);
            name[..n].copy_from_slice(&kind[..n]);
            name[n..n + 2].copy_from_slice(b"%d");
            bindings::NET_NAME_ENUM
        };
        // SAFETY: `src_net` is the request's live netns; `tb` has
        // `__IFLA_MAX` entries. Returns a referenced net or an ERR_PTR.
        let net = from_err_ptr(unsafe {
            bindings::rtnl_link_get_net(self.src_net, spec.tb.as_mut_ptr())
        })?;
        // SAFETY: rtnl is held; `net` is referenced; `name` is
        // NUL-terminated; the ops are those of our own device; `tb` and the
        // extack are live.
        let peer = from_err_ptr(unsafe {
            bindings::rtnl_create_link(
                net,
                name.as_ptr(),
                assign as u8,
                bindings::zcpair_netdev_link_ops(self.dev.as_raw()),
                spec.tb.as_mut_ptr(),
                self.extack.as_raw(),
            )
        });
        let peer = match peer {
            Ok(peer) => peer,
            Err(e) => {
                // SAFETY: we own the reference `rtnl_link_get_net` returned.
                unsafe { bindings::zcpair_put_net(net) };
                return Err(e);
            }
        };
        let addr_given = spec.ifm.is_some() && !spec.tb[bindings::IFLA_ADDRESS as usize].is_null();
        // SAFETY: `peer` is our fresh, unregistered device; `dev` is live.
        unsafe {
            if !addr_given {
                bindings::zcpair_eth_hw_addr_random(peer);
            }
            if let Some(ifm) = spec.ifm {
                if ifm.ifi_index != 0 {
                    bindings::zcpair_set_ifindex(peer, ifm.ifi_index);
                }
            }
            bindings::netif_inherit_tso_max(peer, self.dev.as_raw());
        }
        Ok(NewDevice {
            // SAFETY: `peer` is a live device of ours (created with our ops).
            dev: unsafe { Device::from_raw(peer) },
            net,
            ifm: spec.ifm,
            registered: false,
        })
    }
}

/// A device created by [`NewLink::create_peer`], freed on drop unless it
/// was registered.
///
/// # Invariants
///
/// Until `registered`, `dev` is ours alone and `net` a netns reference we
/// own.
pub(crate) struct NewDevice<'a, D: LinkOps> {
    dev: &'a Device<D>,
    net: *mut bindings::net,
    ifm: Option<bindings::ifinfomsg>,
    registered: bool,
}

impl<'a, D: LinkOps> NewDevice<'a, D> {
    /// The device (not registered yet).
    pub(crate) fn device(&self) -> &'a Device<D> {
        self.dev
    }

    /// Gives the device its private state, registers it and applies the
    /// request's `ifinfomsg` flags. On failure nothing of it remains; on
    /// success it stays registered only if the guard is kept (see
    /// [`RegisteredPeer`]).
    pub(crate) fn register(mut self, data: D::Data) -> Result<RegisteredPeer<'a, D>> {
        // SAFETY: not registered (type invariant): nobody else reads it.
        unsafe { self.dev.set_data(data) };
        // SAFETY: rtnl held (for 'a, by the request); the device is ours,
        // unregistered.
        to_result(unsafe { bindings::register_netdevice(self.dev.as_raw()) })?;
        self.registered = true;
        // SAFETY: we own the reference; the device now holds its own.
        unsafe { bindings::zcpair_put_net(self.net) };
        let peer = RegisteredPeer {
            dev: Some(self.dev),
        };
        let ifm = self
            .ifm
            .as_ref()
            .map_or(core::ptr::null(), |m| m as *const _);
        let dev = self.dev.as_raw();
        // SAFETY: rtnl held; the device is registered; `ifm` is NULL or
        // the peer's header, live for this call.
        let ret = unsafe { bindings::rtnl_configure_link(dev, ifm, 0, core::ptr::null()) };
        // On failure `peer` unregisters the device when dropped.
        to_result(ret)?;
        Ok(peer)
    }
}

/// A peer registered during a `newlink` request: unregistered again when
/// dropped, unless the request succeeds (see [`Created`]).
///
/// # Invariants
///
/// `dev`, while `Some`, is registered by this request, whose rtnl lock is
/// held for 'a.
pub(crate) struct RegisteredPeer<'a, D: LinkOps> {
    dev: Option<&'a Device<D>>,
}

impl<D: LinkOps> RegisteredPeer<'_, D> {
    fn keep(mut self) {
        self.dev = None;
    }
}

impl<D: LinkOps> Drop for RegisteredPeer<'_, D> {
    fn drop(&mut self) {
        if let Some(dev) = self.dev.take() {
            // SAFETY: rtnl is held and the device is registered (type
            // invariant).
            unsafe { bindings::zcpair_unregister_netdevice(dev.as_raw()) };
        }
    }
}

impl<D: LinkOps> Drop for NewDevice<'_, D> {
    fn drop(&mut self) {
        if self.registered {
            return;
        }
        // SAFETY: unregistered and ours (type invariant): nobody else reads
        // its private state, and we may free it and drop our netns ref.
        unsafe {
            self.dev.drop_data();
            bindings::free_netdev(self.dev.as_raw());
            bindings::zcpair_put_net(self.net);
        }
    }
}

/// Driver `D`'s link kind: its `rtnl_link_ops`, in a `static` of the
/// driver so that the ops' address tells `D`'s devices from all others.
///
/// # Invariants
///
/// `ops` is written only by [`LinkKind::register`] while `registered` is
/// false, i.e. while the rtnl core does not know it; it is registered with
/// the core while `registered` is true.
pub(crate) struct LinkKind<D: LinkOps> {
    ops: Opaque<bindings::rtnl_link_ops>,
    registered: AtomicBool,
    _p: PhantomData<D>,
}

// SAFETY: `ops` is only written before registration (type invariant),
// everything else is atomic.
unsafe impl<D: LinkOps> Sync for LinkKind<D> {}

impl<D: LinkOps> LinkKind<D> {
    /// An unregistered link kind, for a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            ops: Opaque::uninit(),
            registered: AtomicBool::new(false),
            _p: PhantomData,
        }
    }

    /// Registers the link kind (`rtnl_link_register()`); dropping the
    /// returned registration deletes every device of the kind.
    pub(crate) fn register(&'static self) -> Result<LinkRegistration<D>> {
        const { assert!(core::mem::align_of::<D::Data>() <= 32) };
        let policy = D::policy();
        if policy.len() != D::MAXTYPE as usize + 1 {
            return Err(EINVAL);
        }
        if self.registered.load(Ordering::Acquire) {
            return Err(EBUSY);
        }
        // SAFETY: all-zero is a valid rtnl_link_ops (no callbacks).
        let mut ops: bindings::rtnl_link_ops = unsafe { core::mem::zeroed() };
        ops.kind = D::KIND.as_char_ptr();
        ops.priv_size = priv_size::<D>();
        ops.setup = Some(LinkRegistration::<D>::setup);
        ops.maxtype = D::MAXTYPE;
        ops.policy = Policy::raw_table(policy);
        ops.validate = callback(D::HAS_VALIDATE, LinkRegistration::<D>::validate);
        ops.newlink = Some(LinkRegistration::<D>::newlink);
        ops.dellink = callback(D::HAS_DELLINK, LinkRegistration::<D>::dellink);
        ops.get_link_net = callback(D::HAS_LINK_PEER, LinkRegistration::<D>::get_link_net);
        // SAFETY: not registered (checked above; module init is the only
        // caller), so nobody reads `ops`; its strings and policy are 'static.
        unsafe {
            self.ops.get().write(ops);
            to_result(bindings::rtnl_link_register(self.ops.get()))?;
        }
        self.registered.store(true, Ordering::Release);
        // INVARIANT: registered just now.
        Ok(LinkRegistration { kind: self })
    }

    /// `raw` as a device of `D`, if it is one.
    fn ours<'a>(&self, raw: *mut bindings::net_device, _rtnl: &'a Rtnl) -> Option<&'a Device<D>> {
        if raw.is_null() {
            return None;
        }
        // SAFETY: `raw` is a live device (rtnl held by the caller keeps it
        // registered); reading its ops pointer is always allowed.
        let ops = unsafe { bindings::zcpair_netdev_link_ops(raw) };
        if !core::ptr::eq(ops, self.ops.get()) {
            return None;
        }
        // SAFETY: created with our ops, so its private area is ours; rtnl
        // (borrowed for 'a) keeps it from being unregistered and freed.
        Some(unsafe { Device::from_raw(raw) })
    }

    /// `dev` as a device of `D`, if it is one.
    pub(crate) fn device_of<'a>(
        &self,
        dev: &'a NetDevice,
        rtnl: &'a Rtnl,
    ) -> Option<&'a Device<D>> {
        self.ours(dev.as_raw(), rtnl)
    }

    /// `dev` as a device of `D`, if it is one, without rtnl (an address
    /// notifier's device): the borrow of `dev` keeps it alive.
    pub(crate) fn device_of_live<'a>(&self, dev: &'a NetDevice) -> Option<&'a Device<D>> {
        let raw = dev.as_raw();
        // SAFETY: live (the `NetDevice` invariant); reading its ops
        // pointer is always allowed.
        let ops = unsafe { bindings::zcpair_netdev_link_ops(raw) };
        if !core::ptr::eq(ops, self.ops.get()) {
            return None;
        }
        // SAFETY: created with our ops, so its private area is ours; alive
        // for 'a (the `NetDevice` invariant).
        Some(unsafe { Device::from_raw(raw) })
    }

    /// The device of `D` with `ifindex` in `net`, if any.
    pub(crate) fn by_index<'a>(
        &self,
        rtnl: &'a Rtnl,
        net: &Net,
        ifindex: i32,
    ) -> Option<&'a Device<D>> {
        // SAFETY: rtnl is held; `net` is live.
        let raw = unsafe { bindings::__dev_get_by_index(net.as_raw(), ifindex) };
        self.ours(raw, rtnl)
    }

    /// The device of `D` named `name` in `net`, if any.
    pub(crate) fn by_name<'a>(
        &self,
        rtnl: &'a Rtnl,
        net: &Net,
        name: &CStr,
    ) -> Option<&'a Device<D>> {
        // SAFETY: rtnl is held; `net` is live; `name` is NUL-terminated.
        let raw = unsafe { bindings::__dev_get_by_name(net.as_raw(), name.as_char_ptr()) };
        self.ours(raw, rtnl)
    }

    /// The first device of `D` in `net` whose ifindex is at least
    /// `*from`; `*from` is set to that ifindex. For walking a netns.
    pub(crate) fn next<'a>(
        &self,
        rtnl: &'a Rtnl,
        net: &Net,
        from: &mut u64,
    ) -> Option<&'a Device<D>> {
        loop {
            let mut idx = *from as usize;
            // SAFETY: rtnl is held (the device table does not change);
            // `net` is live.
            let raw = unsafe { bindings::zcpair_netdev_find(net.as_raw(), &mut idx) };
            if raw.is_null() {
                return None;
            }
            *from = idx as u64;
            if let Some(dev) = self.ours(raw, rtnl) {
                return Some(dev);
            }
            *from += 1;
        }
    }
}

/// The registration of driver `D`'s link kind; unregistering it (on drop)
/// deletes every device of the kind in every netns.
///
/// # Invariants
///
/// `kind` is registered with the rtnl core.
pub(crate) struct LinkRegistration<D: LinkOps> {
    kind: &'static LinkKind<D>,
}

impl<D: LinkOps> LinkRegistration<D> {
    /// `rtnl_link_ops.setup`: called by `alloc_netdev_mqs()` on a fresh,
    /// zeroed device whose private area is `priv_size::<D>()` bytes.
    ///
    /// # Safety
    ///
    /// Only called by the kernel as the `setup` of this kind.
    unsafe extern "C" fn setup(dev: *mut bindings::net_device) {
        // SAFETY: the setup of `D`'s kind, for one of its devices; the
        // ethtool table is 'static.
        unsafe { Adapter::<D>::setup(dev, ethtool::ops::<D>()) };
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn get_link_net(dev: *const bindings::net_device) -> *mut bindings::net {
        // SAFETY: the core calls this under rtnl on a live device of ours.
        let dev = unsafe { Device::<D>::from_raw(dev as *mut _) };
        match D::link_peer(dev) {
            // The netns outlives our reference: rtnl is held, so the peer
            // cannot leave it before the caller is done.
            Some(peer) => peer.net().as_raw(),
            None => dev.net().as_raw(),
        }
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn validate(
        _tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> i32 {
        // SAFETY: the core passes NULL or a table of `maxtype + 1` validated
        // attributes, and NULL or a live extack, for the call's duration.
        let (data, extack) = unsafe {
            (
                Attrs::from_raw(data, D::MAXTYPE as usize + 1),
                ExtAck::from_raw(extack),
            )
        };
        let Some(data) = data else { return 0 };
        from_result(|| D::validate(&data, &extack).map(|()| 0))
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn newlink(
        src_net: *mut bindings::net,
        dev: *mut bindings::net_device,
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> i32 {
        // SAFETY: the core calls newlink under rtnl for a fresh device made
        // with our ops, with live tables and extack for the call.
        let ctx = unsafe {
            NewLink {
                src_net,
                dev: Device::<D>::from_raw(dev),
                tb,
                data: Attrs::from_raw(data, D::MAXTYPE as usize + 1),
                extack: ExtAck::from_raw(extack),
                rtnl: Rtnl::assume_held(),
            }
        };
        let ret = match D::newlink(&ctx) {
            Ok(created) => ctx.register(created),
            Err(e) => Err(e),
        };
        match ret {
            Ok(()) => {
                if D::HAS_NEWLINK_DONE {
                    D::newlink_done(ctx.dev, &ctx.rtnl);
                }
                0
            }
            Err(e) => {
                // The core frees the device; its private state goes first,
                // unless registration already handed that to the destructor.
                // SAFETY: `dev` is live; if it was never registered, nobody
                // else reads its private state.
                unsafe {
                    if bindings::zcpair_netdev_is_uninitialized(dev) {
                        ctx.dev.drop_data();
                    }
                }
                e.to_errno()
            }
        }
    }

    /// # Safety
    ///
    /// Only called by the kernel as the C callback it is registered as, with
    /// the arguments that callback's contract guarantees.
    unsafe extern "C" fn dellink(dev: *mut bindings::net_device, head: *mut bindings::list_head) {
        // SAFETY: the core calls dellink under rtnl for a live, registered
        // device of ours, with its kill list.
        let (dev, rtnl) = unsafe { (Device::<D>::from_raw(dev), Rtnl::assume_held()) };
        let mut queue = UnregisterQueue {
            head,
            _p: PhantomData,
        };
        D::dellink(dev, &rtnl, &mut queue);
    }
}

impl<D: LinkOps> Drop for LinkRegistration<D> {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant); this deletes all our devices
        // and waits for them, after which nothing uses `ops`.
        unsafe { bindings::rtnl_link_unregister(self.kind.ops.get()) };
        self.kind.registered.store(false, Ordering::Release);
    }
}
