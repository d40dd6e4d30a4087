// SPDX-License-Identifier: GPL-2.0
//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown at the end of `zcpairctl --help`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  the request failed: the kernel refused it (netlink error, printed as
     \"Error: <reason>.\"), or it could not be made (netns, socket)
  2  usage error

Examples:
  zcpairctl add zc0 peer zc1 ring 512 copybreak 256
  zcpairctl set zc0 tx-segment on
  zcpairctl -n blue show --json
  zcpairctl stats zc0 --watch 1";

#[derive(Parser, Debug, PartialEq, Eq)]
#[command(
    name = "zcpairctl",
    version,
    about = "Create, inspect and tune zcpair device pairs",
    long_about = "Create, inspect and tune zcpair device pairs.\n\n\
        Pairs are created and deleted with rtnetlink (link kind \"zcpair\"); \
        show, set, stats and monitor use the \"zcpair\" generic netlink family.",
    after_help = EXIT_STATUS_HELP,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Run in network namespace NS (/run/netns/NS), like `ip -n NS`
    #[arg(short = 'n', long = "netns", value_name = "NS", global = true)]
    pub netns: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// `set`'s synopsis.
pub const SET_USAGE: &str = "zcpairctl set NAME { copybreak N | tx-segment on|off }";

/// Keywords of `add`, in the order the help lists them.
pub const ADD_USAGE: &str =
    "zcpairctl add NAME peer PEER [netns NS] [peer-netns NS] [ring N] [hdr-buf N] [copybreak N]";

#[derive(Subcommand, Debug, PartialEq, Eq)]
pub enum Command {
    /// Create a pair NAME <-> PEER (one RTM_NEWLINK of kind zcpair)
    #[command(
        override_usage = ADD_USAGE,
        after_help = "Keywords:\n  \
            peer PEER        name of the other end (required)\n  \
            netns NS         create NAME in netns NS (/run/netns/NS)\n  \
            peer-netns NS    create PEER in netns NS\n  \
            ring N           descriptor ring slots per direction, a power of two\n  \
            hdr-buf N        bytes of the header buffer of each slot\n  \
            copybreak N      frames up to N bytes are copied whole (<= hdr-buf)\n\n\
            The kernel applies its defaults to what is not given and checks the values."
    )]
    Add(AddArgs),

    /// Delete a zcpair device (and with it its peer)
    Del {
        /// The device (either end of the pair)
        name: String,
    },

    /// Show one pair end, or every zcpair device of the netns
    Show {
        /// The device; all zcpair devices when left out
        name: Option<String>,
        /// Print a JSON array of objects with the YNL spec's attribute names
        #[arg(short = 'j', long)]
        json: bool,
    },

    /// Change a runtime parameter of one end of a pair (each end has its
    /// own; the peer keeps its settings)
    #[command(
        override_usage = SET_USAGE,
        after_help = "Parameters:\n  \
            copybreak N          frames up to N bytes this end transmits are copied\n                       \
                                 whole into the slot (<= hdr-buf)\n  \
            tx-segment on|off    on (or 1): this end cuts the UDP GSO frames it\n                       \
                                 transmits into segments itself, destinations\n                       \
                                 interleaved within a transmit batch (ethtool -C\n                       \
                                 tx-usecs/tx-frames); off (or 0, the default): GSO\n                       \
                                 frames cross the ring whole\n\n\
            The kernel checks the values."
    )]
    Set {
        /// The device: the end whose parameter changes
        name: String,
        /// The parameter
        param: SetParam,
        /// Its new value: a number for copybreak, on|off (1|0) for tx-segment
        value: String,
    },

    /// Show a device's counters
    Stats {
        /// The device
        name: String,
        /// Print JSON (one object per sample) with the YNL spec's names
        #[arg(short = 'j', long)]
        json: bool,
        /// Repeat every SECS seconds, with per-second rates, until interrupted
        #[arg(short = 'w', long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
        watch: Option<u64>,
    },

    /// Print a line per pair created, deleted or changed (the "events"
    /// multicast group)
    Monitor {
        /// Print one JSON object per notification: {"name": ..., "msg": {...}}
        #[arg(short = 'j', long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetParam {
    /// Frames up to this many bytes are copied whole into the slot
    Copybreak,
    /// on|off: this end cuts the UDP GSO frames it transmits into segments
    /// itself
    TxSegment,
}

/// `set`'s parameter with its value, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Copybreak(u32),
    TxSegment(bool),
}

#[derive(Args, Debug, PartialEq, Eq)]
pub struct AddArgs {
    /// The new device
    pub name: String,
    /// peer PEER [netns NS] [peer-netns NS] [ring N] [hdr-buf N] [copybreak N]
    #[arg(value_name = "KEYWORD VALUE", num_args = 1.., required = true)]
    pub keywords: Vec<String>,
}

/// `add`'s keywords, parsed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AddSpec {
    pub name: String,
    pub peer: String,
    pub netns: Option<String>,
    pub peer_netns: Option<String>,
    pub ring_size: Option<u32>,
    pub hdr_buf: Option<u32>,
    pub copybreak: Option<u32>,
}

fn number(keyword: &str, value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| {
        format!("invalid value '{value}' for '{keyword}': expected an unsigned 32-bit number")
    })
}

/// `on`/`off`, or `1`/`0`.
fn on_off(keyword: &str, value: &str) -> Result<bool, String> {
    match value {
        "on" | "1" => Ok(true),
        "off" | "0" => Ok(false),
        _ => Err(format!(
            "invalid value '{value}' for '{keyword}': expected 'on' or 'off' (or 1, 0)"
        )),
    }
}

/// Read `set`'s value for `param`. The error is a usage message.
pub fn parse_set(param: SetParam, value: &str) -> Result<Setting, String> {
    match param {
        SetParam::Copybreak => number("copybreak", value).map(Setting::Copybreak),
        SetParam::TxSegment => on_off("tx-segment", value).map(Setting::TxSegment),
    }
}

fn set_once<T>(slot: &mut Option<T>, keyword: &str, v: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("'{keyword}' given twice"));
    }
    *slot = Some(v);
    Ok(())
}

/// Read `add`'s `KEYWORD VALUE` pairs. The error is a usage message.
pub fn parse_add(args: &AddArgs) -> Result<AddSpec, String> {
    check_ifname(&args.name)?;
    let mut spec = AddSpec {
        name: args.name.clone(),
        ..AddSpec::default()
    };
    let mut peer = None;
    let mut it = args.keywords.iter();
    while let Some(kw) = it.next() {
        let Some(value) = it.next() else {
            return Err(format!("'{kw}' needs a value"));
        };
        match kw.as_str() {
            "peer" => {
                check_ifname(value)?;
                set_once(&mut peer, kw, value.clone())?
            }
            "netns" => set_once(&mut spec.netns, kw, value.clone())?,
            "peer-netns" => set_once(&mut spec.peer_netns, kw, value.clone())?,
            "ring" => set_once(&mut spec.ring_size, kw, number(kw, value)?)?,
            "hdr-buf" => set_once(&mut spec.hdr_buf, kw, number(kw, value)?)?,
            "copybreak" => set_once(&mut spec.copybreak, kw, number(kw, value)?)?,
            _ => return Err(format!("unknown keyword '{kw}'")),
        }
    }
    spec.peer = peer.ok_or("'peer PEER' is required")?;
    Ok(spec)
}

/// An interface name the kernel can take: 1 to 15 bytes (IFNAMSIZ - 1),
/// no '/', ':' or whitespace, not "." or "..", as iproute2 checks.
pub fn check_ifname(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(format!("\"{name}\" is not a valid interface name"))
    }
}
