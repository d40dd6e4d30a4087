// SPDX-License-Identifier: GPL-2.0
//! The Rust constants (bindgen's, from include/uapi/linux/zcpair.h) and
//! the names zcpairctl prints must agree with the YNL spec,
//! Documentation/netlink/specs/zcpair.yaml. YNL numbers attributes from
//! 1, commands from 1 and enum entries from `value-start` (0 by default);
//! an explicit `value:` restarts the count.

use std::collections::BTreeMap;
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};
use zcpairctl::genl::{Lan, LanMember, LanRoute, Pair, Ring};
use zcpairctl::output::{lan_json, pair_json};
use zcpairctl::uapi;

fn spec() -> Yaml {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Documentation/netlink/specs/zcpair.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn list(y: &Yaml) -> &Vec<Yaml> {
    y.as_vec().unwrap_or_else(|| panic!("not a list: {y:?}"))
}

/// `(name, value)` of a YNL list of named items numbered from `start`.
fn numbered(items: &[Yaml], start: i64) -> Vec<(String, i64)> {
    let mut next = start;
    items
        .iter()
        .map(|item| {
            let (name, value) = match item {
                Yaml::String(s) => (s.clone(), None),
                _ => (
                    item["name"].as_str().unwrap().to_owned(),
                    item["value"].as_i64(),
                ),
            };
            let v = value.unwrap_or(next);
            next = v + 1;
            (name, v)
        })
        .collect()
}

fn as_i64<T: Copy + Into<i64>>(table: &[(&str, T)]) -> Vec<(String, i64)> {
    table
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).into()))
        .collect()
}

fn attr_set<'a>(spec: &'a Yaml, name: &str) -> &'a Yaml {
    list(&spec["attribute-sets"])
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no attribute set {name}"))
}

fn definition<'a>(spec: &'a Yaml, name: &str) -> &'a Yaml {
    list(&spec["definitions"])
        .iter()
        .find(|d| d["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no definition {name}"))
}

#[test]
fn family_name_version_and_groups() {
    let spec = spec();
    assert_eq!(spec["name"].as_str(), Some(uapi::FAMILY_NAME));
    // YNL's default family version is 1.
    assert_eq!(
        spec["version"].as_i64().unwrap_or(1),
        i64::from(uapi::FAMILY_VERSION)
    );
    let groups: Vec<&str> = list(&spec["mcast-groups"]["list"])
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, [uapi::MCGRP_EVENTS]);
}

#[test]
fn attribute_sets_match() {
    let spec = spec();
    for (set, table) in [
        ("pair", uapi::pair::ALL),
        ("ring", uapi::ring::ALL),
        ("stats", uapi::stats::ALL),
        ("lan", uapi::lan::ALL),
        ("lan-member", uapi::lan_member::ALL),
        ("lan-route", uapi::lan_route::ALL),
    ] {
        let want = numbered(list(&attr_set(&spec, set)["attributes"]), 1);
        assert_eq!(as_i64(table), want, "attribute set {set}");
    }
    assert_eq!(i64::from(uapi::pair::MAX), uapi::pair::ALL.len() as i64);
    assert_eq!(i64::from(uapi::ring::MAX), uapi::ring::ALL.len() as i64);
    assert_eq!(i64::from(uapi::stats::MAX), uapi::stats::ALL.len() as i64);
    assert_eq!(i64::from(uapi::lan::MAX), uapi::lan::ALL.len() as i64);
    assert_eq!(
        i64::from(uapi::lan_member::MAX),
        uapi::lan_member::ALL.len() as i64
    );
    assert_eq!(
        i64::from(uapi::lan_route::MAX),
        uapi::lan_route::ALL.len() as i64
    );
}

/// lan-get's sets: the spec's types, which the decoding relies on.
#[test]
fn lan_sets_types() {
    let spec = spec();
    let types = |set: &str| -> Vec<(String, String)> {
        list(&attr_set(&spec, set)["attributes"])
            .iter()
            .map(|a| {
                (
                    a["name"].as_str().unwrap().to_owned(),
                    a["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let want = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect()
    };
    assert_eq!(
        types("lan"),
        want(&[
            ("ifindex", "u32"),
            ("ifname", "string"),
            ("id", "u32"),
            ("member", "nest"),
            ("route", "nest"),
        ])
    );
    assert_eq!(
        types("lan-member"),
        want(&[
            ("ifindex", "u32"),
            ("ifname", "string"),
            ("netnsid", "s32"),
            ("up", "u8"),
        ])
    );
    assert_eq!(
        types("lan-route"),
        want(&[("addr", "binary"), ("member-ifindex", "u32")])
    );
    let lan = list(&attr_set(&spec, "lan")["attributes"]);
    for a in &lan[3..] {
        assert_eq!(a["multi-attr"].as_bool(), Some(true), "{a:?}");
    }
    let pair_lan = list(&attr_set(&spec, "pair")["attributes"])
        .iter()
        .find(|a| a["name"].as_str() == Some("lan"))
        .unwrap();
    assert_eq!(pair_lan["type"].as_str(), Some("u32"));
}

#[test]
fn stats_are_all_uint() {
    let spec = spec();
    for a in list(&attr_set(&spec, "stats")["attributes"]) {
        assert_eq!(a["type"].as_str(), Some("uint"), "{a:?}");
    }
}

#[test]
fn commands_match() {
    let spec = spec();
    let want = numbered(list(&spec["operations"]["list"]), 1);
    assert_eq!(as_i64(uapi::cmd::ALL), want);
    assert_eq!(i64::from(uapi::cmd::MAX), want.len() as i64);
}

#[test]
fn info_enum_matches() {
    let spec = spec();
    let info = definition(&spec, "info");
    let start = info["value-start"].as_i64().unwrap_or(0);
    let want = numbered(list(&info["entries"]), start);
    assert_eq!(as_i64(uapi::info::ALL), want);
    assert_eq!(i64::from(uapi::info::MAX), want.last().unwrap().1);
}

#[test]
fn constants_match() {
    let spec = spec();
    let want: BTreeMap<String, i64> = list(&spec["definitions"])
        .iter()
        .filter(|d| d["type"].as_str() == Some("const"))
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["value"].as_i64().unwrap(),
            )
        })
        .collect();
    let have: BTreeMap<String, i64> = as_i64(uapi::limits::ALL).into_iter().collect();
    assert_eq!(have, want);
}

/// Every key --json prints is an attribute name of the spec, in the
/// right set: a fully populated pair prints exactly the spec's names.
#[test]
fn json_keys_are_spec_names() {
    let spec = spec();
    let names = |set: &str| -> Vec<String> {
        numbered(list(&attr_set(&spec, set)["attributes"]), 1)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    let ring = Ring {
        size: Some(1),
        hdr_buf: Some(2),
        head: Some(3),
        tail: Some(4),
        in_flight: Some(5),
    };
    let p = Pair {
        ifindex: Some(1),
        ifname: Some("a".into()),
        peer_ifindex: Some(2),
        peer_ifname: Some("b".into()),
        peer_netnsid: Some(0),
        copybreak: Some(3),
        tx_ring: Some(ring.clone()),
        rx_ring: Some(ring),
        stats: Some(uapi::stats::ALL.iter().map(|(_, k)| (*k, 7)).collect()),
        tx_segment: Some(1),
        queues: Some(2),
        uplink: Some(3),
        uplink_ifname: Some("eth0".into()),
        lan: Some(3),
        steer_pps: Some(16000),
    };
    let v = pair_json(&p);
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&v), names("pair"));
    assert_eq!(keys(&v["tx-ring"]), names("ring"));
    assert_eq!(keys(&v["rx-ring"]), names("ring"));
    assert_eq!(keys(&v["stats"]), names("stats"));

    let l = Lan {
        ifindex: Some(5),
        ifname: Some("lan0".into()),
        id: Some(3),
        members: vec![LanMember {
            ifindex: Some(5),
            ifname: Some("lan0".into()),
            netnsid: Some(1),
            up: Some(1),
        }],
        routes: vec![LanRoute {
            addr: Some(vec![10, 0, 0, 1]),
            member_ifindex: Some(5),
        }],
    };
    let v = lan_json(&l);
    assert_eq!(keys(&v), names("lan"));
    assert_eq!(keys(&v["member"][0]), names("lan-member"));
    assert_eq!(keys(&v["route"][0]), names("lan-route"));
}
