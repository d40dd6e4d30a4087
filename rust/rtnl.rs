// SPDX-License-Identifier: GPL-2.0

//! rtnetlink link kinds (`ip link add ... type KIND`) and netlink
//! attributes.
//!
//! C headers: [`include/net/rtnetlink.h`](srctree/include/net/rtnetlink.h),
//! [`include/net/netlink.h`](srctree/include/net/netlink.h).

use super::bindings;
use super::netdev::{priv_size, Adapter, Device, Driver, Net};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::types::Opaque;

/// Proof that the rtnl lock is held, handed to driver callbacks that the
/// core calls under it.
///
/// # Invariants
///
/// Exists only while the current thread holds the rtnl lock.
pub(crate) struct Rtnl(());

impl Rtnl {
    /// # Safety
    ///
    /// The caller must hold the rtnl lock for as long as the value lives.
    pub(crate) unsafe fn assume_held() -> Self {
        Self(())
    }

    /// Takes the rtnl lock (process context, may sleep) until the guard
    /// is dropped.
    pub(crate) fn lock() -> RtnlGuard {
        // SAFETY: no precondition beyond process context.
        unsafe { bindings::rtnl_lock() };
        // INVARIANT: locked just now; the guard unlocks when dropped.
        RtnlGuard(Rtnl(()))
    }
}

/// The rtnl lock, held until this is dropped; derefs to the [`Rtnl`] proof.
pub(crate) struct RtnlGuard(Rtnl);

impl core::ops::Deref for RtnlGuard {
    type Target = Rtnl;
    fn deref(&self) -> &Rtnl {
        &self.0
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: we took the lock in `Rtnl::lock`.
        unsafe { bindings::rtnl_unlock() };
    }
}

/// A netlink extended-ack, where errors get their message (may be absent).
pub(crate) struct ExtAck<'a> {
    raw: *mut bindings::netlink_ext_ack,
    _p: PhantomData<&'a ()>,
}

impl ExtAck<'_> {
    /// # Safety
    ///
    /// `raw` is NULL or a live extack for the returned lifetime.
    pub(crate) unsafe fn from_raw(raw: *mut bindings::netlink_ext_ack) -> Self {
        Self {
            raw,
            _p: PhantomData,
        }
    }

    /// Sets the error message (`NL_SET_ERR_MSG`), optionally pointing at the
    /// offending attribute.
    pub(crate) fn set(&self, attr: Option<Attr<'_>>, msg: &'static CStr) {
        if self.raw.is_null() {
            return;
        }
        let attr = attr.map_or(core::ptr::null(), |a| a.raw.as_ptr() as *const _);
        // SAFETY: `raw` is live (type invariant); `msg` is 'static as the
        // extack requires; `attr` is NULL or an attribute of this request.
        unsafe { bindings::zcpair_set_err_msg(self.raw, attr, msg.as_char_ptr()) };
    }

    /// Sets the message and returns `err`, for `return Err(extack.fail(..))`.
    pub(crate) fn fail(&self, attr: Option<Attr<'_>>, msg: &'static CStr, err: Error) -> Error {
        self.set(attr, msg);
        err
    }
}

/// One netlink attribute of a request being handled.
#[derive(Clone, Copy)]
pub(crate) struct Attr<'a> {
    raw: NonNull<bindings::nlattr>,
    _p: PhantomData<&'a ()>,
}

impl<'a> Attr<'a> {
    /// The payload.
    pub(crate) fn payload(&self) -> &'a [u8] {
        // SAFETY: the attribute was validated by the netlink core to hold
        // `nla_len` bytes of payload, live for the request ('a).
        unsafe {
            let len = bindings::zcpair_nla_len(self.raw.as_ptr()) as usize;
            let data = bindings::zcpair_nla_data(self.raw.as_ptr()) as *const u8;
            core::slice::from_raw_parts(data, len)
        }
    }

    /// The payload as a u32 (policy-checked to be 4 bytes).
    pub(crate) fn as_u32(&self) -> Option<u32> {
        let p = self.payload();
        Some(u32::from_ne_bytes(p.get(..4)?.try_into().ok()?))
    }
}

/// A parsed attribute table (`struct nlattr *tb[]`), indexed by type.
pub(crate) struct Attrs<'a> {
    tb: &'a [*mut bindings::nlattr],
}

impl<'a> Attrs<'a> {
    /// # Safety
    ///
    /// `tb` is NULL or points to `len` entries, each NULL or a validated
    /// attribute, live for 'a.
    pub(crate) unsafe fn from_raw(tb: *mut *mut bindings::nlattr, len: usize) -> Option<Self> {
        if tb.is_null() {
            return None;
        }
        // SAFETY: `tb` points to `len` live entries (caller guarantee).
        let tb = unsafe { core::slice::from_raw_parts(tb, len) };
        Some(Self { tb })
    }

    /// Attribute `ty`, if present.
    pub(crate) fn get(&self, ty: u32) -> Option<Attr<'a>> {
        let raw = NonNull::new(*self.tb.get(ty as usize)?)?;
        Some(Attr {
            raw,
            _p: PhantomData,
        })
    }

    /// Attribute `ty` as a u32, if present.
    pub(crate) fn u32(&self, ty: u32) -> Option<u32> {
        self.get(ty)?.as_u32()
    }

    /// Attribute `ty` as a string, if present and NUL-terminated (as an
    /// `NLA_NUL_STRING` policy guarantees).
    pub(crate) fn str(&self, ty: u32) -> Option<&'a CStr> {
        CStr::from_bytes_with_nul(self.get(ty)?.payload()).ok()
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
pub(crate) struct Created<'a, D: Driver> {
    data: D::Data,
    peer: Option<RegisteredPeer<'a, D>>,
}

impl<'a, D: Driver> Created<'a, D> {
    /// The request's device gets `data`; `peer` stays only if it does get
    /// registered.
    pub(crate) fn new(data: D::Data, peer: Option<RegisteredPeer<'a, D>>) -> Self {
        Self { data, peer }
    }
}

/// The state of one `newlink` request.
pub(crate) struct NewLink<'a, D: Driver> {
    src_net: *mut bindings::net,
    dev: &'a Device<D>,
    tb: *mut *mut bindings::nlattr,
    data: Option<Attrs<'a>>,
    extack: ExtAck<'a>,
    rtnl: Rtnl,
}

impl<'a, D: Driver> NewLink<'a, D> {
    /// The kind attributes (`IFLA_INFO_DATA`), if any.
    pub(crate) fn data(&self) -> Option<&Attrs<'a>> {
        self.data.as_ref()
    }

    /// Where errors go.
    pub(crate) fn extack(&self) -> &ExtAck<'a> {
        &self.extack
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
        // The policy guarantees at least an ifinfomsg of payload.
        // SAFETY: `attr` is a live, validated attribute whose payload starts
        // with a `struct ifinfomsg` (policy: minimum length).
        let ifm = unsafe {
            core::ptr::read_unaligned(
                bindings::zcpair_nla_data(attr.raw.as_ptr()) as *const bindings::ifinfomsg
            )
        };
        // SAFETY: `tb` has `__IFLA_MAX` entries; `attr` is live; the extack
        // is NULL or live.
        let ret = unsafe {
            bindings::rtnl_nla_parse_ifinfomsg(tb.as_mut_ptr(), attr.raw.as_ptr(), self.extack.raw)
        };
        to_result(ret)?;
        Ok(PeerSpec { ifm: Some(ifm), tb })
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
        let net = unsafe { bindings::rtnl_link_get_net(self.src_net, spec.tb.as_mut_ptr()) };
        if is_err(net) {
            return Err(Error::from_errno(net as isize as i32));
        }
        // SAFETY: rtnl is held; `net` is referenced; `name` is
        // NUL-terminated; the ops are those of our own device; `tb` and the
        // extack are live.
        let peer = unsafe {
            bindings::rtnl_create_link(
                net,
                name.as_ptr(),
                assign as u8,
                bindings::zcpair_netdev_link_ops(self.dev.as_raw()),
                spec.tb.as_mut_ptr(),
                self.extack.raw,
            )
        };
        if is_err(peer) {
            // SAFETY: we own the reference `rtnl_link_get_net` returned.
            unsafe { bindings::zcpair_put_net(net) };
            return Err(Error::from_errno(peer as isize as i32));
        }
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
pub(crate) struct NewDevice<'a, D: Driver> {
    dev: &'a Device<D>,
    net: *mut bindings::net,
    ifm: Option<bindings::ifinfomsg>,
    registered: bool,
}

impl<'a, D: Driver> NewDevice<'a, D> {
    /// Gives the device its private state, registers it and applies the
    /// request's `ifinfomsg` flags. On failure nothing of it remains; on
    /// success it stays registered only if the guard is kept (see
    /// [`RegisteredPeer`]).
    pub(crate) fn register(mut self, data: D::Data) -> Result<RegisteredPeer<'a, D>> {
        // SAFETY: not registered (type invariant): nobody else reads it.
        unsafe { self.dev.set_data(data) };
        // SAFETY: rtnl held (for 'a, by the request); the device is ours,
        // unregistered.
        let ret = unsafe { bindings::register_netdevice(self.dev.as_raw()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
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
        // SAFETY: rtnl held; the device is registered; `ifm` is NULL or
        // the peer's header, live for this call.
        let ret =
            unsafe { bindings::rtnl_configure_link(self.dev.as_raw(), ifm, 0, core::ptr::null()) };
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
pub(crate) struct RegisteredPeer<'a, D: Driver> {
    dev: Option<&'a Device<D>>,
}

impl<D: Driver> RegisteredPeer<'_, D> {
    fn keep(mut self) {
        self.dev = None;
    }
}

impl<D: Driver> Drop for RegisteredPeer<'_, D> {
    fn drop(&mut self) {
        if let Some(dev) = self.dev.take() {
            // SAFETY: rtnl is held and the device is registered (type
            // invariant).
            unsafe { bindings::zcpair_unregister_netdevice(dev.as_raw()) };
        }
    }
}

impl<D: Driver> Drop for NewDevice<'_, D> {
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

fn is_err<T>(p: *mut T) -> bool {
    (p as isize) < 0 && (p as isize) >= -(bindings::MAX_ERRNO as isize)
}

fn to_result(ret: i32) -> Result {
    if ret < 0 {
        Err(Error::from_errno(ret))
    } else {
        Ok(())
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
pub(crate) struct LinkKind<D: Driver> {
    ops: Opaque<bindings::rtnl_link_ops>,
    registered: AtomicBool,
    _p: PhantomData<D>,
}

// SAFETY: `ops` is only written before registration (type invariant),
// everything else is atomic.
unsafe impl<D: Driver> Sync for LinkKind<D> {}

impl<D: Driver> LinkKind<D> {
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
        ops.setup = Some(Adapter::<D>::setup);
        ops.maxtype = D::MAXTYPE;
        ops.policy = policy.as_ptr();
        ops.validate = Some(LinkRegistration::<D>::validate);
        ops.newlink = Some(LinkRegistration::<D>::newlink);
        ops.dellink = Some(LinkRegistration::<D>::dellink);
        ops.get_link_net = Some(LinkRegistration::<D>::get_link_net);
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
pub(crate) struct LinkRegistration<D: Driver> {
    kind: &'static LinkKind<D>,
}

impl<D: Driver> LinkRegistration<D> {
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
            Some(peer) => peer.get().net().as_raw(),
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
        match D::validate(&data, &extack) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
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
                D::newlink_done(ctx.dev, &ctx.rtnl);
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

impl<D: Driver> Drop for LinkRegistration<D> {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant); this deletes all our devices
        // and waits for them, after which nothing uses `ops`.
        unsafe { bindings::rtnl_link_unregister(self.kind.ops.get()) };
        self.kind.registered.store(false, Ordering::Release);
    }
}

/// Builds `nla_policy` entries without the C macros.
pub(crate) mod policy {
    use super::bindings::{self, nla_policy};

    /// An unused attribute slot.
    pub(crate) const fn unspec() -> nla_policy {
        // SAFETY: all-zero is NLA_UNSPEC with no validation.
        unsafe { core::mem::zeroed() }
    }

    /// A u32 within `range` (checked by the netlink core).
    pub(crate) const fn u32_range(
        range: &'static bindings::netlink_range_validation,
    ) -> nla_policy {
        let mut p = unspec();
        p.type_ = bindings::NLA_U32 as u8;
        p.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.__bindgen_anon_1.range = range;
        p
    }

    /// A binary attribute of at least `min_len` bytes.
    pub(crate) const fn binary_min(min_len: u16) -> nla_policy {
        let mut p = unspec();
        p.type_ = bindings::NLA_BINARY as u8;
        p.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MIN as u8;
        p.__bindgen_anon_1.__bindgen_anon_1.min = min_len as i16;
        p
    }

    /// A NUL-terminated string of at most `max_len` bytes before the NUL.
    pub(crate) const fn nul_string(max_len: u16) -> nla_policy {
        let mut p = unspec();
        p.type_ = bindings::NLA_NUL_STRING as u8;
        p.len = max_len;
        p
    }

    /// A policy table that can live in a `static`.
    pub(crate) struct Table<const N: usize>(pub(crate) [nla_policy; N]);

    // SAFETY: the table is immutable and its pointers only point to other
    // immutable statics (ranges, nested policies).
    unsafe impl<const N: usize> Sync for Table<N> {}

    /// A u32 range for [`u32_range`].
    pub(crate) const fn range(min: u64, max: u64) -> bindings::netlink_range_validation {
        bindings::netlink_range_validation { min, max }
    }
}
