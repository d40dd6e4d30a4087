// SPDX-License-Identifier: GPL-2.0
//! zcpairctl: create, inspect and tune zcpair device pairs over netlink,
//! and send and check UDP traffic through them (`send`, `recv`:
//! [`multidest`]).
//!
//! The library holds everything but `main`, so that the integration tests
//! (`tests/`) can build requests and parse replies without a kernel.

pub mod cli;
pub mod commands;
pub mod describe;
pub mod error;
pub mod extack;
pub mod genl;
pub mod multidest;
pub mod netns;
pub mod nl;
pub mod output;
pub mod pattern;
pub mod rtnl;
pub mod uapi;
pub mod udp;
