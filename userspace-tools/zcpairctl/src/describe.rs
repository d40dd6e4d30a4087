// SPDX-License-Identifier: GPL-2.0
//! Decode saved netlink messages (captures, test fixtures) into JSON, one
//! value per message, so that tests can compare them with what is
//! expected and a new capture can be checked by eye.
//!
//! - a zcpair message: `{"cmd": "pair-get", "msg": {<pair as show --json>}}`;
//!   a `lan-get` one: `{"cmd": "lan-get", "msg": {<lan as lan show --json>}}`
//! - NLMSG_ERROR: `{"errno": N, "extack": "...", "offset": N}` (errno 0:
//!   an ack; the extack keys only when present)
//! - NLMSG_DONE: `{"done": N}` plus the extack keys
//! - the genetlink controller: `{"family-id": N, "version": N,
//!   "mcast-groups": {"name": id}}`
//! - an rtnetlink link: `{"link": {"ifindex": N, "ifname": "...", "kind": "..."}}`

use std::fmt::Debug;

use netlink_packet_core::{
    NetlinkBuffer, NetlinkDeserializable, NetlinkMessage, NetlinkPayload, NLMSG_DONE, NLMSG_ERROR,
    NLM_F_ACK_TLVS,
};
use netlink_packet_generic::ctrl::GenlCtrl;
use netlink_packet_generic::GenlMessage;
use netlink_packet_route::link::LinkAttribute;
use netlink_packet_route::RouteNetlinkMessage;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::extack::{self, Extack};
use crate::genl::{Lan, LanMessage, Pair, ZcpairMessage};
use crate::nl::{decode, split_messages, Proto};
use crate::output::{lan_json, pair_json};
use crate::{rtnl, uapi};

/// `GENL_ID_CTRL`, the controller's fixed family id.
const GENL_ID_CTRL: u16 = 0x10;

fn extack_json(m: &mut Map<String, Value>, ext: Extack) {
    if let Some(msg) = ext.msg {
        m.insert("extack".into(), msg.into());
    }
    if let Some(off) = ext.offset {
        m.insert("offset".into(), off.into());
    }
    if let Some(t) = ext.missing_type {
        m.insert("missing-type".into(), t.into());
    }
}

/// NLMSG_ERROR and NLMSG_DONE, the same for every protocol.
fn control_json<T: Debug>(msg: &NetlinkMessage<T>) -> Option<Value> {
    let mut m = Map::new();
    match &msg.payload {
        NetlinkPayload::Error(e) => {
            m.insert("errno".into(), (-e.raw_code()).into());
            extack_json(&mut m, extack::from_error(msg.header.flags, &e.header));
        }
        NetlinkPayload::Done(d) => {
            m.insert("done".into(), d.code.into());
            if msg.header.flags & NLM_F_ACK_TLVS != 0 {
                extack_json(&mut m, extack::from_tlvs(&d.extended_ack));
            }
        }
        _ => return None,
    }
    Some(Value::Object(m))
}

fn decode_any<T>(raw: &[u8]) -> Result<NetlinkMessage<T>>
where
    T: NetlinkDeserializable + Debug,
{
    decode::<T>(raw)
}

fn describe_genl(raw: &[u8]) -> Result<Value> {
    let ty = NetlinkBuffer::new_checked(raw)
        .map_err(|e| Error::Decode(e.to_string()))?
        .message_type();
    if ty == NLMSG_ERROR || ty == NLMSG_DONE {
        let msg = decode_any::<GenlMessage<ZcpairMessage>>(raw)?;
        return Ok(control_json(&msg).unwrap_or(Value::Null));
    }
    if ty == GENL_ID_CTRL {
        let msg = decode_any::<GenlMessage<GenlCtrl>>(raw)?;
        let NetlinkPayload::InnerMessage(genl) = msg.payload else {
            return Ok(Value::Null);
        };
        let fam = crate::nl::Family::from_ctrl(&genl.payload)
            .ok_or_else(|| Error::Decode("controller reply without a family id".into()))?;
        let groups: Map<String, Value> = fam
            .mcast_groups
            .iter()
            .map(|(n, id)| (n.clone(), Value::from(*id)))
            .collect();
        return Ok(json!({
            "family-id": fam.id,
            "version": fam.version,
            "mcast-groups": groups,
        }));
    }
    // The genlmsghdr's cmd, after the nlmsghdr, says which attribute set
    // follows: `lan` for lan-get, `pair` for the rest.
    if raw.get(16) == Some(&uapi::cmd::LAN_GET) {
        let msg = decode_any::<GenlMessage<LanMessage>>(raw)?;
        let NetlinkPayload::InnerMessage(genl) = msg.payload else {
            return Ok(Value::Null);
        };
        return Ok(json!({
            "cmd": "lan-get",
            "msg": lan_json(&Lan::from_attrs(&genl.payload.attrs)),
        }));
    }
    let msg = decode_any::<GenlMessage<ZcpairMessage>>(raw)?;
    let NetlinkPayload::InnerMessage(genl) = msg.payload else {
        return Ok(Value::Null);
    };
    let cmd = genl.payload.cmd;
    let name = uapi::cmd::name(cmd).map_or_else(|| format!("cmd-{cmd}"), str::to_owned);
    Ok(json!({
        "cmd": name,
        "msg": pair_json(&Pair::from_attrs(&genl.payload.attrs)),
    }))
}

fn describe_rtnl(raw: &[u8]) -> Result<Value> {
    let msg = decode_any::<RouteNetlinkMessage>(raw)?;
    if let Some(v) = control_json(&msg) {
        return Ok(v);
    }
    match &msg.payload {
        NetlinkPayload::InnerMessage(
            RouteNetlinkMessage::NewLink(l) | RouteNetlinkMessage::DelLink(l),
        ) => {
            let mut m = Map::new();
            m.insert("ifindex".into(), l.header.index.into());
            for a in &l.attributes {
                if let LinkAttribute::IfName(n) = a {
                    m.insert("ifname".into(), n.clone().into());
                }
            }
            if let Some(k) = rtnl::link_kind(l) {
                m.insert("kind".into(), k.into());
            }
            Ok(json!({ "link": m }))
        }
        _ => Ok(Value::Null),
    }
}

/// Decode every message of `buf` (one or more netlink messages, as one
/// datagram carries them) received on a `proto` socket.
pub fn describe(proto: Proto, buf: &[u8]) -> Result<Vec<Value>> {
    split_messages(buf)?
        .into_iter()
        .map(|raw| match proto {
            Proto::Generic => describe_genl(raw),
            Proto::Route => describe_rtnl(raw),
        })
        .collect()
}

/// Read a fixture: raw bytes (`.bin`), or hex digits (`.hex`) where
/// whitespace is ignored and `#` starts a comment.
pub fn read_fixture(name: &str, contents: &[u8]) -> Result<Vec<u8>> {
    if !name.ends_with(".hex") {
        return Ok(contents.to_vec());
    }
    let text = std::str::from_utf8(contents).map_err(|e| Error::Decode(e.to_string()))?;
    let digits: Vec<u8> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| l.bytes().filter(|b| !b.is_ascii_whitespace()))
        .collect();
    if digits.len() % 2 != 0 {
        return Err(Error::Decode(format!("{name}: odd number of hex digits")));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).unwrap_or("zz");
            u8::from_str_radix(s, 16)
                .map_err(|_| Error::Decode(format!("{name}: bad hex byte \"{s}\"")))
        })
        .collect()
}
