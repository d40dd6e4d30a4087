// SPDX-License-Identifier: GPL-2.0
//! The command line.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::pattern::{Layout, HEADER_LEN, MAX_CALLS, MAX_SIZE};
use crate::uapi::limits::QUEUES_MAX;

/// Shown at the end of `zcpairctl --help`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  the request failed: the kernel refused it (netlink error, printed as
     \"Error: <reason>.\"), or it could not be made (netns, socket); for
     recv: a datagram missing, bad or duplicated; for send: a zero-copy
     notification missing
  2  usage error

Examples:
  zcpairctl add zc0 peer zc1 ring 512 copybreak 256 queues 2
  zcpairctl set zc0 tx-segment on
  zcpairctl set zc0 steer-pps 0
  zcpairctl set zc0 uplink eth0
  zcpairctl lan add lan members 3 netns red blue
  zcpairctl lan show --json
  zcpairctl -n blue show --json
  zcpairctl stats zc0 --watch 1
  zcpairctl -n blue recv --listen 10.99.0.2:6001,10.99.0.2:6002 --calls 10
  zcpairctl -n red send --dest 10.99.0.2:6001,10.99.0.2:6002 --calls 10 --zerocopy";

#[derive(Parser, Debug, PartialEq, Eq)]
#[command(
    name = "zcpairctl",
    version,
    about = "Create, inspect and tune zcpair device pairs",
    long_about = "Create, inspect and tune zcpair device pairs.\n\n\
        Pairs are created and deleted with rtnetlink (link kind \"zcpair\"); \
        show, set, stats and monitor use the \"zcpair\" generic netlink family. \
        send and recv exercise the multi-destination zero-copy transmit path \
        with UDP (sendmmsg, MSG_ZEROCOPY, UDP_SEGMENT) and check what arrives.",
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
pub const SET_USAGE: &str =
    "zcpairctl set NAME { copybreak N | tx-segment on|off | steer-pps N | uplink DEV|none }";

/// Keywords of `add`, in the order the help lists them.
pub const ADD_USAGE: &str = "zcpairctl add NAME peer PEER [netns NS] [peer-netns NS] [ring N] \
    [hdr-buf N] [copybreak N] [queues N] [uplink DEV]";

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
            copybreak N      frames up to N bytes are copied whole (<= hdr-buf)\n  \
            queues N         queues of each end, 1 to 16 (IFLA_NUM_TX_QUEUES and\n                   \
                             IFLA_NUM_RX_QUEUES; the peer gets the same): a ring\n                   \
                             pair and a NAPI instance each (ethtool -l combined)\n  \
            uplink DEV       NAME (not PEER) sends the frames not for PEER's MAC\n                   \
                             through DEV, an Ethernet device of NAME's netns\n                   \
                             (see `zcpairctl set --help`)\n\n\
            The kernel applies its defaults to what is not given and checks the values."
    )]
    Add(AddArgs),

    /// Delete a zcpair device (and with it its peer; a LAN member goes
    /// alone)
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
                                 frames cross the ring whole\n  \
            steer-pps N          a CPU that transmits more than N frames a second\n                       \
                                 through this end has the receiving end's poll\n                       \
                                 (the peer's, or a LAN member's) scheduled on\n                       \
                                 another CPU, one that does not, by an IPI\n                       \
                                 (counted in tx-notifications-steered); 0 (the\n                       \
                                 default): never, the poll runs on the\n                       \
                                 transmitting CPU\n  \
            uplink DEV|none      DEV (an Ethernet device of this end's netns, not\n                       \
                                 a zcpair one, MTU >= this end's): frames not for\n                       \
                                 the peer's MAC, and those for the peer while it\n                       \
                                 is down, leave through DEV with this end's MAC\n                       \
                                 (broadcast/multicast cross the ring too); frames\n                       \
                                 DEV receives for this end's MAC are delivered\n                       \
                                 here; none: detach it\n\n\
            The kernel checks the values."
    )]
    Set {
        /// The device: the end whose parameter changes
        name: String,
        /// The parameter
        param: SetParam,
        /// Its new value: a number for copybreak and steer-pps, on|off (1|0)
        /// for tx-segment, a device or none for uplink
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

    /// Send UDP to several destinations, one sendmmsg(2) per call, and
    /// report the cost
    #[command(override_usage = SEND_USAGE, after_help = SEND_HELP)]
    Send(SendArgs),

    /// Receive what `send` sends, one UDP socket per address, and check it
    #[command(override_usage = RECV_USAGE, after_help = RECV_HELP)]
    Recv(RecvArgs),

    /// Create, grow, shrink and show LANs: zcpair devices that are
    /// members of one shared segment instead of ends of a pair
    #[command(subcommand_required = true, arg_required_else_help = true)]
    Lan {
        #[command(subcommand)]
        command: LanCommand,
    },
}

/// `lan add`'s synopsis.
pub const LAN_ADD_USAGE: &str = "zcpairctl lan add NAME members N [netns NS [NS ...]]";
/// `lan add-member`'s synopsis.
pub const LAN_ADD_MEMBER_USAGE: &str = "zcpairctl lan add-member MEMBER NEW [netns NS]";
/// `lan del-member`'s synopsis.
pub const LAN_DEL_MEMBER_USAGE: &str = "zcpairctl lan del-member NAME [netns NS]";
/// `lan show`'s synopsis.
pub const LAN_SHOW_USAGE: &str = "zcpairctl lan show [NAME] [netns NS] [--json]";

/// The most members `lan add` creates at once.
pub const LAN_ADD_MAX: u32 = 64;

const LAN_ADD_HELP: &str = "\
Keywords:
  members N        create N members (1 to 64), named NAME0 to NAME{N-1}
  netns NS ...     the i-th member goes to the i-th netns listed
                   (/run/netns/NS); members beyond the list go to the last
                   one; without netns all stay in the current netns

The first member starts the LAN (kind attribute lan 0), the others join it
by the first member's ifindex. All are created in the first netns listed
(the current one without netns), where that ifindex is valid, and each
member of another netns is moved there right after its creation
(RTM_SETLINK with IFLA_NET_NS_FD). If a step fails, the members created so
far are deleted and the kernel's error is printed.";

const LAN_MEMBER_HELP: &str = "\
With netns NS, MEMBER is looked up and NEW created in netns NS, as with
`zcpairctl -n NS lan add-member MEMBER NEW`; without, both are of the
current netns. NEW joins the LAN by MEMBER's ifindex (kind attribute lan);
MEMBER must be a LAN member. To add a member in another netns, add it
where MEMBER is and move it: `ip link set dev NEW netns NS2`.";

const LAN_DEL_HELP: &str = "\
Deletes LAN member NAME (RTM_DELLINK) after checking with pair-get that it
is one: a zcpair pair end is refused (delete pairs with `zcpairctl del`).
The LAN lives on with its other members. With netns NS, NAME is a device
of netns NS.";

const LAN_SHOW_HELP: &str = "\
lan-get of NAME's LAN, or, without NAME, a dump of every LAN member of the
netns (netns NS, else the current one), each LAN printed once: its id, its
members in the order they joined (name, or IFINDEX@nsidN for one of
another netns, and up or down) and its table (address -> member).
--json prints a JSON array of lan-get replies, one per LAN.";

/// The `lan` subcommands.
#[derive(Subcommand, Debug, PartialEq, Eq)]
pub enum LanCommand {
    /// Create a new LAN of N members NAME0 .. NAME{N-1}
    #[command(override_usage = LAN_ADD_USAGE, after_help = LAN_ADD_HELP)]
    Add(LanAddArgs),

    /// Create member NEW of the LAN member MEMBER belongs to
    #[command(override_usage = LAN_ADD_MEMBER_USAGE, after_help = LAN_MEMBER_HELP)]
    AddMember {
        /// An existing member of the LAN
        member: String,
        /// The new member
        new: String,
        /// netns NS
        #[arg(value_name = "KEYWORD VALUE")]
        keywords: Vec<String>,
    },

    /// Delete one LAN member
    #[command(override_usage = LAN_DEL_MEMBER_USAGE, after_help = LAN_DEL_HELP)]
    DelMember {
        /// The member
        name: String,
        /// netns NS
        #[arg(value_name = "KEYWORD VALUE")]
        keywords: Vec<String>,
    },

    /// Show the LAN of one member, or every LAN with a member in the netns
    #[command(override_usage = LAN_SHOW_USAGE, after_help = LAN_SHOW_HELP)]
    Show {
        /// [NAME] [netns NS]
        #[arg(value_name = "NAME|KEYWORD VALUE")]
        args: Vec<String>,
        /// Print a JSON array of lan-get replies (one per LAN) with the YNL
        /// spec's attribute names
        #[arg(short = 'j', long)]
        json: bool,
    },
}

#[derive(Args, Debug, PartialEq, Eq)]
pub struct LanAddArgs {
    /// The members' name prefix
    pub name: String,
    /// members N [netns NS [NS ...]]
    #[arg(value_name = "KEYWORD VALUE", num_args = 1.., required = true)]
    pub keywords: Vec<String>,
}

/// `lan add`'s keywords, parsed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LanAddSpec {
    pub name: String,
    /// 1 to `LAN_ADD_MAX`.
    pub members: u32,
    /// The netns of the members, in order; the last one also holds the
    /// members beyond the list; empty: all in the current netns.
    pub netns: Vec<String>,
}

impl LanAddSpec {
    /// The name of member `i`: NAME followed by `i`.
    pub fn member_name(&self, i: u32) -> String {
        format!("{}{i}", self.name)
    }

    /// The netns member `i` goes to; `None`: the current netns.
    pub fn member_netns(&self, i: u32) -> Option<&str> {
        let i = usize::try_from(i).unwrap_or(usize::MAX);
        self.netns
            .get(i)
            .or_else(|| self.netns.last())
            .map(String::as_str)
    }
}

/// `lan show`'s arguments, parsed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LanShowSpec {
    pub name: Option<String>,
    pub netns: Option<String>,
    pub json: bool,
}

/// Read `lan add`'s keywords. The error is a usage message.
pub fn parse_lan_add(args: &LanAddArgs) -> Result<LanAddSpec, String> {
    check_ifname(&args.name)?;
    let mut members = None;
    let mut netns: Vec<String> = Vec::new();
    let mut it = args.keywords.iter().peekable();
    while let Some(kw) = it.next() {
        match kw.as_str() {
            "members" => {
                let Some(value) = it.next() else {
                    return Err(format!("'{kw}' needs a value"));
                };
                let n = number(kw, value)
                    .ok()
                    .filter(|n| (1..=LAN_ADD_MAX).contains(n));
                let n = n.ok_or_else(|| {
                    format!(
                        "invalid value '{value}' for '{kw}': expected 1 to {LAN_ADD_MAX} members"
                    )
                })?;
                set_once(&mut members, kw, n)?;
            }
            "netns" => {
                let before = netns.len();
                while let Some(ns) = it.next_if(|v| *v != "members" && *v != "netns") {
                    netns.push(ns.clone());
                }
                if netns.len() == before {
                    return Err(format!("'{kw}' needs a value"));
                }
            }
            _ => return Err(format!("unknown keyword '{kw}'")),
        }
    }
    let members = members.ok_or("'members N' is required")?;
    if netns.len() > members as usize {
        return Err(format!(
            "{} netns given for {members} member{}: at most one per member",
            netns.len(),
            if members == 1 { "" } else { "s" }
        ));
    }
    let spec = LanAddSpec {
        name: args.name.clone(),
        members,
        netns,
    };
    for i in 0..members {
        let name = spec.member_name(i);
        check_ifname(&name).map_err(|_| {
            format!(
                "member name \"{name}\" is not a valid interface name \
                 (NAME and the member's number, at most 15 bytes)"
            )
        })?;
    }
    Ok(spec)
}

/// Read the optional `netns NS` of `lan add-member` and `lan del-member`.
pub fn parse_netns_keyword(keywords: &[String]) -> Result<Option<String>, String> {
    let mut netns = None;
    let mut it = keywords.iter();
    while let Some(kw) = it.next() {
        if kw != "netns" {
            return Err(format!("unknown keyword '{kw}'"));
        }
        let Some(value) = it.next() else {
            return Err(format!("'{kw}' needs a value"));
        };
        set_once(&mut netns, kw, value.clone())?;
    }
    Ok(netns)
}

/// Read `lan show [NAME] [netns NS]`: the words start with NAME unless
/// they are `netns NS` pairs (so `lan show netns` shows the LAN of a
/// device named "netns", and `lan show netns netns red` that of "netns"
/// in netns red).
pub fn parse_lan_show(args: &[String], json: bool) -> Result<LanShowSpec, String> {
    let keywords_only = args.len() % 2 == 0 && args.first().is_none_or(|a| a == "netns");
    let (name, keywords) = if !keywords_only {
        check_ifname(&args[0])?;
        (Some(args[0].clone()), &args[1..])
    } else {
        (None, args)
    };
    Ok(LanShowSpec {
        name,
        netns: parse_netns_keyword(keywords)?,
        json,
    })
}

/// `send`'s synopsis.
pub const SEND_USAGE: &str = "zcpairctl send --dest ADDR:PORT[,ADDR:PORT...] [--size BYTES] \
    [--gso BYTES] [--calls N] [--zerocopy] [--json]";

/// `recv`'s synopsis.
pub const RECV_USAGE: &str = "zcpairctl recv --listen ADDR:PORT[,ADDR:PORT...] [--size BYTES] \
    [--gso BYTES] [--calls N] [--timeout SECS] [--json]";

const SEND_HELP: &str = "\
Addresses are numeric: IPv4 ADDR:PORT, IPv6 [ADDR]:PORT, all of one family.

Each call is one sendmmsg(2) of one message of --size bytes to each
destination, in --dest order, from one UDP socket with UDP_SEGMENT set to
--gso: the kernel, or a zcpair end with `set NAME tx-segment on`, cuts each
message into datagrams of --gso bytes. Each datagram starts with a 6-byte
header (call, destination index, segment index: big-endian u16s); every
other byte, at offset OFF from the message's start, is
(OFF % 251 + 7 * DEST + 13 * CALL) % 256, so recv can check each datagram.
Before the first call one empty datagram goes to each destination (to
resolve neighbours; recv ignores it), followed by a 300 ms pause; neither
is counted.

With --zerocopy (SO_ZEROCOPY, MSG_ZEROCOPY) a call's buffers are kept until
the kernel notifies their completion on the error queue, which is read
(MSG_ERRQUEUE | MSG_DONTWAIT) after every call until empty; at most 64
calls (and 64 MiB of messages, but at least one call) are in flight, and at
the end it waits up to 5 s for the rest.

Output: calls, messages, bytes, elapsed time (first sendmmsg to last
notification), throughput (MB = 10^6 bytes), syscalls per MB (sendmmsg +
error-queue recvmsg calls), zero-copy notifications (and per call), and how
many message ids the kernel reported copied or sent without copying.";

const RECV_HELP: &str = "\
Addresses are numeric: IPv4 ADDR:PORT, IPv6 [ADDR]:PORT; port 0 binds a free
port. The N-th --listen address stands for send's N-th --dest: its datagrams
must name destination index N. Give the --size, --gso and --calls that send
uses. The bound addresses are printed on stderr (\"listening on ...\") before
anything is read.

Each datagram is checked whole: its header (call, destination, segment),
its length and every byte of the pattern (see `zcpairctl send --help`).
Empty datagrams (send's warm-up) are ignored. recv stops once every port has
had CALLS x (datagrams per message) datagrams, or after --timeout seconds
without any. Exit status 0 only if every expected datagram arrived intact,
none bad and none twice.

The interleave score is the fraction of adjacent datagrams, in arrival
order across all ports, that went to different ports: about 1 when the
sender's segments come interleaved by destination (zcpair's tx-segment),
about 1/(datagrams per message) when each message arrives as one run. The
sockets are polled in one loop and the order is that of the kernel's
receive timestamps (SO_TIMESTAMPNS, taken as each packet enters the
receiving stack); datagrams cut from one GSO frame on delivery share its
timestamp and keep their socket's order. It is close to the wire order,
not exactly it.";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetParam {
    /// Frames up to this many bytes are copied whole into the slot
    Copybreak,
    /// on|off: this end cuts the UDP GSO frames it transmits into segments
    /// itself
    TxSegment,
    /// Frames per second a CPU may transmit through this end before the
    /// receiving end's poll is scheduled on another CPU; 0: never
    SteerPps,
    /// DEV|none: the device frames not for the peer leave through
    Uplink,
}

/// `set`'s parameter with its value, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Copybreak(u32),
    TxSegment(bool),
    SteerPps(u32),
    /// The uplink's name, `None` to detach it (`uplink none`).
    Uplink(Option<String>),
}

#[derive(Args, Debug, PartialEq, Eq)]
pub struct AddArgs {
    /// The new device
    pub name: String,
    /// peer PEER [netns NS] [peer-netns NS] [ring N] [hdr-buf N] [copybreak N]
    /// [queues N] [uplink DEV]
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
    /// Queues of each end (1 to `QUEUES_MAX`).
    pub queues: Option<u32>,
    /// The new end's uplink, a device name of the netns it is created in.
    pub uplink: Option<String>,
}

fn number(keyword: &str, value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| {
        format!("invalid value '{value}' for '{keyword}': expected an unsigned 32-bit number")
    })
}

/// The queue count: 1 to `QUEUES_MAX`.
fn queues(keyword: &str, value: &str) -> Result<u32, String> {
    let n = number(keyword, value)?;
    if (1..=QUEUES_MAX).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "invalid value '{value}' for '{keyword}': expected 1 to {QUEUES_MAX} queues"
        ))
    }
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

/// A device name, or `none` (`None`).
fn device_or_none(keyword: &str, value: &str) -> Result<Option<String>, String> {
    if value == "none" {
        return Ok(None);
    }
    check_ifname(value)
        .map(|()| Some(value.to_owned()))
        .map_err(|_| {
            format!("invalid value '{value}' for '{keyword}': expected a device name or 'none'")
        })
}

/// Read `set`'s value for `param`. The error is a usage message.
pub fn parse_set(param: SetParam, value: &str) -> Result<Setting, String> {
    match param {
        SetParam::Copybreak => number("copybreak", value).map(Setting::Copybreak),
        SetParam::TxSegment => on_off("tx-segment", value).map(Setting::TxSegment),
        SetParam::SteerPps => number("steer-pps", value).map(Setting::SteerPps),
        SetParam::Uplink => device_or_none("uplink", value).map(Setting::Uplink),
    }
}

/// `add`'s uplink: a device name (`none`, which `set` takes, is no device).
fn uplink(keyword: &str, value: &str) -> Result<String, String> {
    device_or_none(keyword, value)?.ok_or_else(|| {
        format!(
            "invalid value '{value}' for '{keyword}': expected a device name \
             (a new device has no uplink unless one is given)"
        )
    })
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
            "queues" => set_once(&mut spec.queues, kw, queues(kw, value)?)?,
            "uplink" => set_once(&mut spec.uplink, kw, uplink(kw, value)?)?,
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

/// Sizes and counts `send` and `recv` share.
#[derive(Args, Debug, PartialEq, Eq)]
pub struct LoadArgs {
    /// Bytes of each message (one per destination per call); a K suffix
    /// multiplies by 1024; 6 to 65507 (63K)
    #[arg(short = 's', long, value_name = "BYTES", default_value = "64000", value_parser = parse_size)]
    pub size: usize,
    /// Bytes of each datagram a message is cut into (UDP_SEGMENT)
    #[arg(short = 'g', long, value_name = "BYTES", default_value_t = 1400,
          value_parser = clap::value_parser!(u32).range(HEADER_LEN as i64..=MAX_SIZE as i64))]
    pub gso: u32,
    /// sendmmsg calls (at most 65536)
    #[arg(short = 'c', long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_CALLS)))]
    pub calls: u32,
}

#[derive(Args, Debug, PartialEq, Eq)]
pub struct SendArgs {
    /// Destinations, in order (comma-separated, or the option repeated)
    #[arg(short = 'd', long = "dest", value_name = "ADDR:PORT[,ADDR:PORT...]",
          required = true, value_delimiter = ',', value_parser = parse_dest)]
    pub dests: Vec<SocketAddr>,
    #[command(flatten)]
    pub load: LoadArgs,
    /// Send with MSG_ZEROCOPY (SO_ZEROCOPY) and read the completion
    /// notifications
    #[arg(short = 'z', long)]
    pub zerocopy: bool,
    /// Print one JSON object
    #[arg(short = 'j', long)]
    pub json: bool,
}

#[derive(Args, Debug, PartialEq, Eq)]
pub struct RecvArgs {
    /// Addresses to listen on, in send's --dest order (comma-separated, or
    /// the option repeated)
    #[arg(short = 'l', long = "listen", value_name = "ADDR:PORT[,ADDR:PORT...]",
          required = true, value_delimiter = ',', value_parser = parse_listen)]
    pub listen: Vec<SocketAddr>,
    #[command(flatten)]
    pub load: LoadArgs,
    /// Give up after SECS seconds without a datagram
    #[arg(short = 't', long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Print one JSON object
    #[arg(short = 'j', long)]
    pub json: bool,
}

/// The most destinations of one call (UIO_MAXIOV messages per sendmmsg).
pub const MAX_DESTS: usize = 1024;

/// `send`'s options, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendSpec {
    pub dests: Vec<SocketAddr>,
    pub layout: Layout,
    pub calls: u32,
    pub zerocopy: bool,
    pub json: bool,
}

/// `recv`'s options, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecvSpec {
    pub listen: Vec<SocketAddr>,
    pub layout: Layout,
    pub calls: u32,
    pub timeout: Duration,
    pub json: bool,
}

/// `BYTES` or `BYTESK` (x 1024), within a message's limits.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let (digits, unit) = match s.strip_suffix(['K', 'k']) {
        Some(d) => (d, 1024),
        None => (s, 1),
    };
    let n = digits
        .parse::<usize>()
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            "expected a number of bytes, optionally with a K suffix (x 1024)".to_owned()
        })?;
    let n = n
        .checked_mul(unit)
        .filter(|n| (HEADER_LEN..=MAX_SIZE).contains(n))
        .ok_or_else(|| {
            format!(
                "a message is {HEADER_LEN} to {MAX_SIZE} bytes (what one UDP datagram of \
                 65535 bytes holds; 63K at most)"
            )
        })?;
    Ok(n)
}

fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.parse()
        .map_err(|_| "expected a numeric ADDR:PORT (IPv4) or [ADDR]:PORT (IPv6)".to_owned())
}

/// A destination: a numeric socket address with a port.
pub fn parse_dest(s: &str) -> Result<SocketAddr, String> {
    let a = parse_addr(s)?;
    if a.port() == 0 {
        return Err("a destination needs a port other than 0".into());
    }
    Ok(a)
}

/// An address to listen on; port 0 for any free one.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    parse_addr(s)
}

fn check_list(addrs: &[SocketAddr], what: &str) -> Result<(), String> {
    if addrs.len() > MAX_DESTS {
        return Err(format!(
            "{} {what}s given, at most {MAX_DESTS} (messages of one sendmmsg call)",
            addrs.len()
        ));
    }
    for (i, a) in addrs.iter().enumerate() {
        if a.port() != 0 && addrs[..i].contains(a) {
            return Err(format!("{what} {a} given twice"));
        }
    }
    Ok(())
}

/// Checks `send`'s options together. The error is a usage message.
pub fn parse_send(args: &SendArgs) -> Result<SendSpec, String> {
    check_list(&args.dests, "destination")?;
    let first = args.dests.first().ok_or("no destination given")?;
    if let Some(other) = args.dests.iter().find(|a| a.is_ipv4() != first.is_ipv4()) {
        return Err(format!(
            "destinations of both families ({first} and {other}): one socket sends to one family"
        ));
    }
    Ok(SendSpec {
        dests: args.dests.clone(),
        layout: Layout::new(args.load.size, args.load.gso as usize)?,
        calls: args.load.calls,
        zerocopy: args.zerocopy,
        json: args.json,
    })
}

/// Checks `recv`'s options together. The error is a usage message.
pub fn parse_recv(args: &RecvArgs) -> Result<RecvSpec, String> {
    check_list(&args.listen, "listen address")?;
    if args.listen.is_empty() {
        return Err("no listen address given".into());
    }
    Ok(RecvSpec {
        listen: args.listen.clone(),
        layout: Layout::new(args.load.size, args.load.gso as usize)?,
        calls: args.load.calls,
        timeout: Duration::from_secs(args.timeout),
        json: args.json,
    })
}
