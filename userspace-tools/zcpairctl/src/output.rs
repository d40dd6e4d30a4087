// SPDX-License-Identifier: GPL-2.0
//! Rendering of pairs, counters and notifications: text for people, JSON
//! with the YNL spec's attribute names for programs (the keys YNL's
//! `cli.py` prints, so the two can be compared).

use serde_json::{Map, Value};

use crate::genl::{counter_name, Pair, Ring};
use crate::uapi::{cmd, pair};

/// The spec name of attribute `kind` of the `pair` set.
fn key(kind: u16) -> String {
    pair::ALL
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(n, _)| (*n).to_owned())
        .expect("pair attribute missing from uapi::pair::ALL")
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

/// ` copybreak N`, ` tx-segment on|off`, ` uplink DEV|none` and
/// ` queues N`, those the reply has: the end's own parameters, as `set`
/// takes them, then the queue count (as `add` takes it; the same on both
/// ends).
fn params_text(p: &Pair) -> String {
    let mut s = String::new();
    if let Some(cb) = p.copybreak {
        s += &format!(" copybreak {cb}");
    }
    if let Some(seg) = p.tx_segment {
        s += &format!(" tx-segment {}", on_off(seg));
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

/// `IFINDEX: NAME peer IFINDEX[: NAME] [netnsid N] [copybreak N]
/// [tx-segment on|off] [uplink DEV|none] [queues N]`: the kernel names the
/// peer only when it shares the asking netns.
pub fn pair_headline(p: &Pair) -> String {
    let mut s = format!(
        "{}: {} peer {}",
        opt(p.ifindex),
        opt(p.ifname.as_deref()),
        opt(p.peer_ifindex)
    );
    if let Some(name) = &p.peer_ifname {
        s += &format!(": {name}");
    }
    if let Some(id) = p.peer_netnsid {
        s += &format!(" netnsid {id}");
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
        "{verb} {} ifindex {} peer",
        opt(p.ifname.as_deref()),
        opt(p.ifindex)
    );
    if let Some(name) = &p.peer_ifname {
        s += &format!(" {name}");
    }
    s += &format!(" ifindex {}", opt(p.peer_ifindex));
    if let Some(id) = p.peer_netnsid {
        s += &format!(" netnsid {id}");
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
