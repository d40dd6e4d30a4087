// SPDX-License-Identifier: GPL-2.0
//! Rendering of pairs, counters and notifications: text for people, JSON
//! with the YNL spec's attribute names for programs (the keys YNL's
//! `cli.py` prints, so the two can be compared).

use serde_json::{Map, Value};

use crate::genl::{counter_name, Lan, LanMember, LanRoute, Pair, Ring};
use crate::uapi::{cmd, lan, lan_member, lan_route, pair};

/// The spec name of attribute `kind` of the set whose table is `all`.
fn key_of(all: &[(&'static str, u16)], kind: u16) -> String {
    all.iter()
        .find(|(_, k)| *k == kind)
        .map(|(n, _)| (*n).to_owned())
        .expect("attribute missing from its uapi table")
}

/// The spec name of attribute `kind` of the `pair` set.
fn key(kind: u16) -> String {
    key_of(pair::ALL, kind)
}

pub fn ring_json(r: &Ring) -> Value {
    Value::Object(
        r.fields()
            .into_iter()
            .map(|(n, v)| (n.to_owned(), Value::from(v)))
            .collect(),
    )
}

pub fn stats_json(stats: &[(u16, u64)]) -> Value {
    Value::Object(
        stats
            .iter()
            .map(|(k, v)| (counter_name(*k), Value::from(*v)))
            .collect(),
    )
}

/// One pair as a JSON object, attributes in spec order, absent ones left
/// out (as YNL does).
pub fn pair_json(p: &Pair) -> Value {
    let mut m = Map::new();
    let mut put = |kind, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(key(kind), v);
        }
    };
    put(pair::IFINDEX, p.ifindex.map(Value::from));
    put(pair::IFNAME, p.ifname.clone().map(Value::from));
    put(pair::PEER_IFINDEX, p.peer_ifindex.map(Value::from));
    put(pair::PEER_IFNAME, p.peer_ifname.clone().map(Value::from));
    put(pair::PEER_NETNSID, p.peer_netnsid.map(Value::from));
    put(pair::COPYBREAK, p.copybreak.map(Value::from));
    put(pair::TX_RING, p.tx_ring.as_ref().map(ring_json));
    put(pair::RX_RING, p.rx_ring.as_ref().map(ring_json));
    put(pair::STATS, p.stats.as_deref().map(stats_json));
    // The number, as YNL prints a u8.
    put(pair::TX_SEGMENT, p.tx_segment.map(Value::from));
    put(pair::QUEUES, p.queues.map(Value::from));
    put(pair::UPLINK, p.uplink.map(Value::from));
    put(
        pair::UPLINK_IFNAME,
        p.uplink_ifname.clone().map(Value::from),
    );
    put(pair::LAN, p.lan.map(Value::from));
    put(pair::STEER_PPS, p.steer_pps.map(Value::from));
    Value::Object(m)
}

/// A list of pairs as a JSON array (what `cli.py --dump pair-get`
/// prints).
pub fn pairs_json(pairs: &[Pair]) -> Value {
    Value::Array(pairs.iter().map(pair_json).collect())
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "?".to_owned(), |v| v.to_string())
}

/// ` copybreak N`, ` tx-segment on|off`, ` steer-pps N`,
/// ` uplink DEV|none` and ` queues N`, those the reply has: the end's own
/// parameters, as `set` takes them, then the queue count (as `add` takes
/// it; the same on both ends).
fn params_text(p: &Pair) -> String {
    let mut s = String::new();
    if let Some(cb) = p.copybreak {
        s += &format!(" copybreak {cb}");
    }
    if let Some(seg) = p.tx_segment {
        s += &format!(" tx-segment {}", on_off(seg));
    }
    if let Some(pps) = p.steer_pps {
        s += &format!(" steer-pps {pps}");
    }
    if let Some(up) = uplink_text(p) {
        s += &format!(" uplink {up}");
    }
    if let Some(q) = p.queues {
        s += &format!(" queues {q}");
    }
    s
}

/// The uplink as `set` takes it: its name, `none` for ifindex 0, or
/// `ifindex N` should the reply not name it; `None` when the reply has no
/// uplink attribute (an older module).
pub fn uplink_text(p: &Pair) -> Option<String> {
    match (p.uplink?, &p.uplink_ifname) {
        (0, _) => Some("none".into()),
        (_, Some(name)) => Some(name.clone()),
        (i, None) => Some(format!("ifindex {i}")),
    }
}

/// `on` for a set flag (any non-zero value), `off` for 0.
pub fn on_off(v: u8) -> &'static str {
    if v != 0 {
        "on"
    } else {
        "off"
    }
}

/// A LAN member's reply: a `lan` id and no peer attributes.
fn is_lan_member(p: &Pair) -> bool {
    p.lan.is_some() && p.peer_ifindex.is_none() && p.peer_ifname.is_none()
}

/// `IFINDEX: NAME peer IFINDEX[: NAME] [netnsid N] [copybreak N]
/// [tx-segment on|off] [steer-pps N] [uplink DEV|none] [queues N]`: the
/// kernel names the peer only when it shares the asking netns. A LAN
/// member, which has no peer, reads `IFINDEX: NAME lan ID [copybreak N]
/// ...`.
pub fn pair_headline(p: &Pair) -> String {
    let mut s = format!("{}: {}", opt(p.ifindex), opt(p.ifname.as_deref()));
    if is_lan_member(p) {
        s += &format!(" lan {}", opt(p.lan));
    } else {
        s += &format!(" peer {}", opt(p.peer_ifindex));
        if let Some(name) = &p.peer_ifname {
            s += &format!(": {name}");
        }
        if let Some(id) = p.peer_netnsid {
            s += &format!(" netnsid {id}");
        }
    }
    s += &params_text(p);
    s
}

fn ring_line(name: &str, r: &Ring) -> String {
    let mut s = format!("    {name}");
    for (n, v) in r.fields() {
        s += &format!(" {n} {v}");
    }
    s
}

/// `show`'s text for one pair.
pub fn pair_text(p: &Pair) -> String {
    let mut lines = vec![pair_headline(p)];
    if let Some(r) = &p.tx_ring {
        lines.push(ring_line("tx-ring", r));
    }
    if let Some(r) = &p.rx_ring {
        lines.push(ring_line("rx-ring", r));
    }
    lines.join("\n")
}

/// `stats`'s text: one counter per line; with `rates`, the per-second
/// rate of each counter next to it (`-` where there is none yet).
pub fn stats_text(p: &Pair, rates: Option<&[(u16, Option<f64>)]>) -> String {
    let mut lines = vec![format!("{} (ifindex {}):", p.label(), opt(p.ifindex))];
    for (k, v) in p.stats.as_deref().unwrap_or_default() {
        let name = counter_name(*k);
        match rates {
            None => lines.push(format!("    {name:<28} {v:>20}")),
            Some(rates) => {
                let rate = rates
                    .iter()
                    .find(|(rk, _)| rk == k)
                    .and_then(|(_, r)| *r)
                    .map_or_else(|| "-".to_owned(), |r| format!("{r:.1}"));
                lines.push(format!("    {name:<28} {v:>20} {rate:>16}/s"));
            }
        }
    }
    lines.join("\n")
}

/// `stats --json`: the device and its counters, plus `rates` (per second)
/// when watching.
pub fn stats_json_line(p: &Pair, rates: Option<&[(u16, Option<f64>)]>) -> Value {
    let mut m = Map::new();
    if let Some(i) = p.ifindex {
        m.insert(key(pair::IFINDEX), i.into());
    }
    if let Some(n) = &p.ifname {
        m.insert(key(pair::IFNAME), n.clone().into());
    }
    m.insert(
        key(pair::STATS),
        stats_json(p.stats.as_deref().unwrap_or_default()),
    );
    if let Some(rates) = rates {
        let r: Map<String, Value> = rates
            .iter()
            .filter_map(|(k, r)| r.map(|r| (counter_name(*k), Value::from(r))))
            .collect();
        m.insert("rates".into(), Value::Object(r));
    }
    Value::Object(m)
}

/// Per-second rates between two samples `secs` apart; `None` for a counter
/// missing from `prev` or that went backwards.
pub fn rates(prev: &Pair, cur: &Pair, secs: f64) -> Vec<(u16, Option<f64>)> {
    cur.stats
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            let r = prev
                .counter(*k)
                .and_then(|p| v.checked_sub(p))
                .filter(|_| secs > 0.0)
                .map(|d| d as f64 / secs);
            (*k, r)
        })
        .collect()
}

/// The verb of a notification command.
pub fn ntf_verb(command: u8) -> Option<&'static str> {
    match command {
        cmd::PAIR_CREATE_NTF => Some("create"),
        cmd::PAIR_DELETE_NTF => Some("delete"),
        cmd::PAIR_CHANGE_NTF => Some("change"),
        _ => None,
    }
}

/// `monitor`'s text line.
pub fn ntf_text(command: u8, p: &Pair) -> String {
    let verb = ntf_verb(command).map_or_else(|| format!("cmd-{command}"), str::to_owned);
    let mut s = format!(
        "{verb} {} ifindex {}",
        opt(p.ifname.as_deref()),
        opt(p.ifindex)
    );
    if is_lan_member(p) {
        s += &format!(" lan {}", opt(p.lan));
    } else {
        s += " peer";
        if let Some(name) = &p.peer_ifname {
            s += &format!(" {name}");
        }
        s += &format!(" ifindex {}", opt(p.peer_ifindex));
        if let Some(id) = p.peer_netnsid {
            s += &format!(" netnsid {id}");
        }
    }
    s += &params_text(p);
    s
}

/// `monitor --json`: `{"name": <op name>, "msg": {...}}`, the shape of
/// the notifications `cli.py --subscribe events` prints.
pub fn ntf_json(command: u8, p: &Pair) -> Value {
    let name = cmd::name(command).map_or_else(|| format!("cmd-{command}"), str::to_owned);
    let mut m = Map::new();
    m.insert("name".into(), name.into());
    m.insert("msg".into(), pair_json(p));
    Value::Object(m)
}

/// One `lan-member` nest as a JSON object, attributes in spec order.
pub fn lan_member_json(mb: &LanMember) -> Value {
    let mut m = Map::new();
    let mut put = |kind, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(key_of(lan_member::ALL, kind), v);
        }
    };
    put(lan_member::IFINDEX, mb.ifindex.map(Value::from));
    put(lan_member::IFNAME, mb.ifname.clone().map(Value::from));
    put(lan_member::NETNSID, mb.netnsid.map(Value::from));
    put(lan_member::UP, mb.up.map(Value::from));
    Value::Object(m)
}

/// One `lan-route` nest as a JSON object: `addr` as the address's text
/// (`"10.0.0.1"`, `"fd00::1"`; hex digits should it be neither 4 nor 16
/// bytes long), `member-ifindex` a number.
pub fn lan_route_json(r: &LanRoute) -> Value {
    let mut m = Map::new();
    if r.addr.is_some() {
        m.insert(
            key_of(lan_route::ALL, lan_route::ADDR),
            r.addr_text().into(),
        );
    }
    if let Some(i) = r.member_ifindex {
        m.insert(key_of(lan_route::ALL, lan_route::MEMBER_IFINDEX), i.into());
    }
    Value::Object(m)
}

/// One `lan-get` reply as a JSON object: the spec's names in spec order,
/// the multi-attr `member` and `route` as arrays (as YNL collects them),
/// absent attributes (and an empty table) left out.
pub fn lan_json(l: &Lan) -> Value {
    let mut m = Map::new();
    let mut put = |kind, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(key_of(lan::ALL, kind), v);
        }
    };
    put(lan::IFINDEX, l.ifindex.map(Value::from));
    put(lan::IFNAME, l.ifname.clone().map(Value::from));
    put(lan::ID, l.id.map(Value::from));
    let list = |v: Vec<Value>| (!v.is_empty()).then_some(Value::Array(v));
    put(
        lan::MEMBER,
        list(l.members.iter().map(lan_member_json).collect()),
    );
    put(
        lan::ROUTE,
        list(l.routes.iter().map(lan_route_json).collect()),
    );
    Value::Object(m)
}

/// `lan show --json`: an array of `lan-get` replies, one per LAN.
pub fn lans_json(lans: &[Lan]) -> Value {
    Value::Array(lans.iter().map(lan_json).collect())
}

/// `up` or `down` (`?` when the reply does not say).
fn up_down(up: Option<u8>) -> &'static str {
    match up {
        Some(0) => "down",
        Some(_) => "up",
        None => "?",
    }
}

/// `lan show`'s text for one LAN:
///
/// ```text
/// lan 3: 3 members, 2 routes
///     member 5: lan0 up
///     member 7@nsid1 down
///     route 10.99.0.1 -> lan0
///     route fd00::7 -> 7@nsid1
/// ```
///
/// A member of another netns is not named by the kernel: it shows as
/// `IFINDEX@nsidN` (its ifindex in its netns, and that netns as an nsid
/// of ours). A route whose member cannot be told (no member, or several
/// of different netns, with that ifindex) shows as `ifindex N`.
pub fn lan_text(l: &Lan) -> String {
    let plural = |n: usize, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    let mut lines = vec![format!(
        "lan {}: {}, {}",
        opt(l.id),
        plural(l.members.len(), "member"),
        plural(l.routes.len(), "route")
    )];
    for mb in &l.members {
        let who = match (&mb.ifname, mb.ifindex) {
            (Some(name), Some(i)) => format!("{i}: {name}"),
            _ => mb.label(),
        };
        lines.push(format!("    member {who} {}", up_down(mb.up)));
    }
    for r in &l.routes {
        let to = match l.route_member(r) {
            Some(mb) => mb.label(),
            None => format!("ifindex {}", opt(r.member_ifindex)),
        };
        lines.push(format!("    route {} -> {to}", r.addr_text()));
    }
    lines.join("\n")
}
