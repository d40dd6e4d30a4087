// SPDX-License-Identifier: GPL-2.0

//! LAN mode (documents 001 and 003): a group of up to 64 member devices
//! that reach each other without a bridge or a hop in between. A member's
//! transmit looks the frame's destination address up in its LAN's table
//! and writes the frame directly into that member's receive ring (header
//! copied into the slot, payload referenced, as for a pair); the receiving
//! member's NAPI poll builds and delivers it.
//!
//! - Members: `ip link add NAME type zcpair` with the kind attribute
//!   `lan` (0: a new LAN; otherwise the ifindex of a member to join, in
//!   the new device's netns). A member leaves by being deleted. Its state
//!   is a [`Pair`] of one end whose rings loop back (`Pair::new_member`):
//!   queue `i`'s ring is written by the other members, under the ring's
//!   producer lock, and read by the member's queue `i`.
//! - The receive ring has many producers: they serialise on its producer
//!   lock, the same spinlock a pair's single producer takes (no second
//!   ring type, no per-pair rings: N members have N rings per queue, not
//!   N x (N - 1)). The frames in a ring come from many members, so the
//!   reader releases them itself after reading (what a pair does when no
//!   byte queue limits are involved); a shared ring has no byte queue
//!   limits and a sender notifies the reader after every frame (the next
//!   frame may go to another member). The cost is measured in
//!   Documentation/performance.md.
//! - The table: one route per IPv4/IPv6 address configured on a member,
//!   kept by the address notifiers (IPv6's may run in softirq: no
//!   sleeping). Routes live in a fixed array read without a lock under a
//!   sequence count (readers retry while a writer is in; writers take a
//!   spinlock with bottom halves off). Members are RCU-published slots.
//! - Which member: IPv4 and IPv6 by destination address, ARP by target
//!   address; a frame no route matches goes to the member with its
//!   destination MAC (a member that routes for others), else through the
//!   member's uplink if it has one (uplink.rs: the lower device's rx
//!   handler brings the answers back), else it is dropped and counted
//!   (`tx_lan_unknown`). A frame delivered by address
//!   gets the member's MAC as destination when it had another (two
//!   members in one netns both answer ARP for either's addresses). Broadcast and multicast
//!   (ARP requests, neighbour discovery) go to every other member that is
//!   up, a clone each (`tx_lan_flooded`), and through the uplink.

use crate::counters::add;
use crate::knet::inetaddr::{AddrEvent, AddrEvents, IpAddr};
use crate::knet::lower::{is_group, MacAddr, NetDevice};
use crate::knet::netdev::Sent;
use crate::knet::netdev::{with_bh_disabled, Device, Net, TxQueue};
use crate::knet::netlink::ExtAck;
use crate::knet::rcu::{self, RcuArc};
use crate::knet::rtnl_lock::Rtnl;
use crate::knet::skb::SkBuff;
use crate::pair::{End, EndData, Pair, Params, Queue, Side};
use crate::tx::{self, Target};
use crate::uplink;
use crate::{ZcPair, LINK};
use core::sync::atomic::{fence, AtomicU32, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::{Arc, SpinLock};
use kernel::{new_spinlock, pin_init};

/// Members of one LAN at most.
pub(crate) const MAX_MEMBERS: usize = 64;

/// Routes (addresses) of one LAN at most; addresses beyond are reached by
/// their member's MAC only.
const MAX_ROUTES: usize = 256;

/// LAN numbers, never reused while the module is loaded.
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// A member's LAN and its slot in it.
pub(crate) struct Membership {
    pub(crate) lan: Arc<Lan>,
    pub(crate) slot: usize,
}

/// One LAN.
#[pin_data]
pub(crate) struct Lan {
    pub(crate) id: u32,
    /// Ring geometry of every member (the first member's).
    pub(crate) params: Params,
    /// The members' state, by slot (published and withdrawn under rtnl).
    members: [RcuArc<Pair>; MAX_MEMBERS],
    /// Serialises the table's writers.
    #[pin]
    writer: SpinLock<()>,
    table: Table,
}

impl Lan {
    fn new(params: Params) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Self {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                params,
                members: [const { RcuArc::new() }; MAX_MEMBERS],
                writer <- new_spinlock!((), "zcpair_lan_table"),
                table: Table::new(),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// A slot no member holds (rtnl).
    fn free_slot(&self, rtnl: &Rtnl) -> Option<usize> {
        self.members.iter().position(|s| s.get_arc(rtnl).is_none())
    }

    /// Runs `f` as the table's one writer.
    fn write<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        with_bh_disabled(|| {
            let _w = self.writer.lock();
            self.table.write(f)
        })
    }

    /// The member that has `dest` as its MAC, if any.
    fn by_mac(&self, dest: &MacAddr, guard: &rcu::ReadGuard) -> Option<usize> {
        self.members
            .iter()
            .position(|s| s.get(guard).is_some_and(|p| p.end(Side::A).mac() == *dest))
    }

    /// The members' devices in slot order (rtnl), for lan-get.
    pub(crate) fn devices(
        &self,
        rtnl: &Rtnl,
    ) -> KVec<(usize, crate::knet::netdev::DeviceRef<ZcPair>)> {
        let mut v = KVec::new();
        for (i, s) in self.members.iter().enumerate() {
            if let Some(dev) = s.get_arc(rtnl).and_then(|p| p.end(Side::A).device()) {
                if v.push((i, dev), GFP_KERNEL).is_err() {
                    break;
                }
            }
        }
        v
    }

    /// A copy of the table: (address, slot), for lan-get.
    pub(crate) fn routes(&self) -> KVec<(IpAddr, usize)> {
        let mut v = KVec::with_capacity(MAX_ROUTES, GFP_KERNEL).unwrap_or_default();
        self.write(|t| {
            for r in &t.routes {
                if let Some(e) = r.read() {
                    // Fits: reserved MAX_ROUTES above (or nothing listed).
                    let _ = v.push(e, GFP_ATOMIC);
                }
            }
        });
        v
    }
}

/// A route: an address and the slot of the member that has it.
struct Route {
    addr: [AtomicU32; 4],
    /// 0: free; else the slot + 1, with `V6` for an IPv6 address.
    meta: AtomicU32,
}

const V6: u32 = 1 << 16;

/// An address as the table stores and compares it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    words: [u32; 4],
    v6: bool,
}

impl Key {
    fn of(addr: &IpAddr) -> Self {
        let mut words = [0u32; 4];
        for (w, c) in words.iter_mut().zip(addr.bytes().chunks(4)) {
            *w = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
        }
        Key {
            words,
            v6: matches!(addr, IpAddr::V6(_)),
        }
    }

    fn addr(&self) -> IpAddr {
        let mut b = [0u8; 16];
        for (c, w) in b.chunks_mut(4).zip(self.words) {
            c.copy_from_slice(&w.to_ne_bytes());
        }
        if self.v6 {
            IpAddr::V6(b)
        } else {
            IpAddr::V4([b[0], b[1], b[2], b[3]])
        }
    }
}

impl Route {
    const fn new() -> Self {
        Route {
            addr: [const { AtomicU32::new(0) }; 4],
            meta: AtomicU32::new(0),
        }
    }

    fn key(&self) -> Option<(Key, usize)> {
        let meta = self.meta.load(Ordering::Relaxed);
        if meta == 0 {
            return None;
        }
        let words = [0, 1, 2, 3].map(|i| self.addr[i].load(Ordering::Relaxed));
        Some((
            Key {
                words,
                v6: meta & V6 != 0,
            },
            (meta & 0xff) as usize - 1,
        ))
    }

    fn read(&self) -> Option<(IpAddr, usize)> {
        self.key().map(|(k, slot)| (k.addr(), slot))
    }

    fn set(&self, key: &Key, slot: usize) {
        for (a, w) in self.addr.iter().zip(key.words) {
            a.store(w, Ordering::Relaxed);
        }
        let v6 = if key.v6 { V6 } else { 0 };
        self.meta.store(v6 | (slot as u32 + 1), Ordering::Relaxed);
    }
}

/// The routes, under a sequence count: even while stable, odd while a
/// writer is in.
struct Table {
    seq: AtomicU32,
    routes: [Route; MAX_ROUTES],
}

impl Table {
    fn new() -> Self {
        Table {
            seq: AtomicU32::new(0),
            routes: [const { Route::new() }; MAX_ROUTES],
        }
    }

    /// The slot of the member that has `key` (lock-free: retries while a
    /// writer changes the table).
    fn lookup(&self, key: &Key) -> Option<usize> {
        loop {
            let s = self.seq.load(Ordering::Acquire);
            if s & 1 == 0 {
                let found = self
                    .routes
                    .iter()
                    .find_map(|r| r.key().filter(|(k, _)| k == key).map(|(_, slot)| slot));
                // Order the reads of the routes before the second read of
                // the count; pairs with the writer's release fence.
                fence(Ordering::Acquire);
                if self.seq.load(Ordering::Relaxed) == s {
                    return found;
                }
            }
            core::hint::spin_loop();
        }
    }

    /// Runs `f` with the count odd (the caller is the one writer).
    fn write<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        // Readers that see a route changed by `f` see the odd count.
        fence(Ordering::Release);
        let r = f(self);
        self.seq.store(s.wrapping_add(2), Ordering::Release);
        r
    }

    fn insert(&self, key: &Key, slot: usize) -> bool {
        if self.routes.iter().any(|r| r.key() == Some((*key, slot))) {
            return true;
        }
        match self.routes.iter().find(|r| r.key().is_none()) {
            Some(r) => {
                r.set(key, slot);
                true
            }
            None => false,
        }
    }

    fn remove(&self, f: impl Fn(&Key, usize) -> bool) {
        for r in &self.routes {
            if r.key().is_some_and(|(k, slot)| f(&k, slot)) {
                r.meta.store(0, Ordering::Relaxed);
            }
        }
    }
}

/// The LAN a new device joins, or a new one (kind attribute `lan`:
/// `which`), and the member slot it takes; checked before anything is
/// created (rtnl).
pub(crate) fn join(
    dev: &Device<ZcPair>,
    which: u32,
    params: Params,
    extack: &ExtAck<'_>,
    rtnl: &Rtnl,
) -> Result<Membership> {
    if which == 0 {
        return Ok(Membership {
            lan: Lan::new(params)?,
            slot: 0,
        });
    }
    let member = i32::try_from(which)
        .ok()
        .and_then(|i| LINK.by_index(rtnl, dev.net(), i));
    let Some(member) = member else {
        return Err(extack.fail(
            None,
            c_str!("no zcpair device with the lan ifindex in the new device's netns"),
            ENODEV,
        ));
    };
    let Some(m) = member.data().and_then(|d| d.lan.as_ref()) else {
        return Err(extack.fail(
            None,
            c_str!("the lan ifindex names one end of a pair, not a LAN member"),
            EINVAL,
        ));
    };
    let Some(slot) = m.lan.free_slot(rtnl) else {
        return Err(extack.fail(None, c_str!("the LAN has 64 members"), ENOSPC));
    };
    Ok(Membership {
        lan: m.lan.clone(),
        slot,
    })
}

/// The registered member `data` takes its slot: other members reach it
/// from now on (rtnl).
pub(crate) fn publish(data: &EndData, rtnl: &Rtnl) {
    if let Some(m) = &data.lan {
        drop(m.lan.members[m.slot].replace(Some(data.pair.clone()), rtnl));
    }
}

/// The member leaves its LAN (being unregistered, rtnl): its routes go,
/// then its slot; when this returns no member transmits into its rings.
pub(crate) fn leave(data: &EndData, rtnl: &Rtnl) {
    if let Some(m) = &data.lan {
        let slot = m.slot;
        m.lan.write(|t| t.remove(|_, s| s == slot));
        // Waits a grace period: transmits that found it are over.
        drop(m.lan.members[slot].replace(None, rtnl));
    }
}

/// The address notifiers' receiver: a member's addresses are its routes.
pub(crate) struct Addrs;

impl AddrEvents for Addrs {
    fn event(event: AddrEvent, dev: &NetDevice, addr: IpAddr) {
        let Some(m) = LINK
            .device_of_live(dev)
            .and_then(|d| d.data())
            .and_then(|d| d.lan.as_ref())
        else {
            return;
        };
        let key = Key::of(&addr);
        let slot = m.slot;
        match event {
            AddrEvent::Added => {
                // A full table: the address is reached by its member's MAC.
                let _ = m.lan.write(|t| t.insert(&key, slot));
            }
            AddrEvent::Removed => m.lan.write(|t| t.remove(|k, s| *k == key && s == slot)),
        }
    }
}

/// Where a frame's destination address sits: IPv4 and IPv6 destination,
/// ARP target (in the linear area, as the local stack builds frames).
fn dest_key(l: &[u8]) -> Option<Key> {
    let ty = u16::from_be_bytes([*l.get(12)?, *l.get(13)?]);
    let addr = match ty {
        0x0800 => IpAddr::V4(l.get(30..34)?.try_into().ok()?),
        0x86dd => IpAddr::V6(l.get(38..54)?.try_into().ok()?),
        // Ethernet/IPv4 ARP: hardware 6, protocol 4 bytes.
        0x0806 if l.get(18..20)? == [6, 4] => IpAddr::V4(l.get(38..42)?.try_into().ok()?),
        _ => return None,
    };
    Some(Key::of(&addr))
}

/// A member's transmit: the frame goes into the ring of the member its
/// destination names (the queue of the same number, modulo theirs), or a
/// clone into every other member's for broadcast and multicast.
pub(crate) fn xmit(
    dev: &Device<ZcPair>,
    txq: &TxQueue<'_, ZcPair>,
    data: &EndData,
    m: &Membership,
    q: &Queue,
    index: u32,
    mut skb: SkBuff,
) -> Sent {
    let more = dev.xmit_more();
    skb.tx_timestamp();
    let lan = &*m.lan;
    let guard = rcu::read_lock();
    let linear = skb.linear();
    let Some(dest) = linear.get(0..6).and_then(|d| MacAddr::try_from(d).ok()) else {
        return tx::dropped(q, skb, false);
    };
    if is_group(&dest) {
        flood(dev, txq, data, m, q, index, skb, &guard);
        return Sent;
    }
    let slot = dest_key(linear)
        .and_then(|k| lan.table.lookup(&k))
        .or_else(|| lan.by_mac(&dest, &guard));
    let Some(pair) = slot.and_then(|s| lan.members[s].get(&guard)) else {
        // Nobody here: the member's uplink, if it has one, carries it.
        if let Err(skb) = uplink::send_out(data, q, skb) {
            add(&q.stats.tx_lan_unknown, 1);
            return tx::dropped(q, skb, false);
        }
        return Sent;
    };
    let end = pair.end(Side::A);
    // Delivered by address, the frame carries the member's MAC: a sender
    // may have resolved the address to another member's (two members in
    // one netns both answer ARP for its addresses), and a frame for
    // another MAC would be dropped by the receiver as not its own.
    let mac = end.mac();
    if dest != mac && skb.set_dest_mac(&mac).is_err() {
        return tx::dropped(q, skb, false);
    }
    let Some(target) = target_of(end, index) else {
        return tx::dropped(q, skb, false);
    };
    if tx::post(dev, txq, data, q, &target, skb, more, true) {
        add(&q.stats.tx_lan_unicast, 1);
    }
    Sent
}

/// Member `end`'s ring for our queue `index` (its queue of that number,
/// modulo its count): written by every member, read by `end`.
fn target_of(end: &End, index: u32) -> Option<Target<'_>> {
    let tq = end.queue(index % end.nr_queues().max(1))?;
    Some(Target {
        ring: tq,
        reader: tq,
        reader_up: &end.up,
        moderation: &end.rx_moderation,
        shared: true,
    })
}

/// A broadcast or multicast frame: a clone into each other member's ring
/// that is up; the frame itself counts once.
#[allow(clippy::too_many_arguments)]
fn flood(
    dev: &Device<ZcPair>,
    txq: &TxQueue<'_, ZcPair>,
    data: &EndData,
    m: &Membership,
    q: &Queue,
    index: u32,
    skb: SkBuff,
    guard: &rcu::ReadGuard,
) {
    add(&q.stats.tx_packets, 1);
    add(&q.stats.tx_bytes, skb.len() as u64);
    // The network behind the member's uplink hears it too.
    uplink::send_copy(data, q, &skb);
    for (slot, s) in m.lan.members.iter().enumerate() {
        let Some(pair) = s.get(guard) else { continue };
        let end = pair.end(Side::A);
        if slot == m.slot || !end.up.load(Ordering::Relaxed) {
            continue;
        }
        let Some(target) = target_of(end, index) else {
            continue;
        };
        let Some(copy) = skb.clone_atomic() else {
            add(&q.stats.tx_dropped, 1);
            continue;
        };
        if tx::post(dev, txq, data, q, &target, copy, false, false) {
            add(&q.stats.tx_lan_flooded, 1);
        }
    }
    drop(skb);
}

/// The LAN members of `net`'s devices, for a lan-get dump: the next from
/// `*from` (rtnl).
pub(crate) fn next_member<'a>(
    rtnl: &'a Rtnl,
    net: &Net,
    from: &mut u64,
) -> Option<&'a Device<ZcPair>> {
    loop {
        let dev = LINK.next(rtnl, net, from)?;
        if dev.data().is_some_and(|d| d.lan.is_some()) {
            return Some(dev);
        }
        *from += 1;
    }
}

/// `pin_init!` is used by the macros above.
#[allow(unused_imports)]
use pin_init as _;
