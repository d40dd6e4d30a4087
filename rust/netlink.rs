// SPDX-License-Identifier: GPL-2.0

//! Netlink attributes as requests carry them, their validation policies,
//! and the extended ack where errors get their message; shared by the
//! rtnetlink link kind ([`super::rtnl`]), the generic netlink family
//! ([`super::genl`]) and ethtool ([`super::ethtool`]).
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h).
//!
//! A policy is built only from the constructors of [`Policy`] (its C
//! structure is private): safe code cannot make one whose pointer fields
//! point anywhere but to a `'static` [`Range`].

use super::bindings;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::prelude::*;
use kernel::str::CStr;

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

    /// No extack: messages go nowhere.
    pub(crate) fn none() -> ExtAck<'static> {
        ExtAck {
            raw: core::ptr::null_mut(),
            _p: PhantomData,
        }
    }

    /// The C extack (may be NULL), for the adapters that pass it on.
    pub(crate) fn as_raw(&self) -> *mut bindings::netlink_ext_ack {
        self.raw
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
    /// The C attribute, for the adapters that pass it on.
    pub(crate) fn as_raw(&self) -> *mut bindings::nlattr {
        self.raw.as_ptr()
    }

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

    /// The payload as a u8, if it has one byte at least.
    pub(crate) fn as_u8(&self) -> Option<u8> {
        self.payload().first().copied()
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

    /// Attribute `ty` as a u8, if present.
    pub(crate) fn u8(&self, ty: u32) -> Option<u8> {
        self.get(ty)?.as_u8()
    }

    /// Attribute `ty` as a string, if present and NUL-terminated (as an
    /// `NLA_NUL_STRING` policy guarantees).
    pub(crate) fn str(&self, ty: u32) -> Option<&'a CStr> {
        CStr::from_bytes_with_nul(self.get(ty)?.payload()).ok()
    }
}

/// The validation of one attribute type (`struct nla_policy`), for a
/// policy table: `static POLICY: [Policy; MAX + 1] = [...]`.
///
/// # Invariants
///
/// The C structure is one that the constructors below build: a type, a
/// length or minimum, or a pointer to a `'static` [`Range`].
#[repr(transparent)]
#[derive(Clone, Copy)]
pub(crate) struct Policy(bindings::nla_policy);

// SAFETY: immutable; its only pointer is to a `'static` immutable `Range`.
unsafe impl Sync for Policy {}
// SAFETY: as above.
unsafe impl Send for Policy {}

impl Policy {
    /// An unused attribute slot: the netlink core accepts any payload (and
    /// strict validation rejects the attribute in new families).
    pub(crate) const fn unspec() -> Self {
        // SAFETY: all-zero is NLA_UNSPEC with no validation.
        Self(unsafe { core::mem::zeroed() })
    }

    /// A u32 within `range` (checked by the netlink core).
    pub(crate) const fn u32_range(range: &'static Range) -> Self {
        let mut p = Self::unspec().0;
        p.type_ = bindings::NLA_U32 as u8;
        p.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.__bindgen_anon_1.range = &range.0;
        Self(p)
    }

    /// A u8 of at most `max` (checked by the netlink core).
    pub(crate) const fn u8_max(max: u8) -> Self {
        let mut p = Self::unspec().0;
        p.type_ = bindings::NLA_U8 as u8;
        p.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MAX as u8;
        p.__bindgen_anon_1.__bindgen_anon_1.max = max as i16;
        Self(p)
    }

    /// A binary attribute of at least `min_len` bytes.
    pub(crate) const fn binary_min(min_len: u16) -> Self {
        let mut p = Self::unspec().0;
        p.type_ = bindings::NLA_BINARY as u8;
        p.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MIN as u8;
        p.__bindgen_anon_1.__bindgen_anon_1.min = min_len as i16;
        Self(p)
    }

    /// A NUL-terminated string of at most `max_len` bytes before the NUL.
    pub(crate) const fn nul_string(max_len: u16) -> Self {
        let mut p = Self::unspec().0;
        p.type_ = bindings::NLA_NUL_STRING as u8;
        p.len = max_len;
        Self(p)
    }

    /// An interface name: a NUL-terminated string that fits `IFNAMSIZ`.
    pub(crate) const fn ifname() -> Self {
        Self::nul_string(bindings::IFNAMSIZ as u16 - 1)
    }

    /// The C table of a policy array, for the registering adapters.
    pub(crate) fn raw_table(table: &'static [Policy]) -> *const bindings::nla_policy {
        table.as_ptr().cast()
    }
}

/// The bounds of an integer attribute, for [`Policy::u32_range`]; lives in
/// a `static`.
#[repr(transparent)]
pub(crate) struct Range(bindings::netlink_range_validation);

impl Range {
    /// `min..=max`.
    pub(crate) const fn new(min: u64, max: u64) -> Self {
        Self(bindings::netlink_range_validation { min, max })
    }
}
