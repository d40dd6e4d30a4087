// SPDX-License-Identifier: GPL-2.0
//! Building netlink messages byte by byte: `nlmsghdr`, fixed headers,
//! attributes and nests, with the 4-byte alignment of `<linux/netlink.h>`,
//! and deliberately broken variants of each (the fuzzer's raw material).

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;
/// Size of `struct ifinfomsg`.
pub const IFINFOMSG_LEN: usize = 16;
/// Size of `struct genlmsghdr`.
pub const GENL_HDRLEN: usize = 4;

pub const NLA_F_NESTED: u16 = 1 << 15;
pub const NLA_F_NET_BYTEORDER: u16 = 1 << 14;

// <linux/netlink.h>
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLM_F_REQUEST: u16 = 0x01;
#[cfg(test)]
pub const NLM_F_MULTI: u16 = 0x02;
pub const NLM_F_ACK: u16 = 0x04;
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;
#[cfg(test)]
pub const NLM_F_CAPPED: u16 = 0x100;
pub const NLM_F_ACK_TLVS: u16 = 0x200;

// <linux/rtnetlink.h>
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;

// <linux/if_link.h>
pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_BROADCAST: u16 = 2;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_TXQLEN: u16 = 13;
pub const IFLA_OPERSTATE: u16 = 16;
pub const IFLA_LINKMODE: u16 = 17;
pub const IFLA_LINKINFO: u16 = 18;
pub const IFLA_NET_NS_PID: u16 = 19;
pub const IFLA_NET_NS_FD: u16 = 28;
pub const IFLA_NUM_TX_QUEUES: u16 = 31;
pub const IFLA_NUM_RX_QUEUES: u16 = 32;
pub const IFLA_CARRIER: u16 = 33;
pub const IFLA_GSO_MAX_SEGS: u16 = 40;
pub const IFLA_GSO_MAX_SIZE: u16 = 41;
pub const IFLA_TARGET_NETNSID: u16 = 46;
pub const IFLA_INFO_KIND: u16 = 1;
pub const IFLA_INFO_DATA: u16 = 2;

// <linux/genetlink.h>
pub const GENL_ID_CTRL: u16 = 16;
pub const CTRL_CMD_GETFAMILY: u8 = 3;
pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// `NLA_ALIGN`.
pub const fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// A netlink message under construction. The `nlmsghdr` is written by
/// [`Msg::new`] and its length and sequence number by [`Msg::finish`].
#[derive(Debug, Clone)]
pub struct Msg {
    buf: Vec<u8>,
    nests: Vec<usize>,
}

impl Msg {
    pub fn new(ty: u16, flags: u16) -> Self {
        let mut buf = vec![0u8; NLMSG_HDRLEN];
        buf[4..6].copy_from_slice(&ty.to_ne_bytes());
        buf[6..8].copy_from_slice(&flags.to_ne_bytes());
        Self {
            buf,
            nests: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    fn pad(&mut self) {
        self.buf.resize(align(self.buf.len()), 0);
    }

    /// A fixed header (`ifinfomsg`, `genlmsghdr`) or any raw bytes,
    /// padded to 4.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.pad();
    }

    /// `struct ifinfomsg`.
    pub fn ifinfomsg(&mut self, family: u8, ty: u16, index: i32, flags: u32, change: u32) {
        let mut b = [0u8; IFINFOMSG_LEN];
        b[0] = family;
        b[2..4].copy_from_slice(&ty.to_ne_bytes());
        b[4..8].copy_from_slice(&index.to_ne_bytes());
        b[8..12].copy_from_slice(&flags.to_ne_bytes());
        b[12..16].copy_from_slice(&change.to_ne_bytes());
        self.raw(&b);
    }

    /// `struct genlmsghdr`.
    pub fn genlmsghdr(&mut self, cmd: u8, version: u8) {
        self.raw(&[cmd, version, 0, 0]);
    }

    /// A well-formed attribute.
    pub fn attr(&mut self, ty: u16, value: &[u8]) {
        self.attr_claiming(ty, NLA_HDRLEN + value.len(), value);
    }

    /// An attribute whose `nla_len` says `claimed` whatever the value's
    /// real length (a lie when they differ); padded to 4 after the value.
    pub fn attr_claiming(&mut self, ty: u16, claimed: usize, value: &[u8]) {
        self.buf
            .extend_from_slice(&(claimed.min(0xffff) as u16).to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.pad();
    }

    #[cfg(test)]
    pub fn attr_u8(&mut self, ty: u16, v: u8) {
        self.attr(ty, &[v]);
    }

    pub fn attr_u32(&mut self, ty: u16, v: u32) {
        self.attr(ty, &v.to_ne_bytes());
    }

    /// A NUL-terminated string.
    pub fn attr_str(&mut self, ty: u16, s: &str) {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.attr(ty, &v);
    }

    /// Opens a nest of type `ty` (pass `NLA_F_NESTED` in `ty` to set it).
    pub fn nest_start(&mut self, ty: u16) {
        self.nests.push(self.buf.len());
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&ty.to_ne_bytes());
    }

    /// Closes the innermost nest: its `nla_len` covers what was added.
    pub fn nest_end(&mut self) {
        let start = self.nests.pop().expect("nest_end without nest_start");
        let len = (self.buf.len() - start).min(0xffff) as u16;
        self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    }

    /// Mutable access to the bytes after the `nlmsghdr` (for byte-level
    /// mutations of families whose whole payload is the target's own).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buf[NLMSG_HDRLEN..]
    }

    /// Cuts the message to `len` bytes (at least the header).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len.max(NLMSG_HDRLEN));
        self.nests.clear();
    }

    /// The finished message: open nests closed, `nlmsg_len` the true
    /// length (the kernel drops a message whose length lies without an
    /// answer, which would be our bug, not a hang), `nlmsg_seq` = `seq`.
    pub fn finish(mut self, seq: u32) -> Vec<u8> {
        while !self.nests.is_empty() {
            self.nest_end();
        }
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.buf
    }
}

pub fn get_u16(b: &[u8], off: usize) -> u16 {
    u16::from_ne_bytes([b[off], b[off + 1]])
}

pub fn get_u32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// Iterates the well-formed attributes of `b` as (type without flags,
/// value); stops at the first malformed one.
pub fn attrs(b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut off = 0;
    std::iter::from_fn(move || {
        if off + NLA_HDRLEN > b.len() {
            return None;
        }
        let len = get_u16(b, off) as usize;
        let ty = get_u16(b, off + 2) & !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
        if len < NLA_HDRLEN || off + len > b.len() {
            return None;
        }
        let value = &b[off + NLA_HDRLEN..off + len];
        off += align(len);
        Some((ty, value))
    })
}

/// The netlink messages of one datagram: (type, flags, seq, payload).
pub fn messages(b: &[u8]) -> impl Iterator<Item = (u16, u16, u32, &[u8])> {
    let mut off = 0;
    std::iter::from_fn(move || {
        if off + NLMSG_HDRLEN > b.len() {
            return None;
        }
        let len = get_u32(b, off) as usize;
        if len < NLMSG_HDRLEN || off + len > b.len() {
            return None;
        }
        let m = (
            get_u16(b, off + 4),
            get_u16(b, off + 6),
            get_u32(b, off + 8),
            &b[off + NLMSG_HDRLEN..off + len],
        );
        off += align(len);
        Some(m)
    })
}

/// A string attribute's value without its NUL.
pub fn c_string(v: &[u8]) -> String {
    let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// Lowercase hex, for printing messages.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_length_and_seq() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        m.ifinfomsg(0, 0, 0, 0, 0);
        let b = m.finish(77);
        assert_eq!(b.len(), NLMSG_HDRLEN + IFINFOMSG_LEN);
        assert_eq!(get_u32(&b, 0) as usize, b.len());
        assert_eq!(get_u16(&b, 4), RTM_NEWLINK);
        assert_eq!(get_u16(&b, 6), NLM_F_REQUEST | NLM_F_ACK);
        assert_eq!(get_u32(&b, 8), 77);
    }

    #[test]
    fn attributes_are_padded() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_REQUEST);
        m.attr_u8(1, 9);
        m.attr_str(IFLA_IFNAME, "zf1");
        m.attr_u32(4, 1500);
        let b = m.finish(0);
        // u8: 4 + 1 -> 8; "zf1\0": 4 + 4 -> 8; u32: 8.
        assert_eq!(b.len(), NLMSG_HDRLEN + 8 + 8 + 8);
        let p = &b[NLMSG_HDRLEN..];
        assert_eq!(get_u16(p, 0), 5);
        assert_eq!(p[4], 9);
        assert_eq!(&p[5..8], &[0, 0, 0]);
        assert_eq!(get_u16(p, 8), 8);
        assert_eq!(&p[12..16], b"zf1\0");
        let got: Vec<_> = attrs(p).map(|(t, v)| (t, v.len())).collect();
        assert_eq!(got, vec![(1, 1), (IFLA_IFNAME, 4), (4, 4)]);
    }

    #[test]
    fn nests_cover_their_content() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_REQUEST);
        m.ifinfomsg(0, 0, 0, 0, 0);
        m.nest_start(IFLA_LINKINFO);
        m.attr_str(IFLA_INFO_KIND, "zcpair");
        m.nest_start(IFLA_INFO_DATA | NLA_F_NESTED);
        m.attr_u32(2, 256);
        m.nest_end();
        m.nest_end();
        let b = m.finish(1);
        let p = &b[NLMSG_HDRLEN + IFINFOMSG_LEN..];
        // kind: 4 + 7 -> 12; data: 4 + 8 = 12; linkinfo: 4 + 12 + 12 = 28.
        assert_eq!(get_u16(p, 0), 28);
        assert_eq!(p.len(), 28);
        let (ty, linkinfo) = attrs(p).next().unwrap();
        assert_eq!(ty, IFLA_LINKINFO);
        let inner: Vec<_> = attrs(linkinfo).collect();
        assert_eq!(inner[0], (IFLA_INFO_KIND, &b"zcpair\0"[..]));
        assert_eq!(inner[1].0, IFLA_INFO_DATA);
        assert_eq!(get_u16(linkinfo, 12 + 2), IFLA_INFO_DATA | NLA_F_NESTED);
        assert_eq!(
            attrs(inner[1].1).next(),
            Some((2, &256u32.to_ne_bytes()[..]))
        );
    }

    #[test]
    fn unclosed_nests_are_closed_and_truncation_keeps_length_true() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_REQUEST);
        m.nest_start(IFLA_LINKINFO);
        m.attr_u32(1, 1);
        let b = m.clone().finish(0);
        assert_eq!(get_u16(&b, NLMSG_HDRLEN), 12);
        m.truncate(NLMSG_HDRLEN + 6);
        let b = m.finish(0);
        assert_eq!(b.len(), NLMSG_HDRLEN + 6);
        assert_eq!(get_u32(&b, 0) as usize, b.len());
    }

    #[test]
    fn lying_length() {
        let mut m = Msg::new(RTM_NEWLINK, NLM_F_REQUEST);
        m.attr_claiming(3, 40, b"ab");
        let b = m.finish(0);
        assert_eq!(b.len(), NLMSG_HDRLEN + 8);
        assert_eq!(get_u16(&b, NLMSG_HDRLEN), 40);
        assert_eq!(attrs(&b[NLMSG_HDRLEN..]).count(), 0);
    }

    #[test]
    fn parse_messages() {
        let a = Msg::new(NLMSG_DONE, NLM_F_MULTI).finish(5);
        let mut m = Msg::new(RTM_NEWLINK, 0);
        m.raw(&[1, 2, 3]);
        let mut d = m.finish(6);
        d.extend_from_slice(&a);
        let got: Vec<_> = messages(&d)
            .map(|(t, f, s, p)| (t, f, s, p.len()))
            .collect();
        assert_eq!(
            got,
            vec![(RTM_NEWLINK, 0, 6, 4), (NLMSG_DONE, NLM_F_MULTI, 5, 0)]
        );
    }
}
