// SPDX-License-Identifier: GPL-2.0
//! Parsing replies: attribute decoding, NLA_UINT widths, errors and
//! extended acks, and what the commands print of them.
#![cfg(target_endian = "little")]

use netlink_packet_core::{Emitable, NetlinkMessage, NetlinkPayload};
use netlink_packet_generic::GenlMessage;
use zcpairctl::describe::read_fixture;
use zcpairctl::error::Error;
use zcpairctl::genl::{parse_uint, Pair, PairAttr, RingAttr, StatsAttr, ZcpairMessage};
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

    // Every counter of this build, the six uplink ones last.
    let stats = p.stats.as_ref().unwrap();
    assert_eq!(stats.len(), uapi::stats::ALL.len());
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
    let names: Vec<&str> = uapi::stats::ALL[uapi::stats::ALL.len() - 6..]
        .iter()
        .map(|(n, _)| *n)
        .collect();
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
    assert_eq!(text.lines().count(), 1 + uapi::stats::ALL.len(), "{text}");
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
