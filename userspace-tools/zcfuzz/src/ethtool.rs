// SPDX-License-Identifier: GPL-2.0
//! The ethtool netlink numbers the fuzzer uses, from
//! `<linux/ethtool_netlink.h>` (uapi; `ethtool_netlink_generated.h` in
//! newer kernels). Hard-coded: they are uapi and never change.

/// `ETHTOOL_GENL_NAME`.
pub const GENL_NAME: &str = "ethtool";
/// `ETHTOOL_GENL_VERSION`.
pub const GENL_VERSION: u8 = 1;

// enum ethtool_msg (user to kernel)
pub const MSG_RINGS_GET: u8 = 15;
pub const MSG_RINGS_SET: u8 = 16;
pub const MSG_CHANNELS_GET: u8 = 17;
pub const MSG_CHANNELS_SET: u8 = 18;
pub const MSG_COALESCE_GET: u8 = 19;
pub const MSG_COALESCE_SET: u8 = 20;

/// `ETHTOOL_A_RINGS_HEADER`, `ETHTOOL_A_CHANNELS_HEADER`,
/// `ETHTOOL_A_COALESCE_HEADER`: attribute 1 of every request.
pub const A_HEADER: u16 = 1;

// ETHTOOL_A_HEADER_*
pub const A_HEADER_DEV_INDEX: u16 = 1;
pub const A_HEADER_DEV_NAME: u16 = 2;
pub const A_HEADER_FLAGS: u16 = 3;
/// `ETHTOOL_FLAG_COMPACT_BITSETS | ETHTOOL_FLAG_OMIT_REPLY`: the flags
/// every request takes (ETHTOOL_FLAG_STATS, 4, only some GETs).
pub const FLAGS_BASIC: u32 = 0x3;

// ETHTOOL_A_RINGS_*
pub const A_RINGS_RX: u16 = 6;
pub const A_RINGS_RX_MINI: u16 = 7;
pub const A_RINGS_RX_JUMBO: u16 = 8;
pub const A_RINGS_TX: u16 = 9;
pub const A_RINGS_RX_BUF_LEN: u16 = 10;
pub const A_RINGS_TCP_DATA_SPLIT: u16 = 11;
pub const A_RINGS_CQE_SIZE: u16 = 12;
pub const A_RINGS_TX_PUSH: u16 = 13;
pub const A_RINGS_MAX_KNOWN: u16 = 18;

// ETHTOOL_A_CHANNELS_*
pub const A_CHANNELS_RX_COUNT: u16 = 6;
pub const A_CHANNELS_TX_COUNT: u16 = 7;
pub const A_CHANNELS_OTHER_COUNT: u16 = 8;
pub const A_CHANNELS_COMBINED_COUNT: u16 = 9;
pub const A_CHANNELS_MAX_KNOWN: u16 = 9;

// ETHTOOL_A_COALESCE_*
pub const A_COALESCE_RX_USECS: u16 = 2;
pub const A_COALESCE_RX_MAX_FRAMES: u16 = 3;
pub const A_COALESCE_TX_USECS: u16 = 6;
pub const A_COALESCE_TX_MAX_FRAMES: u16 = 7;
pub const A_COALESCE_USE_ADAPTIVE_RX: u16 = 11;
pub const A_COALESCE_USE_ADAPTIVE_TX: u16 = 12;
pub const A_COALESCE_MAX_KNOWN: u16 = 30;
