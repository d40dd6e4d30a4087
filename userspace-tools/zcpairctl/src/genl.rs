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

use crate::uapi::{self, cmd, pair, ring, stats};

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

    /// `pair-set` of one device's uplink, by name: `ifindex` of a device
    /// in the end's netns, 0 to detach it.
    pub fn set_uplink(name: &str, ifindex: u32) -> Self {
        Self {
            cmd: cmd::PAIR_SET,
            attrs: vec![PairAttr::Ifname(name.to_owned()), PairAttr::Uplink(ifindex)],
        }
    }
}

impl GenlFamily for ZcpairMessage {
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

impl Emitable for ZcpairMessage {
    fn buffer_len(&self) -> usize {
        self.attrs.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        self.attrs.as_slice().emit(buffer)
    }
}

impl ParseableParametrized<[u8], GenlHeader> for ZcpairMessage {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        Ok(Self {
            cmd: header.cmd,
            attrs: parse_nlas(buf).context("invalid zcpair pair attributes")?,
        })
    }
}

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
            | Self::Uplink(_) => 4,
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
            Self::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Ifindex(v)
            | Self::PeerIfindex(v)
            | Self::Copybreak(v)
            | Self::Queues(v)
            | Self::Uplink(v) => emit_u32(buffer, *v).unwrap(),
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
