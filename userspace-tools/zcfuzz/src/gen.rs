// SPDX-License-Identifier: GPL-2.0
//! The fuzz cases: one netlink request per call of [`Gen::next`], chosen
//! by the PRNG alone from what [`Ctx`] says exists.
//!
//! Every request is one of three classes: *valid* (well-formed, sensible
//! values: it may well be accepted and create or change something),
//! *semi-valid* (built as a valid one, then each attribute corrupted with a
//! small probability: wrong length, lying `nla_len`, wrong type, flipped
//! `NLA_F_NESTED`, duplicated, dropped, random value, and values out of
//! range) and *garbage* (the same with a high probability, plus random
//! attributes, header fields and, where safe, random bytes).
//!
//! Safety of the machine running the fuzzer: only zcpair's own parsing gets
//! arbitrary bytes. The generic rtnetlink attributes (top level of
//! RTM_NEWLINK/SETLINK/DELLINK and the peer's) come from a list that
//! excludes IFLA_GROUP (group changelink/dellink would hit every device of
//! the netns), IFLA_MASTER, IFLA_TARGET_NETNSID, IFLA_NET_NS_PID and
//! IFLA_NET_NS_FD with values other than the fuzzer's own netns or things
//! that are not netns at all; and `ifi_index` of rtnetlink requests and
//! ethtool's device are only ever 0, a zcpair device, or an ifindex that
//! does not exist (ethtool: also lo and the fuzzer's dummy uplink).

use zcpairctl::uapi::{self, limits};

use crate::ethtool as et;
use crate::msg::*;
use crate::rng::Rng;

/// What exists, as far as the fuzzer knows (refreshed from RTM_GETLINK
/// dumps by the caller).
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// The names requests use, so that they collide.
    pub pool: Vec<String>,
    /// zcpair devices of the netns: (ifindex, name), sorted by ifindex.
    pub zc: Vec<(u32, String)>,
    /// The loopback device's ifindex.
    pub lo: u32,
    /// A dummy device that valid requests use as uplink, if one could be
    /// made: (ifindex, name).
    pub uplink: Option<(u32, String)>,
    /// Descriptors for IFLA_NET_NS_FD.
    pub fds: Fds,
    /// Our pid (IFLA_NET_NS_PID of our own netns).
    pub pid: u32,
    pub zcpair_family: Option<u16>,
    pub ethtool_family: Option<u16>,
}

/// File descriptors the fuzzer holds open to pass as IFLA_NET_NS_FD.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fds {
    /// `/proc/self/ns/net`: the one valid value.
    pub netns_self: i32,
    /// `/proc/self/ns/uts`: a namespace, but not a network one.
    pub uts_ns: i32,
    pub devnull: i32,
    pub pipe_r: i32,
    pub pipe_w: i32,
    /// A netlink socket.
    pub sock: i32,
}

impl Ctx {
    /// The pool "zf0".."zf{n-1}".
    pub fn with_pool(n: usize) -> Self {
        Self {
            pool: (0..n).map(|i| format!("zf{i}")).collect(),
            lo: 1,
            pid: std::process::id(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Valid,
    Semi,
    Garbage,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Semi => "semi",
            Self::Garbage => "garbage",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Route,
    Generic,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Case {
    /// Entry point, e.g. "rtnl newlink", "zcpair pair-set".
    pub entry: &'static str,
    pub class: Class,
    pub proto: Proto,
    /// Accepted, it may have created, deleted or renamed devices.
    pub changes_links: bool,
    pub msg: Msg,
}

/// Entry points and their share of the requests, in percent (renormalised
/// over the ones available: without the zcpair family or ethtool, theirs is
/// spread over the rest).
pub const MIX: &[(&str, u32)] = &[
    ("rtnl newlink", 30),
    ("rtnl setlink", 8),
    ("rtnl dellink", 10),
    ("zcpair genl", 27),
    ("ethtool", 25),
];

/// Class shares, in percent: valid, semi-valid, garbage.
pub const CLASS_MIX: [u32; 3] = [35, 40, 25];

/// Chance (percent) that an attribute is corrupted, per class.
const CORRUPT_SEMI: u64 = 12;
const CORRUPT_GARBAGE: u64 = 45;

/// Link-level attribute types a corrupted or random attribute may take
/// (see the module doc for what is left out and why); includes unknown
/// ones above IFLA_MAX.
const LINK_TYPES: &[u16] = &[
    0,
    IFLA_ADDRESS,
    IFLA_BROADCAST,
    IFLA_IFNAME,
    IFLA_MTU,
    IFLA_TXQLEN,
    IFLA_OPERSTATE,
    IFLA_LINKMODE,
    IFLA_LINKINFO,
    IFLA_NUM_TX_QUEUES,
    IFLA_NUM_RX_QUEUES,
    IFLA_CARRIER,
    IFLA_GSO_MAX_SEGS,
    IFLA_GSO_MAX_SIZE,
    50,
    51,
    99,
    200,
    0x3fff,
];

/// Names the kernel refuses (dev_valid_name) or that are unusual.
const ODD_NAMES: [&str; 6] = ["zf/1", "zf 1", "zf:1", ".", "..", "zf\n"];

/// Where an attribute lives: whose parser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// rtnetlink's own attributes (top level, peer): safe types only.
    Link,
    /// zcpair's kind attributes, a genetlink family's: anything goes.
    Own,
}

const IFF_UP: u32 = 1;

pub struct Gen {
    rng: Rng,
    /// Corruption chance of the case being built.
    cp: u64,
    class: Class,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            cp: 0,
            class: Class::Valid,
        }
    }

    /// The next case.
    pub fn next(&mut self, ctx: &Ctx) -> Case {
        let weights: Vec<u32> = MIX
            .iter()
            .map(|&(name, w)| match name {
                "zcpair genl" if ctx.zcpair_family.is_none() => 0,
                "ethtool" if ctx.ethtool_family.is_none() => 0,
                _ => w,
            })
            .collect();
        let entry = self.rng.weighted(&weights);
        self.class = match self.rng.weighted(&CLASS_MIX) {
            0 => Class::Valid,
            1 => Class::Semi,
            _ => Class::Garbage,
        };
        self.cp = match self.class {
            Class::Valid => 0,
            Class::Semi => CORRUPT_SEMI,
            Class::Garbage => CORRUPT_GARBAGE,
        };
        let (entry, proto, changes_links, msg) = match entry {
            0 => ("rtnl newlink", Proto::Route, true, self.newlink(ctx)),
            1 => ("rtnl setlink", Proto::Route, true, self.setlink(ctx)),
            2 => ("rtnl dellink", Proto::Route, true, self.dellink(ctx)),
            3 => {
                let (e, m) = self.zcpair(ctx);
                (e, Proto::Generic, false, m)
            }
            _ => {
                let (e, m) = self.ethtool(ctx);
                (e, Proto::Generic, false, m)
            }
        };
        Case {
            entry,
            class: self.class,
            proto,
            changes_links,
            msg,
        }
    }

    fn valid(&self) -> bool {
        self.class == Class::Valid
    }

    fn garbage(&self) -> bool {
        self.class == Class::Garbage
    }

    /// True with the current corruption chance.
    fn corrupt(&mut self) -> bool {
        self.cp > 0 && self.rng.percent(self.cp)
    }

    fn rand_type(&mut self, level: Level) -> u16 {
        match level {
            Level::Link => *self.rng.pick(LINK_TYPES),
            Level::Own => match self.rng.weighted(&[60, 25, 10, 5]) {
                0 => self.rng.below(12) as u16,
                1 => self.rng.below(64) as u16,
                2 => self.rng.below(1 << 14) as u16,
                _ => {
                    let flag = *self.rng.pick(&[NLA_F_NESTED, NLA_F_NET_BYTEORDER]);
                    self.rng.below(12) as u16 | flag
                }
            },
        }
    }

    /// Puts attribute `ty` with value `val`, or a corruption of it.
    fn put(&mut self, m: &mut Msg, level: Level, ty: u16, val: &[u8]) {
        if !self.corrupt() {
            m.attr(ty, val);
            return;
        }
        match self.rng.below(9) {
            0 => {
                // Wrong length.
                let len = *self.rng.pick(&[0usize, 1, 2, 3, 5, 7, 8, 16]);
                let mut v = val.to_vec();
                let fill = self.rng.bytes(len);
                v.resize(len, 0);
                if len > val.len() {
                    v[val.len()..].copy_from_slice(&fill[val.len()..]);
                }
                m.attr(ty, &v);
            }
            1 => {
                let t = self.rand_type(level);
                m.attr(t, val);
            }
            2 => m.attr(ty ^ NLA_F_NESTED, val),
            3 => {
                m.attr(ty, val);
                let v = self.rng.bytes(val.len());
                m.attr(ty, &v);
            }
            4 => {
                // nla_len lies: past the value, or below the header.
                // Past the value only where the parser is zcpair's: in
                // rtnetlink's attributes the bytes after would be parsed
                // as attributes of their own, of any type (IFLA_GROUP).
                let claimed = if level == Level::Own && self.rng.percent(70) {
                    NLA_HDRLEN + val.len() + self.rng.range(1, 64) as usize
                } else {
                    self.rng.below(NLA_HDRLEN as u64) as usize
                };
                m.attr_claiming(ty, claimed, val);
            }
            5 => {}
            6 => {
                let v = self.rng.bytes(val.len());
                m.attr(ty, &v);
            }
            7 => m.attr(ty, &[]),
            _ => {
                // Extreme values of the same width.
                let v: Vec<u8> = match val.len() {
                    1 => vec![*self.rng.pick(&[0u8, 0x7f, 0x80, 0xff])],
                    2 => self
                        .rng
                        .pick(&[0u16, 0x8000, 0xffff])
                        .to_ne_bytes()
                        .to_vec(),
                    4 => self
                        .rng
                        .pick(&[0u32, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff])
                        .to_ne_bytes()
                        .to_vec(),
                    n => vec![0xff; n],
                };
                m.attr(ty, &v);
            }
        }
    }

    fn put_u8(&mut self, m: &mut Msg, level: Level, ty: u16, v: u8) {
        self.put(m, level, ty, &[v]);
    }

    fn put_u32(&mut self, m: &mut Msg, level: Level, ty: u16, v: u32) {
        self.put(m, level, ty, &v.to_ne_bytes());
    }

    /// Random extra attributes (garbage: 0..4, semi: rarely one).
    fn extras(&mut self, m: &mut Msg, level: Level) {
        let n = match self.class {
            Class::Valid => 0,
            Class::Semi => u64::from(self.rng.percent(10)),
            Class::Garbage => self.rng.below(5),
        };
        for _ in 0..n {
            let t = self.rand_type(level);
            let len = *self.rng.pick(&[0usize, 1, 2, 4, 4, 8, 16, 17, 64]);
            let v = self.rng.bytes(len);
            m.attr(t, &v);
        }
    }

    /// Opens a nest, its NLA_F_NESTED as the kernel wants it (`nested`)
    /// unless corrupted.
    fn nest(&mut self, m: &mut Msg, ty: u16, nested: bool) {
        let flag = if nested ^ self.corrupt() {
            NLA_F_NESTED
        } else {
            0
        };
        m.nest_start(ty | flag);
    }

    // ---- values ----

    fn pool_name(&mut self, ctx: &Ctx) -> String {
        self.rng.pick(&ctx.pool).clone()
    }

    /// An interface name as attribute value (with its NUL unless broken).
    fn name(&mut self, ctx: &Ctx) -> Vec<u8> {
        let with_nul = |s: &str| {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            v
        };
        if self.valid() || !self.rng.percent(40) {
            return with_nul(&self.pool_name(ctx));
        }
        match self.rng.below(10) {
            0 => {
                // Overlong: IFNAMSIZ is 16 with the NUL.
                let n = self.rng.range(14, 40) as usize;
                with_nul(&format!("zf{}", "x".repeat(n)))
            }
            1 => with_nul("zfxxxxxxxxxxxxx"), // 15: the longest valid
            2 => with_nul(""),
            3 => self.pool_name(ctx).into_bytes(), // no NUL
            4 => with_nul("zf%d"),
            5 => {
                let n = *self.rng.pick::<&str>(&ODD_NAMES);
                with_nul(n)
            }
            6 => vec![b'z', b'f', 0xff, 0xfe, 0],
            7 => match ctx.zc.is_empty() {
                true => with_nul("zf0"),
                false => with_nul(&self.rng.pick(&ctx.zc).1.clone()),
            },
            8 => {
                let mut v = with_nul(&self.pool_name(ctx));
                v.extend_from_slice(b"trailing");
                v
            }
            _ => with_nul(&format!("zcpair{}", self.rng.below(4))),
        }
    }

    /// An ifindex that does not exist.
    fn no_such_ifindex(&mut self) -> u32 {
        match self.rng.below(4) {
            0 => 0x0010_0000 + self.rng.below(1000) as u32,
            1 => 0x7fff_ffff,
            2 => 0xffff_ffff,
            _ => 0x8000_0000,
        }
    }

    fn known_zc(&mut self, ctx: &Ctx) -> Option<(u32, String)> {
        if ctx.zc.is_empty() {
            None
        } else {
            Some(self.rng.pick(&ctx.zc).clone())
        }
    }

    /// Target of an rtnetlink request: a zcpair device, 0, or none.
    fn rtnl_ifindex(&mut self, ctx: &Ctx) -> u32 {
        match self.rng.weighted(&[60, 15, 25]) {
            0 => match self.known_zc(ctx) {
                Some((i, _)) => i,
                None => 0,
            },
            1 => 0,
            _ => self.no_such_ifindex(),
        }
    }

    /// An ifindex for zcpair's own attributes and ethtool's header: also
    /// lo and the dummy uplink.
    fn any_ifindex(&mut self, ctx: &Ctx) -> u32 {
        match self.rng.weighted(&[55, 10, 10, 5, 20]) {
            0 => self.known_zc(ctx).map_or(ctx.lo, |z| z.0),
            1 => ctx.lo,
            2 => ctx.uplink.as_ref().map_or(ctx.lo, |u| u.0),
            3 => 0,
            _ => self.no_such_ifindex(),
        }
    }

    fn uplink_value(&mut self, ctx: &Ctx) -> u32 {
        if self.valid() {
            if let Some((i, _)) = &ctx.uplink {
                return *i;
            }
        }
        self.any_ifindex(ctx)
    }

    fn lan_value(&mut self, ctx: &Ctx) -> u32 {
        if self.rng.percent(40) {
            0
        } else {
            self.any_ifindex(ctx)
        }
    }

    fn ring_size(&mut self) -> u32 {
        if self.valid() || self.rng.percent(50) {
            if self.rng.percent(1) {
                return limits::RING_SIZE_MAX;
            }
            return *self.rng.pick(&[16, 32, 64, 128, 256, 512, 1024]);
        }
        let r = self.rng.next_u32();
        *self.rng.pick(&[
            0,
            1,
            8,
            15,
            17,
            100,
            255,
            257,
            limits::RING_SIZE_MAX + 1,
            8192,
            1 << 31,
            u32::MAX,
            r,
        ])
    }

    fn hdr_buf(&mut self) -> u32 {
        if self.valid() || self.rng.percent(50) {
            if self.rng.percent(1) {
                return limits::HDR_BUF_MAX;
            }
            return *self.rng.pick(&[128, 192, 256, 512]);
        }
        let r = self.rng.next_u32();
        *self
            .rng
            .pick(&[0, 64, 127, 129, 130, 1025, 2048, u32::MAX, r])
    }

    fn copybreak(&mut self) -> u32 {
        if self.valid() || self.rng.percent(50) {
            return self.rng.range(0, 128) as u32;
        }
        let r = self.rng.next_u32();
        *self.rng.pick(&[
            limits::COPYBREAK_MAX,
            limits::COPYBREAK_MAX + 1,
            512,
            4096,
            0x8000_0000,
            u32::MAX,
            r,
        ])
    }

    fn queues(&mut self) -> (u32, u32) {
        if self.valid() {
            let n = if self.rng.percent(3) {
                limits::QUEUES_MAX
            } else {
                self.rng.range(1, 4) as u32
            };
            return (n, n);
        }
        let mut one = || {
            *self
                .rng
                .pick(&[0, 1, 2, 4, limits::QUEUES_MAX, limits::QUEUES_MAX + 1, 4096])
        };
        (one(), one())
    }

    fn mtu(&mut self) -> u32 {
        if self.valid() {
            return *self.rng.pick(&[68, 1280, 1500, 9000]);
        }
        *self.rng.pick(&[0, 67, 68, 1500, 65535, 65536, u32::MAX])
    }

    fn mac(&mut self) -> Vec<u8> {
        let mut a = self.rng.bytes(6);
        if self.valid() {
            a[0] = (a[0] & 0xfe) | 0x02; // unicast, locally administered
        }
        a
    }

    /// A value for IFLA_NET_NS_FD: valid is our own netns.
    fn netns_fd(&mut self, ctx: &Ctx) -> u32 {
        if self.valid() {
            return ctx.fds.netns_self as u32;
        }
        let f = &ctx.fds;
        *self.rng.pick(&[
            f.netns_self,
            f.uts_ns,
            f.devnull,
            f.pipe_r,
            f.pipe_w,
            f.sock,
            -1,
            999_999,
            i32::MIN,
        ]) as u32
    }

    fn ifinfomsg(&mut self, m: &mut Msg, index: u32, up: bool) {
        if self.garbage() && self.rng.percent(50) {
            let family = *self.rng.pick(&[0u8, 2, 7, 10, 255]);
            let ty = self.rng.next_u32() as u16;
            let flags = self.rng.next_u32();
            let change = self.rng.next_u32();
            m.ifinfomsg(family, ty, index as i32, flags, change);
        } else {
            let flags = if up { IFF_UP } else { 0 };
            m.ifinfomsg(0, 0, index as i32, flags, 0);
        }
    }

    // ---- rtnetlink ----

    fn create_flags(&mut self) -> u16 {
        let base = NLM_F_REQUEST | NLM_F_ACK;
        if self.valid() || self.rng.percent(60) {
            return base | NLM_F_CREATE | NLM_F_EXCL;
        }
        let mut f = base;
        for flag in [NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND] {
            if self.rng.percent(50) {
                f |= flag;
            }
        }
        f
    }

    fn peer(&mut self, m: &mut Msg, ctx: &Ctx, queues: Option<(u32, u32)>) {
        self.nest(m, uapi::info::PEER, false);
        if self.garbage() && self.rng.percent(15) {
            // Shorter than struct ifinfomsg.
            let n = self.rng.below(IFINFOMSG_LEN as u64) as usize;
            let b = self.rng.bytes(n);
            m.raw(&b);
            m.nest_end();
            return;
        }
        if self.valid() || !self.rng.percent(40) {
            m.ifinfomsg(0, 0, 0, 0, 0);
        } else {
            let b = self.rng.bytes(IFINFOMSG_LEN);
            m.raw(&b);
        }
        if self.rng.percent(90) {
            let n = self.name(ctx);
            self.put(m, Level::Link, IFLA_IFNAME, &n);
        }
        if let Some((tx, rx)) = queues {
            // The peer's must match; semi/garbage may not.
            let (tx, rx) = if self.valid() || self.rng.percent(50) {
                (tx, rx)
            } else {
                self.queues()
            };
            self.put_u32(m, Level::Link, IFLA_NUM_TX_QUEUES, tx);
            self.put_u32(m, Level::Link, IFLA_NUM_RX_QUEUES, rx);
        }
        if self.rng.percent(20) {
            let fd = self.netns_fd(ctx);
            self.put_u32(m, Level::Link, IFLA_NET_NS_FD, fd);
        }
        if !self.valid() && self.rng.percent(8) {
            // Our own pid, or one that does not exist.
            let pid = *self.rng.pick(&[ctx.pid, 0x7fff_fff0, 0]);
            self.put_u32(m, Level::Link, IFLA_NET_NS_PID, pid);
        }
        if !self.valid() && self.rng.percent(5) {
            // nsids that are never assigned.
            let id = *self.rng.pick(&[-1i32, -2, i32::MIN, 0x3fff_ffff]);
            self.put_u32(m, Level::Link, IFLA_TARGET_NETNSID, id as u32);
        }
        if self.rng.percent(15) {
            let v = self.mtu();
            self.put_u32(m, Level::Link, IFLA_MTU, v);
        }
        if self.rng.percent(15) {
            let a = self.mac();
            self.put(m, Level::Link, IFLA_ADDRESS, &a);
        }
        self.extras(m, Level::Link);
        m.nest_end();
    }

    /// IFLA_INFO_KIND "zcpair", or a near miss.
    fn kind(&mut self, m: &mut Msg) {
        if self.valid() || !self.rng.percent(15) {
            m.attr_str(IFLA_INFO_KIND, uapi::LINK_KIND);
            return;
        }
        let opts: [&[u8]; 7] = [
            b"zcpair",
            b"zcpai\0",
            b"zcpairx\0",
            b"ZCPAIR\0",
            b"\0",
            b"",
            b"zcpair\0\0\0\0\0\0\0\0",
        ];
        let v = *self.rng.pick(&opts);
        m.attr(IFLA_INFO_KIND, v);
    }

    fn newlink(&mut self, ctx: &Ctx) -> Msg {
        let flags = self.create_flags();
        let mut m = Msg::new(RTM_NEWLINK, flags);
        let index = if self.valid() || self.rng.percent(70) {
            0
        } else {
            self.rtnl_ifindex(ctx)
        };
        let up = self.rng.percent(30);
        self.ifinfomsg(&mut m, index, up);
        if self.valid() || self.rng.percent(90) {
            let n = self.name(ctx);
            self.put(&mut m, Level::Link, IFLA_IFNAME, &n);
        }
        let queues = if self.rng.percent(25) {
            let q = self.queues();
            self.put_u32(&mut m, Level::Link, IFLA_NUM_TX_QUEUES, q.0);
            self.put_u32(&mut m, Level::Link, IFLA_NUM_RX_QUEUES, q.1);
            Some(q)
        } else {
            None
        };
        if self.rng.percent(10) {
            let v = self.mtu();
            self.put_u32(&mut m, Level::Link, IFLA_MTU, v);
        }
        if !self.valid() && self.rng.percent(5) {
            let fd = self.netns_fd(ctx);
            self.put_u32(&mut m, Level::Link, IFLA_NET_NS_FD, fd);
        }
        self.extras(&mut m, Level::Link);
        if self.valid() || self.rng.percent(95) {
            self.nest(&mut m, IFLA_LINKINFO, false);
            self.kind(&mut m);
            if self.valid() || self.rng.percent(85) {
                self.nest(&mut m, IFLA_INFO_DATA, false);
                self.info_data(&mut m, ctx, queues);
                m.nest_end();
            }
            self.extras(&mut m, Level::Own);
            m.nest_end();
        }
        m
    }

    /// The kind attributes: a pair (with a peer) or a LAN member.
    fn info_data(&mut self, m: &mut Msg, ctx: &Ctx, queues: Option<(u32, u32)>) {
        use uapi::info;
        let lan = self.rng.percent(30);
        if (!lan || (!self.valid() && self.rng.percent(10)))
            && (self.valid() || self.rng.percent(90))
        {
            self.peer(m, ctx, queues);
        }
        if lan {
            let v = self.lan_value(ctx);
            self.put_u32(m, Level::Own, info::LAN, v);
        }
        let hdr = self.hdr_buf();
        if self.rng.percent(40) {
            let v = self.ring_size();
            self.put_u32(m, Level::Own, info::RING_SIZE, v);
        }
        if self.rng.percent(35) {
            self.put_u32(m, Level::Own, info::HDR_BUF, hdr);
        }
        if self.rng.percent(35) {
            let v = self.copybreak();
            self.put_u32(m, Level::Own, info::COPYBREAK, v);
        }
        let uplink_chance = if lan && self.valid() { 0 } else { 10 };
        if self.rng.percent(uplink_chance) {
            let v = self.uplink_value(ctx);
            self.put_u32(m, Level::Own, info::UPLINK, v);
        }
        self.extras(m, Level::Own);
    }

    fn setlink(&mut self, ctx: &Ctx) -> Msg {
        let mut flags = NLM_F_REQUEST | NLM_F_ACK;
        if self.garbage() && self.rng.percent(30) {
            flags |= NLM_F_CREATE;
        }
        let mut m = Msg::new(RTM_SETLINK, flags);
        let index = self.rtnl_ifindex(ctx);
        let up = self.rng.percent(50);
        if self.valid() || self.rng.percent(50) {
            // Up or down: ifi_change says only IFF_UP changes.
            let f = if up { IFF_UP } else { 0 };
            m.ifinfomsg(0, 0, index as i32, f, IFF_UP);
        } else {
            self.ifinfomsg(&mut m, index, up);
        }
        if index == 0 || self.rng.percent(15) {
            // By name, or a rename.
            let n = self.name(ctx);
            self.put(&mut m, Level::Link, IFLA_IFNAME, &n);
        }
        if self.rng.percent(25) {
            let v = self.mtu();
            self.put_u32(&mut m, Level::Link, IFLA_MTU, v);
        }
        if self.rng.percent(15) {
            let a = self.mac();
            self.put(&mut m, Level::Link, IFLA_ADDRESS, &a);
        }
        if self.rng.percent(10) {
            let v = *self.rng.pick(&[0u32, 1, 1000, u32::MAX]);
            self.put_u32(&mut m, Level::Link, IFLA_TXQLEN, v);
        }
        if self.rng.percent(30) {
            self.nest(&mut m, IFLA_LINKINFO, false);
            self.kind(&mut m);
            self.nest(&mut m, IFLA_INFO_DATA, false);
            self.info_data(&mut m, ctx, None);
            m.nest_end();
            m.nest_end();
        }
        self.extras(&mut m, Level::Link);
        m
    }

    fn dellink(&mut self, ctx: &Ctx) -> Msg {
        let mut m = Msg::new(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        let index = self.rtnl_ifindex(ctx);
        self.ifinfomsg(&mut m, index, false);
        if index == 0 || self.rng.percent(10) {
            let n = self.name(ctx);
            self.put(&mut m, Level::Link, IFLA_IFNAME, &n);
        }
        self.extras(&mut m, Level::Link);
        m
    }

    // ---- the zcpair family ----

    /// An ifindex or ifname attribute (or both, or neither) naming a
    /// device for `set` (the pair or lan set: ifindex 1, ifname 2).
    fn device_attrs(&mut self, m: &mut Msg, ctx: &Ctx, ifindex_ty: u16, ifname_ty: u16) {
        let how = if self.valid() {
            self.rng.below(2)
        } else {
            self.rng.below(4)
        };
        if how == 0 || how == 2 {
            let i = self.any_ifindex(ctx);
            self.put_u32(m, Level::Own, ifindex_ty, i);
        }
        if how == 1 || how == 2 {
            let n = match self.known_zc(ctx) {
                Some((_, n)) if self.rng.percent(60) => {
                    let mut v = n.into_bytes();
                    v.push(0);
                    v
                }
                _ if self.rng.percent(10) => b"lo\0".to_vec(),
                _ => self.name(ctx),
            };
            self.put(m, Level::Own, ifname_ty, &n);
        }
    }

    fn zcpair(&mut self, ctx: &Ctx) -> (&'static str, Msg) {
        use uapi::{cmd, lan, pair};
        let family = ctx.zcpair_family.unwrap_or(0);
        let op = self.rng.weighted(&[25, 15, 30, 12, 8, 10]);
        let (entry, command, dump) = match op {
            0 => ("zcpair pair-get", cmd::PAIR_GET, false),
            1 => ("zcpair pair-get dump", cmd::PAIR_GET, true),
            2 => ("zcpair pair-set", cmd::PAIR_SET, false),
            3 => ("zcpair lan-get", cmd::LAN_GET, false),
            4 => ("zcpair lan-get dump", cmd::LAN_GET, true),
            _ => {
                let c = *self.rng.pick(&[
                    0,
                    cmd::PAIR_CREATE_NTF,
                    cmd::PAIR_DELETE_NTF,
                    cmd::PAIR_CHANGE_NTF,
                    cmd::MAX + 1,
                    cmd::MAX + 2,
                    100,
                    255,
                ]);
                ("zcpair unknown-cmd", c, self.rng.percent(30))
            }
        };
        let mut flags = NLM_F_REQUEST | NLM_F_ACK;
        if dump ^ (!self.valid() && self.rng.percent(10)) {
            flags |= NLM_F_DUMP;
        }
        let mut m = Msg::new(family, flags);
        let version = if self.garbage() && self.rng.percent(30) {
            self.rng.next_u32() as u8
        } else {
            uapi::FAMILY_VERSION
        };
        m.genlmsghdr(command, version);
        let set_lan = command == cmd::LAN_GET;
        match (op, dump) {
            (_, true) => {
                if !self.valid() && self.rng.percent(50) {
                    self.device_attrs(&mut m, ctx, 1, 2);
                }
            }
            (2, _) => {
                self.device_attrs(&mut m, ctx, pair::IFINDEX, pair::IFNAME);
                let mut any = false;
                if self.rng.percent(50) {
                    let v = self.copybreak();
                    self.put_u32(&mut m, Level::Own, pair::COPYBREAK, v);
                    any = true;
                }
                if self.rng.percent(40) {
                    let v = if self.valid() || self.rng.percent(50) {
                        self.rng.below(2) as u8
                    } else {
                        *self.rng.pick(&[2u8, 0x80, 0xff])
                    };
                    self.put_u8(&mut m, Level::Own, pair::TX_SEGMENT, v);
                    any = true;
                }
                if self.rng.percent(20) {
                    // Any u32 is valid; the edges and a random one.
                    let r = self.rng.next_u32();
                    let v = *self.rng.pick(&[0, 1, 16_000, u32::MAX, r]);
                    self.put_u32(&mut m, Level::Own, pair::STEER_PPS, v);
                    any = true;
                }
                if self.rng.percent(25) || !any {
                    let v = if self.rng.percent(30) {
                        0 // detach
                    } else {
                        self.uplink_value(ctx)
                    };
                    self.put_u32(&mut m, Level::Own, pair::UPLINK, v);
                }
                if !self.valid() && self.rng.percent(15) {
                    // Reply-only attributes in a request.
                    let t = *self.rng.pick(&[
                        pair::PEER_IFINDEX,
                        pair::QUEUES,
                        pair::LAN,
                        pair::UPLINK_IFNAME,
                        pair::PEER_NETNSID,
                    ]);
                    self.put_u32(&mut m, Level::Own, t, 1);
                }
                if !self.valid() && self.rng.percent(10) {
                    m.nest_start(pair::STATS | NLA_F_NESTED);
                    self.put_u32(&mut m, Level::Own, 1, 0);
                    m.nest_end();
                }
            }
            _ if set_lan => self.device_attrs(&mut m, ctx, lan::IFINDEX, lan::IFNAME),
            _ => self.device_attrs(&mut m, ctx, pair::IFINDEX, pair::IFNAME),
        }
        self.extras(&mut m, Level::Own);
        if self.garbage() && self.rng.percent(30) {
            // Random bytes after the genlmsghdr: this family parses them
            // all itself.
            let p = m.payload_mut();
            if p.len() > GENL_HDRLEN {
                for _ in 0..self.rng.range(1, 4) {
                    let i = GENL_HDRLEN + self.rng.below((p.len() - GENL_HDRLEN) as u64) as usize;
                    p[i] = self.rng.next_u32() as u8;
                }
            }
        }
        if !self.valid() && self.rng.percent(5) {
            let n = NLMSG_HDRLEN + self.rng.below((m.len() - NLMSG_HDRLEN + 1) as u64) as usize;
            m.truncate(n);
        }
        (entry, m)
    }

    // ---- ethtool ----

    fn ethtool_header(&mut self, m: &mut Msg, ctx: &Ctx) {
        self.nest(m, et::A_HEADER, true);
        let by_name = self.rng.percent(30);
        if by_name {
            let n = match self.known_zc(ctx) {
                Some((_, n)) if self.rng.percent(70) => {
                    let mut v = n.into_bytes();
                    v.push(0);
                    v
                }
                _ => self.name(ctx),
            };
            self.put(m, Level::Link, et::A_HEADER_DEV_NAME, &n);
        }
        if !by_name || (!self.valid() && self.rng.percent(20)) {
            let i = self.any_ifindex(ctx);
            self.put_u32(m, Level::Link, et::A_HEADER_DEV_INDEX, i);
        }
        if self.rng.percent(20) {
            let f = if self.valid() {
                self.rng.below(u64::from(et::FLAGS_BASIC) + 1) as u32
            } else {
                self.rng.next_u32()
            };
            self.put_u32(m, Level::Link, et::A_HEADER_FLAGS, f);
        }
        m.nest_end();
    }

    /// A ring size for ethtool -G: zcpair's range, and outside it.
    fn et_ring(&mut self) -> u32 {
        if self.valid() || self.rng.percent(50) {
            return *self.rng.pick(&[16, 64, 256, 512, 1024, 4096]);
        }
        let r = self.rng.next_u32();
        *self.rng.pick(&[0, 1, 15, 17, 100, 4097, 8192, u32::MAX, r])
    }

    fn ethtool(&mut self, ctx: &Ctx) -> (&'static str, Msg) {
        let family = ctx.ethtool_family.unwrap_or(0);
        let op = self.rng.weighted(&[30, 30, 30, 10]);
        let (entry, cmd, max_known) = match op {
            0 => (
                "ethtool rings-set",
                et::MSG_RINGS_SET,
                et::A_RINGS_MAX_KNOWN,
            ),
            1 => (
                "ethtool channels-set",
                et::MSG_CHANNELS_SET,
                et::A_CHANNELS_MAX_KNOWN,
            ),
            2 => (
                "ethtool coalesce-set",
                et::MSG_COALESCE_SET,
                et::A_COALESCE_MAX_KNOWN,
            ),
            _ => {
                let c = *self.rng.pick(&[
                    et::MSG_RINGS_GET,
                    et::MSG_CHANNELS_GET,
                    et::MSG_COALESCE_GET,
                ]);
                ("ethtool get", c, 0)
            }
        };
        let mut m = Msg::new(family, NLM_F_REQUEST | NLM_F_ACK);
        m.genlmsghdr(cmd, et::GENL_VERSION);
        self.ethtool_header(&mut m, ctx);
        match op {
            0 => {
                let rx = self.et_ring();
                let tx = if self.valid() && self.rng.percent(70) {
                    rx
                } else {
                    self.et_ring()
                };
                if self.rng.percent(80) {
                    self.put_u32(&mut m, Level::Own, et::A_RINGS_RX, rx);
                }
                if self.rng.percent(80) {
                    self.put_u32(&mut m, Level::Own, et::A_RINGS_TX, tx);
                }
                if !self.valid() && self.rng.percent(20) {
                    let t = *self.rng.pick(&[
                        et::A_RINGS_RX_MINI,
                        et::A_RINGS_RX_JUMBO,
                        et::A_RINGS_RX_BUF_LEN,
                        et::A_RINGS_CQE_SIZE,
                    ]);
                    let v = self.et_ring();
                    self.put_u32(&mut m, Level::Own, t, v);
                }
                if !self.valid() && self.rng.percent(10) {
                    let t = *self
                        .rng
                        .pick(&[et::A_RINGS_TCP_DATA_SPLIT, et::A_RINGS_TX_PUSH]);
                    let v = self.rng.below(3) as u8;
                    self.put_u8(&mut m, Level::Own, t, v);
                }
            }
            1 => {
                let max = limits::QUEUES_MAX;
                let n = if self.valid() || self.rng.percent(50) {
                    self.rng.range(1, u64::from(max)) as u32
                } else {
                    *self.rng.pick(&[0, max + 1, 64, u32::MAX])
                };
                if self.rng.percent(85) {
                    self.put_u32(&mut m, Level::Own, et::A_CHANNELS_COMBINED_COUNT, n);
                }
                if !self.valid() && self.rng.percent(30) {
                    let t = *self.rng.pick(&[
                        et::A_CHANNELS_RX_COUNT,
                        et::A_CHANNELS_TX_COUNT,
                        et::A_CHANNELS_OTHER_COUNT,
                    ]);
                    let v = *self.rng.pick(&[0u32, 1, 2, max + 1]);
                    self.put_u32(&mut m, Level::Own, t, v);
                }
            }
            2 => {
                if self.rng.percent(70) {
                    let v = if self.valid() || self.rng.percent(50) {
                        self.rng.range(0, u64::from(limits::TX_USECS_MAX)) as u32
                    } else {
                        *self
                            .rng
                            .pick(&[limits::TX_USECS_MAX + 1, 1 << 31, u32::MAX])
                    };
                    self.put_u32(&mut m, Level::Own, et::A_COALESCE_TX_USECS, v);
                }
                if self.rng.percent(70) {
                    let v = if self.valid() || self.rng.percent(50) {
                        self.rng.range(0, u64::from(limits::TX_FRAMES_MAX)) as u32
                    } else {
                        *self.rng.pick(&[limits::TX_FRAMES_MAX + 1, 4096, u32::MAX])
                    };
                    self.put_u32(&mut m, Level::Own, et::A_COALESCE_TX_MAX_FRAMES, v);
                }
                if !self.valid() && self.rng.percent(25) {
                    // Parameters zcpair does not support.
                    let t = *self.rng.pick(&[
                        et::A_COALESCE_RX_USECS,
                        et::A_COALESCE_RX_MAX_FRAMES,
                        et::A_COALESCE_USE_ADAPTIVE_RX,
                        et::A_COALESCE_USE_ADAPTIVE_TX,
                    ]);
                    if t >= et::A_COALESCE_USE_ADAPTIVE_RX {
                        self.put_u8(&mut m, Level::Own, t, 1);
                    } else {
                        self.put_u32(&mut m, Level::Own, t, 10);
                    }
                }
            }
            _ => {}
        }
        if !self.valid() && self.rng.percent(15) && max_known > 0 {
            // Unknown attributes above the known ones.
            let t = max_known + 1 + self.rng.below(8) as u16;
            let v = self.rng.next_u32();
            self.put_u32(&mut m, Level::Own, t, v);
        }
        self.extras(&mut m, Level::Own);
        (entry, m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        let mut c = Ctx::with_pool(16);
        c.pid = 4242;
        c.zc = vec![(5, "zf1".into()), (6, "zf2".into()), (9, "zf7".into())];
        c.uplink = Some((3, "zfup0".into()));
        c.fds = Fds {
            netns_self: 10,
            uts_ns: 11,
            devnull: 12,
            pipe_r: 13,
            pipe_w: 14,
            sock: 15,
        };
        c.zcpair_family = Some(40);
        c.ethtool_family = Some(41);
        c
    }

    fn run(seed: u64, n: usize) -> Vec<(&'static str, Class, Vec<u8>)> {
        let ctx = ctx();
        let mut g = Gen::new(seed);
        (0..n)
            .map(|i| {
                let c = g.next(&ctx);
                (c.entry, c.class, c.msg.finish(i as u32))
            })
            .collect()
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(run(1234, 3000), run(1234, 3000));
        assert_ne!(run(1234, 50), run(1235, 50));
    }

    #[test]
    fn every_entry_point_and_class_is_generated() {
        let cases = run(99, 5000);
        for e in [
            "rtnl newlink",
            "rtnl setlink",
            "rtnl dellink",
            "zcpair pair-get",
            "zcpair pair-get dump",
            "zcpair pair-set",
            "zcpair lan-get",
            "zcpair lan-get dump",
            "zcpair unknown-cmd",
            "ethtool rings-set",
            "ethtool channels-set",
            "ethtool coalesce-set",
            "ethtool get",
        ] {
            assert!(cases.iter().any(|c| c.0 == e), "{e} never generated");
        }
        for cl in [Class::Valid, Class::Semi, Class::Garbage] {
            assert!(cases.iter().any(|c| c.1 == cl));
        }
    }

    /// Whether attribute `type` under `path` is a nest.
    type IsNest = dyn Fn(&[u16], u16) -> bool;

    /// Walks attributes recursively, checking every nla_len fits its
    /// parent and the padding; `nests` says which types are nests.
    fn check_attrs(b: &[u8], nests: &IsNest, path: &mut Vec<u16>) {
        let mut off = 0;
        while off < b.len() {
            assert!(off + NLA_HDRLEN <= b.len(), "{path:?}: header past end");
            let len = get_u16(b, off) as usize;
            let ty = get_u16(b, off + 2) & !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
            assert!(
                len >= NLA_HDRLEN && off + len <= b.len(),
                "{path:?}/{ty}: nla_len {len}"
            );
            let v = &b[off + NLA_HDRLEN..off + len];
            if nests(path, ty) {
                path.push(ty);
                // The peer: an ifinfomsg, then attributes.
                let skip = if path.ends_with(&[IFLA_LINKINFO, IFLA_INFO_DATA, uapi::info::PEER]) {
                    IFINFOMSG_LEN
                } else {
                    0
                };
                check_attrs(&v[skip..], nests, path);
                path.pop();
            }
            off += align(len);
        }
        assert_eq!(off, b.len(), "{path:?}: trailing bytes");
    }

    #[test]
    fn valid_messages_are_well_formed() {
        let ctx = ctx();
        let mut g = Gen::new(7);
        let mut seen = 0;
        for _ in 0..5000 {
            let c = g.next(&ctx);
            if c.class != Class::Valid {
                continue;
            }
            seen += 1;
            let b = c.msg.finish(1);
            assert_eq!(get_u32(&b, 0) as usize, b.len());
            assert_eq!(b.len() % 4, 0);
            let flags = get_u16(&b, 6);
            assert!(flags & NLM_F_REQUEST != 0 && flags & NLM_F_ACK != 0);
            let (fixed, is_nest): (usize, &IsNest) = match c.proto {
                Proto::Route => (IFINFOMSG_LEN, &|p: &[u16], t| match p {
                    [] => t == IFLA_LINKINFO,
                    [IFLA_LINKINFO] => t == IFLA_INFO_DATA,
                    [IFLA_LINKINFO, IFLA_INFO_DATA] => t == uapi::info::PEER,
                    _ => false,
                }),
                Proto::Generic => (GENL_HDRLEN, &|p: &[u16], t| {
                    p.is_empty() && c.entry.starts_with("ethtool") && t == et::A_HEADER
                }),
            };
            let payload = &b[NLMSG_HDRLEN..];
            assert!(payload.len() >= fixed);
            check_attrs(&payload[fixed..], is_nest, &mut Vec::new());
            if c.entry == "rtnl newlink" {
                assert_eq!(get_u16(&b, 4), RTM_NEWLINK);
                assert_eq!(
                    flags & (NLM_F_CREATE | NLM_F_EXCL),
                    NLM_F_CREATE | NLM_F_EXCL
                );
                let (_, li) = attrs(&payload[fixed..])
                    .find(|&(t, _)| t == IFLA_LINKINFO)
                    .expect("valid newlink has IFLA_LINKINFO");
                assert_eq!(attrs(li).next(), Some((IFLA_INFO_KIND, &b"zcpair\0"[..])));
            }
            if c.entry.starts_with("zcpair") {
                assert_eq!(get_u16(&b, 4), 40);
                assert_eq!(b[NLMSG_HDRLEN + 1], uapi::FAMILY_VERSION);
                if c.entry != "zcpair unknown-cmd" {
                    assert_eq!(flags & NLM_F_DUMP != 0, c.entry.ends_with("dump"));
                }
            }
        }
        assert!(seen > 1000);
    }

    #[test]
    fn rtnl_targets_are_safe() {
        // ifi_index of rtnetlink requests: 0, a zcpair device, or one
        // that cannot exist; never lo (1) or the uplink (3).
        let ctx = ctx();
        let mut g = Gen::new(5);
        for _ in 0..20000 {
            let c = g.next(&ctx);
            if c.proto != Proto::Route {
                continue;
            }
            let b = c.msg.finish(0);
            let idx = get_u32(&b, NLMSG_HDRLEN + 4);
            assert!(
                idx == 0 || [5, 6, 9].contains(&idx) || idx >= 0x0010_0000,
                "{} ifindex {idx}",
                c.entry
            );
            for (t, _) in attrs(&b[NLMSG_HDRLEN + IFINFOMSG_LEN..]) {
                assert!(t != 27 && t != 10 && t != IFLA_TARGET_NETNSID, "type {t}");
            }
        }
    }
}
