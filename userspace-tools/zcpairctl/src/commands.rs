// SPDX-License-Identifier: GPL-2.0
//! The subcommands.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_packet_core::{NetlinkPayload, NLM_F_DUMP};
use netlink_packet_generic::{GenlFamily, GenlMessage};
use netlink_packet_route::RouteNetlinkMessage;

use crate::cli::{AddSpec, Setting};
use crate::error::{Error, Result};
use crate::genl::{Pair, ZcpairMessage};
use crate::nl::{self, Conn, Family, Proto};
use crate::output;
use crate::rtnl::{self, AddRequest};
use crate::{netns, uapi};

/// The ifindex of uplink `dev` in this thread's netns (`RTM_GETLINK` by
/// name); `netns` names that netns in the error when there is no such
/// device.
fn uplink_index(dev: &str, netns: Option<&str>) -> Result<u32> {
    let mut conn = Conn::open(Proto::Route)?;
    let links = match conn.request(rtnl::get_link(dev)) {
        Err(Error::Kernel { errno, .. }) if errno == libc::ENODEV => {
            let place = netns.map_or_else(String::new, |ns| format!(" in netns \"{ns}\""));
            return Err(Error::Other(format!(
                "uplink device \"{dev}\" does not exist{place}"
            )));
        }
        r => r?,
    };
    rtnl::link_index(&links).ok_or_else(|| Error::Decode("RTM_GETLINK without a link".into()))
}

/// `add`.
pub fn add(spec: &AddSpec) -> Result<()> {
    let ns = spec.netns.as_deref().map(netns::open).transpose()?;
    let peer_ns = spec.peer_netns.as_deref().map(netns::open).transpose()?;
    // The uplink is a device of the netns the new end is created in.
    let uplink = match (&spec.uplink, &ns, spec.netns.as_deref()) {
        (None, ..) => None,
        (Some(dev), Some(f), Some(name)) => {
            Some(netns::run_in(f, name, || uplink_index(dev, Some(name)))?)
        }
        (Some(dev), ..) => Some(uplink_index(dev, None)?),
    };
    let req = AddRequest {
        name: spec.name.clone(),
        peer: spec.peer.clone(),
        netns_fd: ns.as_ref().map(AsRawFd::as_raw_fd),
        peer_netns_fd: peer_ns.as_ref().map(AsRawFd::as_raw_fd),
        ring_size: spec.ring_size,
        hdr_buf: spec.hdr_buf,
        copybreak: spec.copybreak,
        queues: spec.queues,
        uplink,
    };
    let mut conn = Conn::open(Proto::Route)?;
    conn.request(rtnl::new_link(&req))?;
    Ok(())
}

/// `del`: refuses devices of another kind, so that a typo cannot take
/// down an uplink.
pub fn del(name: &str) -> Result<()> {
    let mut conn = Conn::open(Proto::Route)?;
    let links = conn.request(rtnl::get_link(name))?;
    let kind = links.iter().find_map(|m| match m {
        RouteNetlinkMessage::NewLink(l) => Some(rtnl::link_kind(l)),
        _ => None,
    });
    match kind {
        Some(Some(k)) if k == uapi::LINK_KIND => {}
        Some(k) => {
            return Err(Error::Other(format!(
                "{name} is not a zcpair device (kind {})",
                k.as_deref().unwrap_or("none")
            )))
        }
        None => return Err(Error::Decode("RTM_GETLINK without a link".into())),
    }
    conn.request(rtnl::del_link(name))?;
    Ok(())
}

/// A generic netlink socket and the zcpair family's id.
fn zcpair_conn() -> Result<(Conn, Family)> {
    let mut conn = Conn::open(Proto::Generic)?;
    let family = nl::resolve_family::<ZcpairMessage>(&mut conn)?;
    Ok((conn, family))
}

fn zcpair_request(
    conn: &mut Conn,
    family: &Family,
    payload: ZcpairMessage,
    flags: u16,
) -> Result<Vec<Pair>> {
    let mut genl = GenlMessage::from_payload(payload);
    genl.set_resolved_family_id(family.id);
    let replies = conn.request(nl::new_request(genl, flags))?;
    Ok(replies
        .iter()
        .map(|r| Pair::from_attrs(&r.payload.attrs))
        .collect())
}

fn get_one(conn: &mut Conn, family: &Family, name: &str) -> Result<Pair> {
    zcpair_request(conn, family, ZcpairMessage::get_by_name(name), 0)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Decode("pair-get without a reply".into()))
}

/// `show`.
pub fn show(name: Option<&str>, json: bool) -> Result<()> {
    let (mut conn, family) = zcpair_conn()?;
    let pairs = match name {
        Some(n) => vec![get_one(&mut conn, &family, n)?],
        None => zcpair_request(&mut conn, &family, ZcpairMessage::dump(), NLM_F_DUMP)?,
    };
    if json {
        println!("{}", output::pairs_json(&pairs));
    } else {
        for p in &pairs {
            println!("{}", output::pair_text(p));
        }
    }
    Ok(())
}

/// `set`.
pub fn set(name: &str, setting: Setting) -> Result<()> {
    let msg = match setting {
        Setting::Copybreak(v) => ZcpairMessage::set_copybreak(name, v),
        Setting::TxSegment(on) => ZcpairMessage::set_tx_segment(name, on),
        // The end is a device of this netns, and so must its uplink be.
        Setting::Uplink(dev) => {
            let ifindex = dev.map(|d| uplink_index(&d, None)).transpose()?;
            ZcpairMessage::set_uplink(name, ifindex.unwrap_or(0))
        }
    };
    let (mut conn, family) = zcpair_conn()?;
    zcpair_request(&mut conn, &family, msg, 0)?;
    Ok(())
}

/// `stats`.
pub fn stats(name: &str, json: bool, watch: Option<u64>) -> Result<()> {
    let (mut conn, family) = zcpair_conn()?;
    let Some(secs) = watch else {
        let p = get_one(&mut conn, &family, name)?;
        if json {
            println!("{}", output::stats_json_line(&p, None));
        } else {
            println!("{}", output::stats_text(&p, None));
        }
        return Ok(());
    };
    let mut prev: Option<(Instant, Pair)> = None;
    loop {
        let p = get_one(&mut conn, &family, name)?;
        let now = Instant::now();
        let rates = match &prev {
            Some((t, old)) => output::rates(old, &p, now.duration_since(*t).as_secs_f64()),
            None => output::rates(&p, &Pair::default(), 0.0),
        };
        if json {
            println!("{}", output::stats_json_line(&p, Some(&rates)));
        } else {
            if prev.is_some() {
                println!();
            }
            println!("{}", output::stats_text(&p, Some(&rates)));
        }
        prev = Some((now, p));
        std::thread::sleep(Duration::from_secs(secs));
    }
}

/// `monitor`.
pub fn monitor(json: bool) -> Result<()> {
    let (mut conn, family) = zcpair_conn()?;
    let group = family.mcast_group(uapi::MCGRP_EVENTS).ok_or_else(|| {
        Error::Other(format!(
            "family {} has no multicast group \"{}\"",
            ZcpairMessage::family_name(),
            uapi::MCGRP_EVENTS
        ))
    })?;
    conn.add_membership(group)?;
    loop {
        let msgs = match conn.recv() {
            Ok(m) => m,
            Err(Error::Io { err, .. }) if err.raw_os_error() == Some(libc::ENOBUFS) => {
                eprintln!("Warning: notifications lost (receive buffer overrun)");
                continue;
            }
            Err(e) => return Err(e),
        };
        for raw in msgs {
            let msg = nl::decode::<GenlMessage<ZcpairMessage>>(&raw);
            let Ok(msg) = msg else { continue };
            if msg.header.message_type != family.id {
                continue;
            }
            if let NetlinkPayload::InnerMessage(genl) = msg.payload {
                let p = Pair::from_attrs(&genl.payload.attrs);
                if json {
                    println!("{}", output::ntf_json(genl.payload.cmd, &p));
                } else {
                    println!("{}", output::ntf_text(genl.payload.cmd, &p));
                }
            }
        }
    }
}
