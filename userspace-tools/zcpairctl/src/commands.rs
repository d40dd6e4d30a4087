// SPDX-License-Identifier: GPL-2.0
//! The subcommands.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_packet_core::{NetlinkPayload, NLM_F_DUMP};
use netlink_packet_generic::{GenlFamily, GenlMessage};
use netlink_packet_route::RouteNetlinkMessage;

use crate::cli::{AddSpec, LanAddSpec, LanShowSpec, Setting};
use crate::error::{Error, Result};
use crate::genl::{group_lans, Lan, LanMessage, Pair, ZcpairMessage};
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

/// Check with `RTM_GETLINK` that `name` is a zcpair device.
fn check_zcpair_kind(conn: &mut Conn, name: &str) -> Result<()> {
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
    Ok(())
}

/// `del`: refuses devices of another kind, so that a typo cannot take
/// down an uplink.
pub fn del(name: &str) -> Result<()> {
    let mut conn = Conn::open(Proto::Route)?;
    check_zcpair_kind(&mut conn, name)?;
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
        Setting::SteerPps(v) => ZcpairMessage::set_steer_pps(name, v),
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

/// Run `work` in netns `name` when one is given (a thread of its own
/// enters it, see [`netns::run_in`]), else here.
fn in_netns<T: Send>(name: Option<&str>, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    match name {
        Some(n) => netns::run_in(&netns::open(n)?, n, work),
        None => work(),
    }
}

/// The ifindex and LAN id of LAN member `name` of this thread's netns,
/// from `pair-get`: a device that is no LAN member (a pair end) is
/// refused.
fn lan_member(name: &str) -> Result<(u32, u32)> {
    let (mut conn, family) = zcpair_conn()?;
    let p = get_one(&mut conn, &family, name)?;
    let Some(id) = p.lan else {
        let peer = match (&p.peer_ifname, p.peer_ifindex) {
            (Some(n), _) => format!(" (peer {n})"),
            (None, Some(i)) => format!(" (peer ifindex {i})"),
            (None, None) => String::new(),
        };
        return Err(Error::Other(format!(
            "{name} is not a LAN member: it is one end of a pair{peer}"
        )));
    };
    let ifindex = p
        .ifindex
        .ok_or_else(|| Error::Decode("pair-get reply without an ifindex".into()))?;
    Ok((ifindex, id))
}

/// The ifindex of device `name` of this thread's netns (`RTM_GETLINK`).
fn link_ifindex(conn: &mut Conn, name: &str) -> Result<u32> {
    let links = conn.request(rtnl::get_link(name))?;
    rtnl::link_index(&links).ok_or_else(|| Error::Decode("RTM_GETLINK without a link".into()))
}

/// Where a member `lan add` created is now.
struct Created<'a> {
    name: String,
    /// The netns it was moved to (name, open file); `None`: still where
    /// it was created.
    moved_to: Option<(&'a str, &'a File)>,
}

/// Delete what `lan add` created, newest first, after a failure; failures
/// here are only reported.
fn undo_lan_add(conn: &mut Conn, created: &[Created]) {
    for c in created.iter().rev() {
        let r = match c.moved_to {
            None => conn.request(rtnl::del_link(&c.name)).map(drop),
            Some((ns, f)) => netns::run_in(f, ns, || {
                Conn::open(Proto::Route)?
                    .request(rtnl::del_link(&c.name))
                    .map(drop)
            }),
        };
        match r {
            Ok(()) => eprintln!("deleted {}", c.name),
            Err(e) => eprintln!("Warning: could not delete {}: {e}", c.name),
        }
    }
}

/// `lan add`'s work, in the netns the members are created in (`home`,
/// the first listed, or the current one). `netns` are the open files of
/// the listed netns, by name.
fn lan_add_here(spec: &LanAddSpec, netns: &[(String, File)]) -> Result<()> {
    let home = spec.member_netns(0);
    let mut conn = Conn::open(Proto::Route)?;
    let mut created: Vec<Created> = Vec::new();
    let mut first = 0;
    let mut at = 0;
    let result = (|| -> Result<()> {
        for i in 0..spec.members {
            at = i;
            let name = spec.member_name(i);
            conn.request(rtnl::new_lan_member(&name, first))?;
            created.push(Created {
                name: name.clone(),
                moved_to: None,
            });
            if i == 0 {
                first = link_ifindex(&mut conn, &name)?;
                // A module without LANs ignores the unknown kind attribute
                // and makes something else (a pair end): undo it.
                lan_member(&name).map_err(|e| match e {
                    Error::Other(_) => Error::Other(format!(
                        "{name} was created as no LAN member: \
                         does the zcpair module support LANs?"
                    )),
                    e => e,
                })?;
            }
            let target = spec.member_netns(i);
            if target != home {
                let (ns, f) = netns
                    .iter()
                    .find(|(n, _)| Some(n.as_str()) == target)
                    .expect("every listed netns is open");
                conn.request(rtnl::move_link(&name, f.as_raw_fd()))?;
                created.last_mut().expect("just pushed").moved_to = Some((ns.as_str(), f));
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        if !created.is_empty() {
            eprintln!(
                "lan add: {} failed; deleting the {} member(s) created",
                spec.member_name(at),
                created.len()
            );
            undo_lan_add(&mut conn, &created);
        }
        return Err(e);
    }
    Ok(())
}

/// `lan add`: members NAME0 .. NAME{N-1} of one new LAN. All are created
/// in the first netns listed (the current one without netns), the first
/// with `lan 0`, the others with `lan <first's ifindex>`, valid there;
/// a member of another netns is moved there right after its creation.
pub fn lan_add(spec: &LanAddSpec) -> Result<()> {
    // Open every netns first: a bad name fails before anything exists.
    let mut netns: Vec<(String, File)> = Vec::new();
    for n in &spec.netns {
        if !netns.iter().any(|(m, _)| m == n) {
            netns.push((n.clone(), netns::open(n)?));
        }
    }
    match spec.member_netns(0) {
        Some(home) => {
            let (_, f) = netns.iter().find(|(n, _)| n == home).expect("opened");
            netns::run_in(f, home, || lan_add_here(spec, &netns))
        }
        None => lan_add_here(spec, &netns),
    }
}

/// `lan add-member`: NEW joins MEMBER's LAN; both are devices of `netns`
/// (else of the current netns).
pub fn lan_add_member(member: &str, new: &str, netns: Option<&str>) -> Result<()> {
    in_netns(netns, || {
        let (ifindex, _) = lan_member(member)?;
        let mut conn = Conn::open(Proto::Route)?;
        conn.request(rtnl::new_lan_member(new, ifindex))?;
        Ok(())
    })
}

/// `lan del-member`: deletes LAN member `name` of `netns` (else of the
/// current netns), refusing anything else.
pub fn lan_del_member(name: &str, netns: Option<&str>) -> Result<()> {
    in_netns(netns, || {
        let mut conn = Conn::open(Proto::Route)?;
        check_zcpair_kind(&mut conn, name)?;
        lan_member(name)?;
        conn.request(rtnl::del_link(name))?;
        Ok(())
    })
}

/// `lan-get` of one member (`Some(name)`) or a dump, decoded.
fn lan_get(name: Option<&str>) -> Result<Vec<Lan>> {
    let (mut conn, family) = zcpair_conn()?;
    let (payload, flags) = match name {
        Some(n) => (LanMessage::get_by_name(n), 0),
        None => (LanMessage::dump(), NLM_F_DUMP),
    };
    let mut genl = GenlMessage::from_payload(payload);
    genl.set_resolved_family_id(family.id);
    let replies = conn.request(nl::new_request(genl, flags))?;
    Ok(replies
        .iter()
        .map(|r| Lan::from_attrs(&r.payload.attrs))
        .collect())
}

/// `lan show`.
pub fn lan_show(spec: &LanShowSpec) -> Result<()> {
    let replies = in_netns(spec.netns.as_deref(), || lan_get(spec.name.as_deref()))?;
    if spec.name.is_some() && replies.is_empty() {
        return Err(Error::Decode("lan-get without a reply".into()));
    }
    let lans = group_lans(replies);
    if spec.json {
        println!("{}", output::lans_json(&lans));
    } else {
        for l in &lans {
            println!("{}", output::lan_text(l));
        }
    }
    Ok(())
}
