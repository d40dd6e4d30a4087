// SPDX-License-Identifier: GPL-2.0
//! The zcpair netlink numbers, from `include/uapi/linux/zcpair.h`.
//!
//! `raw` is what bindgen made of the header (see `build.rs`); the rest of
//! this module gives those numbers the types netlink wants (`u16` attribute
//! types, `u8` commands, `&str` names) and pairs each one with its name in
//! the YNL spec. Those names are what `--json` prints and what
//! `tests/spec.rs` checks against `Documentation/netlink/specs/zcpair.yaml`.

#[allow(
    non_upper_case_globals,
    non_camel_case_types,
    dead_code,
    clippy::all,
    unreachable_pub
)]
mod raw {
    include!(concat!(env!("OUT_DIR"), "/zcpair_uapi.rs"));
}

/// A NUL-terminated C string constant as a `&str`, at compile time.
const fn c_str(bytes: &'static [u8]) -> &'static str {
    let Some((0, text)) = bytes.split_last() else {
        panic!("C string constant without a terminating NUL");
    };
    match core::str::from_utf8(text) {
        Ok(s) => s,
        Err(_) => panic!("C string constant is not UTF-8"),
    }
}

/// An attribute or enum value as a netlink attribute type.
const fn attr(value: u32) -> u16 {
    // The NLA type field has 14 bits; the top two are flags.
    assert!(value < 1 << 14);
    value as u16
}

/// A command value as a genetlink `cmd` byte.
const fn cmd(value: u32) -> u8 {
    assert!(value <= u8::MAX as u32);
    value as u8
}

/// Generic netlink family name.
pub const FAMILY_NAME: &str = c_str(raw::ZCPAIR_FAMILY_NAME);
/// Generic netlink family version.
pub const FAMILY_VERSION: u8 = cmd(raw::ZCPAIR_FAMILY_VERSION);
/// The multicast group of the notifications.
pub const MCGRP_EVENTS: &str = c_str(raw::ZCPAIR_MCGRP_EVENTS);
/// rtnetlink link kind (`IFLA_INFO_KIND`) of zcpair devices; the same
/// string as the genetlink family name.
pub const LINK_KIND: &str = FAMILY_NAME;

/// Limits of the rtnetlink kind attributes, of the queue count
/// (`IFLA_NUM_TX_QUEUES`/`IFLA_NUM_RX_QUEUES`), of copybreak and of the
/// transmit batching (`ethtool -C tx-usecs`, `tx-frames`).
pub mod limits {
    use super::raw;
    pub const RING_SIZE_MIN: u32 = raw::ZCPAIR_RING_SIZE_MIN;
    pub const RING_SIZE_MAX: u32 = raw::ZCPAIR_RING_SIZE_MAX;
    pub const RING_SIZE_DEFAULT: u32 = raw::ZCPAIR_RING_SIZE_DEFAULT;
    pub const QUEUES_MAX: u32 = raw::ZCPAIR_QUEUES_MAX;
    pub const HDR_BUF_MIN: u32 = raw::ZCPAIR_HDR_BUF_MIN;
    pub const HDR_BUF_MAX: u32 = raw::ZCPAIR_HDR_BUF_MAX;
    pub const HDR_BUF_DEFAULT: u32 = raw::ZCPAIR_HDR_BUF_DEFAULT;
    pub const COPYBREAK_DEFAULT: u32 = raw::ZCPAIR_COPYBREAK_DEFAULT;
    pub const COPYBREAK_MAX: u32 = raw::ZCPAIR_COPYBREAK_MAX;
    pub const TX_USECS_MAX: u32 = raw::ZCPAIR_TX_USECS_MAX;
    pub const TX_FRAMES_MAX: u32 = raw::ZCPAIR_TX_FRAMES_MAX;
    pub const RX_USECS_MAX: u32 = raw::ZCPAIR_RX_USECS_MAX;
    pub const RX_FRAMES_MAX: u32 = raw::ZCPAIR_RX_FRAMES_MAX;

    /// Spec name and value of every constant, for the spec test.
    pub const ALL: &[(&str, u32)] = &[
        ("ring-size-min", RING_SIZE_MIN),
        ("ring-size-max", RING_SIZE_MAX),
        ("ring-size-default", RING_SIZE_DEFAULT),
        ("queues-max", QUEUES_MAX),
        ("hdr-buf-min", HDR_BUF_MIN),
        ("hdr-buf-max", HDR_BUF_MAX),
        ("hdr-buf-default", HDR_BUF_DEFAULT),
        ("copybreak-default", COPYBREAK_DEFAULT),
        ("copybreak-max", COPYBREAK_MAX),
        ("tx-usecs-max", TX_USECS_MAX),
        ("tx-frames-max", TX_FRAMES_MAX),
        ("rx-usecs-max", RX_USECS_MAX),
        ("rx-frames-max", RX_FRAMES_MAX),
    ];
}

/// rtnetlink kind attributes, inside `IFLA_INFO_DATA` (the spec's `info`
/// enum).
pub mod info {
    use super::{attr, raw};
    pub const PEER: u16 = attr(raw::ZCPAIR_INFO_PEER);
    pub const RING_SIZE: u16 = attr(raw::ZCPAIR_INFO_RING_SIZE);
    pub const HDR_BUF: u16 = attr(raw::ZCPAIR_INFO_HDR_BUF);
    pub const COPYBREAK: u16 = attr(raw::ZCPAIR_INFO_COPYBREAK);
    pub const UPLINK: u16 = attr(raw::ZCPAIR_INFO_UPLINK);
    pub const LAN: u16 = attr(raw::ZCPAIR_INFO_LAN);

    pub const ALL: &[(&str, u16)] = &[
        ("unspec", attr(raw::ZCPAIR_INFO_UNSPEC)),
        ("peer", PEER),
        ("ring-size", RING_SIZE),
        ("hdr-buf", HDR_BUF),
        ("copybreak", COPYBREAK),
        ("uplink", UPLINK),
        ("lan", LAN),
    ];
    pub const MAX: u16 = attr(raw::ZCPAIR_INFO_MAX);
}

/// The `ring` attribute set.
pub mod ring {
    use super::{attr, raw};
    pub const SIZE: u16 = attr(raw::ZCPAIR_A_RING_SIZE);
    pub const HDR_BUF: u16 = attr(raw::ZCPAIR_A_RING_HDR_BUF);
    pub const HEAD: u16 = attr(raw::ZCPAIR_A_RING_HEAD);
    pub const TAIL: u16 = attr(raw::ZCPAIR_A_RING_TAIL);
    pub const IN_FLIGHT: u16 = attr(raw::ZCPAIR_A_RING_IN_FLIGHT);

    pub const ALL: &[(&str, u16)] = &[
        ("size", SIZE),
        ("hdr-buf", HDR_BUF),
        ("head", HEAD),
        ("tail", TAIL),
        ("in-flight", IN_FLIGHT),
    ];
    pub const MAX: u16 = attr(raw::ZCPAIR_A_RING_MAX);
}

/// The `stats` attribute set: every attribute is a counter of YNL type
/// `uint` (`NLA_UINT`, 4 or 8 bytes on the wire).
pub mod stats {
    use super::{attr, raw};

    // Generated by build.rs from the header: one entry per counter.
    include!(concat!(env!("OUT_DIR"), "/zcpair_stats.rs"));
    pub const MAX: u16 = attr(raw::ZCPAIR_A_STATS_MAX);

    /// The spec name of counter `kind`, if this build knows it.
    pub fn name(kind: u16) -> Option<&'static str> {
        ALL.iter().find(|(_, k)| *k == kind).map(|(n, _)| *n)
    }
}

/// The `pair` attribute set.
pub mod pair {
    use super::{attr, raw};
    pub const IFINDEX: u16 = attr(raw::ZCPAIR_A_PAIR_IFINDEX);
    pub const IFNAME: u16 = attr(raw::ZCPAIR_A_PAIR_IFNAME);
    pub const PEER_IFINDEX: u16 = attr(raw::ZCPAIR_A_PAIR_PEER_IFINDEX);
    pub const PEER_IFNAME: u16 = attr(raw::ZCPAIR_A_PAIR_PEER_IFNAME);
    pub const PEER_NETNSID: u16 = attr(raw::ZCPAIR_A_PAIR_PEER_NETNSID);
    pub const COPYBREAK: u16 = attr(raw::ZCPAIR_A_PAIR_COPYBREAK);
    pub const TX_RING: u16 = attr(raw::ZCPAIR_A_PAIR_TX_RING);
    pub const RX_RING: u16 = attr(raw::ZCPAIR_A_PAIR_RX_RING);
    pub const STATS: u16 = attr(raw::ZCPAIR_A_PAIR_STATS);
    pub const TX_SEGMENT: u16 = attr(raw::ZCPAIR_A_PAIR_TX_SEGMENT);
    pub const QUEUES: u16 = attr(raw::ZCPAIR_A_PAIR_QUEUES);
    pub const UPLINK: u16 = attr(raw::ZCPAIR_A_PAIR_UPLINK);
    pub const UPLINK_IFNAME: u16 = attr(raw::ZCPAIR_A_PAIR_UPLINK_IFNAME);
    pub const LAN: u16 = attr(raw::ZCPAIR_A_PAIR_LAN);
    pub const STEER_PPS: u16 = attr(raw::ZCPAIR_A_PAIR_STEER_PPS);

    pub const ALL: &[(&str, u16)] = &[
        ("ifindex", IFINDEX),
        ("ifname", IFNAME),
        ("peer-ifindex", PEER_IFINDEX),
        ("peer-ifname", PEER_IFNAME),
        ("peer-netnsid", PEER_NETNSID),
        ("copybreak", COPYBREAK),
        ("tx-ring", TX_RING),
        ("rx-ring", RX_RING),
        ("stats", STATS),
        ("tx-segment", TX_SEGMENT),
        ("queues", QUEUES),
        ("uplink", UPLINK),
        ("uplink-ifname", UPLINK_IFNAME),
        ("lan", LAN),
        ("steer-pps", STEER_PPS),
    ];
    pub const MAX: u16 = attr(raw::ZCPAIR_A_PAIR_MAX);
}

/// The `lan` attribute set (`lan-get`).
pub mod lan {
    use super::{attr, raw};
    pub const IFINDEX: u16 = attr(raw::ZCPAIR_A_LAN_IFINDEX);
    pub const IFNAME: u16 = attr(raw::ZCPAIR_A_LAN_IFNAME);
    pub const ID: u16 = attr(raw::ZCPAIR_A_LAN_ID);
    pub const MEMBER: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER);
    pub const ROUTE: u16 = attr(raw::ZCPAIR_A_LAN_ROUTE);

    pub const ALL: &[(&str, u16)] = &[
        ("ifindex", IFINDEX),
        ("ifname", IFNAME),
        ("id", ID),
        ("member", MEMBER),
        ("route", ROUTE),
    ];
    pub const MAX: u16 = attr(raw::ZCPAIR_A_LAN_MAX);
}

/// The `lan-member` attribute set (a `member` nest of a `lan-get` reply).
pub mod lan_member {
    use super::{attr, raw};
    pub const IFINDEX: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER_IFINDEX);
    pub const IFNAME: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER_IFNAME);
    pub const NETNSID: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER_NETNSID);
    pub const UP: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER_UP);

    pub const ALL: &[(&str, u16)] = &[
        ("ifindex", IFINDEX),
        ("ifname", IFNAME),
        ("netnsid", NETNSID),
        ("up", UP),
    ];
    pub const MAX: u16 = attr(raw::ZCPAIR_A_LAN_MEMBER_MAX);
}

/// The `lan-route` attribute set (a `route` nest of a `lan-get` reply).
pub mod lan_route {
    use super::{attr, raw};
    pub const ADDR: u16 = attr(raw::ZCPAIR_A_LAN_ROUTE_ADDR);
    pub const MEMBER_IFINDEX: u16 = attr(raw::ZCPAIR_A_LAN_ROUTE_MEMBER_IFINDEX);

    pub const ALL: &[(&str, u16)] = &[("addr", ADDR), ("member-ifindex", MEMBER_IFINDEX)];
    pub const MAX: u16 = attr(raw::ZCPAIR_A_LAN_ROUTE_MAX);
}

/// Generic netlink commands.
pub mod cmd {
    use super::{cmd, raw};
    pub const PAIR_GET: u8 = cmd(raw::ZCPAIR_CMD_PAIR_GET);
    pub const PAIR_SET: u8 = cmd(raw::ZCPAIR_CMD_PAIR_SET);
    pub const PAIR_CREATE_NTF: u8 = cmd(raw::ZCPAIR_CMD_PAIR_CREATE_NTF);
    pub const PAIR_DELETE_NTF: u8 = cmd(raw::ZCPAIR_CMD_PAIR_DELETE_NTF);
    pub const PAIR_CHANGE_NTF: u8 = cmd(raw::ZCPAIR_CMD_PAIR_CHANGE_NTF);
    pub const LAN_GET: u8 = cmd(raw::ZCPAIR_CMD_LAN_GET);

    pub const ALL: &[(&str, u8)] = &[
        ("pair-get", PAIR_GET),
        ("pair-set", PAIR_SET),
        ("pair-create-ntf", PAIR_CREATE_NTF),
        ("pair-delete-ntf", PAIR_DELETE_NTF),
        ("pair-change-ntf", PAIR_CHANGE_NTF),
        ("lan-get", LAN_GET),
    ];
    pub const MAX: u8 = cmd(raw::ZCPAIR_CMD_MAX);

    /// The spec name of command `value`, if this build knows it.
    pub fn name(value: u8) -> Option<&'static str> {
        ALL.iter().find(|(_, v)| *v == value).map(|(n, _)| *n)
    }
}
