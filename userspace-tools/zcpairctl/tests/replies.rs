// SPDX-License-Identifier: GPL-2.0
//! Parsing replies: attribute decoding, NLA_UINT widths, errors and
//! extended acks, and what the commands print of them.
#![cfg(target_endian = "little")]

use netlink_packet_core::{Emitable, NetlinkMessage, NetlinkPayload};
use netlink_packet_generic::GenlMessage;
use zcpairctl::describe::read_fixture;
use zcpairctl::error::Error;
use zcpairctl::genl::{
    group_lans, parse_uint, Lan, LanAttr, LanMemberAttr, LanMessage, LanRouteAttr, Pair, PairAttr,
    RingAttr, StatsAttr, ZcpairMessage,
};
use zcpairctl::nl::{check_ack, decode, split_messages};
use zcpairctl::{output, uapi};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    read_fixture(name, &std::fs::read(&path).unwrap()).unwrap()
}

type ZcMsg = NetlinkMessage<GenlMessage<ZcpairMessage>>;

fn messages(name: &str) -> Vec<ZcMsg> {
    let buf = fixture(name);
    split_messages(&buf)
        .unwrap()
        .into_iter()
        .map(|m| decode(m).unwrap())
        .collect()
}

fn pair_of(msg: &ZcMsg) -> Pair {
    match &msg.payload {
        NetlinkPayload::InnerMessage(g) => Pair::from_attrs(&g.payload.attrs),
        other => panic!("not a zcpair message: {other:?}"),
    }
}

#[test]
fn uint_is_4_or_8_bytes() {
    assert_eq!(parse_uint(&7u32.to_ne_bytes()).unwrap(), 7);
    assert_eq!(parse_uint(&(1u64 << 40).to_ne_bytes()).unwrap(), 1 << 40);
    assert!(parse_uint(&[1, 2, 3]).is_err());
    assert!(parse_uint(&[0; 16]).is_err());
}

#[test]
fn uint_is_emitted_as_the_kernel_does() {
    let small = StatsAttr {
        kind: 1,
        value: u64::from(u32::MAX),
    };
    let big = StatsAttr {
        kind: 2,
        value: u64::from(u32::MAX) + 1,
    };
    assert_eq!(small.buffer_len(), 8);
    assert_eq!(big.buffer_len(), 12);
}

#[test]
fn pair_get_reply() {
    let msgs = messages("genl-pair-get-do.hex");
    assert_eq!(msgs.len(), 2);
    let p = pair_of(&msgs[0]);
    assert_eq!(p.ifindex, Some(5));
    assert_eq!(p.ifname.as_deref(), Some("zc0"));
    assert_eq!(p.peer_ifindex, Some(6));
    assert_eq!(p.peer_netnsid, None);
    assert_eq!(p.copybreak, Some(128));
    let tx = p.tx_ring.as_ref().unwrap();
    assert_eq!(
        (tx.size, tx.head, tx.tail, tx.in_flight),
        (Some(256), Some(1000), Some(1002), Some(2))
    );
    // 4-byte and 8-byte counters
    assert_eq!(p.counter(1), Some(123_456));
    assert_eq!(p.counter(2), Some((1 << 32) + 5));
    assert_eq!(p.counter(11), Some(7_500_000_000_123));
    // Recorded from a module with the first 15 counters: a newer tool
    // reads an older module's reply, and knows every counter in it.
    let stats = p.stats.as_ref().unwrap();
    assert_eq!(stats.len(), 15);
    assert!(uapi::stats::ALL.len() > stats.len());
    assert!(stats.iter().all(|(k, _)| uapi::stats::name(*k).is_some()));
    // Nor has it tx-segment or queues: nothing is printed of them.
    assert_eq!(p.tx_segment, None);
    assert!(!output::pair_text(&p).contains("tx-segment"));
    assert!(output::pair_json(&p).get("tx-segment").is_none());
    assert_eq!(p.queues, None);
    assert!(!output::pair_text(&p).contains("queues"));
    assert!(output::pair_json(&p).get("queues").is_none());
    // Nor steer-pps.
    assert_eq!(p.steer_pps, None);
    assert!(!output::pair_text(&p).contains("steer-pps"));
    assert!(output::pair_json(&p).get("steer-pps").is_none());
    let text = output::stats_text(&p, None);
    assert_eq!(text.lines().count(), 1 + 15, "{text}");
    assert!(!text.contains("tx-segments"), "{text}");
    assert!(check_ack(&msgs[1]).is_ok());
}

#[test]
fn pair_get_reply_with_tx_segment() {
    let msgs = messages("genl-pair-get-tx-segment.hex");
    assert_eq!(msgs.len(), 2);
    let p = pair_of(&msgs[0]);
    assert_eq!(p.tx_segment, Some(1));
    assert_eq!(
        output::pair_text(&p),
        "7: zca peer 8: zcb copybreak 128 tx-segment on\n    \
         tx-ring size 256 hdr-buf 256 head 4000 tail 4040 in-flight 40\n    \
         rx-ring size 256 hdr-buf 256 head 12 tail 12 in-flight 0"
    );
    let json = output::pairs_json(std::slice::from_ref(&p));
    assert_eq!(json[0]["tx-segment"], 1);
    assert_eq!(json[0]["copybreak"], 128);
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &p),
        "change zca ifindex 7 peer zcb ifindex 8 copybreak 128 tx-segment on"
    );
    assert_eq!(
        output::ntf_json(uapi::cmd::PAIR_CHANGE_NTF, &p)["msg"]["tx-segment"],
        1
    );
    // Recorded from a module with the first 22 counters, the six
    // batching ones among them (not yet the uplink's).
    let stats = p.stats.as_ref().unwrap();
    assert_eq!(stats.len(), 22);
    assert!(stats.iter().all(|(k, _)| uapi::stats::name(*k).is_some()));
    assert_eq!(json[0]["stats"]["tx-segments"], 1200);
    assert_eq!(json[0]["stats"]["tx-batches"], 40);
    assert_eq!(json[0]["stats"]["tx-batch-frames"], 160);
    assert_eq!(json[0]["stats"]["tx-batch-destinations"], 120);
    assert_eq!(json[0]["stats"]["tx-batch-max-run"], 1);
    assert_eq!(json[0]["stats"]["tx-completion-passes"], 40);
    let text = output::stats_text(&p, None);
    assert!(text.contains("tx-batch-max-run"), "{text}");
    assert!(!text.contains("stat-"), "{text}");
    assert!(!text.contains("uplink"), "{text}");
    // Nor has it an uplink: nothing is printed of it.
    assert_eq!((p.uplink, p.uplink_ifname.as_deref()), (None, None));
    assert!(!output::pair_text(&p).contains("uplink"));
    assert!(output::pair_json(&p).get("uplink").is_none());
    assert!(check_ack(&msgs[1]).is_ok());

    let off = Pair {
        tx_segment: Some(0),
        ..p
    };
    assert!(output::pair_headline(&off).ends_with(" copybreak 128 tx-segment off"));
    assert_eq!(output::pair_json(&off)["tx-segment"], 0);
}

#[test]
fn pair_get_reply_with_queues() {
    let msgs = messages("genl-pair-get-queues.hex");
    assert_eq!(msgs.len(), 2);
    let p = pair_of(&msgs[0]);
    assert_eq!(p.queues, Some(4));
    assert_eq!(p.tx_segment, Some(0));
    assert_eq!(
        output::pair_text(&p),
        "7: zca peer 8: zcb copybreak 128 tx-segment off queues 4\n    \
         tx-ring size 256 hdr-buf 256 head 4000 tail 4040 in-flight 40\n    \
         rx-ring size 256 hdr-buf 256 head 12 tail 12 in-flight 0"
    );
    let json = output::pairs_json(std::slice::from_ref(&p));
    assert_eq!(json[0]["queues"], 4);
    assert_eq!(json[0]["tx-segment"], 0);
    // In spec order: the last attribute of the set.
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.last().map(|k| k.as_str()), Some("queues"));
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &p),
        "change zca ifindex 7 peer zcb ifindex 8 copybreak 128 tx-segment off queues 4"
    );
    assert_eq!(
        output::ntf_json(uapi::cmd::PAIR_CHANGE_NTF, &p)["msg"]["queues"],
        4
    );
    assert!(check_ack(&msgs[1]).is_ok());

    // A reply with queues but neither copybreak nor tx-segment.
    let q = Pair {
        ifindex: Some(5),
        ifname: Some("zc0".into()),
        peer_ifindex: Some(3),
        peer_netnsid: Some(1),
        queues: Some(1),
        ..Pair::default()
    };
    assert_eq!(
        output::pair_headline(&q),
        "5: zc0 peer 3 netnsid 1 queues 1"
    );
    assert_eq!(output::pair_json(&q)["queues"], 1);
}

#[test]
fn pair_get_reply_with_uplink() {
    let msgs = messages("genl-pair-get-uplink.hex");
    assert_eq!(msgs.len(), 2);
    let p = pair_of(&msgs[0]);
    assert_eq!(p.uplink, Some(2));
    assert_eq!(p.uplink_ifname.as_deref(), Some("eth0"));
    assert_eq!(p.queues, Some(4));
    assert_eq!(
        output::pair_text(&p),
        "7: zca peer 8: zcb copybreak 128 tx-segment off uplink eth0 queues 4\n    \
         tx-ring size 256 hdr-buf 256 head 4000 tail 4040 in-flight 40\n    \
         rx-ring size 256 hdr-buf 256 head 12 tail 12 in-flight 0"
    );
    let json = output::pairs_json(std::slice::from_ref(&p));
    assert_eq!(json[0]["uplink"], 2);
    assert_eq!(json[0]["uplink-ifname"], "eth0");
    // In spec order: the last two attributes of the set.
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys[keys.len() - 3..],
        ["queues", "uplink", "uplink-ifname"]
    );
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &p),
        "change zca ifindex 7 peer zcb ifindex 8 copybreak 128 tx-segment off uplink eth0 queues 4"
    );
    assert_eq!(
        output::ntf_json(uapi::cmd::PAIR_CHANGE_NTF, &p)["msg"]["uplink-ifname"],
        "eth0"
    );

    // Recorded from a module with the first 28 counters, the six uplink
    // ones last (not yet the LAN's).
    let stats = p.stats.as_ref().unwrap();
    assert_eq!(stats.len(), 28);
    assert!(stats.iter().all(|(k, _)| uapi::stats::name(*k).is_some()));
    for (name, want) in [
        ("tx-uplink-packets", 500),
        ("tx-uplink-bytes", 750_000),
        ("tx-uplink-remapped", 3),
        ("tx-uplink-dropped", 1),
        ("rx-uplink-packets", 420),
        ("rx-uplink-bytes", 630_000),
    ] {
        assert_eq!(json[0]["stats"][name], want, "{name}");
        let kind = uapi::stats::ALL.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(p.counter(kind), Some(want), "{name}");
    }
    let names: Vec<&str> = uapi::stats::ALL[22..28].iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "tx-uplink-packets",
            "tx-uplink-bytes",
            "tx-uplink-remapped",
            "tx-uplink-dropped",
            "rx-uplink-packets",
            "rx-uplink-bytes"
        ]
    );
    let text = output::stats_text(&p, None);
    assert_eq!(text.lines().count(), 1 + 28, "{text}");
    assert!(!text.contains("tx-lan-"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().eq(["tx-uplink-remapped", "3"])),
        "{text}"
    );
    assert!(!text.contains("stat-"), "{text}");
    let j = output::stats_json_line(&p, None);
    assert_eq!(j["stats"]["rx-uplink-bytes"], 630_000);
    assert!(check_ack(&msgs[1]).is_ok());

    // Detached (uplink 0, no name): `uplink none`, and 0 in JSON, as YNL
    // prints it.
    let none = Pair {
        uplink: Some(0),
        uplink_ifname: None,
        ..p.clone()
    };
    assert!(output::pair_headline(&none).ends_with(" tx-segment off uplink none queues 4"));
    assert_eq!(output::pair_json(&none)["uplink"], 0);
    assert!(output::pair_json(&none).get("uplink-ifname").is_none());
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &none),
        "change zca ifindex 7 peer zcb ifindex 8 copybreak 128 tx-segment off uplink none queues 4"
    );
    // An uplink the reply does not name is shown by its ifindex.
    let unnamed = Pair {
        uplink_ifname: None,
        ..p
    };
    assert_eq!(output::uplink_text(&unnamed).as_deref(), Some("ifindex 2"));
}

/// The attributes of `msg`, a zcpair message.
fn attrs_of(msg: &ZcMsg) -> Vec<PairAttr> {
    match &msg.payload {
        NetlinkPayload::InnerMessage(g) => g.payload.attrs.clone(),
        other => panic!("not a zcpair message: {other:?}"),
    }
}

/// A zcpair message of `cmd` with `attrs`, as bytes.
fn emit_zcpair(cmd: u8, attrs: Vec<PairAttr>) -> Vec<u8> {
    let mut g = GenlMessage::from_payload(ZcpairMessage { cmd, attrs });
    g.set_resolved_family_id(0x1e);
    let mut msg = NetlinkMessage::from(g);
    msg.finalize();
    let mut buf = vec![0; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

/// steer-pps, the last attribute of the pair set, and the
/// tx-notifications-steered counter, the first the uplink fixture
/// predates: its reply as a module with steering sends it.
#[test]
fn pair_get_reply_with_steer_pps() {
    let steered = &uapi::stats::ALL[31];
    assert_eq!(steered.0, "tx-notifications-steered");
    assert_eq!(
        uapi::stats::name(steered.1),
        Some("tx-notifications-steered")
    );
    assert_eq!(
        uapi::pair::ALL.last(),
        Some(&("steer-pps", uapi::pair::STEER_PPS))
    );

    let mut attrs = attrs_of(&messages("genl-pair-get-uplink.hex")[0]);
    for a in &mut attrs {
        if let PairAttr::Stats(s) = a {
            s.push(StatsAttr {
                kind: steered.1,
                value: 77,
            });
        }
    }
    attrs.push(PairAttr::SteerPps(16000));
    let buf = emit_zcpair(uapi::cmd::PAIR_GET, attrs);
    // On the wire: a u32 of type 15 at the end.
    assert_eq!(buf[buf.len() - 8..], [8, 0, 15, 0, 0x80, 0x3e, 0, 0]);

    let p = pair_of(&decode(&buf).unwrap());
    assert_eq!(p.steer_pps, Some(16000));
    assert_eq!(p.counter(steered.1), Some(77));
    assert_eq!(
        output::pair_text(&p),
        "7: zca peer 8: zcb copybreak 128 tx-segment off steer-pps 16000 uplink eth0 queues 4\n    \
         tx-ring size 256 hdr-buf 256 head 4000 tail 4040 in-flight 40\n    \
         rx-ring size 256 hdr-buf 256 head 12 tail 12 in-flight 0"
    );
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &p),
        "change zca ifindex 7 peer zcb ifindex 8 copybreak 128 tx-segment off steer-pps 16000 \
         uplink eth0 queues 4"
    );
    let json = output::pairs_json(std::slice::from_ref(&p));
    assert_eq!(json[0]["steer-pps"], 16000);
    assert_eq!(json[0]["stats"]["tx-notifications-steered"], 77);
    // In spec order: the last attribute of the set.
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.last().map(|k| k.as_str()), Some("steer-pps"));
    assert_eq!(
        output::ntf_json(uapi::cmd::PAIR_CHANGE_NTF, &p)["msg"]["steer-pps"],
        16000
    );
    let text = output::stats_text(&p, None);
    assert_eq!(text.lines().count(), 1 + 29, "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .split_whitespace()
            .eq(["tx-notifications-steered", "77"]),
        "{text}"
    );
    assert_eq!(
        output::stats_json_line(&p, None)["stats"]["tx-notifications-steered"],
        77
    );

    // 0, steering off, is printed as such.
    let off = Pair {
        steer_pps: Some(0),
        ..p
    };
    assert!(
        output::pair_headline(&off).ends_with(" tx-segment off steer-pps 0 uplink eth0 queues 4")
    );
    assert_eq!(output::pair_json(&off)["steer-pps"], 0);

    // A LAN member has its own.
    let mut attrs = attrs_of(&messages("genl-pair-get-lan.hex")[0]);
    attrs.push(PairAttr::SteerPps(5000));
    let m = pair_of(&decode(&emit_zcpair(uapi::cmd::PAIR_CREATE_NTF, attrs)).unwrap());
    assert_eq!(m.steer_pps, Some(5000));
    assert_eq!(
        output::pair_headline(&m),
        "5: lan0 lan 3 copybreak 128 steer-pps 5000 queues 1"
    );
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CREATE_NTF, &m),
        "create lan0 ifindex 5 lan 3 copybreak 128 steer-pps 5000 queues 1"
    );
}

#[test]
fn emitted_pair_parses_back() {
    let attrs = vec![
        PairAttr::Ifindex(3),
        PairAttr::Ifname("x".into()),
        PairAttr::PeerNetnsid(-1),
        PairAttr::Copybreak(64),
        PairAttr::TxRing(vec![RingAttr::Size(16), RingAttr::InFlight(1)]),
        PairAttr::Stats(vec![
            StatsAttr { kind: 1, value: 1 },
            StatsAttr {
                kind: 2,
                value: u64::MAX,
            },
        ]),
        PairAttr::TxSegment(1),
        PairAttr::Queues(4),
        PairAttr::Uplink(9),
        PairAttr::UplinkIfname("eth1".into()),
        PairAttr::SteerPps(20000),
    ];
    let mut g = GenlMessage::from_payload(ZcpairMessage {
        cmd: uapi::cmd::PAIR_CHANGE_NTF,
        attrs: attrs.clone(),
    });
    g.set_resolved_family_id(0x1e);
    let mut msg = NetlinkMessage::from(g);
    msg.finalize();
    let mut buf = vec![0; msg.buffer_len()];
    msg.serialize(&mut buf);
    let back: ZcMsg = decode(&buf).unwrap();
    match back.payload {
        NetlinkPayload::InnerMessage(g) => {
            assert_eq!(g.payload.cmd, uapi::cmd::PAIR_CHANGE_NTF);
            assert_eq!(g.payload.attrs, attrs);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dump_with_peer_netnsid() {
    let msgs = messages("genl-pair-dump.hex");
    assert_eq!(msgs.len(), 3);
    let a = pair_of(&msgs[0]);
    let b = pair_of(&msgs[1]);
    assert_eq!(a.peer_netnsid, Some(1));
    assert_eq!(b.peer_netnsid, Some(4));
    assert!(check_ack(&msgs[2]).is_ok());
    assert_eq!(
        output::pair_text(&a),
        "5: zc0 peer 3: zc1 netnsid 1 copybreak 200\n    \
         tx-ring size 512 hdr-buf 256 head 4 tail 9 in-flight 5\n    \
         rx-ring size 512 hdr-buf 256 head 0 tail 1 in-flight 1"
    );
    let json = output::pairs_json(&[a, b]);
    assert_eq!(json[1]["ifname"], "zcx");
    assert_eq!(json[0]["tx-ring"]["in-flight"], 5);
    assert_eq!(json[0]["stats"]["rx-dropped"], 15);
}

fn kernel_error(name: &str) -> Error {
    let msgs = messages(name);
    check_ack(&msgs[0]).unwrap_err()
}

#[test]
fn error_with_extack_capped() {
    let e = kernel_error("genl-error-extack.hex");
    assert!(
        matches!(&e, Error::Kernel { errno: 22, extack: Some(m) } if m.starts_with("copybreak"))
    );
    assert_eq!(
        e.to_string(),
        "Error: copybreak must not exceed the header buffer size."
    );
    assert_eq!(e.exit_code(), 1);
}

#[test]
fn error_with_extack_uncapped() {
    let e = kernel_error("genl-error-uncapped.hex");
    assert_eq!(e.to_string(), "Error: integer out of range.");
}

#[test]
fn rtnl_errors() {
    let buf = fixture("rtnl-error-ring.hex");
    let msg: NetlinkMessage<netlink_packet_route::RouteNetlinkMessage> = decode(&buf).unwrap();
    let e = check_ack(&msg).unwrap_err();
    assert_eq!(e.to_string(), "Error: ring size must be a power of two.");

    let buf = fixture("rtnl-error-nodev.hex");
    let msg: NetlinkMessage<netlink_packet_route::RouteNetlinkMessage> = decode(&buf).unwrap();
    let e = check_ack(&msg).unwrap_err();
    assert_eq!(e.to_string(), "Error: No such device");
}

/// The uplink's ifindex is that of the link `RTM_GETLINK` answers with.
#[test]
fn getlink_reply_index() {
    use netlink_packet_route::link::{LinkAttribute, LinkMessage};
    use netlink_packet_route::RouteNetlinkMessage;
    let mut link = LinkMessage::default();
    link.header.index = 7;
    link.attributes.push(LinkAttribute::IfName("eth0".into()));
    assert_eq!(
        zcpairctl::rtnl::link_index(&[RouteNetlinkMessage::NewLink(link)]),
        Some(7)
    );
    assert_eq!(zcpairctl::rtnl::link_index(&[]), None);
}

#[test]
fn extack_full_stop_is_not_doubled() {
    let e = Error::Kernel {
        errno: 22,
        extack: Some("Attribute failed policy validation.".into()),
    };
    assert_eq!(e.to_string(), "Error: Attribute failed policy validation.");
    let e = Error::Kernel {
        errno: 22,
        extack: Some("Attribute failed policy validation".into()),
    };
    assert_eq!(e.to_string(), "Error: Attribute failed policy validation.");
}

#[test]
fn notifications() {
    let msgs = messages("genl-ntf.hex");
    let lines: Vec<String> = msgs
        .iter()
        .map(|m| match &m.payload {
            NetlinkPayload::InnerMessage(g) => {
                output::ntf_text(g.payload.cmd, &Pair::from_attrs(&g.payload.attrs))
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        lines,
        [
            "create zc0 ifindex 5 peer zc1 ifindex 6 copybreak 128",
            "change zc1 ifindex 6 peer zc0 ifindex 5 copybreak 256",
            "delete zc0 ifindex 5 peer zc1 ifindex 6 copybreak 128",
        ]
    );
    let NetlinkPayload::InnerMessage(g) = &msgs[0].payload else {
        unreachable!()
    };
    let j = output::ntf_json(g.payload.cmd, &Pair::from_attrs(&g.payload.attrs));
    assert_eq!(j["name"], "pair-create-ntf");
    assert_eq!(j["msg"]["peer-ifname"], "zc1");
}

#[test]
fn stats_rates() {
    let before = Pair {
        stats: Some(vec![(10, 100), (11, 5000)]),
        ..Pair::default()
    };
    let after = Pair {
        ifname: Some("zc0".into()),
        ifindex: Some(5),
        stats: Some(vec![(10, 300), (11, 4000), (12, 1)]),
        ..Pair::default()
    };
    let r = output::rates(&before, &after, 2.0);
    assert_eq!(r, vec![(10, Some(100.0)), (11, None), (12, None)]);
    let text = output::stats_text(&after, Some(&r));
    assert!(text.starts_with("zc0 (ifindex 5):\n"), "{text}");
    assert!(
        text.contains("tx-packets") && text.contains("100.0/s"),
        "{text}"
    );
    let j = output::stats_json_line(&after, Some(&r));
    assert_eq!(j["rates"]["tx-packets"], 100.0);
    assert_eq!(j["stats"]["tx-bytes"], 4000);
    assert!(j["rates"].get("tx-bytes").is_none());
}

#[test]
fn peer_in_another_netns_is_not_named() {
    // The kernel names the peer only when it shares the asking netns.
    let p = Pair {
        ifindex: Some(5),
        ifname: Some("zc0".into()),
        peer_ifindex: Some(3),
        peer_netnsid: Some(1),
        copybreak: Some(200),
        ..Pair::default()
    };
    assert_eq!(
        output::pair_headline(&p),
        "5: zc0 peer 3 netnsid 1 copybreak 200"
    );
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CHANGE_NTF, &p),
        "change zc0 ifindex 5 peer ifindex 3 netnsid 1 copybreak 200"
    );
    assert!(output::pair_json(&p).get("peer-ifname").is_none());
}

#[test]
fn pair_get_reply_lan_member() {
    let msgs = messages("genl-pair-get-lan.hex");
    assert_eq!(msgs.len(), 2);
    let p = pair_of(&msgs[0]);
    assert_eq!(p.lan, Some(3));
    assert_eq!((p.peer_ifindex, p.peer_ifname.as_deref()), (None, None));
    // `lan ID` where a pair end shows its peer.
    assert_eq!(
        output::pair_text(&p),
        "5: lan0 lan 3 copybreak 128 queues 1\n    \
         tx-ring size 256 hdr-buf 256 head 1500 tail 1500 in-flight 0\n    \
         rx-ring size 256 hdr-buf 256 head 900 tail 900 in-flight 0"
    );
    assert_eq!(
        output::ntf_text(uapi::cmd::PAIR_CREATE_NTF, &p),
        "create lan0 ifindex 5 lan 3 copybreak 128 queues 1"
    );
    let json = output::pairs_json(std::slice::from_ref(&p));
    assert_eq!(json[0]["lan"], 3);
    assert!(json[0].get("peer-ifindex").is_none());
    // In spec order: the last attribute of the reply (recorded before
    // steer-pps, which follows it in the set).
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.last().map(|k| k.as_str()), Some("lan"));
    assert_eq!(p.steer_pps, None);
    assert!(!output::pair_text(&p).contains("steer-pps"));
    assert_eq!(
        output::ntf_json(uapi::cmd::PAIR_CREATE_NTF, &p)["msg"]["lan"],
        3
    );

    // The three LAN counters, after the uplink's (and before
    // tx-notifications-steered, which this reply predates).
    let names: Vec<&str> = uapi::stats::ALL[28..31].iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["tx-lan-unicast", "tx-lan-flooded", "tx-lan-unknown"]
    );
    for (name, want) in [
        ("tx-lan-unicast", 1200),
        ("tx-lan-flooded", 296),
        ("tx-lan-unknown", 4),
    ] {
        assert_eq!(json[0]["stats"][name], want, "{name}");
        let kind = uapi::stats::ALL.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(p.counter(kind), Some(want), "{name}");
    }
    let text = output::stats_text(&p, None);
    assert_eq!(text.lines().count(), 1 + 9, "{text}");
    for (name, v) in [
        ("tx-lan-unicast", "1200"),
        ("tx-lan-flooded", "296"),
        ("tx-lan-unknown", "4"),
    ] {
        assert!(
            text.lines().any(|l| l.split_whitespace().eq([name, v])),
            "{text}"
        );
    }
    assert!(!text.contains("stat-"), "{text}");
    assert_eq!(
        output::stats_json_line(&p, None)["stats"]["tx-lan-flooded"],
        296
    );
    assert!(check_ack(&msgs[1]).is_ok());

    // A pair end's reply is unchanged by the LAN support: no `lan`.
    let end = pair_of(&messages("genl-pair-get-uplink.hex")[0]);
    assert_eq!(end.lan, None);
    assert!(output::pair_headline(&end).starts_with("7: zca peer 8: zcb "));
}

type LanMsg = NetlinkMessage<GenlMessage<LanMessage>>;

fn lan_of(msg: &LanMsg) -> Lan {
    match &msg.payload {
        NetlinkPayload::InnerMessage(g) => {
            assert_eq!(g.payload.cmd, uapi::cmd::LAN_GET);
            Lan::from_attrs(&g.payload.attrs)
        }
        other => panic!("not a lan-get message: {other:?}"),
    }
}

fn lan_messages(buf: &[u8]) -> Vec<LanMsg> {
    split_messages(buf)
        .unwrap()
        .into_iter()
        .map(|m| decode(m).unwrap())
        .collect()
}

#[test]
fn lan_get_dump() {
    let msgs = lan_messages(&fixture("genl-lan-dump.hex"));
    assert_eq!(msgs.len(), 4);
    assert!(check_ack(&msgs[3]).is_ok());
    let replies: Vec<Lan> = msgs[..3].iter().map(lan_of).collect();
    let a = &replies[0];
    assert_eq!(
        (a.ifindex, a.ifname.as_deref(), a.id),
        (Some(5), Some("lan0"), Some(3))
    );
    assert_eq!(a.members.len(), 3);
    assert_eq!(a.members[2].ifname, None);
    assert_eq!(a.members[2].netnsid, Some(1));
    assert_eq!(a.members[1].up, Some(0));
    assert_eq!(a.routes.len(), 3);
    assert_eq!(a.routes[0].addr.as_deref(), Some(&[10, 99, 0, 1][..]));
    assert_eq!(a.routes[2].addr_text(), "fd00::7");

    // Two replies of LAN 3 (one per member device of the netns), one of
    // LAN 4: each LAN once, as its first reply.
    let lans = group_lans(replies.clone());
    assert_eq!(lans.len(), 2);
    assert_eq!(lans[0], replies[0]);
    assert_eq!(lans[1], replies[2]);
    let text: Vec<String> = lans.iter().map(output::lan_text).collect();
    assert_eq!(
        text.join("\n"),
        "lan 3: 3 members, 3 routes\n    \
         member 5: lan0 up\n    \
         member 6: lan1 down\n    \
         member 7@nsid1 up\n    \
         route 10.99.0.1 -> lan0\n    \
         route 10.99.0.2 -> lan1\n    \
         route fd00::7 -> 7@nsid1\n\
         lan 4: 1 member, 0 routes\n    \
         member 9: solo0 up"
    );

    let json = output::lans_json(&lans);
    assert_eq!(
        json,
        serde_json::json!([
            {
                "ifindex": 5, "ifname": "lan0", "id": 3,
                "member": [
                    {"ifindex": 5, "ifname": "lan0", "up": 1},
                    {"ifindex": 6, "ifname": "lan1", "up": 0},
                    {"ifindex": 7, "netnsid": 1, "up": 1}
                ],
                "route": [
                    {"addr": "10.99.0.1", "member-ifindex": 5},
                    {"addr": "10.99.0.2", "member-ifindex": 6},
                    {"addr": "fd00::7", "member-ifindex": 7}
                ]
            },
            {
                "ifindex": 9, "ifname": "solo0", "id": 4,
                "member": [{"ifindex": 9, "ifname": "solo0", "up": 1}]
            }
        ])
    );
    // Spec order of the keys.
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["ifindex", "ifname", "id", "member", "route"]);
}

/// A lan-get `do` reply written out by hand: a member of another netns
/// with the same ifindex as a local one (ifindexes are per netns), whose
/// table entry cannot be told apart, and an address of neither 4 nor 16
/// bytes.
#[rustfmt::skip]
#[test]
fn lan_get_reply_by_hand() {
    let buf: Vec<u8> = vec![
        140, 0, 0, 0,   0x1e, 0,   0, 0,   3, 0, 0, 0,   0x93, 0x10, 0, 0, // nlmsghdr len 140, flags 0
        6, 1, 0, 0,                                             // genlmsghdr: LAN_GET, version 1
        8, 0, 1, 0,   4, 0, 0, 0,                               // ifindex 4
        8, 0, 2, 0,   b'l', b'a', b'n', 0,                      // ifname "lan\0"
        8, 0, 3, 0,   1, 0, 0, 0,                               // id 1
        28, 0, 4, 0x80,                                         // member (NESTED)
          8, 0, 1, 0,   4, 0, 0, 0,                             //   ifindex 4
          8, 0, 2, 0,   b'l', b'a', b'n', 0,                    //   ifname "lan\0"
          5, 0, 4, 0,   1, 0, 0, 0,                             //   up 1 (+3 pad)
        28, 0, 4, 0x80,                                         // member (NESTED)
          8, 0, 1, 0,   4, 0, 0, 0,                             //   ifindex 4 (in its netns)
          8, 0, 3, 0,   2, 0, 0, 0,                             //   netnsid 2
          5, 0, 4, 0,   0, 0, 0, 0,                             //   up 0
        20, 0, 5, 0x80,                                         // route (NESTED)
          8, 0, 1, 0,   192, 168, 7, 9,                         //   addr 192.168.7.9
          8, 0, 2, 0,   4, 0, 0, 0,                             //   member-ifindex 4: which one?
        20, 0, 5, 0x80,                                         // route (NESTED)
          7, 0, 1, 0,   0xde, 0xad, 0xbe, 0,                    //   addr of 3 bytes (+1 pad)
          8, 0, 2, 0,   9, 0, 0, 0,                             //   member-ifindex 9: no member
    ];
    let msgs = lan_messages(&buf);
    assert_eq!(msgs.len(), 1);
    let l = lan_of(&msgs[0]);
    assert_eq!(l.id, Some(1));
    assert_eq!(l.members[1].label(), "4@nsid2");
    assert!(l.route_member(&l.routes[0]).is_none());
    assert_eq!(
        output::lan_text(&l),
        "lan 1: 2 members, 2 routes\n    \
         member 4: lan up\n    \
         member 4@nsid2 down\n    \
         route 192.168.7.9 -> ifindex 4\n    \
         route deadbe -> ifindex 9"
    );
    let j = output::lan_json(&l);
    assert_eq!(j["route"][1]["addr"], "deadbe");
    assert_eq!(j["member"][1]["netnsid"], 2);
    assert!(j["member"][1].get("ifname").is_none());
    // A do reply has no NLM_F_MULTI; grouping one reply keeps it.
    assert_eq!(group_lans(vec![l.clone()]), vec![l]);
}

#[test]
fn emitted_lan_parses_back() {
    let attrs = vec![
        LanAttr::Ifindex(5),
        LanAttr::Ifname("lan0".into()),
        LanAttr::Id(3),
        LanAttr::Member(vec![
            LanMemberAttr::Ifindex(5),
            LanMemberAttr::Ifname("lan0".into()),
            LanMemberAttr::Up(1),
        ]),
        LanAttr::Member(vec![
            LanMemberAttr::Ifindex(2),
            LanMemberAttr::Netnsid(-1),
            LanMemberAttr::Up(0),
        ]),
        LanAttr::Route(vec![
            LanRouteAttr::Addr(vec![0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            LanRouteAttr::MemberIfindex(5),
        ]),
    ];
    let mut g = GenlMessage::from_payload(LanMessage {
        cmd: uapi::cmd::LAN_GET,
        attrs: attrs.clone(),
    });
    g.set_resolved_family_id(0x1e);
    let mut msg = NetlinkMessage::from(g);
    msg.finalize();
    let mut buf = vec![0; msg.buffer_len()];
    msg.serialize(&mut buf);
    let back: LanMsg = decode(&buf).unwrap();
    match &back.payload {
        NetlinkPayload::InnerMessage(g) => assert_eq!(g.payload.attrs, attrs),
        other => panic!("{other:?}"),
    }
    let l = lan_of(&back);
    assert_eq!(l.routes[0].addr_text(), "fe80::1");
    assert_eq!(
        output::lan_text(&l),
        "lan 3: 2 members, 1 route\n    \
         member 5: lan0 up\n    \
         member 2@nsid-1 down\n    \
         route fe80::1 -> lan0"
    );
}

/// The ring's own counters close the stats set, in spec order, and a
/// reply carrying them prints them by name.
#[test]
fn ring_counters_by_name() {
    let n = uapi::stats::ALL.len();
    let names: Vec<&str> = uapi::stats::ALL[n - 2..].iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["tx-ring-packets", "tx-ring-bytes"]);
    for (name, kind) in &uapi::stats::ALL[n - 2..] {
        assert_eq!(uapi::stats::name(*kind), Some(*name));
    }
}
