// SPDX-License-Identifier: GPL-2.0

//! The uplink and its cross-talk detector (document 002): an end may be
//! given a lower device, another driver's Ethernet device. Then each frame
//! the end transmits is looked at once, by destination MAC:
//!
//! - the peer's MAC, peer up: through the shared ring, as without uplink;
//! - the peer's MAC, peer down: through the uplink, where the network may
//!   still reach it ("remapped"), behind the frames the peer left unread
//!   in the ring, which take the same way first ([`remap`]: nothing lost
//!   or reordered at the switch-over); back to the ring as soon as the
//!   peer is up again;
//! - broadcast and multicast (ARP, neighbour discovery): both, a clone
//!   through the uplink and the frame through the ring;
//! - anything else: through the uplink (`dev_queue_xmit()` on the lower
//!   device, source MAC the end's own).
//!
//! Detection is at layer 2, on the peer's MAC, not its IP addresses: it
//! needs no address tracking, serves IPv4, IPv6 and every other protocol
//! alike, and address resolution decides the path by itself (the peer
//! answers ARP/ND through the ring, hosts behind the uplink through the
//! uplink), as a macvlan port in bridge mode decides between its siblings
//! and the wire.
//!
//! Receive: every lower device with zcpair ends attached has one rx
//! handler (a [`Port`], shared by those ends). A frame for an end's MAC is
//! handed to that end; broadcast and multicast reach each attached end (a
//! clone each, not the end that sent it) and the lower's own stack. Each
//! attached end's MAC is on the lower's unicast address list
//! (`dev_uc_add`, as macvlan does), followed when the end's MAC changes,
//! so the lower accepts frames for it: by its filter, or promiscuously
//! when it has none (the core's fallback).
//!
//! Attaching links the end above the lower (`netdev_upper_dev_link`: no
//! loops) and holds a tracked reference to it; the netdevice notifier
//! detaches every end when the lower is unregistered (announcing it with a
//! pair-change notification) and lowers an end's MTU when the lower's
//! falls below it. Readers (transmit, the rx handler) take no lock: the
//! uplink and the port's ends are RCU-published, changed under rtnl.

use crate::counters::add;
use crate::genl;
use crate::knet::lower::{
    is_group, Event, Lower, MacAddr, NetDevice, NetdevEvents, RxFrame, RxHandler, Verdict,
};
use crate::knet::netdev::{Device, DeviceRef, TxQueue};
use crate::knet::netlink::ExtAck;
use crate::knet::rcu::{self, RcuArc};
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::sgring::Completed;
use crate::knet::skb::SkBuff;
use crate::knet::uapi::ZCPAIR_CMD_PAIR_CHANGE_NTF;
use crate::pair::{End, EndData, Queue};
use crate::{ZcPair, LINK};
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

/// Ends one lower device serves at most.
pub(crate) const PORT_ENDS: usize = 16;

/// An end's uplink: the lower device and its port.
pub(crate) struct Uplink {
    lower: Lower,
    port: Arc<Port>,
}

impl Uplink {
    pub(crate) fn ifindex(&self) -> i32 {
        self.lower.ifindex()
    }

    pub(crate) fn name(&self) -> &kernel::str::CStr {
        self.lower.name()
    }
}

/// An attached end, as its port sees it.
struct Member {
    dev: DeviceRef<ZcPair>,
}

/// The rx handler data of a lower device: the ends attached to it, each in
/// a slot of its own (published and withdrawn without allocating).
pub(crate) struct Port {
    slots: [RcuArc<Member>; PORT_ENDS],
}

/// Transmit: where the detector sends `skb`. `Some` gives the frame back
/// for the ring; `None` means the uplink took it (sent or dropped and
/// counted). BH disabled, in the end's `start_xmit`.
pub(crate) fn route(data: &EndData, q: &Queue, skb: SkBuff) -> Option<SkBuff> {
    let guard = rcu::read_lock();
    let Some(up) = data.end().uplink.get(&guard) else {
        return Some(skb);
    };
    let mut dest: MacAddr = [0; 6];
    if skb.copy_bits(0, &mut dest).is_err() {
        return Some(skb);
    }
    let peer = data.peer();
    let peer_up = peer.up.load(Ordering::Acquire);
    if is_group(&dest) {
        if !peer_up {
            send(up, q, skb, false);
            return None;
        }
        match skb.clone_atomic() {
            Some(copy) => send(up, q, copy, true),
            None => add(&q.stats.tx_uplink_dropped, 1),
        }
        return Some(skb);
    }
    if dest == peer.mac() {
        // Up or down, the ring's transmit path decides under the ring's
        // lock ([`remap`] when down): frames the peer has not read go out
        // before this one.
        return Some(skb);
    }
    send(up, q, skb, false);
    None
}

/// Frames taken back from the ring per round of [`remap`] (on the stack).
const REMAP_CHUNK: usize = 16;

/// The peer is down and `end` (the sender, whose queue `q` writes the ring
/// that `reader`, the peer's queue, reads) has an uplink: what the peer
/// has not read of that ring leaves through the uplink, oldest first, and
/// then `skb`, if any; all counted in `tx_uplink_remapped`. Nothing is
/// lost at the switch-over and nothing overtakes: call under the sending
/// queue's transmit lock `txq` (held by `start_xmit`, or taken by the
/// peer's `ndo_stop`), which every frame of that queue passes. False,
/// with `skb` given back untouched, without an uplink.
pub(crate) fn remap(
    end: &End,
    q: &Queue,
    reader: &Queue,
    txq: &TxQueue<'_, ZcPair>,
    skb: Option<SkBuff>,
) -> Result<(), Option<SkBuff>> {
    let guard = rcu::read_lock();
    let Some(up) = end.uplink.get(&guard) else {
        return Err(skb);
    };
    loop {
        let mut taken: [Option<Completed>; REMAP_CHUNK] = [const { None }; REMAP_CHUNK];
        let n = {
            let mut ring = q.tx.lock();
            let mut consumer = reader.rx.lock();
            let mut k = 0;
            let n = ring.take_unread(&mut consumer, REMAP_CHUNK as u32, |c| {
                taken[k] = Some(c);
                k += 1;
            });
            n as usize
        };
        let (mut pkts, mut bytes) = (0, 0);
        for c in taken.iter_mut().filter_map(Option::take) {
            if let Some(len) = c.bql {
                pkts += 1;
                bytes += len;
            }
            match c.skb.into_unique() {
                Ok(skb) => {
                    add(&q.stats.tx_uplink_remapped, 1);
                    // Counted as a frame when it was posted.
                    send(up, q, skb, true);
                }
                Err(shared) => {
                    // A segment of a frame cut into many (multidest.rs)
                    // that the peer partly read: the rest is lost with it.
                    add(&q.stats.tx_uplink_dropped, 1);
                    shared.free_any();
                }
            }
        }
        if pkts > 0 {
            txq.bql_completed(pkts, bytes);
        }
        if n < REMAP_CHUNK {
            break;
        }
    }
    if let Some(skb) = skb {
        add(&q.stats.tx_uplink_remapped, 1);
        send(up, q, skb, false);
    }
    Ok(())
}

/// Sends `skb` through `data`'s uplink, if it has one (a LAN member's
/// frames for no member); else gives it back.
pub(crate) fn send_out(data: &EndData, q: &Queue, skb: SkBuff) -> Result<(), SkBuff> {
    let guard = rcu::read_lock();
    match data.end().uplink.get(&guard) {
        Some(up) => {
            send(up, q, skb, false);
            Ok(())
        }
        None => Err(skb),
    }
}

/// A copy of `skb` (a broadcast a LAN member floods) through `data`'s
/// uplink, if it has one; the flood counts the frame.
pub(crate) fn send_copy(data: &EndData, q: &Queue, skb: &SkBuff) {
    let guard = rcu::read_lock();
    let Some(up) = data.end().uplink.get(&guard) else {
        return;
    };
    match skb.clone_atomic() {
        Some(copy) => send(up, q, copy, true),
        None => add(&q.stats.tx_uplink_dropped, 1),
    }
}

/// Whether `end` may have the MTU `mtu`: not above its uplink's.
pub(crate) fn mtu_fits(end: &End, mtu: u32) -> bool {
    let guard = rcu::read_lock();
    match end.uplink.get(&guard) {
        Some(up) => mtu <= up.lower.mtu(),
        None => true,
    }
}

/// Whether `end` has an uplink.
pub(crate) fn attached(end: &End) -> bool {
    let guard = rcu::read_lock();
    end.uplink.get(&guard).is_some()
}

/// Sends `skb` through the uplink and counts it; a `copy` (of a broadcast
/// that also crosses the ring) is counted once as a frame, by the ring.
fn send(up: &Uplink, q: &Queue, skb: SkBuff, copy: bool) {
    let len = skb.len() as u64;
    let s = &q.stats;
    if up.lower.xmit(skb) {
        add(&s.tx_uplink_packets, 1);
        add(&s.tx_uplink_bytes, len);
        if !copy {
            add(&s.tx_packets, 1);
            add(&s.tx_bytes, len);
        }
    } else {
        add(&s.tx_uplink_dropped, 1);
        if !copy {
            add(&s.tx_dropped, 1);
        }
    }
}

impl RxHandler for Port {
    /// A frame the lower device received (BH, RCU read side).
    fn handle(&self, frame: RxFrame<'_>) -> Verdict {
        if frame.is_loopback() {
            return frame.pass();
        }
        let guard = rcu::read_lock();
        let dest = frame.dest();
        let members = self.slots.iter().filter_map(|s| s.get(&guard));
        if is_group(&dest) {
            let source = frame.source();
            for m in members {
                let Some(data) = m.dev.data() else { continue };
                let end = data.end();
                if !end.up.load(Ordering::Acquire) || end.mac() == source {
                    continue;
                }
                let len = frame.len() as u64;
                if let Some(q) = end.queue(0) {
                    if frame.deliver_copy(&m.dev) {
                        count_rx(q, len);
                    } else {
                        add(&q.stats.rx_dropped, 1);
                    }
                }
            }
            return frame.pass();
        }
        for m in members {
            let Some(data) = m.dev.data() else { continue };
            let end = data.end();
            if end.mac() != dest {
                continue;
            }
            let Some(q) = end.queue(0) else { break };
            if !end.up.load(Ordering::Acquire) {
                add(&q.stats.rx_dropped, 1);
                return frame.drop_frame();
            }
            let len = frame.len() as u64;
            return match frame.redirect(&m.dev) {
                Ok(v) => {
                    count_rx(q, len);
                    v
                }
                Err(v) => {
                    add(&q.stats.rx_dropped, 1);
                    v
                }
            };
        }
        frame.pass()
    }
}

fn count_rx(q: &Queue, len: u64) {
    let s = &q.stats;
    add(&s.rx_uplink_packets, 1);
    add(&s.rx_uplink_bytes, len);
    add(&s.rx_packets, 1);
    add(&s.rx_bytes, len);
}

impl Port {
    fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Port {
                slots: [const { RcuArc::new() }; PORT_ENDS],
            },
            GFP_KERNEL,
        )?)
    }

    /// A free slot (rtnl).
    fn free_slot(&self, rtnl: &Rtnl) -> Option<&RcuArc<Member>> {
        self.slots.iter().find(|s| s.get_arc(rtnl).is_none())
    }

    /// The attached ends (rtnl).
    fn members(&self, rtnl: &Rtnl) -> KVec<DeviceRef<ZcPair>> {
        let mut v = KVec::new();
        for s in &self.slots {
            if let Some(m) = s.get_arc(rtnl) {
                // Fits: at most PORT_ENDS, reserved below.
                let _ = v.push(m.dev.clone(), GFP_KERNEL);
            }
        }
        v
    }

    /// Withdraws `dev`; true if the port serves nobody any more.
    fn remove(&self, dev: &Device<ZcPair>, rtnl: &Rtnl) -> bool {
        let mut left = 0;
        for s in &self.slots {
            match s.get_arc(rtnl) {
                Some(m) if m.dev.as_netdevice().is(dev.as_netdevice()) => {
                    drop(s.replace(None, rtnl));
                }
                Some(_) => left += 1,
                None => {}
            }
        }
        left == 0
    }
}

/// Checks that `lower` can be `dev`'s uplink (rtnl): there, not a zcpair
/// device, Ethernet, an MTU at least the end's, and a port with room (or
/// no rx handler yet).
pub(crate) fn check<'a>(
    dev: &Device<ZcPair>,
    ifindex: u32,
    extack: &ExtAck<'_>,
    rtnl: &'a Rtnl,
) -> Result<&'a NetDevice> {
    let Some(lower) = i32::try_from(ifindex)
        .ok()
        .and_then(|i| NetDevice::by_index(dev.net(), i, rtnl))
    else {
        return Err(extack.fail(
            None,
            c_str!("no device with the uplink's ifindex in this end's netns"),
            ENODEV,
        ));
    };
    if LINK.device_of(lower, rtnl).is_some() {
        return Err(extack.fail(None, c_str!("a zcpair device cannot be an uplink"), EINVAL));
    }
    if !lower.is_ethernet() {
        return Err(extack.fail(
            None,
            c_str!("the uplink must be an Ethernet device"),
            EINVAL,
        ));
    }
    if dev.mtu() > lower.mtu() {
        return Err(extack.fail(
            None,
            c_str!("the end's MTU is larger than the uplink's"),
            EINVAL,
        ));
    }
    match Port::registered(lower, rtnl) {
        Some(port) if port.free_slot(rtnl).is_none() => Err(extack.fail(
            None,
            c_str!("the uplink serves as many zcpair ends as it can (16)"),
            ENOSPC,
        )),
        None if lower.has_rx_handler(rtnl) => Err(extack.fail(
            None,
            c_str!("the uplink has another rx handler (a bridge, bond or macvlan port?)"),
            EBUSY,
        )),
        _ => Ok(lower),
    }
}

/// Gives `dev` the uplink `ifindex` (0: none), replacing any it had
/// (rtnl). Whether the uplink changed.
pub(crate) fn set(
    dev: &Device<ZcPair>,
    ifindex: u32,
    extack: &ExtAck<'_>,
    rtnl: &Rtnl,
) -> Result<bool> {
    let data = dev.data().ok_or(ENODEV)?;
    if ifindex == 0 {
        return Ok(detach(dev, rtnl));
    }
    if let Some(cur) = data.end().uplink.get_arc(rtnl) {
        if cur.ifindex() as u32 == ifindex {
            return Ok(false);
        }
    }
    let lower = check(dev, ifindex, extack, rtnl)?;
    detach(dev, rtnl);
    attach(dev, lower, extack, rtnl)?;
    Ok(true)
}

/// Attaches `dev` to `lower`, which [`check`] accepted (rtnl).
fn attach(dev: &Device<ZcPair>, lower: &NetDevice, extack: &ExtAck<'_>, rtnl: &Rtnl) -> Result {
    let data = dev.data().ok_or(ENODEV)?;
    let (port, new_port) = match Port::registered(lower, rtnl) {
        Some(p) => (p, false),
        None => (Port::new()?, true),
    };
    let member = Arc::new(
        Member {
            dev: DeviceRef::from(dev),
        },
        GFP_KERNEL,
    )?;
    // Everything allocated first: what follows undoes itself in reverse.
    let uplink = Arc::new(
        Uplink {
            lower: Lower::hold(lower),
            port: port.clone(),
        },
        GFP_KERNEL,
    )?;
    let held = &uplink.lower;
    held.link_upper(dev, extack, rtnl)?;
    // The MAC the end has now; a change is followed by the notifier.
    let mac = dev.as_netdevice().addr();
    if let Err(e) = held.uc_add(&mac, rtnl) {
        held.unlink_upper(dev, rtnl);
        return Err(e);
    }
    if new_port {
        if let Err(e) = Port::register(lower, port.clone(), rtnl) {
            held.uc_del(&mac, rtnl);
            held.unlink_upper(dev, rtnl);
            return Err(extack.fail(
                None,
                c_str!("the uplink has another rx handler (a bridge, bond or macvlan port?)"),
                e,
            ));
        }
    }
    // Checked free by `check`, and rtnl has been held since.
    if let Some(slot) = port.free_slot(rtnl) {
        drop(slot.replace(Some(member), rtnl));
    }
    drop(data.end().uplink.replace(Some(uplink), rtnl));
    // Up with the peer down: the uplink carries its frames now.
    if data.end().up.load(Ordering::Acquire) {
        dev.carrier_on();
    }
    Ok(())
}

/// Detaches `dev` from its uplink, if it has one (rtnl); whether it had.
pub(crate) fn detach(dev: &Device<ZcPair>, rtnl: &Rtnl) -> bool {
    let Some(data) = dev.data() else { return false };
    // No transmit uses the uplink when this returns (a grace period).
    let Some(up) = data.end().uplink.replace(None, rtnl) else {
        return false;
    };
    if up.port.remove(dev, rtnl) {
        drop(Port::unregister(&up.lower, rtnl));
    }
    // The MAC added at attach, or at its last change.
    up.lower.uc_del(&dev.as_netdevice().addr(), rtnl);
    up.lower.unlink_upper(dev, rtnl);
    if !data.peer().up.load(Ordering::Acquire) {
        dev.carrier_off();
    }
    true
}

/// An end's MAC changed from `old` to `new` (rtnl): its uplink's unicast
/// list changes with it. Should the new address not fit in the list (out
/// of memory), the old one stays, and a lower that filters drops frames
/// for the new one; said in the kernel log.
fn follow_mac(data: &EndData, old: &MacAddr, new: &MacAddr, rtnl: &Rtnl) {
    let Some(up) = data.end().uplink.get_arc(rtnl) else {
        return;
    };
    if up.lower.uc_add(new, rtnl).is_err() {
        pr_warn!("an end's new MAC is not on its uplink's unicast list\n");
        return;
    }
    up.lower.uc_del(old, rtnl);
}

/// The netdevice notifier's receiver.
pub(crate) struct Events;

impl NetdevEvents for Events {
    fn event(event: Event, dev: &NetDevice, rtnl: &Rtnl) {
        if let Some(end) = LINK.device_of(dev, rtnl) {
            match event {
                // The detector compares with the peer's MAC, kept here;
                // the uplink's unicast list follows a change.
                Event::Register | Event::ChangeAddr => {
                    if let Some(data) = end.data() {
                        let (old, new) = (data.end().mac(), dev.addr());
                        if matches!(event, Event::ChangeAddr) && old != new {
                            follow_mac(data, &old, &new, rtnl);
                        }
                        data.end().set_mac(new);
                    }
                }
                // Going away or leaving for another netns.
                Event::Unregister => {
                    detach(end, rtnl);
                }
                _ => {}
            }
            return;
        }
        let Some(port) = Port::registered(dev, rtnl) else {
            return;
        };
        match event {
            // Gone, or moved to another netns (where the ends cannot name
            // it): every end detaches and says so.
            Event::Unregister => {
                for m in port.members(rtnl) {
                    detach(&m, rtnl);
                    genl::notify_end(rtnl, &m, ZCPAIR_CMD_PAIR_CHANGE_NTF);
                }
            }
            // An end's MTU may not exceed its uplink's.
            Event::ChangeMtu => {
                let mtu = dev.mtu();
                for m in port.members(rtnl) {
                    if m.mtu() > mtu {
                        let _ = m.set_mtu(mtu, rtnl);
                    }
                }
            }
            _ => {}
        }
    }
}
