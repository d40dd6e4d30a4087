// SPDX-License-Identifier: GPL-2.0
//! `send` and `recv`: UDP traffic for zcpair's multi-destination transmit
//! path (`Documentation/design.md`, "Multi-destination transmit"), from
//! the command line, as `tests/multidest.py` sends it.
//!
//! ```text
//! zcpairctl [-n NS] send --dest ADDR:PORT[,ADDR:PORT...] [--size BYTES] [--gso BYTES]
//!                        [--calls N] [--zerocopy] [--json]
//! zcpairctl [-n NS] recv --listen ADDR:PORT[,ADDR:PORT...] [--size BYTES] [--gso BYTES]
//!                        [--calls N] [--timeout SECS] [--json]
//! ```
//!
//! **send** opens one UDP socket (the family of the destinations, which
//! must all be of one) with `UDP_SEGMENT` set to `--gso` (default 1400),
//! `IP_RECVERR`/`IPV6_RECVERR`, and `SO_ZEROCOPY` with `--zerocopy`. Each
//! of `--calls` calls (default 100) is one `sendmmsg(2)` of one message of
//! `--size` bytes (default 64000; `K` = 1024; at most 65507) per
//! destination, with `MSG_ZEROCOPY` under `--zerocopy` (a message the
//! kernel takes only in part is sent again from where it stopped; a
//! pending ICMP error is counted and the rest of the call sent again).
//! The payload is [`crate::pattern`]'s: a header in each datagram, a
//! pattern of the call, the destination and the offset everywhere else.
//! Before the first call, one empty datagram to each destination resolves
//! the neighbours, followed by a [`WARMUP`] pause (recv ignores empty
//! datagrams; neither counts). ICMP errors (nothing listening) are counted,
//! shown, and warned about on stderr.
//!
//! With `--zerocopy` a call's buffers stay untouched until the kernel has
//! notified the completion of every message of the call (each message is
//! one id, in send order; a notification is a range `ee_info..=ee_data`,
//! `ee_code & SO_EE_CODE_ZEROCOPY_COPIED` when the kernel copied after all).
//! The error queue is read until empty after every call; at most
//! [`MAX_INFLIGHT`] calls, and [`MAX_INFLIGHT_BYTES`] of messages (but at
//! least one call), are in flight (send then waits in `poll(2)`), and at
//! the end send waits up to [`NOTIFY_WAIT`] for the rest.
//!
//! Over loopback (which copies: a local socket's data is copied on
//! delivery, so every id is reported copied):
//!
//! ```text
//! destinations   127.0.0.1:40001 127.0.0.1:40002
//! calls          3 sendmmsg, MSG_ZEROCOPY
//! messages       6 of 8000 B, gso 1400: 6 datagrams each
//! bytes          48000
//! send buffer    64000 B
//! elapsed        0.000625 s
//! throughput     76.78 MB/s, 614.23 Mbit/s
//! syscalls       187.5 per MB: 3 sendmmsg, 6 error-queue recvmsg (3 empty)
//! notifications  3, 1.00 per call
//! ids            6 of 6 notified: 6 copied, 0 zero-copy
//! ```
//!
//! **recv** binds one non-blocking UDP socket per `--listen` address (the
//! N-th standing for send's N-th destination; port 0 binds a free port,
//! the addresses are printed on stderr before anything is read), polls
//! them all in one loop, and checks every datagram against the pattern of
//! the same `--size`, `--gso` and `--calls`. It stops when every port has
//! had `calls x segments` datagrams, or after `--timeout` seconds (default
//! 10) without any, and exits 0 only if every expected datagram arrived
//! intact (none bad, none twice). Per port: datagrams received, expected,
//! bad, duplicated, and out of order (behind one of a later position of the
//! same port).
//!
//! The order across ports comes from the kernel's receive timestamps
//! (`SO_TIMESTAMPNS`, taken as a packet enters the receiving stack), the
//! read order breaking ties: the sockets' queues alone cannot tell it. It is
//! close to the wire order, not exactly it: datagrams cut from one GSO frame
//! on delivery share the frame's timestamp. The interleave score is the
//! fraction of adjacent datagrams in that order that went to different
//! ports (about 1 when zcpair interleaves the destinations' segments,
//! about 1 / segments when each message arrives as one run).
//!
//! ```text
//! port 127.0.0.1:40001  received 18  expected 18  bad 0  duplicate 0  reordered 0
//! port 127.0.0.1:40002  received 18  expected 18  bad 0  duplicate 0  reordered 0
//! total                 received 36  expected 36  bad 0  duplicate 0  missing 0
//! bytes                 48000 in 0.000397 s (first to last datagram), 120.76 MB/s
//! interleave score      0.143: 5 of 35 adjacent pairs to different ports, longest run 6
//! ```
//!
//! `--json` prints the same as one JSON object, with kebab-case keys.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cli::{RecvSpec, SendSpec};
use crate::error::{strerror, Error, Result};
use crate::pattern::Layout;
use crate::udp::{self, ErrQueueEvent, RawAddr};

/// Calls whose zero-copy buffers may wait for their notification at once.
pub const MAX_INFLIGHT: usize = 64;

/// And the most bytes of messages they may hold (at least one call's).
pub const MAX_INFLIGHT_BYTES: usize = 64 << 20;

/// Calls in flight at most, for calls of `call_bytes` bytes.
pub fn max_inflight(call_bytes: usize) -> usize {
    (MAX_INFLIGHT_BYTES / call_bytes.max(1)).clamp(1, MAX_INFLIGHT)
}

/// How long send waits for notifications: at the end, or with
/// [`MAX_INFLIGHT`] calls in flight.
pub const NOTIFY_WAIT: Duration = Duration::from_secs(5);

/// The pause after the warm-up datagrams.
pub const WARMUP: Duration = Duration::from_millis(300);

/// The receive buffer recv asks for on each socket (`SO_RCVBUFFORCE`,
/// else `SO_RCVBUF`, which `net.core.rmem_max` caps).
pub const RCVBUF: i32 = 32 << 20;

/// How many datagrams recv remembers the order of.
pub const MAX_ORDER: usize = 1 << 22;

/// Descriptions of bad datagrams recv keeps.
const MAX_ERRORS: usize = 10;

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// `x / y`, `None` when `y` is 0.
fn ratio(x: f64, y: f64) -> Option<f64> {
    (y > 0.0).then(|| x / y)
}

fn fixed(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

fn addr_list(addrs: &[SocketAddr], sep: &str) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Calls waiting for their zero-copy notifications. Message ids count
/// the messages sent with `MSG_ZEROCOPY`, from 0; a call's ids are
/// `first..first + count`. `T` is what the call keeps alive (its buffers).
#[derive(Debug)]
pub struct InFlight<T> {
    calls: VecDeque<Pending<T>>,
    next_id: u32,
}

#[derive(Debug)]
struct Pending<T> {
    first: u32,
    count: u32,
    left: u32,
    item: T,
}

impl<T> Default for InFlight<T> {
    fn default() -> Self {
        Self {
            calls: VecDeque::new(),
            next_id: 0,
        }
    }
}

impl<T> InFlight<T> {
    /// A call of `count` messages, sent just now.
    pub fn push(&mut self, count: u32, item: T) {
        if count == 0 {
            return;
        }
        self.calls.push_back(Pending {
            first: self.next_id,
            count,
            left: count,
            item,
        });
        self.next_id = self.next_id.wrapping_add(count);
    }

    /// Ids `lo..=hi` notified; returns what the calls it completes kept.
    pub fn notify(&mut self, lo: u32, hi: u32) -> Vec<T> {
        for p in &mut self.calls {
            let (first, last) = (
                u64::from(p.first),
                u64::from(p.first) + u64::from(p.count) - 1,
            );
            let (from, to) = (first.max(u64::from(lo)), last.min(u64::from(hi)));
            if from <= to {
                p.left = p.left.saturating_sub((to - from + 1) as u32);
            }
        }
        let mut done = Vec::new();
        let mut rest = VecDeque::with_capacity(self.calls.len());
        for p in self.calls.drain(..) {
            if p.left == 0 {
                done.push(p.item);
            } else {
                rest.push_back(p);
            }
        }
        self.calls = rest;
        done
    }

    /// Calls in flight.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Ids not notified yet.
    pub fn ids_left(&self) -> u64 {
        self.calls.iter().map(|p| u64::from(p.left)).sum()
    }
}

/// What send did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendReport {
    pub dests: Vec<SocketAddr>,
    pub size: usize,
    pub gso: usize,
    pub segments: usize,
    pub zerocopy: bool,
    /// The socket's send buffer (SO_SNDBUF, as the kernel reports it).
    pub sndbuf: u64,
    pub calls: u64,
    pub messages: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub sendmmsg_calls: u64,
    pub errqueue_reads: u64,
    pub errqueue_empty: u64,
    pub notifications: u64,
    pub ids_sent: u64,
    pub ids_copied: u64,
    pub ids_zerocopy: u64,
    pub ids_missing: u64,
    pub icmp_errors: u64,
    pub sends_refused: u64,
}

impl SendReport {
    fn secs(&self) -> f64 {
        self.elapsed.as_secs_f64()
    }

    pub fn mbyte_per_sec(&self) -> Option<f64> {
        ratio(mb(self.bytes), self.secs())
    }

    pub fn mbit_per_sec(&self) -> Option<f64> {
        ratio(mb(self.bytes) * 8.0, self.secs())
    }

    pub fn syscalls(&self) -> u64 {
        self.sendmmsg_calls + self.errqueue_reads
    }

    pub fn syscalls_per_mb(&self) -> Option<f64> {
        ratio(self.syscalls() as f64, mb(self.bytes))
    }

    pub fn notifications_per_call(&self) -> Option<f64> {
        ratio(self.notifications as f64, self.calls as f64)
    }

    pub fn text(&self) -> String {
        let mut l = vec![
            format!("destinations   {}", addr_list(&self.dests, " ")),
            format!(
                "calls          {} sendmmsg{}",
                self.calls,
                if self.zerocopy { ", MSG_ZEROCOPY" } else { "" }
            ),
            format!(
                "messages       {} of {} B, gso {}: {} datagrams each",
                self.messages, self.size, self.gso, self.segments
            ),
            format!("bytes          {}", self.bytes),
            format!("send buffer    {} B", self.sndbuf),
            format!("elapsed        {:.6} s", self.secs()),
            format!(
                "throughput     {} MB/s, {} Mbit/s",
                fixed(self.mbyte_per_sec(), 2),
                fixed(self.mbit_per_sec(), 2)
            ),
            format!(
                "syscalls       {} per MB: {} sendmmsg, {} error-queue recvmsg ({} empty)",
                fixed(self.syscalls_per_mb(), 1),
                self.sendmmsg_calls,
                self.errqueue_reads,
                self.errqueue_empty
            ),
        ];
        if self.zerocopy {
            l.push(format!(
                "notifications  {}, {} per call",
                self.notifications,
                fixed(self.notifications_per_call(), 2)
            ));
            l.push(format!(
                "ids            {} of {} notified: {} copied, {} zero-copy",
                self.ids_copied + self.ids_zerocopy,
                self.ids_sent,
                self.ids_copied,
                self.ids_zerocopy
            ));
        } else {
            l.push("notifications  - (no --zerocopy)".to_owned());
        }
        if self.icmp_errors + self.sends_refused > 0 {
            l.push(format!(
                "icmp errors    {} on the error queue, {} sends refused for one",
                self.icmp_errors, self.sends_refused
            ));
        }
        l.join("\n")
    }

    pub fn json(&self) -> Value {
        json!({
            "destinations": self.dests.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "size": self.size,
            "gso": self.gso,
            "segments": self.segments,
            "zerocopy": self.zerocopy,
            "sndbuf": self.sndbuf,
            "calls": self.calls,
            "messages": self.messages,
            "bytes": self.bytes,
            "elapsed-sec": self.secs(),
            "mbyte-per-sec": self.mbyte_per_sec(),
            "mbit-per-sec": self.mbit_per_sec(),
            "sendmmsg-calls": self.sendmmsg_calls,
            "errqueue-recvmsg-calls": self.errqueue_reads,
            "errqueue-recvmsg-empty": self.errqueue_empty,
            "syscalls-per-mb": self.syscalls_per_mb(),
            "notifications": self.notifications,
            "notifications-per-call": self.notifications_per_call(),
            "ids-sent": self.ids_sent,
            "ids-copied": self.ids_copied,
            "ids-zerocopy": self.ids_zerocopy,
            "ids-missing": self.ids_missing,
            "icmp-errors": self.icmp_errors,
            "sends-refused": self.sends_refused,
        })
    }
}

/// The sending socket and its bookkeeping.
struct Sender {
    fd: OwnedFd,
    family: i32,
    dests: Vec<RawAddr>,
    report: SendReport,
    inflight: InFlight<Vec<Vec<u8>>>,
    /// Buffer sets (one message per destination) free for the next call.
    free: Vec<Vec<Vec<u8>>>,
}

impl Sender {
    /// Reads the error queue until it is empty.
    fn drain(&mut self) -> Result<()> {
        let mut none = [0u8; 0];
        loop {
            let got = udp::recvmsg(&self.fd, &mut none, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT)
                .map_err(|e| Error::io("reading the error queue", e))?;
            self.report.errqueue_reads += 1;
            let Some(got) = got else {
                self.report.errqueue_empty += 1;
                return Ok(());
            };
            for (level, kind, data) in &got.cmsgs {
                match udp::errqueue_event(self.family, *level, *kind, data) {
                    Some(ErrQueueEvent::ZeroCopy { lo, hi, copied }) => {
                        self.report.notifications += 1;
                        let n = u64::from(hi.wrapping_sub(lo)) + 1;
                        if copied {
                            self.report.ids_copied += n;
                        } else {
                            self.report.ids_zerocopy += n;
                        }
                        let done = self.inflight.notify(lo, hi);
                        self.free.extend(done);
                    }
                    Some(ErrQueueEvent::Icmp { .. }) => self.report.icmp_errors += 1,
                    Some(ErrQueueEvent::Other) | None => {}
                }
            }
        }
    }

    /// Waits up to `timeout` for the error queue, then drains it.
    fn wait(&mut self, timeout: Duration) -> Result<()> {
        let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
        // POLLERR is reported whatever the events asked for.
        udp::poll(&[&self.fd], 0, ms).map_err(|e| Error::io("poll", e))?;
        self.drain()
    }

    /// One call: every message of `set` to its destination, as many
    /// sendmmsg(2) as it takes.
    fn call(&mut self, set: &[Vec<u8>], flags: i32, dest_addrs: &[SocketAddr]) -> Result<()> {
        let bufs: Vec<&[u8]> = set.iter().map(Vec::as_slice).collect();
        let mut sent = 0;
        let mut refused_in_row = 0;
        let mut nobufs_since: Option<Instant> = None;
        while sent < bufs.len() {
            let r = udp::sendmmsg(&self.fd, &bufs[sent..], &self.dests[sent..], flags);
            self.report.sendmmsg_calls += 1;
            let err = match r {
                Ok(n) => {
                    sent += n;
                    refused_in_row = 0;
                    nobufs_since = None;
                    continue;
                }
                Err(e) => e,
            };
            match err.raw_os_error() {
                Some(libc::EINTR) => {}
                // An ICMP error for a datagram sent before (sk_err): this
                // call was not sent; the error is consumed.
                Some(
                    libc::ECONNREFUSED | libc::EHOSTUNREACH | libc::ENETUNREACH | libc::EHOSTDOWN,
                ) if refused_in_row < 1000 => {
                    refused_in_row += 1;
                    self.report.sends_refused += 1;
                }
                // Zero-copy: the socket's option memory is full of
                // notifications not read yet.
                Some(libc::ENOBUFS | libc::EAGAIN)
                    if nobufs_since.is_none_or(|t| t.elapsed() < NOTIFY_WAIT) =>
                {
                    nobufs_since.get_or_insert_with(Instant::now);
                    self.wait(Duration::from_millis(10))?;
                }
                Some(errno) => {
                    let hint = match errno {
                        libc::EMSGSIZE => format!(
                            ": a message of {} B does not fit one UDP send",
                            self.report.size
                        ),
                        libc::EINVAL => format!(
                            ": is gso {} plus headers above the route's MTU, or are {} \
                             segments more than the kernel takes in one send (UDP_MAX_SEGMENTS)?",
                            self.report.gso, self.report.segments
                        ),
                        _ => String::new(),
                    };
                    return Err(Error::Other(format!(
                        "sendmmsg to {}: {}{hint}",
                        dest_addrs[sent],
                        strerror(errno)
                    )));
                }
                None => return Err(Error::io("sendmmsg", err)),
            }
        }
        Ok(())
    }
}

fn sock_err(what: String) -> impl FnOnce(io::Error) -> Error {
    move |e| Error::io(what, e)
}

/// `send`.
pub fn send(spec: &SendSpec) -> Result<()> {
    let layout = spec.layout;
    let first = spec.dests[0];
    let family = udp::family_of(&first.ip());
    let fd = udp::socket_for(&first).map_err(sock_err("socket".into()))?;
    udp::set_int(&fd, libc::SOL_UDP, udp::UDP_SEGMENT, layout.gso() as i32)
        .map_err(sock_err(format!("setting UDP_SEGMENT to {}", layout.gso())))?;
    let (level, recverr) = if first.is_ipv4() {
        (libc::SOL_IP, libc::IP_RECVERR)
    } else {
        (libc::SOL_IPV6, libc::IPV6_RECVERR)
    };
    udp::set_int(&fd, level, recverr, 1).map_err(sock_err("setting IP_RECVERR".into()))?;
    if spec.zerocopy {
        udp::set_int(&fd, libc::SOL_SOCKET, udp::SO_ZEROCOPY, 1)
            .map_err(sock_err("setting SO_ZEROCOPY".into()))?;
    }
    // One call's messages stay charged to the socket until the device has
    // sent them (and, zero-copy, until the peer has read them): a send
    // buffer smaller than a call would split each call into several
    // batches. Ask for room for two calls; beyond net.core.wmem_max only
    // with CAP_NET_ADMIN (SO_SNDBUFFORCE), else as much as is allowed.
    let want = (2 * spec.dests.len() * layout.size()).min(i32::MAX as usize / 2) as i32;
    if udp::set_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, want).is_err() {
        udp::set_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUF, want)
            .map_err(sock_err("setting SO_SNDBUF".into()))?;
    }
    let sndbuf = udp::get_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUF)
        .map_err(sock_err("reading SO_SNDBUF".into()))?;
    let dests: Vec<RawAddr> = spec.dests.iter().map(RawAddr::new).collect();

    // Neighbours resolved before the count starts; recv ignores empty
    // datagrams.
    for (raw, addr) in dests.iter().zip(&spec.dests) {
        udp::send_to(&fd, &[], raw).map_err(sock_err(format!("sending to {addr}")))?;
    }
    std::thread::sleep(WARMUP);

    let n = spec.dests.len();
    let mut s = Sender {
        fd,
        family,
        dests,
        report: SendReport {
            dests: spec.dests.clone(),
            size: layout.size(),
            gso: layout.gso(),
            segments: layout.segments(),
            zerocopy: spec.zerocopy,
            sndbuf: sndbuf.max(0) as u64,
            ..SendReport::default()
        },
        inflight: InFlight::default(),
        free: Vec::new(),
    };
    // The warm-up's ICMP errors, if any, are not the run's.
    s.drain()?;
    s.report.errqueue_reads = 0;
    s.report.errqueue_empty = 0;
    let flags = if spec.zerocopy { libc::MSG_ZEROCOPY } else { 0 };

    let limit = max_inflight(n * layout.size());
    let start = Instant::now();
    for call in 0..spec.calls {
        if spec.zerocopy && s.inflight.len() >= limit {
            let t0 = Instant::now();
            while s.inflight.len() >= limit {
                let waited = t0.elapsed();
                if waited >= NOTIFY_WAIT {
                    return Err(Error::Other(format!(
                        "no call completed for {} s with {limit} calls in flight \
                         ({} zero-copy ids not notified)",
                        NOTIFY_WAIT.as_secs(),
                        s.inflight.ids_left()
                    )));
                }
                s.wait(NOTIFY_WAIT - waited)?;
            }
        }
        let mut set = s
            .free
            .pop()
            .unwrap_or_else(|| vec![vec![0; layout.size()]; n]);
        for (d, buf) in set.iter_mut().enumerate() {
            layout.fill(call as u16, d as u16, buf);
        }
        s.call(&set, flags, &spec.dests)?;
        s.report.calls += 1;
        s.report.messages += n as u64;
        s.report.bytes += (n * layout.size()) as u64;
        if spec.zerocopy {
            s.report.ids_sent += n as u64;
            s.inflight.push(n as u32, set);
            s.drain()?;
        } else {
            s.free.push(set);
        }
    }
    if spec.zerocopy {
        let deadline = Instant::now() + NOTIFY_WAIT;
        while !s.inflight.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            s.wait(deadline - now)?;
        }
    }
    s.report.elapsed = start.elapsed();
    if !spec.zerocopy {
        // ICMP errors only.
        s.drain()?;
    }
    s.report.ids_missing = s.inflight.ids_left();

    if spec.json {
        println!("{}", s.report.json());
    } else {
        println!("{}", s.report.text());
    }
    if s.report.icmp_errors + s.report.sends_refused > 0 {
        eprintln!(
            "Warning: ICMP errors for the datagrams sent (destination or port unreachable): \
             does recv listen on every destination?"
        );
    }
    if s.report.ids_missing > 0 {
        return Err(Error::Other(format!(
            "{} of {} zero-copy message ids not notified within {} s",
            s.report.ids_missing,
            s.report.ids_sent,
            NOTIFY_WAIT.as_secs()
        )));
    }
    Ok(())
}

/// What one port received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortReport {
    pub addr: Option<SocketAddr>,
    pub received: u64,
    pub expected: u64,
    pub intact: u64,
    pub bad: u64,
    pub duplicate: u64,
    /// Datagrams behind one of a later (call, segment) on the same port.
    pub reordered: u64,
    pub bytes: u64,
}

impl PortReport {
    fn missing(&self) -> u64 {
        self.expected.saturating_sub(self.intact)
    }

    fn counts_text(&self) -> String {
        format!(
            "received {}  expected {}  bad {}  duplicate {}",
            self.received, self.expected, self.bad, self.duplicate
        )
    }
}

/// The interleave of an arrival order (one port index per datagram).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Interleave {
    /// Adjacent pairs.
    pub pairs: u64,
    /// Adjacent pairs whose datagrams went to different ports.
    pub changes: u64,
    /// The most datagrams in a row to one port.
    pub longest_run: u64,
}

impl Interleave {
    pub fn of(order: impl IntoIterator<Item = u32>) -> Self {
        let mut r = Self::default();
        let mut prev = None;
        let mut run = 0;
        for p in order {
            match prev {
                Some(q) if q == p => run += 1,
                Some(_) => {
                    r.changes += 1;
                    run = 1;
                }
                None => run = 1,
            }
            if prev.is_some() {
                r.pairs += 1;
            }
            r.longest_run = r.longest_run.max(run);
            prev = Some(p);
        }
        r
    }

    /// `changes / pairs`; `None` for fewer than two datagrams.
    pub fn score(&self) -> Option<f64> {
        ratio(self.changes as f64, self.pairs as f64)
    }
}

/// What recv received.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecvReport {
    pub ports: Vec<PortReport>,
    /// First to last datagram.
    pub elapsed: Duration,
    pub interleave: Interleave,
    /// Whether the order is that of receive timestamps (else: of reads).
    pub timestamped: bool,
    /// Datagrams whose order is known (at most [`MAX_ORDER`]).
    pub ordered: u64,
    pub timed_out: bool,
    /// The first bad datagrams, described.
    pub errors: Vec<String>,
}

impl RecvReport {
    pub fn total(&self) -> PortReport {
        let mut t = PortReport::default();
        for p in &self.ports {
            t.received += p.received;
            t.expected += p.expected;
            t.intact += p.intact;
            t.bad += p.bad;
            t.duplicate += p.duplicate;
            t.reordered += p.reordered;
            t.bytes += p.bytes;
        }
        t
    }

    /// Every expected datagram arrived intact, none bad, none twice.
    pub fn complete(&self) -> bool {
        let t = self.total();
        t.missing() == 0 && t.bad == 0 && t.duplicate == 0
    }

    pub fn mbyte_per_sec(&self) -> Option<f64> {
        ratio(mb(self.total().bytes), self.elapsed.as_secs_f64())
    }

    pub fn text(&self) -> String {
        let width = self
            .ports
            .iter()
            .map(|p| p.addr.map_or(1, |a| a.to_string().len()) + 5)
            .max()
            .unwrap_or(0)
            .max(20);
        let mut l = Vec::new();
        for p in &self.ports {
            let name = format!("port {}", p.addr.map_or("?".into(), |a| a.to_string()));
            l.push(format!(
                "{name:<width$}  {}  reordered {}",
                p.counts_text(),
                p.reordered
            ));
        }
        let t = self.total();
        l.push(format!(
            "{:<width$}  {}  missing {}",
            "total",
            t.counts_text(),
            t.missing()
        ));
        l.push(format!(
            "{:<width$}  {} in {:.6} s (first to last datagram), {} MB/s",
            "bytes",
            t.bytes,
            self.elapsed.as_secs_f64(),
            fixed(self.mbyte_per_sec(), 2)
        ));
        let i = &self.interleave;
        l.push(format!(
            "{:<width$}  {}: {} of {} adjacent pairs to different ports, longest run {}{}",
            "interleave score",
            fixed(i.score(), 3),
            i.changes,
            i.pairs,
            i.longest_run,
            if self.timestamped {
                ""
            } else {
                " (read order: datagrams without a receive timestamp)"
            }
        ));
        if self.ordered < t.received {
            l.push(format!(
                "{:<width$}  of the first {} datagrams",
                "", self.ordered
            ));
        }
        for e in &self.errors {
            l.push(format!("bad: {e}"));
        }
        l.join("\n")
    }

    pub fn json(&self) -> Value {
        let port = |p: &PortReport| {
            json!({
                "received": p.received,
                "expected": p.expected,
                "intact": p.intact,
                "bad": p.bad,
                "duplicate": p.duplicate,
                "reordered": p.reordered,
                "missing": p.missing(),
                "bytes": p.bytes,
            })
        };
        let ports: Vec<Value> = self
            .ports
            .iter()
            .map(|p| {
                let mut v = json!({"address": p.addr.map(|a| a.to_string())});
                if let (Value::Object(m), Value::Object(c)) = (&mut v, port(p)) {
                    m.extend(c);
                }
                v
            })
            .collect();
        let mut v = json!({ "ports": ports });
        if let (Value::Object(m), Value::Object(t)) = (&mut v, port(&self.total())) {
            m.extend(t);
            m.extend(
                json!({
                    "elapsed-sec": self.elapsed.as_secs_f64(),
                    "mbyte-per-sec": self.mbyte_per_sec(),
                    "interleave-score": self.interleave.score(),
                    "adjacent-pairs": self.interleave.pairs,
                    "port-changes": self.interleave.changes,
                    "longest-run": self.interleave.longest_run,
                    "order": if self.timestamped { "timestamp" } else { "read" },
                    "ordered": self.ordered,
                    "timed-out": self.timed_out,
                    "complete": self.complete(),
                    "errors": self.errors,
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            );
        }
        v
    }
}

/// A listening socket and what it received.
struct Port {
    fd: OwnedFd,
    report: PortReport,
    /// Which (call, segment) positions arrived intact.
    seen: Bits,
    /// The latest position so far.
    latest: Option<usize>,
}

/// One datagram's place in the arrival order (read order among equal
/// timestamps: the sort is stable).
struct Arrival {
    ts: u64,
    port: u32,
}

/// One bit per (call, segment) position.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    /// Sets bit `i`; returns whether it was set already.
    fn test_and_set(&mut self, i: usize) -> bool {
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let was = self.0[w] & b != 0;
        self.0[w] |= b;
        was
    }
}

/// `recv`.
pub fn recv(spec: &RecvSpec) -> Result<()> {
    let layout: Layout = spec.layout;
    let segs = layout.segments();
    let positions = spec.calls as usize * segs;
    let mut ports = Vec::new();
    for a in &spec.listen {
        let fd = udp::bound_socket(a).map_err(sock_err(format!("binding {a}")))?;
        if udp::set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, RCVBUF).is_err() {
            // Capped by net.core.rmem_max; what is lost shows as missing.
            let _ = udp::set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, RCVBUF);
        }
        udp::set_int(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1)
            .map_err(sock_err("setting SO_TIMESTAMPNS".into()))?;
        let bound = udp::local_addr(&fd).map_err(sock_err("getsockname".into()))?;
        ports.push(Port {
            fd,
            report: PortReport {
                addr: Some(bound),
                expected: positions as u64,
                ..PortReport::default()
            },
            seen: Bits::new(positions),
            latest: None,
        });
    }
    let bound: Vec<SocketAddr> = ports.iter().filter_map(|p| p.report.addr).collect();
    eprintln!(
        "zcpairctl recv: listening on {} ({} calls x {} datagrams per port)",
        addr_list(&bound, ","),
        spec.calls,
        segs
    );

    let mut buf = vec![0u8; 1 << 16];
    let mut order: Vec<Arrival> = Vec::new();
    let mut timestamped = true;
    let mut errors = Vec::new();
    // Earliest and latest receive timestamp, first and last read.
    let mut ts_range: Option<(u64, u64)> = None;
    let mut read_range: Option<(Instant, Instant)> = None;
    let mut idle_since = Instant::now();
    let mut timed_out = false;
    loop {
        if ports.iter().all(|p| p.report.received >= p.report.expected) {
            break;
        }
        let idle = idle_since.elapsed();
        if idle >= spec.timeout {
            timed_out = true;
            break;
        }
        let wait = (spec.timeout - idle).min(Duration::from_secs(1));
        let fds: Vec<&OwnedFd> = ports.iter().map(|p| &p.fd).collect();
        let ready = udp::poll(&fds, libc::POLLIN, wait.as_millis().max(1) as i32)
            .map_err(|e| Error::io("poll", e))?;
        for (i, port) in ports.iter_mut().enumerate() {
            if ready[i] == 0 {
                continue;
            }
            // A bounded number per socket and round: the others get their
            // turn.
            for _ in 0..64 {
                let got = udp::recvmsg(&port.fd, &mut buf, libc::MSG_DONTWAIT)
                    .map_err(sock_err(format!("receiving on {}", spec.listen[i])))?;
                let Some(got) = got else { break };
                let now = Instant::now();
                idle_since = now;
                if got.len == 0 {
                    // send's warm-up.
                    continue;
                }
                let ts = udp::timestamp_ns(&got.cmsgs);
                timestamped &= ts.is_some();
                if let Some(t) = ts {
                    ts_range = Some(ts_range.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
                }
                read_range = Some(read_range.map_or((now, now), |(a, _)| (a, now)));
                let r = &mut port.report;
                r.received += 1;
                r.bytes += got.len as u64;
                if order.len() < MAX_ORDER {
                    order.push(Arrival {
                        ts: ts.unwrap_or(0),
                        port: i as u32,
                    });
                }
                let checked = if got.flags & libc::MSG_TRUNC != 0 {
                    Err(format!("a datagram over {} B", buf.len()))
                } else {
                    layout
                        .check(i as u16, spec.calls, &buf[..got.len])
                        .map_err(|b| b.to_string())
                };
                match checked {
                    Ok(h) => {
                        let pos = usize::from(h.call) * segs + usize::from(h.seg);
                        if port.seen.test_and_set(pos) {
                            r.duplicate += 1;
                            if errors.len() < MAX_ERRORS {
                                errors.push(format!(
                                    "{}: call {} segment {} again",
                                    spec.listen[i], h.call, h.seg
                                ));
                            }
                        } else {
                            r.intact += 1;
                        }
                        if port.latest.is_some_and(|l| pos < l) {
                            r.reordered += 1;
                        }
                        port.latest = port.latest.max(Some(pos));
                    }
                    Err(e) => {
                        r.bad += 1;
                        if errors.len() < MAX_ERRORS {
                            errors.push(format!("{}: {e}", spec.listen[i]));
                        }
                    }
                }
            }
        }
    }

    if timestamped {
        order.sort_by_key(|a| a.ts);
    }
    let elapsed = match (timestamped, ts_range, read_range) {
        (true, Some((t0, t1)), _) => Duration::from_nanos(t1 - t0),
        (_, _, Some((i0, i1))) => i1.duration_since(i0),
        _ => Duration::ZERO,
    };
    let report = RecvReport {
        ports: ports.into_iter().map(|p| p.report).collect(),
        elapsed,
        interleave: Interleave::of(order.iter().map(|a| a.port)),
        timestamped,
        ordered: order.len() as u64,
        timed_out,
        errors,
    };
    if spec.json {
        println!("{}", report.json());
    } else {
        println!("{}", report.text());
    }
    if report.complete() {
        return Ok(());
    }
    let t = report.total();
    Err(Error::Other(format!(
        "{} of {} datagrams missing, {} bad, {} duplicate{}",
        t.missing(),
        t.expected,
        t.bad,
        t.duplicate,
        if timed_out {
            format!(" (none for {} s)", spec.timeout.as_secs())
        } else {
            String::new()
        }
    )))
}
