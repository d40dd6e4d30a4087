// SPDX-License-Identifier: GPL-2.0

//! rtnetlink link kinds (`ip link add ... type KIND`) and netlink
//! attributes.
//!
//! C headers: [`include/net/rtnetlink.h`](srctree/include/net/rtnetlink.h),
//! [`include/net/netlink.h`](srctree/include/net/netlink.h).

use super::bindings;
use super::netdev::{priv_size, Adapter, Device, Driver};
use core::marker::PhantomData;
use core::ptr::NonNull;
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
}

/// The `unregister_netdevice_many()` batch that `dellink` adds devices to.
pub(crate) struct UnregisterQueue<'a> {
    head: *mut bindings::list_head,
    _p: PhantomData<&'a ()>,
}

impl UnregisterQueue<'_> {
    /// Queues `dev` for unregistration (again: it moves to the tail).
    pub(crate) fn add<D: Driver>(&mut self, dev: &Device<D>, _rtnl: &Rtnl) {
        // SAFETY: rtnl is held; `dev` is live and registered; `head` is the
        // core's kill list for this batch.
        unsafe { bindings::unregister_netdevice_queue(dev.as_raw(), self.head) };
    }
}

/// Unregisters `dev` right away (`unregister_netdevice()`), to unwind a
/// failed creation.
pub(crate) fn unregister_now<D: Driver>(dev: &Device<D>, _rtnl: &Rtnl) {
    // SAFETY: rtnl is held and `dev` is registered.
    unsafe { bindings::unregister_netdevice_queue(dev.as_raw(), core::ptr::null_mut()) };
}

/// The peer half of a pair-creating request: the `ifinfomsg` and IFLA_*
/// attributes nested in one kind attribute (as veth's `VETH_INFO_PEER`).
pub(crate) struct PeerSpec {
    ifm: Option<bindings::ifinfomsg>,
    tb: KVec<*mut bindings::nlattr>,
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
    /// The device the core created for the request (not yet registered).
    pub(crate) fn dev(&self) -> &'a Device<D> {
        self.dev
    }

    /// The kind attributes (`IFLA_INFO_DATA`), if any.
    pub(crate) fn data(&self) -> Option<&Attrs<'a>> {
        self.data.as_ref()
    }

    /// Where errors go.
    pub(crate) fn extack(&self) -> &ExtAck<'a> {
        &self.extack
    }

    /// The rtnl lock the request runs under.
    pub(crate) fn rtnl(&self) -> &Rtnl {
        &self.rtnl
    }

    /// Sets the private state of the request's device (not registered yet).
    pub(crate) fn set_data(&self, data: D::Data) {
        // SAFETY: `newlink` runs before the core's device is registered.
        unsafe { self.dev.set_data(data) };
    }

    /// Registers the request's device (the last step of a `newlink`),
    /// with a random address unless the request gave one.
    pub(crate) fn register(&self) -> Result {
        // SAFETY: the core's `tb` has `__IFLA_MAX` entries.
        let addr = unsafe { *self.tb.add(bindings::IFLA_ADDRESS as usize) };
        if addr.is_null() {
            // SAFETY: the device is ours and unregistered.
            unsafe { bindings::zcpair_eth_hw_addr_random(self.dev.as_raw()) };
        }
        // SAFETY: rtnl is held; the device is ours and unregistered.
        let ret = unsafe { bindings::register_netdevice(self.dev.as_raw()) };
        to_result(ret)
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
    /// Sets its private state (it is not registered yet).
    pub(crate) fn set_data(&self, data: D::Data) {
        // SAFETY: not registered (type invariant), nobody else reads it.
        unsafe { self.dev.set_data(data) };
    }

    /// Registers the device and applies the request's `ifinfomsg` flags.
    /// On failure nothing of it remains.
    pub(crate) fn register(mut self, _rtnl: &Rtnl) -> Result<&'a Device<D>> {
        // SAFETY: rtnl held; the device is ours, unregistered.
        let ret = unsafe { bindings::register_netdevice(self.dev.as_raw()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        self.registered = true;
        // SAFETY: we own the reference; the device now holds its own.
        unsafe { bindings::zcpair_put_net(self.net) };
        let ifm = self
            .ifm
            .as_ref()
            .map_or(core::ptr::null(), |m| m as *const _);
        // SAFETY: rtnl held; the device is registered; `ifm` is NULL or
        // the peer's header, live for this call.
        let ret =
            unsafe { bindings::rtnl_configure_link(self.dev.as_raw(), ifm, 0, core::ptr::null()) };
        if ret != 0 {
            // SAFETY: rtnl held, the device is registered.
            unsafe { bindings::zcpair_unregister_netdevice(self.dev.as_raw()) };
            return Err(Error::from_errno(ret));
        }
        Ok(self.dev)
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

/// The registration of driver `D`'s link kind; unregistering it (on drop)
/// deletes every device of the kind in every netns.
///
/// # Invariants
///
/// `ops` is registered with the rtnl core and pinned in memory.
pub(crate) struct LinkRegistration<D: Driver> {
    ops: Pin<KBox<Opaque<bindings::rtnl_link_ops>>>,
    _p: PhantomData<D>,
}

// SAFETY: the registration may be dropped on any CPU (process context).
unsafe impl<D: Driver> Send for LinkRegistration<D> {}
// SAFETY: `&LinkRegistration` offers nothing.
unsafe impl<D: Driver> Sync for LinkRegistration<D> {}

impl<D: Driver> LinkRegistration<D> {
    /// Registers the link kind (`rtnl_link_register()`).
    pub(crate) fn register() -> Result<Self> {
        const { assert!(core::mem::align_of::<D::Data>() <= 32) };
        let policy = D::policy();
        if policy.len() != D::MAXTYPE as usize + 1 {
            return Err(EINVAL);
        }
        // SAFETY: all-zero is a valid rtnl_link_ops (no callbacks).
        let mut ops: bindings::rtnl_link_ops = unsafe { core::mem::zeroed() };
        ops.kind = D::KIND.as_char_ptr();
        ops.priv_size = priv_size::<D>();
        ops.setup = Some(Adapter::<D>::setup);
        ops.maxtype = D::MAXTYPE;
        ops.policy = policy.as_ptr();
        ops.validate = Some(Self::validate);
        ops.newlink = Some(Self::newlink);
        ops.dellink = Some(Self::dellink);
        let ops = KBox::pin(Opaque::new(ops), GFP_KERNEL)?;
        // SAFETY: `ops` is pinned and lives until we unregister it in drop;
        // its strings and policy are 'static.
        to_result(unsafe { bindings::rtnl_link_register(ops.get()) })?;
        // INVARIANT: registered just now.
        Ok(Self {
            ops,
            _p: PhantomData,
        })
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
        let mut ctx = unsafe {
            NewLink {
                src_net,
                dev: Device::<D>::from_raw(dev),
                tb,
                data: Attrs::from_raw(data, D::MAXTYPE as usize + 1),
                extack: ExtAck::from_raw(extack),
                rtnl: Rtnl::assume_held(),
            }
        };
        match D::newlink(&mut ctx) {
            Ok(()) => 0,
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
        unsafe { bindings::rtnl_link_unregister(self.ops.get()) };
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
