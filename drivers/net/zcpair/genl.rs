// SPDX-License-Identifier: GPL-2.0

//! The `zcpair` generic netlink family (Documentation/netlink/specs/zcpair.yaml):
//! `pair-get` (do and dump) reports an end of a pair, its rings and
//! counters; `pair-set` changes runtime parameters; the `events` group
//! announces pairs appearing, changing and going away.

use crate::counters::Counters;
use crate::knet::genl::{Dump, Family, Handler, McGroup, Op, Perm, Request, Writer};
use crate::knet::netdev::{with_bh_disabled, Device, Net};
use crate::knet::netlink::{Policy, Range};
use crate::knet::rcu;
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::sgring::RingState;
use crate::knet::uapi::{
    ZCPAIR_A_LAN_ID, ZCPAIR_A_LAN_IFINDEX, ZCPAIR_A_LAN_IFNAME, ZCPAIR_A_LAN_MEMBER,
    ZCPAIR_A_LAN_MEMBER_IFINDEX, ZCPAIR_A_LAN_MEMBER_IFNAME, ZCPAIR_A_LAN_MEMBER_NETNSID,
    ZCPAIR_A_LAN_MEMBER_UP, ZCPAIR_A_LAN_ROUTE, ZCPAIR_A_LAN_ROUTE_ADDR,
    ZCPAIR_A_LAN_ROUTE_MEMBER_IFINDEX, ZCPAIR_A_PAIR_COPYBREAK, ZCPAIR_A_PAIR_IFINDEX,
    ZCPAIR_A_PAIR_IFNAME, ZCPAIR_A_PAIR_LAN, ZCPAIR_A_PAIR_MAX, ZCPAIR_A_PAIR_PEER_IFINDEX,
    ZCPAIR_A_PAIR_PEER_IFNAME, ZCPAIR_A_PAIR_PEER_NETNSID, ZCPAIR_A_PAIR_QUEUES,
    ZCPAIR_A_PAIR_RX_RING, ZCPAIR_A_PAIR_STATS, ZCPAIR_A_PAIR_STEER_PPS, ZCPAIR_A_PAIR_TX_RING,
    ZCPAIR_A_PAIR_TX_SEGMENT, ZCPAIR_A_PAIR_UPLINK, ZCPAIR_A_PAIR_UPLINK_IFNAME,
    ZCPAIR_A_RING_HDR_BUF, ZCPAIR_A_RING_HEAD, ZCPAIR_A_RING_IN_FLIGHT, ZCPAIR_A_RING_SIZE,
    ZCPAIR_A_RING_TAIL, ZCPAIR_CMD_LAN_GET, ZCPAIR_CMD_PAIR_CHANGE_NTF, ZCPAIR_CMD_PAIR_GET,
    ZCPAIR_CMD_PAIR_SET, ZCPAIR_COPYBREAK_MAX,
};
use crate::pair::EndData;
use crate::{lan, uplink};
use crate::{ZcPair, LINK};
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;

/// The family.
pub(crate) static FAMILY: Family<ZcPairGenl> = Family::new();

/// Index of the `events` multicast group in [`MCGRPS`].
const EVENTS: u32 = 0;

static IFINDEX_RANGE: Range = Range::new(1, i32::MAX as u64);
static COPYBREAK_RANGE: Range = Range::new(0, ZCPAIR_COPYBREAK_MAX as u64);
static UPLINK_RANGE: Range = Range::new(0, i32::MAX as u64);
static STEER_PPS_RANGE: Range = Range::new(0, u32::MAX as u64);

/// Request attributes; everything else is rejected by strict validation.
pub(crate) static POLICY: [Policy; ZCPAIR_A_PAIR_MAX as usize + 1] = [
    Policy::unspec(),
    Policy::u32_range(&IFINDEX_RANGE),   // ifindex
    Policy::ifname(),                    // ifname
    Policy::unspec(),                    // peer-ifindex (reply only)
    Policy::unspec(),                    // peer-ifname (reply only)
    Policy::unspec(),                    // peer-netnsid (reply only)
    Policy::u32_range(&COPYBREAK_RANGE), // copybreak
    Policy::unspec(),                    // tx-ring (reply only)
    Policy::unspec(),                    // rx-ring (reply only)
    Policy::unspec(),                    // stats (reply only)
    Policy::u8_max(1),                   // tx-segment
    Policy::unspec(),                    // queues (reply only; ethtool -L)
    Policy::u32_range(&UPLINK_RANGE),    // uplink (0: none)
    Policy::unspec(),                    // uplink-ifname (reply only)
    Policy::unspec(),                    // lan (reply only)
    Policy::u32_range(&STEER_PPS_RANGE), // steer-pps (0: never)
];

/// lan-get's request attributes (ifindex 1, ifname 2) have the numbers
/// and types of pair-get's, so the family's one policy checks both.
pub(crate) static OPS: [Op; 3] = [
    Op::with_dump::<ZcPairGenl>(ZCPAIR_CMD_PAIR_GET, Perm::Any),
    Op::new::<ZcPairGenl>(ZCPAIR_CMD_PAIR_SET, Perm::NetnsAdmin),
    Op::with_dump::<ZcPairGenl>(ZCPAIR_CMD_LAN_GET, Perm::Any),
];

const _: () = assert!(
    ZCPAIR_A_LAN_IFINDEX == ZCPAIR_A_PAIR_IFINDEX && ZCPAIR_A_LAN_IFNAME == ZCPAIR_A_PAIR_IFNAME
);

pub(crate) static MCGRPS: [McGroup; 1] = [McGroup::new("events")];

/// The family's operations.
pub(crate) struct ZcPairGenl;

#[vtable]
impl Handler for ZcPairGenl {
    fn doit(cmd: u8, req: &Request<'_>) -> Result {
        match u32::from(cmd) {
            ZCPAIR_CMD_PAIR_GET => get_doit(req),
            ZCPAIR_CMD_PAIR_SET => set_doit(req),
            ZCPAIR_CMD_LAN_GET => lan_get_doit(req),
            _ => Err(crate::knet::eopnotsupp()),
        }
    }

    fn dumpit(cmd: u8, dump: &mut Dump<'_>) -> Result {
        let rtnl = Rtnl::lock();
        let net = dump.net();
        match u32::from(cmd) {
            ZCPAIR_CMD_PAIR_GET => {}
            ZCPAIR_CMD_LAN_GET => loop {
                let mut next = *dump.cursor();
                let Some(dev) = lan::next_member(&rtnl, net, &mut next) else {
                    return Ok(());
                };
                dump.entry(cmd, |w| fill_lan(w, dev, net, &rtnl))?;
                *dump.cursor() = next + 1;
            },
            _ => return Err(crate::knet::eopnotsupp()),
        }
        loop {
            let mut next = *dump.cursor();
            let Some(dev) = LINK.next(&rtnl, net, &mut next) else {
                return Ok(());
            };
            dump.entry(cmd, |w| fill(w, dev, net, &rtnl))?;
            *dump.cursor() = next + 1;
        }
    }
}

/// The device a request names by ifindex or ifname, in the requester's
/// netns.
fn target<'a>(req: &Request<'_>, rtnl: &'a Rtnl) -> Result<&'a Device<ZcPair>> {
    let attrs = req.attrs();
    let (dev, attr) = if let Some(ifindex) = attrs.u32(ZCPAIR_A_PAIR_IFINDEX) {
        (
            LINK.by_index(rtnl, req.net(), ifindex as i32),
            attrs.get(ZCPAIR_A_PAIR_IFINDEX),
        )
    } else if let Some(name) = attrs.str(ZCPAIR_A_PAIR_IFNAME) {
        (
            LINK.by_name(rtnl, req.net(), name),
            attrs.get(ZCPAIR_A_PAIR_IFNAME),
        )
    } else {
        return Err(req
            .extack()
            .fail(None, c_str!("ifindex or ifname is required"), EINVAL));
    };
    dev.ok_or_else(|| {
        req.extack().fail(
            attr,
            c_str!("no zcpair device of that name or index here"),
            ENODEV,
        )
    })
}

fn get_doit(req: &Request<'_>) -> Result {
    let mut msg = req.reply_message(ZCPAIR_CMD_PAIR_GET as u8)?;
    {
        let rtnl = Rtnl::lock();
        let dev = target(req, &rtnl)?;
        fill(&mut msg.attrs(), dev, req.net(), &rtnl)?;
    }
    req.reply(msg)
}

fn set_doit(req: &Request<'_>) -> Result {
    let rtnl = Rtnl::lock();
    let dev = target(req, &rtnl)?;
    let data = dev.data().ok_or(ENODEV)?;
    let mut changed = false;
    // First what can be refused for reasons outside the request's values,
    // so that a refusal changes nothing.
    if !data.is_pair() && req.attrs().get(ZCPAIR_A_PAIR_TX_SEGMENT).is_some() {
        return Err(req.extack().fail(
            req.attrs().get(ZCPAIR_A_PAIR_TX_SEGMENT),
            c_str!("a LAN member does not cut segments"),
            crate::knet::eopnotsupp(),
        ));
    }
    if let Some(ifindex) = req.attrs().u32(ZCPAIR_A_PAIR_UPLINK) {
        changed |= uplink::set(dev, ifindex, req.extack(), &rtnl)?;
    }
    if let Some(copybreak) = req.attrs().u32(ZCPAIR_A_PAIR_COPYBREAK) {
        if copybreak > data.pair.hdr_buf {
            return Err(req.extack().fail(
                req.attrs().get(ZCPAIR_A_PAIR_COPYBREAK),
                c_str!("copybreak must not exceed the header buffer size"),
                EINVAL,
            ));
        }
        // Each end's copybreak is its own: the peer, maybe administered
        // from another netns, keeps its setting.
        changed |= data.end().copybreak.swap(copybreak, Ordering::Relaxed) != copybreak;
    }
    if let Some(on) = req.attrs().u8(ZCPAIR_A_PAIR_TX_SEGMENT) {
        // Frames held for a batch are cut or not as they were taken in.
        changed |= data.end().tx_segment.swap(on != 0, Ordering::Relaxed) != (on != 0);
    }
    if let Some(pps) = req.attrs().u32(ZCPAIR_A_PAIR_STEER_PPS) {
        changed |= data.end().steer_pps.swap(pps, Ordering::Relaxed) != pps;
    }
    if changed {
        notify_end(&rtnl, dev, ZCPAIR_CMD_PAIR_CHANGE_NTF);
    }
    Ok(())
}

/// Adds the attributes of a `pair-get` reply about `dev`, as seen from
/// `net`.
fn fill(w: &mut Writer<'_>, dev: &Device<ZcPair>, net: &Net, rtnl: &Rtnl) -> Result {
    let data = dev.data().ok_or(ENODEV)?;
    w.u32(ZCPAIR_A_PAIR_IFINDEX, dev.ifindex() as u32)?;
    w.string(ZCPAIR_A_PAIR_IFNAME, dev.name())?;
    if let Some(m) = &data.lan {
        w.u32(ZCPAIR_A_PAIR_LAN, m.lan.id)?;
    }
    let peer = data.is_pair().then(|| data.peer().device()).flatten();
    if let Some(peer) = peer {
        let peer = &*peer;
        w.u32(ZCPAIR_A_PAIR_PEER_IFINDEX, peer.ifindex() as u32)?;
        // As rtnetlink does: a peer in another netns is named by its
        // ifindex and netnsid only, never by its name.
        if peer.net().is(net) {
            w.string(ZCPAIR_A_PAIR_PEER_IFNAME, peer.name())?;
        } else {
            w.s32(ZCPAIR_A_PAIR_PEER_NETNSID, net.id_of(peer.net(), rtnl))?;
        }
    }
    w.u32(
        ZCPAIR_A_PAIR_COPYBREAK,
        data.end().copybreak.load(Ordering::Relaxed),
    )?;
    // Queue 0's rings (every queue's have the same size). The ring locks
    // are also taken in softirq context; one at a time.
    if let Some(q) = data.end().queue(0) {
        let tx = with_bh_disabled(|| q.tx.lock().state());
        let rx = with_bh_disabled(|| q.rx.lock().state());
        w.nest(ZCPAIR_A_PAIR_TX_RING, |w| ring(w, &tx))?;
        w.nest(ZCPAIR_A_PAIR_RX_RING, |w| ring(w, &rx))?;
    }
    w.nest(ZCPAIR_A_PAIR_STATS, |w| stats(w, &data.end().totals()))?;
    w.u8(
        ZCPAIR_A_PAIR_TX_SEGMENT,
        data.end().tx_segment.load(Ordering::Relaxed).into(),
    )?;
    w.u32(ZCPAIR_A_PAIR_QUEUES, dev.real_num_tx_queues())?;
    w.u32(
        ZCPAIR_A_PAIR_STEER_PPS,
        data.end().steer_pps.load(Ordering::Relaxed),
    )?;
    let guard = rcu::read_lock();
    match data.end().uplink.get(&guard) {
        Some(up) => {
            w.u32(ZCPAIR_A_PAIR_UPLINK, up.ifindex() as u32)?;
            w.string(ZCPAIR_A_PAIR_UPLINK_IFNAME, up.name())
        }
        None => w.u32(ZCPAIR_A_PAIR_UPLINK, 0),
    }
}

fn ring(w: &mut Writer<'_>, r: &RingState) -> Result {
    w.u32(ZCPAIR_A_RING_SIZE, r.slots)?;
    w.u32(ZCPAIR_A_RING_HDR_BUF, r.hdr_size)?;
    w.u32(ZCPAIR_A_RING_HEAD, r.head)?;
    w.u32(ZCPAIR_A_RING_TAIL, r.tail)?;
    w.u32(ZCPAIR_A_RING_IN_FLIGHT, r.tail.wrapping_sub(r.head))
}

fn stats(w: &mut Writer<'_>, values: &[u64; Counters::COUNT]) -> Result {
    for (&ty, &v) in Counters::ATTRS.iter().zip(values) {
        w.uint(ty, v)?;
    }
    Ok(())
}

/// Announces `cmd` (create, delete, change) for both ends of the pair of
/// `data`, each in its own netns, to the `events` listeners there.
pub(crate) fn notify(rtnl: &Rtnl, data: &EndData, cmd: u32) {
    // A LAN member is its own peer: announced once.
    let ends = if data.is_pair() { 2 } else { 1 };
    for end in [data.end(), data.peer()].into_iter().take(ends) {
        if let Some(dev) = end.device() {
            notify_end(rtnl, &dev, cmd);
        }
    }
}

/// Announces `cmd` for the end `dev` alone, in its netns.
pub(crate) fn notify_end(rtnl: &Rtnl, dev: &Device<ZcPair>, cmd: u32) {
    let net = dev.net();
    let Some(mut msg) = FAMILY.notification(rtnl, net, EVENTS, cmd as u8) else {
        return;
    };
    if fill(&mut msg.attrs(), dev, net, rtnl).is_ok() {
        FAMILY.multicast(rtnl, net, EVENTS, msg);
    }
}

fn lan_get_doit(req: &Request<'_>) -> Result {
    let mut msg = req.reply_message(ZCPAIR_CMD_LAN_GET as u8)?;
    {
        let rtnl = Rtnl::lock();
        let dev = target(req, &rtnl)?;
        if dev.data().is_some_and(|d| d.is_pair()) {
            return Err(req.extack().fail(
                None,
                c_str!("the device is one end of a pair, not a LAN member"),
                EINVAL,
            ));
        }
        fill_lan(&mut msg.attrs(), dev, req.net(), &rtnl)?;
    }
    req.reply(msg)
}

/// Adds the attributes of a `lan-get` reply about member `dev`, as seen
/// from `net`: the LAN's members and its table.
fn fill_lan(w: &mut Writer<'_>, dev: &Device<ZcPair>, net: &Net, rtnl: &Rtnl) -> Result {
    let m = dev.data().and_then(|d| d.lan.as_ref()).ok_or(EINVAL)?;
    w.u32(ZCPAIR_A_LAN_IFINDEX, dev.ifindex() as u32)?;
    w.string(ZCPAIR_A_LAN_IFNAME, dev.name())?;
    w.u32(ZCPAIR_A_LAN_ID, m.lan.id)?;
    let members = m.lan.devices(rtnl);
    for (_, d) in &members {
        let d = &**d;
        w.nest(ZCPAIR_A_LAN_MEMBER, |w| {
            w.u32(ZCPAIR_A_LAN_MEMBER_IFINDEX, d.ifindex() as u32)?;
            if d.net().is(net) {
                w.string(ZCPAIR_A_LAN_MEMBER_IFNAME, d.name())?;
            } else {
                w.s32(ZCPAIR_A_LAN_MEMBER_NETNSID, net.id_of(d.net(), rtnl))?;
            }
            let up = d.data().is_some_and(|x| x.end().up.load(Ordering::Relaxed));
            w.u8(ZCPAIR_A_LAN_MEMBER_UP, up.into())
        })?;
    }
    for (addr, slot) in m.lan.routes() {
        let Some((_, d)) = members.iter().find(|(s, _)| *s == slot) else {
            continue;
        };
        w.nest(ZCPAIR_A_LAN_ROUTE, |w| {
            w.binary(ZCPAIR_A_LAN_ROUTE_ADDR, addr.bytes())?;
            w.u32(ZCPAIR_A_LAN_ROUTE_MEMBER_IFINDEX, d.ifindex() as u32)
        })?;
    }
    Ok(())
}
