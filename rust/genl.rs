// SPDX-License-Identifier: GPL-2.0

//! Generic netlink families: registration, requests and replies, dumps,
//! and multicast notifications.
//!
//! A family is a `static` [`Family`] of the driver; its operations and
//! multicast groups are `static` tables built with [`op`] and [`mcgrp`].
//! The kernel's callbacks land in one `doit` and one `dumpit` trampoline
//! that dispatch to the driver's [`Handler`] by command.
//!
//! C header: [`include/net/genetlink.h`](srctree/include/net/genetlink.h).

use super::bindings;
use super::netdev::Net;
use super::netlink::{Attrs, ExtAck, Policy};
use super::rtnl_lock::Rtnl;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::build_error;
use kernel::error::{from_result, VTABLE_DEFAULT_ERROR};
use kernel::prelude::*;

/// `EMSGSIZE`, which the 6.12 kernel crate does not name.
fn emsgsize() -> Error {
    Error::from_errno(-(bindings::EMSGSIZE as i32))
}
use kernel::str::CStr;
use kernel::types::Opaque;

/// What a family's operations do (the callbacks of its `genl_small_ops`).
#[vtable]
pub(crate) trait Handler: 'static {
    /// Handles a `doit` request of command `cmd`.
    fn doit(cmd: u8, req: &Request<'_>) -> Result;

    /// Adds entries of a dump of command `cmd` to `dump`, starting where
    /// [`Dump::cursor`] says and moving the cursor on. `Ok` means the dump
    /// is complete; `Err(emsgsize())` from a full message means "more to
    /// come" once the message already holds an entry. Only for the
    /// commands made with [`Op::with_dump`].
    fn dumpit(_cmd: u8, _dump: &mut Dump<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Who may run an operation.
#[derive(Clone, Copy)]
pub(crate) enum Perm {
    /// Anyone.
    Any,
    /// `CAP_NET_ADMIN` in the user namespace of the request's netns
    /// (`GENL_UNS_ADMIN_PERM`).
    NetnsAdmin,
}

/// One operation of a family (`struct genl_small_ops`): a command with a
/// `doit` and, for [`Op::with_dump`], a `dumpit`, both dispatched to `H`.
/// For a table: `static OPS: [Op; N] = [...]`.
///
/// # Invariants
///
/// Built only by the constructors below: its callbacks are `H`'s
/// trampolines.
#[repr(transparent)]
pub(crate) struct Op(bindings::genl_small_ops);

// SAFETY: immutable; its pointers are function pointers.
unsafe impl Sync for Op {}

impl Op {
    /// Command `cmd`, `doit` only.
    pub(crate) const fn new<H: Handler>(cmd: u32, perm: Perm) -> Self {
        Self(bindings::genl_small_ops {
            doit: Some(doit::<H>),
            dumpit: None,
            cmd: cmd as u8,
            internal_flags: 0,
            flags: match perm {
                Perm::Any => 0,
                Perm::NetnsAdmin => bindings::GENL_UNS_ADMIN_PERM as u8,
            },
            // Strict validation: the family's resv_start_op covers every op.
            validate: 0,
        })
    }

    /// Command `cmd` with `doit` and `dumpit` (`H` must have a `dumpit`).
    pub(crate) const fn with_dump<H: Handler>(cmd: u32, perm: Perm) -> Self {
        assert!(H::HAS_DUMPIT, "a dump op needs Handler::dumpit");
        let mut op = Self::new::<H>(cmd, perm);
        op.0.dumpit = Some(dumpit::<H>);
        op
    }
}

/// A multicast group (`struct genl_multicast_group`); for a table:
/// `static MCGRPS: [McGroup; N] = [...]`.
#[repr(transparent)]
pub(crate) struct McGroup(bindings::genl_multicast_group);

impl McGroup {
    /// The group `name`; a name longer than 15 bytes does not compile
    /// (in a `static`) or panics.
    pub(crate) const fn new(name: &str) -> Self {
        let name = name.as_bytes();
        assert!(
            !name.is_empty() && name.len() < 16,
            "genl group names have 1 to 15 bytes"
        );
        let mut g = bindings::genl_multicast_group {
            name: [0; 16],
            flags: 0,
        };
        let mut i = 0;
        while i < name.len() {
            g.name[i] = name[i] as _;
            i += 1;
        }
        Self(g)
    }
}

/// A generic netlink family.
///
/// # Invariants
///
/// `raw` is written only by [`Family::register`] while `registered` is
/// false (the genetlink core does not know it). `registered` is true only
/// while the family is registered, and is changed under the rtnl lock, so
/// code holding rtnl sees a stable value.
pub(crate) struct Family<H: Handler> {
    raw: Opaque<bindings::genl_family>,
    registered: AtomicBool,
    _p: PhantomData<H>,
}

// SAFETY: `raw` is written only before registration (type invariant); the
// genetlink core serialises its own use of it.
unsafe impl<H: Handler> Sync for Family<H> {}

impl<H: Handler> Family<H> {
    /// An unregistered family, for a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            raw: Opaque::uninit(),
            registered: AtomicBool::new(false),
            _p: PhantomData,
        }
    }

    /// Registers the family `name` (at most 15 bytes) with its attribute
    /// `policy` (`maxattr + 1` entries), `ops` and multicast groups. The
    /// family works in every netns. Unregistered when the returned value
    /// is dropped.
    pub(crate) fn register(
        &'static self,
        module: &'static ThisModule,
        name: &'static CStr,
        version: u32,
        policy: &'static [Policy],
        ops: &'static [Op],
        mcgrps: &'static [McGroup],
    ) -> Result<FamilyRegistration<H>> {
        if self.registered.load(Ordering::Acquire)
            || name.len() >= 16
            || policy.is_empty()
            || ops.len() > u8::MAX as usize
            || mcgrps.len() > u8::MAX as usize
        {
            return Err(EINVAL);
        }
        // SAFETY: all-zero is a valid, empty genl_family.
        let mut f: bindings::genl_family = unsafe { core::mem::zeroed() };
        for (d, s) in f.name.iter_mut().zip(name.as_bytes()) {
            *d = *s as _;
        }
        f.version = version;
        f.maxattr = (policy.len() - 1) as u32;
        f.policy = Policy::raw_table(policy);
        f.small_ops = ops.as_ptr().cast();
        f.n_small_ops = ops.len() as u8;
        // Every op of a new family gets strict attribute validation.
        f.resv_start_op = ops
            .iter()
            .map(|o| o.0.cmd)
            .max()
            .unwrap_or(0)
            .saturating_add(1);
        f.mcgrps = mcgrps.as_ptr().cast();
        f.n_mcgrps = mcgrps.len() as u8;
        f.module = module.as_ptr().cast();
        f.set_netnsok(1);
        // SAFETY: not registered (checked above; module init is the only
        // caller), so nobody else reads `raw`; all pointers are 'static.
        let ret = unsafe {
            self.raw.get().write(f);
            bindings::genl_register_family(self.raw.get())
        };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        {
            let _rtnl = Rtnl::lock();
            self.registered.store(true, Ordering::Release);
        }
        // INVARIANT: registered just now.
        Ok(FamilyRegistration { family: self })
    }

    /// A new notification message of command `cmd` (to be filled, then
    /// sent with [`Family::multicast`]), or `None` when nobody in `net`
    /// listens to `group` or the family is not registered.
    pub(crate) fn notification(
        &self,
        _rtnl: &Rtnl,
        net: &Net,
        group: u32,
        cmd: u8,
    ) -> Option<Message> {
        if !self.registered.load(Ordering::Acquire) {
            return None;
        }
        // SAFETY: registered (checked under rtnl, which keeps it so);
        // `net` is live.
        if !unsafe { bindings::zcpair_genl_has_listeners(self.raw.get(), net.as_raw(), group) } {
            return None;
        }
        Message::new(self.raw.get(), 0, 0, cmd).ok()
    }

    /// Sends `msg` to the listeners of multicast group `group` (index into
    /// the family's groups) in `net`. Delivery is best effort.
    pub(crate) fn multicast(&self, _rtnl: &Rtnl, net: &Net, group: u32, msg: Message) {
        if !self.registered.load(Ordering::Acquire) {
            return;
        }
        let skb = msg.finish();
        // SAFETY: registered (checked under rtnl, which keeps it so); `net`
        // is live; the skb is a finished message whose ownership passes.
        unsafe {
            bindings::zcpair_genlmsg_multicast_netns(self.raw.get(), net.as_raw(), skb, group)
        };
    }
}

/// A registered [`Family`], unregistered on drop.
///
/// # Invariants
///
/// `family` is registered with the genetlink core.
pub(crate) struct FamilyRegistration<H: Handler> {
    family: &'static Family<H>,
}

impl<H: Handler> Drop for FamilyRegistration<H> {
    fn drop(&mut self) {
        {
            // After this, no rtnl-holding code sends notifications.
            let _rtnl = Rtnl::lock();
            self.family.registered.store(false, Ordering::Release);
        }
        // SAFETY: registered (type invariant); this waits for running ops
        // and dumps, after which nothing uses the family.
        unsafe { bindings::genl_unregister_family(self.family.raw.get()) };
    }
}

/// A netlink message being built (an skb with one genetlink header),
/// freed unless it is sent.
///
/// # Invariants
///
/// `skb` is an skb we own, `hdr` the genetlink header inside it.
pub(crate) struct Message {
    skb: NonNull<bindings::sk_buff>,
    hdr: *mut core::ffi::c_void,
}

impl Message {
    fn new(family: *const bindings::genl_family, portid: u32, seq: u32, cmd: u8) -> Result<Self> {
        // SAFETY: process context, no precondition.
        let skb = NonNull::new(unsafe { bindings::zcpair_genlmsg_new() }).ok_or(ENOMEM)?;
        // SAFETY: `skb` is fresh and ours; `family` is registered.
        let hdr = unsafe { bindings::genlmsg_put(skb.as_ptr(), portid, seq, family, 0, cmd) };
        if hdr.is_null() {
            // SAFETY: ours, not sent.
            unsafe { bindings::zcpair_nlmsg_free(skb.as_ptr()) };
            return Err(emsgsize());
        }
        Ok(Self { skb, hdr })
    }

    /// Where attributes are added.
    pub(crate) fn attrs(&mut self) -> Writer<'_> {
        Writer {
            skb: self.skb.as_ptr(),
            _p: PhantomData,
        }
    }

    /// Ends the message and hands its skb over.
    fn finish(self) -> *mut bindings::sk_buff {
        let me = core::mem::ManuallyDrop::new(self);
        // SAFETY: `hdr` is the header of `skb` (type invariant).
        unsafe { bindings::zcpair_genlmsg_end(me.skb.as_ptr(), me.hdr) };
        me.skb.as_ptr()
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        // SAFETY: we own the skb and did not send it.
        unsafe { bindings::zcpair_nlmsg_free(self.skb.as_ptr()) };
    }
}

/// Adds attributes to a message being built. Each method fails with
/// `EMSGSIZE` when the message is full.
///
/// # Invariants
///
/// `skb` is a netlink message being built that the holder owns for 'a.
pub(crate) struct Writer<'a> {
    skb: *mut bindings::sk_buff,
    _p: PhantomData<&'a mut ()>,
}

/// Lets `f` add attributes to `skb` (a message being built that the caller
/// owns), then closes what was opened just before (a nest or a message):
/// `close(true)` keeps it, `close(false)` removes it with all `f` added.
fn fill_then(
    skb: *mut bindings::sk_buff,
    f: impl FnOnce(&mut Writer<'_>) -> Result,
    close: impl FnOnce(bool),
) -> Result {
    let r = f(&mut Writer {
        skb,
        _p: PhantomData,
    });
    close(r.is_ok());
    r
}

fn put(ret: i32) -> Result {
    if ret == 0 {
        Ok(())
    } else {
        Err(emsgsize())
    }
}

impl Writer<'_> {
    /// A u32 attribute.
    pub(crate) fn u32(&mut self, ty: u32, v: u32) -> Result {
        // SAFETY: `skb` is a message being built (type invariant).
        put(unsafe { bindings::zcpair_nla_put_u32(self.skb, ty as i32, v) })
    }

    /// A u8 attribute.
    pub(crate) fn u8(&mut self, ty: u32, v: u8) -> Result {
        // SAFETY: `skb` is a message being built (type invariant).
        put(unsafe { bindings::zcpair_nla_put_u8(self.skb, ty as i32, v) })
    }

    /// An s32 attribute.
    pub(crate) fn s32(&mut self, ty: u32, v: i32) -> Result {
        // SAFETY: as above.
        put(unsafe { bindings::zcpair_nla_put_s32(self.skb, ty as i32, v) })
    }

    /// An `NLA_UINT` attribute (4 bytes when the value fits, else 8).
    pub(crate) fn uint(&mut self, ty: u32, v: u64) -> Result {
        // SAFETY: as above.
        put(unsafe { bindings::zcpair_nla_put_uint(self.skb, ty as i32, v) })
    }

    /// A binary attribute: `v`'s bytes.
    pub(crate) fn binary(&mut self, ty: u32, v: &[u8]) -> Result {
        let len = i32::try_from(v.len()).map_err(|_| emsgsize())?;
        // SAFETY: as above; `v` is readable for `len` bytes, which
        // nla_put copies.
        put(unsafe { bindings::nla_put(self.skb, ty as i32, len, v.as_ptr().cast()) })
    }

    /// A NUL-terminated string attribute.
    pub(crate) fn string(&mut self, ty: u32, v: &CStr) -> Result {
        // SAFETY: as above; `v` is NUL-terminated.
        put(unsafe { bindings::zcpair_nla_put_string(self.skb, ty as i32, v.as_char_ptr()) })
    }

    /// A nested attribute whose members `f` adds; nothing of it remains
    /// if `f` fails.
    pub(crate) fn nest(&mut self, ty: u32, f: impl FnOnce(&mut Writer<'_>) -> Result) -> Result {
        // SAFETY: as above.
        let nest = unsafe { bindings::zcpair_nla_nest_start(self.skb, ty as i32) };
        if nest.is_null() {
            return Err(emsgsize());
        }
        let skb = self.skb;
        fill_then(skb, f, |keep| {
            // SAFETY: `nest` was started in this message and nothing after
            // it was cancelled.
            unsafe {
                if keep {
                    bindings::zcpair_nla_nest_end(skb, nest)
                } else {
                    bindings::zcpair_nla_nest_cancel(skb, nest)
                }
            }
        })
    }
}

/// A `doit` request.
///
/// # Invariants
///
/// `info` is the live request of the running `doit` callback of `family`.
pub(crate) struct Request<'a> {
    info: *mut bindings::genl_info,
    attrs: Attrs<'a>,
    extack: ExtAck<'a>,
}

impl<'a> Request<'a> {
    /// The request's attributes, validated against the family's policy.
    pub(crate) fn attrs(&self) -> &Attrs<'a> {
        &self.attrs
    }

    /// Where errors go.
    pub(crate) fn extack(&self) -> &ExtAck<'a> {
        &self.extack
    }

    /// The requesting socket's netns.
    pub(crate) fn net(&self) -> &'a Net {
        // SAFETY: the request is live (type invariant); its netns outlives it.
        unsafe { Net::from_raw(bindings::zcpair_genl_info_net(self.info)) }
    }

    /// A reply message of command `cmd`, to be filled and sent with
    /// [`Request::reply`].
    pub(crate) fn reply_message(&self, cmd: u8) -> Result<Message> {
        // SAFETY: the request is live (type invariant).
        let (family, portid, seq) = unsafe {
            (
                (*self.info).family,
                (*self.info).snd_portid,
                (*self.info).snd_seq,
            )
        };
        Message::new(family, portid, seq, cmd)
    }

    /// Sends `msg` back to the requester.
    pub(crate) fn reply(&self, msg: Message) -> Result {
        let skb = msg.finish();
        // SAFETY: the request is live; the skb is a finished message whose
        // ownership passes.
        let ret = unsafe { bindings::zcpair_genlmsg_reply(skb, self.info) };
        if ret < 0 {
            Err(Error::from_errno(ret))
        } else {
            Ok(())
        }
    }
}

/// One `dumpit` call: the message being filled and the dump's state.
///
/// # Invariants
///
/// `skb` and `cb` are the live arguments of the running `dumpit` callback.
pub(crate) struct Dump<'a> {
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    _p: PhantomData<&'a mut ()>,
}

impl<'a> Dump<'a> {
    /// The dumping socket's netns.
    pub(crate) fn net(&self) -> &'a Net {
        // SAFETY: the callback is live (type invariant); the socket's netns
        // outlives the dump call.
        unsafe { Net::from_raw(bindings::zcpair_dump_net(self.cb)) }
    }

    /// The dump's position, kept across calls (zero at the start).
    pub(crate) fn cursor(&mut self) -> &mut u64 {
        // SAFETY: the callback is live; its 48-byte `ctx` is ours for the
        // whole dump, zeroed at its start, and suitably aligned for a u64
        // (it follows pointer-sized fields).
        unsafe { &mut *((*self.cb).__bindgen_anon_1.ctx.as_mut_ptr() as *mut u64) }
    }

    /// Adds one message of command `cmd` whose attributes `f` adds; on
    /// failure nothing of it remains.
    pub(crate) fn entry(&mut self, cmd: u8, f: impl FnOnce(&mut Writer<'_>) -> Result) -> Result {
        let family = self.family();
        // SAFETY: the callback is live; its request was for our family.
        let hdr = unsafe { bindings::zcpair_genlmsg_put_dump(self.skb, self.cb, family, cmd) };
        if hdr.is_null() {
            return Err(emsgsize());
        }
        let skb = self.skb;
        fill_then(skb, f, |keep| {
            // SAFETY: `hdr` heads the last message of `skb`.
            unsafe {
                if keep {
                    bindings::zcpair_genlmsg_end(skb, hdr)
                } else {
                    bindings::zcpair_genlmsg_cancel(skb, hdr)
                }
            }
        })
    }

    fn family(&self) -> *const bindings::genl_family {
        // SAFETY: genetlink runs our `dumpit` with `cb->data` pointing at its
        // `genl_dumpit_info`, whose `info.family` is our family.
        unsafe {
            (*(*self.cb).data.cast::<bindings::genl_dumpit_info>())
                .info
                .family
        }
    }

    fn len(&self) -> u32 {
        // SAFETY: the skb is live (type invariant).
        unsafe { bindings::zcpair_skb_len(self.skb) }
    }
}

/// # Safety
///
/// Only called by the genetlink core as a `doit` of a family of `H`.
unsafe extern "C" fn doit<H: Handler>(
    _skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> i32 {
    // SAFETY: the core passes a live request whose attribute table has
    // `maxattr + 1` validated entries and whose extack is NULL or live.
    let req = unsafe {
        let maxattr = (*(*info).family).maxattr as usize;
        Request {
            info,
            attrs: match Attrs::from_raw((*info).attrs, maxattr + 1) {
                Some(a) => a,
                None => return EINVAL.to_errno(),
            },
            extack: ExtAck::from_raw((*info).extack),
        }
    };
    // SAFETY: as above, the header is live.
    let cmd = unsafe { (*(*info).genlhdr).cmd };
    from_result(|| H::doit(cmd, &req).map(|()| 0))
}

/// # Safety
///
/// Only called by the genetlink core as a `dumpit` of a family of `H`.
unsafe extern "C" fn dumpit<H: Handler>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> i32 {
    let mut dump = Dump {
        skb,
        cb,
        _p: PhantomData,
    };
    // SAFETY: genetlink's `cb->data` is its `genl_dumpit_info`, live for
    // the dump, whose op is the one being dumped.
    let cmd = unsafe { (*(*cb).data.cast::<bindings::genl_dumpit_info>()).op.cmd };
    match H::dumpit(cmd, &mut dump) {
        Ok(()) => 0,
        Err(e) if e == emsgsize() && dump.len() > 0 => dump.len() as i32,
        Err(e) => e.to_errno(),
    }
}
