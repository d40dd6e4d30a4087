// SPDX-License-Identifier: GPL-2.0

//! The `zcpair` generic netlink family (Documentation/netlink/specs/zcpair.yaml):
//! `pair-get` (do and dump) reports an end of a pair, its rings and
//! counters; `pair-set` changes runtime parameters; the `events` group
//! announces pairs appearing, changing and going away.

use crate::knet::bindings::{
    genl_multicast_group, genl_small_ops, netlink_range_validation, GENL_UNS_ADMIN_PERM, IFNAMSIZ,
    ZCPAIR_A_PAIR_COPYBREAK, ZCPAIR_A_PAIR_IFINDEX, ZCPAIR_A_PAIR_IFNAME, ZCPAIR_A_PAIR_MAX,
    ZCPAIR_A_PAIR_PEER_IFINDEX, ZCPAIR_A_PAIR_PEER_IFNAME, ZCPAIR_A_PAIR_PEER_NETNSID,
    ZCPAIR_A_PAIR_RX_RING, ZCPAIR_A_PAIR_STATS, ZCPAIR_A_PAIR_TX_RING, ZCPAIR_A_RING_HDR_BUF,
    ZCPAIR_A_RING_HEAD, ZCPAIR_A_RING_IN_FLIGHT, ZCPAIR_A_RING_SIZE, ZCPAIR_A_RING_TAIL,
    ZCPAIR_A_STATS_RX_BYTES, ZCPAIR_A_STATS_RX_DROPPED, ZCPAIR_A_STATS_RX_GRO_FRAMES,
    ZCPAIR_A_STATS_RX_PACKETS, ZCPAIR_A_STATS_TX_BYTES, ZCPAIR_A_STATS_TX_COMPLETIONS,
    ZCPAIR_A_STATS_TX_DROPPED, ZCPAIR_A_STATS_TX_FRAMES_COPIED_WHOLE,
    ZCPAIR_A_STATS_TX_HEADER_BYTES_COPIED, ZCPAIR_A_STATS_TX_LINEAR_BYTES_COPIED,
    ZCPAIR_A_STATS_TX_NOTIFICATIONS, ZCPAIR_A_STATS_TX_PACKETS,
    ZCPAIR_A_STATS_TX_PAYLOAD_BYTES_REFERENCED, ZCPAIR_A_STATS_TX_RING_FULL,
    ZCPAIR_A_STATS_TX_SG_DESCRIPTORS, ZCPAIR_CMD_PAIR_CHANGE_NTF, ZCPAIR_CMD_PAIR_GET,
    ZCPAIR_CMD_PAIR_SET, ZCPAIR_COPYBREAK_MAX,
};
use crate::knet::genl::{self, Dump, Family, Handler, Request, Table, Writer};
use crate::knet::netdev::{with_bh_disabled, Device, Net};
use crate::knet::rtnl::{policy, Rtnl};
use crate::knet::sgring::RingState;
use crate::pair::{get, Counters, EndData};
use crate::{ZcPair, LINK};
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;

/// The family.
pub(crate) static FAMILY: Family<ZcPairGenl> = Family::new();

/// Index of the `events` multicast group in [`MCGRPS`].
const EVENTS: u32 = 0;

static IFINDEX_RANGE: netlink_range_validation = policy::range(1, i32::MAX as u64);
static COPYBREAK_RANGE: netlink_range_validation = policy::range(0, ZCPAIR_COPYBREAK_MAX as u64);

/// Request attributes; everything else is rejected by strict validation.
pub(crate) static POLICY: policy::Table<{ ZCPAIR_A_PAIR_MAX as usize + 1 }> = policy::Table([
    policy::unspec(),
    policy::u32_range(&IFINDEX_RANGE),       // ifindex
    policy::nul_string(IFNAMSIZ as u16 - 1), // ifname
    policy::unspec(),                        // peer-ifindex (reply only)
    policy::unspec(),                        // peer-ifname (reply only)
    policy::unspec(),                        // peer-netnsid (reply only)
    policy::u32_range(&COPYBREAK_RANGE),     // copybreak
    policy::unspec(),                        // tx-ring (reply only)
    policy::unspec(),                        // rx-ring (reply only)
    policy::unspec(),                        // stats (reply only)
]);

pub(crate) static OPS: Table<genl_small_ops, 2> = Table([
    genl::op::<ZcPairGenl>(ZCPAIR_CMD_PAIR_GET as u8, true, 0),
    genl::op::<ZcPairGenl>(ZCPAIR_CMD_PAIR_SET as u8, false, GENL_UNS_ADMIN_PERM),
]);

pub(crate) static MCGRPS: Table<genl_multicast_group, 1> = Table([genl::mcgrp(b"events")]);

/// The family's operations.
pub(crate) struct ZcPairGenl;

impl Handler for ZcPairGenl {
    fn doit(cmd: u8, req: &Request<'_>) -> Result {
        match u32::from(cmd) {
            ZCPAIR_CMD_PAIR_GET => get_doit(req),
            ZCPAIR_CMD_PAIR_SET => set_doit(req),
            _ => Err(crate::knet::eopnotsupp()),
        }
    }

    fn dumpit(cmd: u8, dump: &mut Dump<'_>) -> Result {
        if u32::from(cmd) != ZCPAIR_CMD_PAIR_GET {
            return Err(crate::knet::eopnotsupp());
        }
        let rtnl = Rtnl::lock();
        let net = dump.net();
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
    if let Some(peer) = data.peer().device() {
        let peer = peer.get();
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
    // The ring locks are also taken in softirq context; one at a time.
    let tx = with_bh_disabled(|| data.end().tx.lock().state());
    let rx = with_bh_disabled(|| data.end().rx.lock().state());
    w.nest(ZCPAIR_A_PAIR_TX_RING, |w| ring(w, &tx))?;
    w.nest(ZCPAIR_A_PAIR_RX_RING, |w| ring(w, &rx))?;
    w.nest(ZCPAIR_A_PAIR_STATS, |w| stats(w, &data.end().stats))
}

fn ring(w: &mut Writer<'_>, r: &RingState) -> Result {
    w.u32(ZCPAIR_A_RING_SIZE, r.slots)?;
    w.u32(ZCPAIR_A_RING_HDR_BUF, r.hdr_size)?;
    w.u32(ZCPAIR_A_RING_HEAD, r.head)?;
    w.u32(ZCPAIR_A_RING_TAIL, r.tail)?;
    w.u32(ZCPAIR_A_RING_IN_FLIGHT, r.tail.wrapping_sub(r.head))
}

fn stats(w: &mut Writer<'_>, s: &Counters) -> Result {
    for (ty, c) in [
        (
            ZCPAIR_A_STATS_TX_HEADER_BYTES_COPIED,
            &s.tx_header_bytes_copied,
        ),
        (
            ZCPAIR_A_STATS_TX_PAYLOAD_BYTES_REFERENCED,
            &s.tx_payload_bytes_referenced,
        ),
        (
            ZCPAIR_A_STATS_TX_FRAMES_COPIED_WHOLE,
            &s.tx_frames_copied_whole,
        ),
        (ZCPAIR_A_STATS_TX_SG_DESCRIPTORS, &s.tx_sg_descriptors),
        (ZCPAIR_A_STATS_TX_RING_FULL, &s.tx_ring_full),
        (ZCPAIR_A_STATS_TX_NOTIFICATIONS, &s.tx_notifications),
        (ZCPAIR_A_STATS_TX_COMPLETIONS, &s.tx_completions),
        (ZCPAIR_A_STATS_RX_GRO_FRAMES, &s.rx_gro_frames),
        (
            ZCPAIR_A_STATS_TX_LINEAR_BYTES_COPIED,
            &s.tx_linear_bytes_copied,
        ),
        (ZCPAIR_A_STATS_TX_PACKETS, &s.tx_packets),
        (ZCPAIR_A_STATS_TX_BYTES, &s.tx_bytes),
        (ZCPAIR_A_STATS_TX_DROPPED, &s.tx_dropped),
        (ZCPAIR_A_STATS_RX_PACKETS, &s.rx_packets),
        (ZCPAIR_A_STATS_RX_BYTES, &s.rx_bytes),
        (ZCPAIR_A_STATS_RX_DROPPED, &s.rx_dropped),
    ] {
        w.uint(ty, get(c))?;
    }
    Ok(())
}

/// Announces `cmd` (create, delete, change) for both ends of the pair of
/// `data`, each in its own netns, to the `events` listeners there.
pub(crate) fn notify(rtnl: &Rtnl, data: &EndData, cmd: u32) {
    for end in [data.end(), data.peer()] {
        if let Some(dev) = end.device() {
            notify_end(rtnl, dev.get(), cmd);
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
