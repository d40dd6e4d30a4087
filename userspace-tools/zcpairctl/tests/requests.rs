// SPDX-License-Identifier: GPL-2.0
//! The bytes of every request zcpairctl sends, written out by hand from
//! the wire format (netlink(7), rtnetlink(7), genetlink, the YNL spec).
//! Host byte order is assumed little-endian, as on the machines we test.
#![cfg(target_endian = "little")]

use netlink_packet_core::{NetlinkMessage, NetlinkSerializable, NLM_F_DUMP};
use netlink_packet_generic::GenlMessage;
use zcpairctl::genl::{LanMessage, ZcpairMessage};
use zcpairctl::nl::{get_family_request, new_request};
use zcpairctl::rtnl::{del_link, get_link, move_link, new_lan_member, new_link, AddRequest};

fn bytes<T: NetlinkSerializable + std::fmt::Debug>(msg: &NetlinkMessage<T>) -> Vec<u8> {
    let mut buf = vec![0; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

/// Family id the tests pretend the controller gave zcpair.
const FAMILY_ID: u16 = 0x1e;

fn genl<F>(payload: F, flags: u16) -> Vec<u8>
where
    F: netlink_packet_generic::GenlFamily + netlink_packet_core::Emitable + std::fmt::Debug,
{
    let mut g = GenlMessage::from_payload(payload);
    g.set_resolved_family_id(FAMILY_ID);
    bytes(&new_request(g, flags))
}

#[rustfmt::skip]
#[test]
fn add_with_everything() {
    let req = AddRequest {
        name: "zc0".into(),
        peer: "zc1".into(),
        netns_fd: Some(7),
        peer_netns_fd: Some(8),
        ring_size: Some(512),
        hdr_buf: Some(256),
        copybreak: Some(200),
        queues: None,
        uplink: None,
    };
    let want: Vec<u8> = vec![
        128, 0, 0, 0,   16, 0,   0x05, 0x06,   0, 0, 0, 0,   0, 0, 0, 0, // nlmsghdr: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   // ifinfomsg: AF_UNSPEC, all zero
        8, 0, 3, 0,   b'z', b'c', b'0', 0,                      // IFLA_IFNAME "zc0"
        8, 0, 28, 0,  7, 0, 0, 0,                               // IFLA_NET_NS_FD 7
        80, 0, 18, 0,                                           // IFLA_LINKINFO
          11, 0, 1, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0, //   IFLA_INFO_KIND "zcpair" (+1 pad)
          64, 0, 2, 0,                                          //   IFLA_INFO_DATA
            36, 0, 1, 0,                                        //     ZCPAIR_INFO_PEER
              0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0, // ifinfomsg, all zero
              8, 0, 3, 0,   b'z', b'c', b'1', 0,                //       IFLA_IFNAME "zc1"
              8, 0, 28, 0,  8, 0, 0, 0,                         //       IFLA_NET_NS_FD 8
            8, 0, 2, 0,   0, 2, 0, 0,                           //     ZCPAIR_INFO_RING_SIZE 512
            8, 0, 3, 0,   0, 1, 0, 0,                           //     ZCPAIR_INFO_HDR_BUF 256
            8, 0, 4, 0,   200, 0, 0, 0,                         //     ZCPAIR_INFO_COPYBREAK 200
    ];
    assert_eq!(bytes(&new_link(&req)), want);
}

#[rustfmt::skip]
#[test]
fn add_minimal() {
    let req = AddRequest { name: "a".into(), peer: "b".into(), ..Default::default() };
    let want: Vec<u8> = vec![
        88, 0, 0, 0,   16, 0,   0x05, 0x06,   0, 0, 0, 0,   0, 0, 0, 0,
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,
        6, 0, 3, 0,   b'a', 0, 0, 0,                            // IFLA_IFNAME "a" (+2 pad)
        48, 0, 18, 0,                                           // IFLA_LINKINFO
          11, 0, 1, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0,
          32, 0, 2, 0,                                          //   IFLA_INFO_DATA: only the peer
            28, 0, 1, 0,                                        //     ZCPAIR_INFO_PEER
              0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,
              6, 0, 3, 0,   b'b', 0, 0, 0,
    ];
    assert_eq!(bytes(&new_link(&req)), want);
}

/// `queues N`: IFLA_NUM_TX_QUEUES and IFLA_NUM_RX_QUEUES (31, 32) at the
/// top level of the request, before IFLA_LINKINFO; the peer's section has
/// none (it inherits the request's counts).
#[rustfmt::skip]
#[test]
fn add_with_queues() {
    let req = AddRequest {
        name: "zc0".into(),
        peer: "zc1".into(),
        queues: Some(2),
        ..Default::default()
    };
    let want: Vec<u8> = vec![
        104, 0, 0, 0,   16, 0,   0x05, 0x06,   0, 0, 0, 0,   0, 0, 0, 0, // nlmsghdr: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   // ifinfomsg: AF_UNSPEC, all zero
        8, 0, 3, 0,   b'z', b'c', b'0', 0,                      // IFLA_IFNAME "zc0"
        8, 0, 31, 0,  2, 0, 0, 0,                               // IFLA_NUM_TX_QUEUES 2
        8, 0, 32, 0,  2, 0, 0, 0,                               // IFLA_NUM_RX_QUEUES 2
        48, 0, 18, 0,                                           // IFLA_LINKINFO
          11, 0, 1, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0, //   IFLA_INFO_KIND "zcpair" (+1 pad)
          32, 0, 2, 0,                                          //   IFLA_INFO_DATA: only the peer
            28, 0, 1, 0,                                        //     ZCPAIR_INFO_PEER
              0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0, // ifinfomsg, all zero
              8, 0, 3, 0,   b'z', b'c', b'1', 0,                //       IFLA_IFNAME "zc1", no queue counts
    ];
    assert_eq!(bytes(&new_link(&req)), want);
}

/// `uplink DEV`: ZCPAIR_INFO_UPLINK (5), the ifindex `add` resolved, after
/// the other kind attributes; the peer's section has none.
#[rustfmt::skip]
#[test]
fn add_with_uplink() {
    let req = AddRequest {
        name: "zc0".into(),
        peer: "zc1".into(),
        copybreak: Some(200),
        uplink: Some(2),
        ..Default::default()
    };
    let want: Vec<u8> = vec![
        104, 0, 0, 0,   16, 0,   0x05, 0x06,   0, 0, 0, 0,   0, 0, 0, 0, // nlmsghdr: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   // ifinfomsg: AF_UNSPEC, all zero
        8, 0, 3, 0,   b'z', b'c', b'0', 0,                      // IFLA_IFNAME "zc0"
        64, 0, 18, 0,                                           // IFLA_LINKINFO
          11, 0, 1, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0, //   IFLA_INFO_KIND "zcpair" (+1 pad)
          48, 0, 2, 0,                                          //   IFLA_INFO_DATA
            28, 0, 1, 0,                                        //     ZCPAIR_INFO_PEER
              0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0, // ifinfomsg, all zero
              8, 0, 3, 0,   b'z', b'c', b'1', 0,                //       IFLA_IFNAME "zc1", no uplink
            8, 0, 4, 0,   200, 0, 0, 0,                         //     ZCPAIR_INFO_COPYBREAK 200
            8, 0, 5, 0,   2, 0, 0, 0,                           //     ZCPAIR_INFO_UPLINK ifindex 2
    ];
    assert_eq!(bytes(&new_link(&req)), want);
}

#[rustfmt::skip]
#[test]
fn del_by_name() {
    let want: Vec<u8> = vec![
        40, 0, 0, 0,   17, 0,   0x05, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // RTM_DELLINK, REQUEST|ACK
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,
        8, 0, 3, 0,   b'z', b'c', b'0', 0,
    ];
    assert_eq!(bytes(&del_link("zc0")), want);
}

#[rustfmt::skip]
#[test]
fn getlink_by_name() {
    let want: Vec<u8> = vec![
        40, 0, 0, 0,   18, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // RTM_GETLINK, REQUEST
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,
        8, 0, 3, 0,   b'z', b'c', b'0', 0,
    ];
    assert_eq!(bytes(&get_link("zc0")), want);
}

#[rustfmt::skip]
#[test]
fn pair_get_do() {
    let want: Vec<u8> = vec![
        32, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // family id, REQUEST
        1, 1, 0, 0,                                             // genlmsghdr: PAIR_GET, version 1
        12, 0, 2, 0,  b'z', b'c', b'-', b'l', b'o', b'n', b'g', 0, // IFNAME "zc-long"
    ];
    assert_eq!(genl(ZcpairMessage::get_by_name("zc-long"), 0), want);
}

#[rustfmt::skip]
#[test]
fn pair_get_dump() {
    let want: Vec<u8> = vec![
        20, 0, 0, 0,   0x1e, 0,   0x01, 0x03,   0, 0, 0, 0,   0, 0, 0, 0, // REQUEST|DUMP (ROOT|MATCH)
        1, 1, 0, 0,                                             // PAIR_GET, no attributes
    ];
    assert_eq!(genl(ZcpairMessage::dump(), NLM_F_DUMP), want);
}

#[rustfmt::skip]
#[test]
fn pair_set_copybreak() {
    let want: Vec<u8> = vec![
        36, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0,
        2, 1, 0, 0,                                             // PAIR_SET, version 1
        8, 0, 2, 0,   b'z', b'c', b'0', 0,                      // IFNAME "zc0"
        8, 0, 6, 0,   0, 1, 0, 0,                               // COPYBREAK 256
    ];
    assert_eq!(genl(ZcpairMessage::set_copybreak("zc0", 256), 0), want);
}

#[rustfmt::skip]
#[test]
fn pair_set_tx_segment() {
    let want: Vec<u8> = vec![
        36, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0,
        2, 1, 0, 0,                                             // PAIR_SET, version 1
        8, 0, 2, 0,   b'z', b'c', b'0', 0,                      // IFNAME "zc0"
        5, 0, 10, 0,  1, 0, 0, 0,                               // TX_SEGMENT u8 1 (+3 pad)
    ];
    assert_eq!(genl(ZcpairMessage::set_tx_segment("zc0", true), 0), want);
    let mut off = want;
    off[32] = 0;                                                // TX_SEGMENT u8 0
    assert_eq!(genl(ZcpairMessage::set_tx_segment("zc0", false), 0), off);
}

/// `steer-pps N`: STEER_PPS (15), a u32, after IFNAME.
#[rustfmt::skip]
#[test]
fn pair_set_steer_pps() {
    let want: Vec<u8> = vec![
        36, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0,
        2, 1, 0, 0,                                             // PAIR_SET, version 1
        8, 0, 2, 0,   b'z', b'c', b'0', 0,                      // IFNAME "zc0"
        8, 0, 15, 0,  0x20, 0x4e, 0, 0,                         // STEER_PPS u32 20000
    ];
    assert_eq!(genl(ZcpairMessage::set_steer_pps("zc0", 20000), 0), want);
    let mut off = want.clone();
    off[32..36].copy_from_slice(&[0, 0, 0, 0]);                 // STEER_PPS 0: never steer
    assert_eq!(genl(ZcpairMessage::set_steer_pps("zc0", 0), 0), off);
    let mut max = want;
    max[32..36].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);     // STEER_PPS u32::MAX
    assert_eq!(genl(ZcpairMessage::set_steer_pps("zc0", u32::MAX), 0), max);
}

#[rustfmt::skip]
#[test]
fn pair_set_uplink() {
    let want: Vec<u8> = vec![
        36, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0,
        2, 1, 0, 0,                                             // PAIR_SET, version 1
        8, 0, 2, 0,   b'z', b'c', b'0', 0,                      // IFNAME "zc0"
        8, 0, 12, 0,  7, 0, 0, 0,                               // UPLINK u32 ifindex 7
    ];
    assert_eq!(genl(ZcpairMessage::set_uplink("zc0", 7), 0), want);
    let mut none = want;
    none[32] = 0;                                               // UPLINK 0: detach
    assert_eq!(genl(ZcpairMessage::set_uplink("zc0", 0), 0), none);
}

#[rustfmt::skip]
#[test]
fn ctrl_getfamily() {
    let want: Vec<u8> = vec![
        32, 0, 0, 0,   0x10, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // GENL_ID_CTRL, REQUEST
        3, 2, 0, 0,                                             // CTRL_CMD_GETFAMILY, version 2
        11, 0, 2, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0, // CTRL_ATTR_FAMILY_NAME "zcpair"
    ];
    assert_eq!(bytes(&get_family_request::<ZcpairMessage>()), want);
}

/// `lan add`'s first member: ZCPAIR_INFO_LAN (6) 0, a new LAN, and no
/// ZCPAIR_INFO_PEER.
#[rustfmt::skip]
#[test]
fn lan_member_new() {
    let want: Vec<u8> = vec![
        72, 0, 0, 0,   16, 0,   0x05, 0x06,   0, 0, 0, 0,   0, 0, 0, 0, // nlmsghdr: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   // ifinfomsg: AF_UNSPEC, all zero
        9, 0, 3, 0,   b'l', b'a', b'n', b'0',   0, 0, 0, 0,     // IFLA_IFNAME "lan0" (+3 pad)
        28, 0, 18, 0,                                           // IFLA_LINKINFO
          11, 0, 1, 0,  b'z', b'c', b'p', b'a', b'i', b'r', 0, 0, //   IFLA_INFO_KIND "zcpair" (+1 pad)
          12, 0, 2, 0,                                          //   IFLA_INFO_DATA
            8, 0, 6, 0,   0, 0, 0, 0,                           //     ZCPAIR_INFO_LAN 0: a new LAN
    ];
    assert_eq!(bytes(&new_lan_member("lan0", 0)), want);
    // The others join by the first member's ifindex.
    let mut join = want;
    join[68] = 7;                                               // ZCPAIR_INFO_LAN 7
    join[39] = b'1';                                            // "lan1"
    assert_eq!(bytes(&new_lan_member("lan1", 7)), join);
}

/// Moving a member to its netns: RTM_SETLINK (19) by name with
/// IFLA_NET_NS_FD, as `ip link set dev lan1 netns NS`.
#[rustfmt::skip]
#[test]
fn lan_member_move() {
    let want: Vec<u8> = vec![
        52, 0, 0, 0,   19, 0,   0x05, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // RTM_SETLINK, REQUEST|ACK
        0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,
        9, 0, 3, 0,   b'l', b'a', b'n', b'1',   0, 0, 0, 0,     // IFLA_IFNAME "lan1"
        8, 0, 28, 0,  7, 0, 0, 0,                               // IFLA_NET_NS_FD 7
    ];
    assert_eq!(bytes(&move_link("lan1", 7)), want);
}

#[rustfmt::skip]
#[test]
fn lan_get_do_and_dump() {
    let want: Vec<u8> = vec![
        32, 0, 0, 0,   0x1e, 0,   0x01, 0x00,   0, 0, 0, 0,   0, 0, 0, 0, // family id, REQUEST
        6, 1, 0, 0,                                             // genlmsghdr: LAN_GET, version 1
        9, 0, 2, 0,   b'l', b'a', b'n', b'0',   0, 0, 0, 0,     // lan set: IFNAME "lan0"
    ];
    assert_eq!(genl(LanMessage::get_by_name("lan0"), 0), want);
    let want: Vec<u8> = vec![
        20, 0, 0, 0,   0x1e, 0,   0x01, 0x03,   0, 0, 0, 0,   0, 0, 0, 0, // REQUEST|DUMP
        6, 1, 0, 0,                                             // LAN_GET, no attributes
    ];
    assert_eq!(genl(LanMessage::dump(), NLM_F_DUMP), want);
}
