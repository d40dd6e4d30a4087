// SPDX-License-Identifier: GPL-2.0
//! The `zcpair` generic netlink family: messages and attributes.
//!
//! [`ZcpairMessage`] is the family payload that netlink-packet-generic
//! wraps in a `GenlMessage` (it implements [`GenlFamily`]); the attribute
//! enums implement netlink-packet-core's [`Nla`] for emitting and
//! [`Parseable`] for parsing. [`Pair`] is the decoded view that the
//! commands print.

use netlink_packet_core::{
    emit_i32, emit_u32, emit_u64, parse_i32, parse_string, parse_u32, parse_u64, parse_u8,
    DecodeError, DefaultNla, Emitable, ErrorContext, Nla, NlaBuffer, NlasIterator, Parseable,
    ParseableParametrized, NLA_F_NESTED,
};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::uapi::{self, cmd, lan, lan_member, lan_route, pair, ring, stats};

/// A message of the zcpair family: a command and its attributes (the
/// `pair` set for every command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZcpairMessage {
    pub cmd: u8,
    pub attrs: Vec<PairAttr>,
}

impl ZcpairMessage {
    /// `pair-get` of one device, by name.
    pub fn get_by_name(name: &str) -> Self {
        Self {
            cmd: cmd::PAIR_GET,
            attrs: vec![PairAttr::Ifname(name.to_owned())],
        }
    }

    /// `pair-get` dump request (no attributes; sent with `NLM_F_DUMP`).
    pub fn dump() -> Self {
        Self {
            cmd: cmd::PAIR_GET,
            attrs: Vec::new(),
        }
    }

    /// `pair-set` of one device's copybreak, by name.
    pub fn set_copybreak(name: &str, copybreak: u32) -> Self {
        Self {
            cmd: cmd::PAIR_SET,
            attrs: vec![
                PairAttr::Ifname(name.to_owned()),
                PairAttr::Copybreak(copybreak),
            ],
        }
    }

    /// `pair-set` of one device's tx-segment (on: it cuts the UDP GSO
    /// frames it transmits into segments itself), by name.
    pub fn set_tx_segment(name: &str, on: bool) -> Self {
        Self {
            cmd: cmd::PAIR_SET,
            attrs: vec![
                PairAttr::Ifname(name.to_owned()),
                PairAttr::TxSegment(u8::from(on)),
            ],
        }
    }

    /// `pair-set` of one device's steer-pps (a CPU transmitting more
    /// than this many frames per second through it has the reader's poll
    /// scheduled on another CPU; 0: never), by name.
    pub fn set_steer_pps(name: &str, pps: u32) -> Self {
        Self {
            cmd: cmd::PAIR_SET,
            attrs: vec![PairAttr::Ifname(name.to_owned()), PairAttr::SteerPps(pps)],
        }
    }

    /// `pair-set` of one device's uplink, by name: `ifindex` of a device
    /// in the end's netns, 0 to detach it.
    pub fn set_uplink(name: &str, ifindex: u32) -> Self {
        Self {
            cmd: cmd::PAIR_SET,
            attrs: vec![PairAttr::Ifname(name.to_owned()), PairAttr::Uplink(ifindex)],
        }
    }
}

/// The genetlink plumbing of a zcpair message type: a command and its
/// attributes of one set (`$what` names the set in decode errors).
macro_rules! zcpair_message {
    ($name:ident, $what:literal) => {
        impl GenlFamily for $name {
            fn family_name() -> &'static str {
                uapi::FAMILY_NAME
            }

            fn command(&self) -> u8 {
                self.cmd
            }

            fn version(&self) -> u8 {
                uapi::FAMILY_VERSION
            }
        }

        impl Emitable for $name {
            fn buffer_len(&self) -> usize {
                self.attrs.as_slice().buffer_len()
            }

            fn emit(&self, buffer: &mut [u8]) {
                self.attrs.as_slice().emit(buffer)
            }
        }

        impl ParseableParametrized<[u8], GenlHeader> for $name {
            fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
                Ok(Self {
                    cmd: header.cmd,
                    attrs: parse_nlas(buf).context(concat!(
                        "invalid zcpair ",
                        $what,
                        " attributes"
                    ))?,
                })
            }
        }
    };
}

zcpair_message!(ZcpairMessage, "pair");

/// Parse a run of attributes of one set.
fn parse_nlas<A>(buf: &[u8]) -> Result<Vec<A>, DecodeError>
where
    A: for<'a> Parseable<NlaBuffer<&'a [u8]>>,
{
    NlasIterator::new(buf).map(|nla| A::parse(&nla?)).collect()
}

fn string_len(s: &str) -> usize {
    s.len() + 1
}

fn emit_string(buffer: &mut [u8], s: &str) {
    buffer[..s.len()].copy_from_slice(s.as_bytes());
    buffer[s.len()] = 0;
}

/// An attribute of the `pair` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairAttr {
    Ifindex(u32),
    Ifname(String),
    PeerIfindex(u32),
    PeerIfname(String),
    PeerNetnsid(i32),
    Copybreak(u32),
    TxRing(Vec<RingAttr>),
    RxRing(Vec<RingAttr>),
    Stats(Vec<StatsAttr>),
    /// `u8`, 0 or 1.
    TxSegment(u8),
    /// Queues in use, the same on both ends (reply only).
    Queues(u32),
    /// ifindex of the end's uplink, in the end's netns; 0: none.
    Uplink(u32),
    /// Name of the uplink (reply only).
    UplinkIfname(String),
    /// The LAN the device is a member of (reply only; a LAN member has
    /// no peer attributes).
    Lan(u32),
    /// Frames per second a transmitting CPU may send through the device
    /// before the reader's poll is scheduled on another CPU; 0: never.
    SteerPps(u32),
    Other(DefaultNla),
}

impl Nla for PairAttr {
    fn value_len(&self) -> usize {
        match self {
            Self::Ifindex(_)
            | Self::PeerIfindex(_)
            | Self::PeerNetnsid(_)
            | Self::Copybreak(_)
            | Self::Queues(_)
            | Self::Uplink(_)
            | Self::Lan(_)
            | Self::SteerPps(_) => 4,
            Self::Ifname(s) | Self::PeerIfname(s) | Self::UplinkIfname(s) => string_len(s),
            Self::TxRing(attrs) | Self::RxRing(attrs) => attrs.as_slice().buffer_len(),
            Self::Stats(attrs) => attrs.as_slice().buffer_len(),
            Self::TxSegment(_) => 1,
            Self::Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Ifindex(_) => pair::IFINDEX,
            Self::Ifname(_) => pair::IFNAME,
            Self::PeerIfindex(_) => pair::PEER_IFINDEX,
            Self::PeerIfname(_) => pair::PEER_IFNAME,
            Self::PeerNetnsid(_) => pair::PEER_NETNSID,
            Self::Copybreak(_) => pair::COPYBREAK,
            // Nests carry NLA_F_NESTED, as nla_nest_start() sets it.
            Self::TxRing(_) => pair::TX_RING | NLA_F_NESTED,
            Self::RxRing(_) => pair::RX_RING | NLA_F_NESTED,
            Self::Stats(_) => pair::STATS | NLA_F_NESTED,
            Self::TxSegment(_) => pair::TX_SEGMENT,
            Self::Queues(_) => pair::QUEUES,
            Self::Uplink(_) => pair::UPLINK,
            Self::UplinkIfname(_) => pair::UPLINK_IFNAME,
            Self::Lan(_) => pair::LAN,
            Self::SteerPps(_) => pair::STEER_PPS,
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Ifindex(v)
            | Self::PeerIfindex(v)
            | Self::Copybreak(v)
            | Self::Queues(v)
            | Self::Uplink(v)
            | Self::Lan(v)
            | Self::SteerPps(v) => emit_u32(buffer, *v).unwrap(),
            Self::PeerNetnsid(v) => emit_i32(buffer, *v).unwrap(),
            Self::Ifname(s) | Self::PeerIfname(s) | Self::UplinkIfname(s) => emit_string(buffer, s),
            Self::TxRing(attrs) | Self::RxRing(attrs) => attrs.as_slice().emit(buffer),
            Self::Stats(attrs) => attrs.as_slice().emit(buffer),
            Self::TxSegment(v) => buffer[0] = *v,
            Self::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for PairAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let kind = buf.kind();
        let ctx = || format!("invalid pair attribute {kind}");
        Ok(match kind {
            pair::IFINDEX => Self::Ifindex(parse_u32(value).with_context(ctx)?),
            pair::IFNAME => Self::Ifname(parse_string(value).with_context(ctx)?),
            pair::PEER_IFINDEX => Self::PeerIfindex(parse_u32(value).with_context(ctx)?),
            pair::PEER_IFNAME => Self::PeerIfname(parse_string(value).with_context(ctx)?),
            pair::PEER_NETNSID => Self::PeerNetnsid(parse_i32(value).with_context(ctx)?),
            pair::COPYBREAK => Self::Copybreak(parse_u32(value).with_context(ctx)?),
            pair::TX_RING => Self::TxRing(parse_nlas(value).with_context(ctx)?),
            pair::RX_RING => Self::RxRing(parse_nlas(value).with_context(ctx)?),
            pair::STATS => Self::Stats(parse_nlas(value).with_context(ctx)?),
            pair::TX_SEGMENT => Self::TxSegment(parse_u8(value).with_context(ctx)?),
            pair::QUEUES => Self::Queues(parse_u32(value).with_context(ctx)?),
            pair::UPLINK => Self::Uplink(parse_u32(value).with_context(ctx)?),
            pair::UPLINK_IFNAME => Self::UplinkIfname(parse_string(value).with_context(ctx)?),
            pair::LAN => Self::Lan(parse_u32(value).with_context(ctx)?),
            pair::STEER_PPS => Self::SteerPps(parse_u32(value).with_context(ctx)?),
            _ => Self::Other(DefaultNla::parse(buf).with_context(ctx)?),
        })
    }
}

/// An attribute of the `ring` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RingAttr {
    Size(u32),
    HdrBuf(u32),
    Head(u32),
    Tail(u32),
    InFlight(u32),
    Other(DefaultNla),
}

impl Nla for RingAttr {
    fn value_len(&self) -> usize {
        match self {
            Self::Other(nla) => nla.value_len(),
            _ => 4,
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Size(_) => ring::SIZE,
            Self::HdrBuf(_) => ring::HDR_BUF,
            Self::Head(_) => ring::HEAD,
            Self::Tail(_) => ring::TAIL,
            Self::InFlight(_) => ring::IN_FLIGHT,
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Size(v) | Self::HdrBuf(v) | Self::Head(v) | Self::Tail(v) | Self::InFlight(v) => {
                emit_u32(buffer, *v).unwrap()
            }
            Self::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for RingAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let kind = buf.kind();
        let ctx = || format!("invalid ring attribute {kind}");
        Ok(match kind {
            ring::SIZE => Self::Size(parse_u32(value).with_context(ctx)?),
            ring::HDR_BUF => Self::HdrBuf(parse_u32(value).with_context(ctx)?),
            ring::HEAD => Self::Head(parse_u32(value).with_context(ctx)?),
            ring::TAIL => Self::Tail(parse_u32(value).with_context(ctx)?),
            ring::IN_FLIGHT => Self::InFlight(parse_u32(value).with_context(ctx)?),
            _ => Self::Other(DefaultNla::parse(buf).with_context(ctx)?),
        })
    }
}

/// An attribute of the `stats` set: counter `kind` (a `ZCPAIR_A_STATS_*`
/// value) and its value.
///
/// Counters are `NLA_UINT`: the kernel's nla_put_uint() writes 4 bytes
/// when the value fits and 8 otherwise; both are accepted, and emitting
/// follows the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsAttr {
    pub kind: u16,
    pub value: u64,
}

impl Nla for StatsAttr {
    fn value_len(&self) -> usize {
        if u32::try_from(self.value).is_ok() {
            4
        } else {
            8
        }
    }

    fn kind(&self) -> u16 {
        self.kind
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match u32::try_from(self.value) {
            Ok(v) => emit_u32(buffer, v).unwrap(),
            Err(_) => emit_u64(buffer, self.value).unwrap(),
        }
    }
}

/// Parse an `NLA_UINT` value: 4 or 8 bytes, host order.
pub fn parse_uint(value: &[u8]) -> Result<u64, DecodeError> {
    match value.len() {
        4 => parse_u32(value).map(u64::from),
        8 => parse_u64(value),
        n => Err(DecodeError::from(format!(
            "uint attribute of {n} bytes, expected 4 or 8"
        ))),
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for StatsAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let kind = buf.kind();
        Ok(Self {
            kind,
            value: parse_uint(buf.value()).with_context(|| format!("invalid counter {kind}"))?,
        })
    }
}

/// One ring, decoded. Absent attributes stay `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ring {
    pub size: Option<u32>,
    pub hdr_buf: Option<u32>,
    pub head: Option<u32>,
    pub tail: Option<u32>,
    pub in_flight: Option<u32>,
}

impl Ring {
    fn from_attrs(attrs: &[RingAttr]) -> Self {
        let mut r = Self::default();
        for a in attrs {
            match a {
                RingAttr::Size(v) => r.size = Some(*v),
                RingAttr::HdrBuf(v) => r.hdr_buf = Some(*v),
                RingAttr::Head(v) => r.head = Some(*v),
                RingAttr::Tail(v) => r.tail = Some(*v),
                RingAttr::InFlight(v) => r.in_flight = Some(*v),
                RingAttr::Other(_) => {}
            }
        }
        r
    }

    /// `(spec name, value)` of the attributes present, in spec order.
    pub fn fields(&self) -> Vec<(&'static str, u32)> {
        let vals = [
            self.size,
            self.hdr_buf,
            self.head,
            self.tail,
            self.in_flight,
        ];
        ring::ALL
            .iter()
            .zip(vals)
            .filter_map(|((name, _), v)| v.map(|v| (*name, v)))
            .collect()
    }
}

/// One end of a pair as reported by `pair-get` or a notification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pair {
    pub ifindex: Option<u32>,
    pub ifname: Option<String>,
    pub peer_ifindex: Option<u32>,
    pub peer_ifname: Option<String>,
    pub peer_netnsid: Option<i32>,
    pub copybreak: Option<u32>,
    pub tx_ring: Option<Ring>,
    pub rx_ring: Option<Ring>,
    /// Counters as received: `(ZCPAIR_A_STATS_* value, count)`.
    pub stats: Option<Vec<(u16, u64)>>,
    /// As received: 1 when the end segments UDP GSO frames itself, 0 when
    /// they cross whole; absent from older modules' replies.
    pub tx_segment: Option<u8>,
    /// Queues in use (`ethtool -l` combined), the same on both ends;
    /// absent from older modules' replies.
    pub queues: Option<u32>,
    /// ifindex of the end's uplink in the end's netns, 0 when it has none;
    /// absent from older modules' replies.
    pub uplink: Option<u32>,
    /// The uplink's name, when it has one.
    pub uplink_ifname: Option<String>,
    /// The id of the LAN the device is a member of (see `lan-get`); such
    /// a device is no end of a pair and has no peer attributes.
    pub lan: Option<u32>,
    /// The end's receive steering threshold in frames per second per
    /// transmitting CPU, 0 when steering is off; absent from older
    /// modules' replies.
    pub steer_pps: Option<u32>,
}

impl Pair {
    pub fn from_attrs(attrs: &[PairAttr]) -> Self {
        let mut p = Self::default();
        for a in attrs {
            match a {
                PairAttr::Ifindex(v) => p.ifindex = Some(*v),
                PairAttr::Ifname(v) => p.ifname = Some(v.clone()),
                PairAttr::PeerIfindex(v) => p.peer_ifindex = Some(*v),
                PairAttr::PeerIfname(v) => p.peer_ifname = Some(v.clone()),
                PairAttr::PeerNetnsid(v) => p.peer_netnsid = Some(*v),
                PairAttr::Copybreak(v) => p.copybreak = Some(*v),
                PairAttr::TxRing(r) => p.tx_ring = Some(Ring::from_attrs(r)),
                PairAttr::RxRing(r) => p.rx_ring = Some(Ring::from_attrs(r)),
                PairAttr::Stats(s) => p.stats = Some(s.iter().map(|c| (c.kind, c.value)).collect()),
                PairAttr::TxSegment(v) => p.tx_segment = Some(*v),
                PairAttr::Queues(v) => p.queues = Some(*v),
                PairAttr::Uplink(v) => p.uplink = Some(*v),
                PairAttr::UplinkIfname(v) => p.uplink_ifname = Some(v.clone()),
                PairAttr::Lan(v) => p.lan = Some(*v),
                PairAttr::SteerPps(v) => p.steer_pps = Some(*v),
                PairAttr::Other(_) => {}
            }
        }
        p
    }

    /// The value of counter `kind`, if reported.
    pub fn counter(&self, kind: u16) -> Option<u64> {
        self.stats
            .as_ref()?
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| *v)
    }

    /// A name for messages: the ifname, else `ifindex N`, else `?`.
    pub fn label(&self) -> String {
        match (&self.ifname, self.ifindex) {
            (Some(n), _) => n.clone(),
            (None, Some(i)) => format!("ifindex {i}"),
            (None, None) => "?".into(),
        }
    }
}

/// The spec name of a counter, or `stat-N` for one this build does not
/// know (a newer kernel).
pub fn counter_name(kind: u16) -> String {
    stats::name(kind).map_or_else(|| format!("stat-{kind}"), str::to_owned)
}

/// A `lan-get` message: the zcpair family with the `lan` attribute set.
/// (The family is one; its commands use different attribute sets, so
/// `lan-get` gets a payload type of its own.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanMessage {
    pub cmd: u8,
    pub attrs: Vec<LanAttr>,
}

impl LanMessage {
    /// `lan-get` of the LAN of one member, by name.
    pub fn get_by_name(name: &str) -> Self {
        Self {
            cmd: cmd::LAN_GET,
            attrs: vec![LanAttr::Ifname(name.to_owned())],
        }
    }

    /// `lan-get` dump request (no attributes; sent with `NLM_F_DUMP`).
    pub fn dump() -> Self {
        Self {
            cmd: cmd::LAN_GET,
            attrs: Vec::new(),
        }
    }
}

zcpair_message!(LanMessage, "lan");

/// An attribute of the `lan` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanAttr {
    Ifindex(u32),
    Ifname(String),
    Id(u32),
    /// One `member` nest (multi-attr: one per member).
    Member(Vec<LanMemberAttr>),
    /// One `route` nest (multi-attr: one per table entry).
    Route(Vec<LanRouteAttr>),
    Other(DefaultNla),
}

impl Nla for LanAttr {
    fn value_len(&self) -> usize {
        match self {
            Self::Ifindex(_) | Self::Id(_) => 4,
            Self::Ifname(s) => string_len(s),
            Self::Member(attrs) => attrs.as_slice().buffer_len(),
            Self::Route(attrs) => attrs.as_slice().buffer_len(),
            Self::Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Ifindex(_) => lan::IFINDEX,
            Self::Ifname(_) => lan::IFNAME,
            Self::Id(_) => lan::ID,
            Self::Member(_) => lan::MEMBER | NLA_F_NESTED,
            Self::Route(_) => lan::ROUTE | NLA_F_NESTED,
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Ifindex(v) | Self::Id(v) => emit_u32(buffer, *v).unwrap(),
            Self::Ifname(s) => emit_string(buffer, s),
            Self::Member(attrs) => attrs.as_slice().emit(buffer),
            Self::Route(attrs) => attrs.as_slice().emit(buffer),
            Self::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for LanAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let kind = buf.kind();
        let ctx = || format!("invalid lan attribute {kind}");
        Ok(match kind {
            lan::IFINDEX => Self::Ifindex(parse_u32(value).with_context(ctx)?),
            lan::IFNAME => Self::Ifname(parse_string(value).with_context(ctx)?),
            lan::ID => Self::Id(parse_u32(value).with_context(ctx)?),
            lan::MEMBER => Self::Member(parse_nlas(value).with_context(ctx)?),
            lan::ROUTE => Self::Route(parse_nlas(value).with_context(ctx)?),
            _ => Self::Other(DefaultNla::parse(buf).with_context(ctx)?),
        })
    }
}

/// An attribute of the `lan-member` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanMemberAttr {
    Ifindex(u32),
    Ifname(String),
    Netnsid(i32),
    Up(u8),
    Other(DefaultNla),
}

impl Nla for LanMemberAttr {
    fn value_len(&self) -> usize {
        match self {
            Self::Ifindex(_) | Self::Netnsid(_) => 4,
            Self::Ifname(s) => string_len(s),
            Self::Up(_) => 1,
            Self::Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Ifindex(_) => lan_member::IFINDEX,
            Self::Ifname(_) => lan_member::IFNAME,
            Self::Netnsid(_) => lan_member::NETNSID,
            Self::Up(_) => lan_member::UP,
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Ifindex(v) => emit_u32(buffer, *v).unwrap(),
            Self::Ifname(s) => emit_string(buffer, s),
            Self::Netnsid(v) => emit_i32(buffer, *v).unwrap(),
            Self::Up(v) => buffer[0] = *v,
            Self::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for LanMemberAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let kind = buf.kind();
        let ctx = || format!("invalid lan-member attribute {kind}");
        Ok(match kind {
            lan_member::IFINDEX => Self::Ifindex(parse_u32(value).with_context(ctx)?),
            lan_member::IFNAME => Self::Ifname(parse_string(value).with_context(ctx)?),
            lan_member::NETNSID => Self::Netnsid(parse_i32(value).with_context(ctx)?),
            lan_member::UP => Self::Up(parse_u8(value).with_context(ctx)?),
            _ => Self::Other(DefaultNla::parse(buf).with_context(ctx)?),
        })
    }
}

/// An attribute of the `lan-route` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanRouteAttr {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    Addr(Vec<u8>),
    MemberIfindex(u32),
    Other(DefaultNla),
}

impl Nla for LanRouteAttr {
    fn value_len(&self) -> usize {
        match self {
            Self::Addr(a) => a.len(),
            Self::MemberIfindex(_) => 4,
            Self::Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Addr(_) => lan_route::ADDR,
            Self::MemberIfindex(_) => lan_route::MEMBER_IFINDEX,
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Addr(a) => buffer[..a.len()].copy_from_slice(a),
            Self::MemberIfindex(v) => emit_u32(buffer, *v).unwrap(),
            Self::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for LanRouteAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let kind = buf.kind();
        let ctx = || format!("invalid lan-route attribute {kind}");
        Ok(match kind {
            lan_route::ADDR => Self::Addr(value.to_vec()),
            lan_route::MEMBER_IFINDEX => Self::MemberIfindex(parse_u32(value).with_context(ctx)?),
            _ => Self::Other(DefaultNla::parse(buf).with_context(ctx)?),
        })
    }
}

/// One member of a LAN as a `lan-get` reply lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanMember {
    /// Its ifindex, in its own netns.
    pub ifindex: Option<u32>,
    /// Its name: only when it is in the asking socket's netns.
    pub ifname: Option<String>,
    /// Its netns as an nsid of the asking socket's netns: only when it is
    /// in another one.
    pub netnsid: Option<i32>,
    /// 1 while administratively up.
    pub up: Option<u8>,
}

impl LanMember {
    fn from_attrs(attrs: &[LanMemberAttr]) -> Self {
        let mut m = Self::default();
        for a in attrs {
            match a {
                LanMemberAttr::Ifindex(v) => m.ifindex = Some(*v),
                LanMemberAttr::Ifname(v) => m.ifname = Some(v.clone()),
                LanMemberAttr::Netnsid(v) => m.netnsid = Some(*v),
                LanMemberAttr::Up(v) => m.up = Some(*v),
                LanMemberAttr::Other(_) => {}
            }
        }
        m
    }

    /// Its name; else `IFINDEX@nsidN` for one of another netns (the
    /// kernel does not name those); else `ifindex N`, else `?`.
    pub fn label(&self) -> String {
        match (&self.ifname, self.ifindex, self.netnsid) {
            (Some(n), ..) => n.clone(),
            (None, Some(i), Some(ns)) => format!("{i}@nsid{ns}"),
            (None, Some(i), None) => format!("ifindex {i}"),
            (None, None, _) => "?".into(),
        }
    }
}

/// One entry of a LAN's table: frames to `addr` go into the receive ring
/// of the member with ifindex `member_ifindex`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanRoute {
    /// As received: 4 bytes (IPv4) or 16 (IPv6), network order.
    pub addr: Option<Vec<u8>>,
    pub member_ifindex: Option<u32>,
}

impl LanRoute {
    fn from_attrs(attrs: &[LanRouteAttr]) -> Self {
        let mut r = Self::default();
        for a in attrs {
            match a {
                LanRouteAttr::Addr(v) => r.addr = Some(v.clone()),
                LanRouteAttr::MemberIfindex(v) => r.member_ifindex = Some(*v),
                LanRouteAttr::Other(_) => {}
            }
        }
        r
    }

    /// The address, if it is 4 or 16 bytes long.
    pub fn ip(&self) -> Option<IpAddr> {
        let a = self.addr.as_deref()?;
        if let Ok(b) = <[u8; 4]>::try_from(a) {
            Some(IpAddr::V4(Ipv4Addr::from(b)))
        } else if let Ok(b) = <[u8; 16]>::try_from(a) {
            Some(IpAddr::V6(Ipv6Addr::from(b)))
        } else {
            None
        }
    }

    /// The address as text: IPv4 dotted quad, IPv6 as `Ipv6Addr` prints
    /// it, and any other length as hex digits (`?` when absent).
    pub fn addr_text(&self) -> String {
        match (self.ip(), &self.addr) {
            (Some(ip), _) => ip.to_string(),
            (None, Some(raw)) => raw.iter().map(|b| format!("{b:02x}")).collect(),
            (None, None) => "?".into(),
        }
    }
}

/// A `lan-get` reply, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lan {
    /// The member asked about (for a dump: the member device the reply
    /// is for), in the asking socket's netns.
    pub ifindex: Option<u32>,
    pub ifname: Option<String>,
    /// The LAN's id.
    pub id: Option<u32>,
    /// Its members, in the order they joined.
    pub members: Vec<LanMember>,
    /// Its table.
    pub routes: Vec<LanRoute>,
}

impl Lan {
    pub fn from_attrs(attrs: &[LanAttr]) -> Self {
        let mut l = Self::default();
        for a in attrs {
            match a {
                LanAttr::Ifindex(v) => l.ifindex = Some(*v),
                LanAttr::Ifname(v) => l.ifname = Some(v.clone()),
                LanAttr::Id(v) => l.id = Some(*v),
                LanAttr::Member(m) => l.members.push(LanMember::from_attrs(m)),
                LanAttr::Route(r) => l.routes.push(LanRoute::from_attrs(r)),
                LanAttr::Other(_) => {}
            }
        }
        l
    }

    /// The member a table entry points at: the one member with that
    /// ifindex. ifindexes are per netns, so members of different netns
    /// may share one; then (and when none has it) there is no answer.
    pub fn route_member(&self, r: &LanRoute) -> Option<&LanMember> {
        let i = r.member_ifindex?;
        let mut found = self.members.iter().filter(|m| m.ifindex == Some(i));
        let m = found.next()?;
        found.next().is_none().then_some(m)
    }
}

/// Group `lan-get` replies by LAN id, in the order each id first comes:
/// a dump has one reply per member device of the netns, all of one LAN
/// alike but for `ifindex`/`ifname`, and each LAN is shown once, as its
/// first reply. Replies without an id stay apart.
pub fn group_lans(replies: Vec<Lan>) -> Vec<Lan> {
    let mut out: Vec<Lan> = Vec::new();
    for l in replies {
        if l.id.is_some() && out.iter().any(|o| o.id == l.id) {
            continue;
        }
        out.push(l);
    }
    out
}
