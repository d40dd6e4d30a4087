// SPDX-License-Identifier: GPL-2.0
//! zcfuzz: a netlink fuzzer of every entry point zcpair owns.
//!
//! It sends malformed, semi-valid and valid requests, chosen by a seeded
//! PRNG, to the rtnetlink link kind "zcpair" (RTM_NEWLINK, RTM_SETLINK,
//! RTM_DELLINK), to the zcpair generic netlink family (pair-get,
//! pair-set, lan-get, unknown commands) and to ethtool netlink (rings,
//! channels, coalesce) against zcpair devices, in the current netns, and
//! checks that each gets an answer. Then it deletes every zcpair device of
//! the netns and checks none is left. See Documentation/testing.md,
//! "Netlink fuzzing".

mod errno;
mod ethtool;
mod gen;
mod msg;
mod rng;
mod sock;
mod stats;

use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;

use gen::{Ctx, Fds, Gen, Proto};
use msg::*;
use sock::{Answer, NlSocket};
use stats::{Incident, Summary};

/// Exit status of a run that failed (hang, non-errno answer, leftovers).
const EXIT_FAIL: u8 = 1;
/// Exit status when the fuzzer cannot start.
const EXIT_SETUP: u8 = 2;

/// Name of the dummy device valid requests use as uplink.
const UPLINK_NAME: &str = "zfup0";
/// Names requests use: "zf0".."zf15".
const POOL: usize = 16;
/// IFLA_EXT_MASK and RTEXT_FILTER_SKIP_STATS of <linux/rtnetlink.h>.
const IFLA_EXT_MASK: u16 = 29;
const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;
/// IFF_LOOPBACK of <linux/if.h>.
const IFF_LOOPBACK: u32 = 0x8;

/// Fuzz the zcpair netlink entry points (rtnetlink kind "zcpair", the
/// zcpair genetlink family, ethtool) in the current netns; needs root.
#[derive(Debug, Parser)]
#[command(name = "zcfuzz", version)]
struct Args {
    /// PRNG seed (default: from the clock; printed either way).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of requests to send.
    #[arg(long, default_value_t = 50_000)]
    count: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Leave the zcpair devices (and the dummy uplink) in place.
    #[arg(long)]
    keep: bool,
    /// Seconds to wait for each answer before counting a hang.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// Print every request (number, entry point, class, hex) to stderr
    /// before sending it.
    #[arg(long)]
    trace: bool,
    /// Skip the zcpair genetlink family (for a host without the module).
    #[arg(long, hide = true)]
    no_genl: bool,
}

/// One device of an RTM_GETLINK dump.
#[derive(Debug, Clone)]
struct Link {
    ifindex: u32,
    name: String,
    kind: Option<String>,
    flags: u32,
}

struct Fuzzer {
    rtnl: NlSocket,
    genl: NlSocket,
    seq: u32,
    summary: Summary,
    seen: std::collections::BTreeSet<u32>,
}

impl Fuzzer {
    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends `m` on the socket of `proto`, returns the answer and the data
    /// messages of it.
    fn request(&mut self, proto: Proto, m: Msg) -> (Answer, Vec<u8>, Vec<Vec<u8>>) {
        let seq = self.next_seq();
        let bytes = m.finish(seq);
        let sock = match proto {
            Proto::Route => &mut self.rtnl,
            Proto::Generic => &mut self.genl,
        };
        let mut parts = Vec::new();
        let a = sock.request(&bytes, seq, |_, p| parts.push(p.to_vec()));
        (a, bytes, parts)
    }

    /// All devices of the netns. A hang here is an incident too.
    fn links(&mut self, n: u64) -> Result<Vec<Link>, String> {
        let mut m = Msg::new(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
        m.ifinfomsg(0, 0, 0, 0, 0);
        m.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        let (a, bytes, parts) = self.request(Proto::Route, m);
        match a {
            Answer::Ok { .. } => {}
            Answer::Hang => {
                self.summary.internal_hangs += 1;
                self.summary.incidents.push(Incident {
                    n,
                    entry: "rtnl getlink dump (internal)".into(),
                    what: "hang".into(),
                    hex: hex(&bytes),
                });
                return Err("RTM_GETLINK dump: no answer".into());
            }
            other => return Err(format!("RTM_GETLINK dump: {other:?}")),
        }
        let mut links = Vec::new();
        for p in parts {
            if p.len() < IFINFOMSG_LEN {
                continue;
            }
            let mut l = Link {
                ifindex: get_u32(&p, 4),
                name: String::new(),
                kind: None,
                flags: get_u32(&p, 8),
            };
            for (t, v) in attrs(&p[IFINFOMSG_LEN..]) {
                match t {
                    IFLA_IFNAME => l.name = c_string(v),
                    IFLA_LINKINFO => {
                        for (t, v) in attrs(v) {
                            if t == IFLA_INFO_KIND {
                                l.kind = Some(c_string(v));
                            }
                        }
                    }
                    _ => {}
                }
            }
            links.push(l);
        }
        Ok(links)
    }

    /// Refreshes the zcpair devices the generator knows.
    fn refresh(&mut self, ctx: &mut Ctx, n: u64) {
        if let Ok(links) = self.links(n) {
            ctx.zc = zcpair_devices(&links);
            self.seen.extend(ctx.zc.iter().map(|z| z.0));
        }
    }

    fn resolve_family(&mut self, name: &str) -> Result<Option<u16>, String> {
        let mut m = Msg::new(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK);
        m.genlmsghdr(CTRL_CMD_GETFAMILY, 1);
        m.attr_str(CTRL_ATTR_FAMILY_NAME, name);
        let (a, _, parts) = self.request(Proto::Generic, m);
        match a {
            Answer::Ok { .. } => {
                for p in parts {
                    if p.len() < GENL_HDRLEN {
                        continue;
                    }
                    for (t, v) in attrs(&p[GENL_HDRLEN..]) {
                        if t == CTRL_ATTR_FAMILY_ID && v.len() >= 2 {
                            return Ok(Some(get_u16(v, 0)));
                        }
                    }
                }
                Err(format!("family {name}: reply without an id"))
            }
            Answer::Err { errno, .. } if errno == libc::ENOENT => Ok(None),
            other => Err(format!("family {name}: {other:?}")),
        }
    }

    /// Creates the dummy uplink; its ifindex, or why not.
    fn make_uplink(&mut self) -> Result<(), String> {
        let mut m = Msg::new(
            RTM_NEWLINK,
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
        );
        m.ifinfomsg(0, 0, 0, 0, 0);
        m.attr_str(IFLA_IFNAME, UPLINK_NAME);
        m.nest_start(IFLA_LINKINFO);
        m.attr_str(IFLA_INFO_KIND, "dummy");
        m.nest_end();
        match self.request(Proto::Route, m).0 {
            Answer::Ok { .. } => Ok(()),
            Answer::Err { errno, msg } => Err(format!(
                "{}{}",
                errno::name(errno),
                msg.map(|m| format!(" ({m})")).unwrap_or_default()
            )),
            other => Err(format!("{other:?}")),
        }
    }

    fn dellink(&mut self, ifindex: u32) -> Answer {
        let mut m = Msg::new(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        m.ifinfomsg(0, 0, ifindex as i32, 0, 0);
        self.request(Proto::Route, m).0
    }
}

/// An answer in one line, for --trace.
fn describe(a: &Answer) -> String {
    let m = |msg: &Option<String>| {
        msg.as_ref()
            .map(|m| format!(" \"{m}\""))
            .unwrap_or_default()
    };
    match a {
        Answer::Ok { parts, msg } => format!("ok ({parts} messages){}", m(msg)),
        Answer::Err { errno: e, msg } => format!("{}{}", errno::name(*e), m(msg)),
        other => format!("{other:?}"),
    }
}

fn zcpair_devices(links: &[Link]) -> Vec<(u32, String)> {
    let mut v: Vec<_> = links
        .iter()
        .filter(|l| l.kind.as_deref() == Some(zcpairctl::uapi::LINK_KIND))
        .map(|l| (l.ifindex, l.name.clone()))
        .collect();
    v.sort();
    v
}

fn open_fds(genl: &NlSocket) -> Result<(Vec<File>, Fds), String> {
    let open = |p: &str| File::open(p).map_err(|e| format!("{p}: {e}"));
    let netns = open("/proc/self/ns/net")?;
    let uts = open("/proc/self/ns/uts")?;
    let null = open("/dev/null")?;
    let mut p = [0; 2];
    // SAFETY: `p` has room for the two descriptors.
    if unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: pipe2 just made these; the Files own them from here on.
    let (r, w) = unsafe {
        use std::os::fd::FromRawFd;
        (File::from_raw_fd(p[0]), File::from_raw_fd(p[1]))
    };
    let fds = Fds {
        netns_self: netns.as_raw_fd(),
        uts_ns: uts.as_raw_fd(),
        devnull: null.as_raw_fd(),
        pipe_r: r.as_raw_fd(),
        pipe_w: w.as_raw_fd(),
        sock: genl.raw_fd(),
    };
    Ok((vec![netns, uts, null, r, w], fds))
}

fn setup_error(msg: &str) -> ExitCode {
    eprintln!("zcfuzz: {msg}");
    ExitCode::from(EXIT_SETUP)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        d.as_secs() ^ u64::from(d.subsec_nanos()) << 20
    });
    eprintln!("zcfuzz: seed {seed} (reproduce with --seed {seed})");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return setup_error("must run as root (CAP_NET_ADMIN in the netns)");
    }
    let timeout = Duration::from_secs(args.timeout.max(1));
    let (rtnl, genl) = match (
        NlSocket::open(libc::NETLINK_ROUTE, timeout),
        NlSocket::open(libc::NETLINK_GENERIC, timeout),
    ) {
        (Ok(r), Ok(g)) => (r, g),
        (Err(e), _) | (_, Err(e)) => return setup_error(&format!("netlink socket: {e}")),
    };
    let (_files, fds) = match open_fds(&genl) {
        Ok(f) => f,
        Err(e) => return setup_error(&e),
    };
    let mut fz = Fuzzer {
        rtnl,
        genl,
        seq: 0,
        summary: Summary {
            seed,
            count: args.count,
            ..Summary::default()
        },
        seen: Default::default(),
    };
    let mut ctx = Ctx::with_pool(POOL);
    ctx.fds = fds;

    if !args.no_genl {
        match fz.resolve_family(zcpairctl::uapi::FAMILY_NAME) {
            Ok(Some(id)) => ctx.zcpair_family = Some(id),
            Ok(None) => {
                eprintln!("zcfuzz: zcpair family not found: is the module loaded?");
                return ExitCode::from(EXIT_SETUP);
            }
            Err(e) => return setup_error(&e),
        }
    } else {
        fz.summary
            .notes
            .push("--no-genl: the zcpair family was not fuzzed".into());
    }
    match fz.resolve_family(ethtool::GENL_NAME) {
        Ok(Some(id)) => ctx.ethtool_family = Some(id),
        Ok(None) => fz
            .summary
            .notes
            .push("no ethtool genetlink family: ethtool not fuzzed".into()),
        Err(e) => return setup_error(&e),
    }

    let made_uplink = match fz.make_uplink() {
        Ok(()) => true,
        Err(e) => {
            fz.summary
                .notes
                .push(format!("no dummy uplink {UPLINK_NAME}: {e}"));
            false
        }
    };
    let links = match fz.links(0) {
        Ok(l) => l,
        Err(e) => return setup_error(&e),
    };
    ctx.lo = links
        .iter()
        .find(|l| l.flags & IFF_LOOPBACK != 0)
        .map_or(1, |l| l.ifindex);
    ctx.uplink = links
        .iter()
        .find(|l| l.name == UPLINK_NAME)
        .map(|l| (l.ifindex, l.name.clone()));
    ctx.zc = zcpair_devices(&links);
    if !ctx.zc.is_empty() {
        fz.summary.notes.push(format!(
            "{} zcpair devices existed before the run (they are fuzzed and deleted too)",
            ctx.zc.len()
        ));
    }

    let start = Instant::now();
    let mut g = Gen::new(seed);
    for n in 1..=args.count {
        let case = g.next(&ctx);
        let seq = fz.next_seq();
        let bytes = case.msg.finish(seq);
        if args.trace {
            eprintln!("#{n} {} {} {}", case.entry, case.class.label(), hex(&bytes));
        }
        let sock = match case.proto {
            Proto::Route => &mut fz.rtnl,
            Proto::Generic => &mut fz.genl,
        };
        let a = sock.request(&bytes, seq, |_, _| {});
        fz.summary.add(case.entry, case.class, &a);
        if args.trace {
            eprintln!("#{n} -> {}", describe(&a));
        }
        match &a {
            Answer::Hang => {
                eprintln!(
                    "zcfuzz: HANG #{n} ({} {}): {}",
                    case.entry,
                    case.class.label(),
                    hex(&bytes)
                );
                fz.summary.incidents.push(Incident {
                    n,
                    entry: case.entry.into(),
                    what: "hang".into(),
                    hex: hex(&bytes),
                });
            }
            Answer::Weird { code } => fz.summary.incidents.push(Incident {
                n,
                entry: case.entry.into(),
                what: format!("positive error code {code}"),
                hex: hex(&bytes),
            }),
            Answer::Ok { .. } if case.changes_links => fz.refresh(&mut ctx, n),
            _ => {}
        }
        if n % 5000 == 0 {
            eprintln!(
                "zcfuzz: {n}/{} sent, {} ok, {} hangs, {} zcpair devices now",
                args.count,
                fz.summary.total.ok,
                fz.summary.total.hangs,
                ctx.zc.len()
            );
        }
    }
    fz.summary.seconds = start.elapsed().as_secs_f64();
    fz.summary.devices_seen = fz.seen.len();
    fz.summary.anomalies = sock::Anomalies {
        stray: fz.rtnl.anomalies.stray + fz.genl.anomalies.stray,
        truncated: fz.rtnl.anomalies.truncated + fz.genl.anomalies.truncated,
        recv_errors: fz.rtnl.anomalies.recv_errors + fz.genl.anomalies.recv_errors,
    };

    cleanup(&mut fz, args.keep, made_uplink, args.count + 1);

    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&fz.summary.json()).expect("JSON")
        );
    } else {
        print!("{}", fz.summary.text());
    }
    if fz.summary.failed() {
        ExitCode::from(EXIT_FAIL)
    } else {
        ExitCode::SUCCESS
    }
}

/// Deletes every zcpair device left (and the uplink we made) unless
/// `keep`, then checks with a second dump that none remains.
fn cleanup(fz: &mut Fuzzer, keep: bool, made_uplink: bool, n: u64) {
    let c = &mut fz.summary.cleanup;
    c.kept = keep;
    let links = match fz.links(n) {
        Ok(l) => l,
        Err(e) => {
            fz.summary.notes.push(format!("cleanup: {e}"));
            fz.summary.cleanup.remaining = usize::MAX;
            return;
        }
    };
    let zc = zcpair_devices(&links);
    fz.summary.cleanup.left = zc.len();
    if keep {
        return;
    }
    // Deleting one end deletes its peer: a refusal with ENODEV for the
    // second is expected and not an error.
    for (ifindex, _) in &zc {
        match fz.dellink(*ifindex) {
            Answer::Ok { .. } => fz.summary.cleanup.deleted += 1,
            Answer::Err { errno, .. } if errno == libc::ENODEV => {}
            _ => fz.summary.cleanup.delete_errors += 1,
        }
    }
    if made_uplink {
        if let Some(l) = links.iter().find(|l| l.name == UPLINK_NAME) {
            let _ = fz.dellink(l.ifindex);
        }
    }
    match fz.links(n) {
        Ok(after) => {
            fz.summary.cleanup.remaining = zcpair_devices(&after).len();
            fz.summary.cleanup.remaining_named = after
                .iter()
                .filter(|l| {
                    (l.name.starts_with("zf") || l.name.starts_with("zcpair"))
                        && (made_uplink || l.name != UPLINK_NAME)
                })
                .map(|l| format!("{} ({})", l.name, l.kind.as_deref().unwrap_or("no kind")))
                .collect();
        }
        Err(e) => {
            fz.summary.notes.push(format!("cleanup: {e}"));
            fz.summary.cleanup.remaining = usize::MAX;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_defaults() {
        let a = Args::parse_from(["zcfuzz"]);
        assert_eq!(a.count, 50_000);
        assert_eq!(a.seed, None);
        assert!(!a.json && !a.keep && !a.no_genl);
        let a = Args::parse_from(["zcfuzz", "--seed", "7", "--count", "10", "--json", "--keep"]);
        assert_eq!((a.seed, a.count, a.json, a.keep), (Some(7), 10, true, true));
    }

    #[test]
    fn zcpair_devices_filters_by_kind() {
        let l = |i, n: &str, k: Option<&str>| Link {
            ifindex: i,
            name: n.into(),
            kind: k.map(Into::into),
            flags: 0,
        };
        let links = [
            l(1, "lo", None),
            l(7, "zf1", Some("zcpair")),
            l(3, "zfup0", Some("dummy")),
            l(5, "zf0", Some("zcpair")),
        ];
        assert_eq!(
            zcpair_devices(&links),
            vec![(5, "zf0".to_string()), (7, "zf1".to_string())]
        );
    }
}
