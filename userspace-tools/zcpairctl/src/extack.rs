// SPDX-License-Identifier: GPL-2.0
//! Extended acks: the TLVs after an NLMSG_ERROR's echoed request, or after
//! an NLMSG_DONE's status.
//!
//! netlink-packet-core hands us the NLMSG_ERROR payload after the error
//! code (`ErrorMessage::header`): the echoed `nlmsghdr`, then the echoed
//! request payload unless the kernel capped it (NLM_F_CAPPED, which
//! NETLINK_CAP_ACK asks for), then the TLVs if NLM_F_ACK_TLVS is set. The
//! TLVs are walked with netlink-packet-core's NlasIterator.

use netlink_packet_core::{parse_string, parse_u32, NlasIterator, NLM_F_ACK_TLVS, NLM_F_CAPPED};

/// `enum nlmsgerr_attrs` of `<linux/netlink.h>`.
pub const NLMSGERR_ATTR_MSG: u16 = 1;
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;

/// Size of `struct nlmsghdr`.
const NLMSG_HDRLEN: usize = 16;

/// What an extended ack told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extack {
    /// NLMSGERR_ATTR_MSG: the human-readable reason.
    pub msg: Option<String>,
    /// NLMSGERR_ATTR_OFFS: offset of the offending attribute in the request.
    pub offset: Option<u32>,
    /// NLMSGERR_ATTR_MISS_TYPE: the type of a missing attribute.
    pub missing_type: Option<u32>,
}

/// Decode the TLVs of an NLMSG_ERROR. `flags` are the error message's own
/// nlmsg_flags, `payload` what follows its error code.
pub fn from_error(flags: u16, payload: &[u8]) -> Extack {
    if flags & NLM_F_ACK_TLVS == 0 || payload.len() < NLMSG_HDRLEN {
        return Extack::default();
    }
    let echoed = if flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        // The whole request is echoed: skip nlmsg_len bytes, aligned.
        let len = u32::from_ne_bytes(payload[..4].try_into().unwrap()) as usize;
        (len.max(NLMSG_HDRLEN) + 3) & !3
    };
    payload.get(echoed..).map(from_tlvs).unwrap_or_default()
}

/// Decode a run of `NLMSGERR_ATTR_*` TLVs. Malformed input yields what
/// was readable before it.
pub fn from_tlvs(tlvs: &[u8]) -> Extack {
    let mut ext = Extack::default();
    for nla in NlasIterator::new(tlvs) {
        let Ok(nla) = nla else { break };
        match nla.kind() {
            NLMSGERR_ATTR_MSG => ext.msg = parse_string(nla.value()).ok(),
            NLMSGERR_ATTR_OFFS => ext.offset = parse_u32(nla.value()).ok(),
            NLMSGERR_ATTR_MISS_TYPE => ext.missing_type = parse_u32(nla.value()).ok(),
            _ => {}
        }
    }
    ext
}
