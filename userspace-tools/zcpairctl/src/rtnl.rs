// SPDX-License-Identifier: GPL-2.0
//! rtnetlink requests: create a pair or a LAN member (`RTM_NEWLINK` of
//! kind `zcpair`), move a device to another netns (`RTM_SETLINK`) and
//! delete a device (`RTM_DELLINK`).
//!
//! netlink-packet-route has no zcpair kind, so the link info is
//! `IFLA_INFO_KIND` [`InfoKind::Other`]`("zcpair")` and `IFLA_INFO_DATA`
//! [`InfoData::Other`] holding the emitted [`ZcpairInfo`] attributes. The
//! peer is a whole `LinkMessage` (ifinfomsg + IFLA_* attributes), the same
//! shape as veth's `VETH_INFO_PEER`.

use std::os::fd::RawFd;

use netlink_packet_core::{
    emit_u32, Emitable, NetlinkMessage, Nla, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL,
};
use netlink_packet_route::link::{InfoData, InfoKind, LinkAttribute, LinkInfo, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;

use crate::nl::new_request;
use crate::uapi::{self, info};

/// A zcpair kind attribute (`ZCPAIR_INFO_*`), inside `IFLA_INFO_DATA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZcpairInfo {
    /// struct ifinfomsg followed by the peer's IFLA_* attributes.
    Peer(LinkMessage),
    RingSize(u32),
    HdrBuf(u32),
    Copybreak(u32),
    /// ifindex of the new end's uplink, in the new end's netns.
    Uplink(u32),
    /// The new device is a LAN member: 0 starts a new LAN, otherwise the
    /// ifindex of a member (in the new device's netns) of the LAN to join.
    Lan(u32),
}

impl Nla for ZcpairInfo {
    fn value_len(&self) -> usize {
        match self {
            Self::Peer(msg) => msg.buffer_len(),
            Self::RingSize(_)
            | Self::HdrBuf(_)
            | Self::Copybreak(_)
            | Self::Uplink(_)
            | Self::Lan(_) => 4,
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Peer(_) => info::PEER,
            Self::RingSize(_) => info::RING_SIZE,
            Self::HdrBuf(_) => info::HDR_BUF,
            Self::Copybreak(_) => info::COPYBREAK,
            Self::Uplink(_) => info::UPLINK,
            Self::Lan(_) => info::LAN,
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Peer(msg) => msg.emit(buffer),
            Self::RingSize(v)
            | Self::HdrBuf(v)
            | Self::Copybreak(v)
            | Self::Uplink(v)
            | Self::Lan(v) => emit_u32(buffer, *v).unwrap(),
        }
    }
}

/// What `zcpairctl add` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddRequest {
    pub name: String,
    pub peer: String,
    /// An open fd of the netns the device goes to (`netns NS`).
    pub netns_fd: Option<RawFd>,
    /// An open fd of the netns the peer goes to (`peer-netns NS`).
    pub peer_netns_fd: Option<RawFd>,
    pub ring_size: Option<u32>,
    pub hdr_buf: Option<u32>,
    pub copybreak: Option<u32>,
    /// Queues of each end: `IFLA_NUM_TX_QUEUES` and `IFLA_NUM_RX_QUEUES`
    /// of the request (the peer, given none, gets the same).
    pub queues: Option<u32>,
    /// ifindex of the new end's uplink (`uplink DEV`, resolved in the netns
    /// the device is created in); the peer gets none.
    pub uplink: Option<u32>,
}

/// The single `RTM_NEWLINK` that creates a pair.
pub fn new_link(req: &AddRequest) -> NetlinkMessage<RouteNetlinkMessage> {
    // The peer: an all-zero ifinfomsg (AF_UNSPEC) and its attributes.
    let mut peer = LinkMessage::default();
    peer.attributes
        .push(LinkAttribute::IfName(req.peer.clone()));
    if let Some(fd) = req.peer_netns_fd {
        peer.attributes.push(LinkAttribute::NetNsFd(fd));
    }

    let mut data = vec![ZcpairInfo::Peer(peer)];
    data.extend(req.ring_size.map(ZcpairInfo::RingSize));
    data.extend(req.hdr_buf.map(ZcpairInfo::HdrBuf));
    data.extend(req.copybreak.map(ZcpairInfo::Copybreak));
    data.extend(req.uplink.map(ZcpairInfo::Uplink));
    let mut data_bytes = vec![0; data.as_slice().buffer_len()];
    data.as_slice().emit(&mut data_bytes);

    let mut link = LinkMessage::default();
    link.attributes
        .push(LinkAttribute::IfName(req.name.clone()));
    if let Some(fd) = req.netns_fd {
        link.attributes.push(LinkAttribute::NetNsFd(fd));
    }
    if let Some(n) = req.queues {
        // Top-level ifinfomsg attributes, as `ip link add ... numtxqueues N
        // numrxqueues N` sends them; the kernel wants the two equal.
        link.attributes.push(LinkAttribute::NumTxQueues(n));
        link.attributes.push(LinkAttribute::NumRxQueues(n));
    }
    link.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Other(uapi::LINK_KIND.to_owned())),
        LinkInfo::Data(InfoData::Other(data_bytes)),
    ]));

    new_request(
        RouteNetlinkMessage::NewLink(link),
        NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    )
}

/// The `RTM_NEWLINK` that creates LAN member `name` in the socket's
/// netns: `ZCPAIR_INFO_LAN` `lan` (0: a new LAN; else the ifindex, in that
/// netns, of a member of the LAN to join) and no peer.
pub fn new_lan_member(name: &str, lan: u32) -> NetlinkMessage<RouteNetlinkMessage> {
    let data = [ZcpairInfo::Lan(lan)];
    let mut data_bytes = vec![0; data.as_slice().buffer_len()];
    data.as_slice().emit(&mut data_bytes);

    let mut link = LinkMessage::default();
    link.attributes.push(LinkAttribute::IfName(name.to_owned()));
    link.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Other(uapi::LINK_KIND.to_owned())),
        LinkInfo::Data(InfoData::Other(data_bytes)),
    ]));
    new_request(
        RouteNetlinkMessage::NewLink(link),
        NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    )
}

/// `RTM_SETLINK` moving device `name` (of the socket's netns) to the netns
/// open as `netns_fd`, as `ip link set dev NAME netns NS` does.
pub fn move_link(name: &str, netns_fd: RawFd) -> NetlinkMessage<RouteNetlinkMessage> {
    let mut link = LinkMessage::default();
    link.attributes.push(LinkAttribute::IfName(name.to_owned()));
    link.attributes.push(LinkAttribute::NetNsFd(netns_fd));
    new_request(RouteNetlinkMessage::SetLink(link), NLM_F_ACK)
}

/// `RTM_DELLINK` of a device by name.
pub fn del_link(name: &str) -> NetlinkMessage<RouteNetlinkMessage> {
    let mut link = LinkMessage::default();
    link.attributes.push(LinkAttribute::IfName(name.to_owned()));
    new_request(RouteNetlinkMessage::DelLink(link), NLM_F_ACK)
}

/// `RTM_GETLINK` of a device by name (to check its kind before deleting,
/// or to find an uplink's ifindex).
pub fn get_link(name: &str) -> NetlinkMessage<RouteNetlinkMessage> {
    let mut link = LinkMessage::default();
    link.attributes.push(LinkAttribute::IfName(name.to_owned()));
    new_request(RouteNetlinkMessage::GetLink(link), 0)
}

/// The ifindex of the link an `RTM_GETLINK` was answered with, if any.
pub fn link_index(replies: &[RouteNetlinkMessage]) -> Option<u32> {
    replies.iter().find_map(|m| match m {
        RouteNetlinkMessage::NewLink(l) => Some(l.header.index),
        _ => None,
    })
}

/// The `IFLA_INFO_KIND` of a link message, if any.
pub fn link_kind(msg: &LinkMessage) -> Option<String> {
    msg.attributes.iter().find_map(|a| match a {
        LinkAttribute::LinkInfo(infos) => infos.iter().find_map(|i| match i {
            LinkInfo::Kind(kind) => Some(kind.to_string()),
            _ => None,
        }),
        _ => None,
    })
}
