// SPDX-License-Identifier: GPL-2.0
//! `send` and `recv`: their command line, the payload pattern, the
//! zero-copy bookkeeping, and both over loopback (no zcpair needed).

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::OwnedFd;
use std::process::{Child, ChildStderr, Command as Process, Output, Stdio};
use std::time::Duration;

use clap::Parser;
use serde_json::Value;
use zcpairctl::cli::{parse_recv, parse_send, parse_size, Cli, Command, RecvSpec, SendSpec};
use zcpairctl::multidest::{max_inflight, InFlight, Interleave, MAX_INFLIGHT, MAX_INFLIGHT_BYTES};
use zcpairctl::pattern::{pattern_byte, Bad, Header, Layout, HEADER_LEN, MAX_SIZE};
use zcpairctl::udp::{self, ErrQueueEvent, ExtendedErr, RawAddr};

const BIN: &str = env!("CARGO_BIN_EXE_zcpairctl");

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("zcpairctl").chain(args.iter().copied()))
}

fn send_spec(args: &[&str]) -> Result<SendSpec, String> {
    match parse(&[&["send"], args].concat()).unwrap().command {
        Command::Send(a) => parse_send(&a),
        c => panic!("{c:?}"),
    }
}

fn recv_spec(args: &[&str]) -> Result<RecvSpec, String> {
    match parse(&[&["recv"], args].concat()).unwrap().command {
        Command::Recv(a) => parse_recv(&a),
        c => panic!("{c:?}"),
    }
}

fn addrs(list: &[&str]) -> Vec<SocketAddr> {
    list.iter().map(|a| a.parse().unwrap()).collect()
}

#[test]
fn send_defaults_and_dest_lists() {
    let s = send_spec(&["--dest", "10.0.0.2:6001,10.0.0.2:6002"]).unwrap();
    assert_eq!(s.dests, addrs(&["10.0.0.2:6001", "10.0.0.2:6002"]));
    assert_eq!((s.layout.size(), s.layout.gso()), (64000, 1400));
    assert_eq!(s.layout.segments(), 46);
    assert_eq!(s.calls, 100);
    assert!(!s.zerocopy && !s.json);

    // Comma lists and repeated options add up, in order.
    let s = send_spec(&[
        "-d",
        "[fd99::2]:6001,[fd99::2]:6002",
        "--dest",
        "[fd99::3]:7",
        "--size",
        "8K",
        "--gso",
        "1024",
        "--calls",
        "3",
        "-z",
        "-j",
    ])
    .unwrap();
    assert_eq!(
        s.dests,
        addrs(&["[fd99::2]:6001", "[fd99::2]:6002", "[fd99::3]:7"])
    );
    assert_eq!((s.layout.size(), s.layout.gso(), s.calls), (8192, 1024, 3));
    assert!(s.zerocopy && s.json);

    let r = recv_spec(&[
        "--listen",
        "127.0.0.1:0,127.0.0.1:0,[::1]:9",
        "-s",
        "8000",
        "-t",
        "2",
    ])
    .unwrap();
    // recv may mix families, and port 0 more than once.
    assert_eq!(r.listen, addrs(&["127.0.0.1:0", "127.0.0.1:0", "[::1]:9"]));
    assert_eq!(r.timeout, Duration::from_secs(2));
    assert_eq!((r.layout.size(), r.calls), (8000, 100));
}

#[test]
fn sizes() {
    assert_eq!(parse_size("64000"), Ok(64000));
    assert_eq!(parse_size("8k"), Ok(8192));
    assert_eq!(parse_size("63K"), Ok(63 * 1024));
    assert_eq!(parse_size("65507"), Ok(MAX_SIZE));
    for bad in [
        "64K", "65508", "5", "0", "", "K", "1.5K", "-1", "0x100", "+8", "8KB", "8 K",
    ] {
        assert!(parse_size(bad).is_err(), "{bad}");
    }
}

#[test]
fn send_recv_usage_errors() {
    // Refused by clap's value parsers.
    for args in [
        &["send"][..],
        &["send", "--dest"],
        &["send", "--dest", "10.0.0.2"],
        &["send", "--dest", "::1:6001"],
        &["send", "--dest", "fd99::2:6001"],
        &["send", "--dest", "[fd99::2]"],
        &["send", "--dest", "localhost:6001"],
        &["send", "--dest", "10.0.0.2:0"],
        &["send", "--dest", "10.0.0.2:65536"],
        &["send", "--dest", "10.0.0.2:1,"],
        &["send", "-d", "10.0.0.2:1", "--size", "64K"],
        &["send", "-d", "10.0.0.2:1", "--gso", "5"],
        &["send", "-d", "10.0.0.2:1", "--gso", "65508"],
        &["send", "-d", "10.0.0.2:1", "--calls", "0"],
        &["send", "-d", "10.0.0.2:1", "--calls", "65537"],
        &["send", "-d", "10.0.0.2:1", "--timeout", "1"],
        &["recv"],
        &["recv", "-l", "10.0.0.2:1", "--timeout", "0"],
        &["recv", "-l", "10.0.0.2:1", "--zerocopy"],
        &["recv", "-l", "[::1]"],
    ] {
        let e = parse(args).map(|_| ()).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
    }
    // Refused when the options are read together.
    assert!(send_spec(&["-d", "10.0.0.2:1,[::1]:2"])
        .unwrap_err()
        .contains("both families"));
    assert!(send_spec(&["-d", "10.0.0.2:1,10.0.0.2:1"])
        .unwrap_err()
        .contains("twice"));
    assert!(recv_spec(&["-l", "[::1]:5", "-l", "[::1]:5"])
        .unwrap_err()
        .contains("twice"));
    assert!(send_spec(&["-d", "10.0.0.2:1", "--size", "1403"])
        .unwrap_err()
        .contains("last datagram of 3 B"));
    let many: Vec<String> = (1..=1025).map(|p| format!("10.0.0.2:{p}")).collect();
    assert!(send_spec(&["-d", &many.join(",")])
        .unwrap_err()
        .contains("at most 1024"));
}

/// The binary exits 2 on usage errors, before opening any socket.
#[test]
fn usage_errors_exit_2() {
    for args in [
        &["send", "--dest", "10.0.0.2:1,[::1]:2"][..],
        &["send", "--dest", "[::1:2"],
        &["send", "--dest", "10.0.0.2:1", "--size", "64K"],
        &["send", "--dest", "10.0.0.2:1", "--size", "1401"],
        &["recv", "--listen", "10.0.0.2:1,10.0.0.2:1"],
        &["recv", "--listen", "10.0.0.2"],
    ] {
        let out = Process::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains("try '--help'"), "{args:?}: {stderr}");
    }
}

#[test]
fn layout_limits() {
    assert!(Layout::new(5, 1400).is_err());
    assert!(Layout::new(MAX_SIZE + 1, 1400).is_err());
    assert!(Layout::new(8000, 5).is_err());
    assert!(Layout::new(1405, 1400).is_err());
    let l = Layout::new(1406, 1400).unwrap();
    assert_eq!(
        (l.segments(), l.segment_len(0), l.segment_len(1)),
        (2, 1400, 6)
    );
    let l = Layout::new(1000, 1400).unwrap();
    assert_eq!((l.segments(), l.segment_len(0)), (1, 1000));
    let l = Layout::new(MAX_SIZE, 1000).unwrap();
    assert_eq!((l.segments(), l.segment_len(65)), (66, 507));
    let l = Layout::new(HEADER_LEN, HEADER_LEN).unwrap();
    assert_eq!((l.segments(), l.segment_len(0)), (1, HEADER_LEN));
}

/// A message's datagrams, as UDP_SEGMENT cuts it.
fn datagrams(l: &Layout, msg: &[u8]) -> Vec<Vec<u8>> {
    msg.chunks(l.gso()).map(<[u8]>::to_vec).collect()
}

#[test]
fn pattern_round_trip() {
    for (size, gso) in [
        (8000, 1400),
        (64000, 1400),
        (4200, 1400),
        (6, 6),
        (100, 1400),
    ] {
        let l = Layout::new(size, gso).unwrap();
        for (call, dest) in [(0u16, 0u16), (1, 3), (65535, 1023)] {
            let msg = l.message(call, dest);
            assert_eq!(msg.len(), size);
            // The message starts with (call, destination), big-endian.
            assert_eq!(
                &msg[..4],
                &[(call >> 8) as u8, call as u8, (dest >> 8) as u8, dest as u8]
            );
            let dgrams = datagrams(&l, &msg);
            assert_eq!(dgrams.len(), l.segments());
            for (k, d) in dgrams.iter().enumerate() {
                let h = l.check(dest, 65536, d).unwrap();
                assert_eq!(
                    h,
                    Header {
                        call,
                        dest,
                        seg: k as u16
                    }
                );
                for (j, &b) in d.iter().enumerate().skip(HEADER_LEN) {
                    assert_eq!(b, pattern_byte(call, dest, k * gso + j));
                }
            }
        }
    }
    // The documented formula.
    assert_eq!(pattern_byte(0, 0, 0), 0);
    assert_eq!(pattern_byte(0, 0, 250), 250);
    assert_eq!(pattern_byte(0, 0, 251), 0);
    assert_eq!(
        pattern_byte(2, 3, 1000),
        ((1000 % 251 + 7 * 3 + 13 * 2) % 256) as u8
    );
    assert_eq!(
        pattern_byte(300, 40, 7),
        ((7 + 7 * 40 + 13 * 300) % 256) as u8
    );
    // Fill and a fresh message agree, whatever the buffer held before.
    let l = Layout::new(8000, 1400).unwrap();
    let mut buf = l.message(9, 1);
    l.fill(2, 0, &mut buf);
    assert_eq!(buf, l.message(2, 0));
}

#[test]
fn pattern_detects_corruption() {
    let l = Layout::new(8000, 1400).unwrap();
    let msg = l.message(2, 1);
    let dgrams = datagrams(&l, &msg);

    // Every byte of the body, flipped, is found at its offset.
    let d = &dgrams[3];
    for j in HEADER_LEN..d.len() {
        let mut bad = d.clone();
        bad[j] ^= 0x40;
        assert_eq!(
            l.check(1, 3, &bad),
            Err(Bad::Byte {
                call: 2,
                seg: 3,
                offset: 3 * 1400 + j,
                got: d[j] ^ 0x40,
                want: d[j]
            })
        );
    }
    let e = l.check(1, 3, &{
        let mut b = dgrams[0].clone();
        b[517] = b[517].wrapping_add(1);
        b
    });
    assert_eq!(
        e.unwrap_err().to_string(),
        format!(
            "call 2 segment 0: byte at message offset 517 is {:#04x}, want {:#04x}",
            msg[517].wrapping_add(1),
            msg[517]
        )
    );

    // The header: another port's, a call or segment out of range.
    assert_eq!(
        l.check(0, 3, &dgrams[0]),
        Err(Bad::Dest { got: 1, want: 0 })
    );
    assert_eq!(
        l.check(1, 2, &dgrams[0]),
        Err(Bad::Call { got: 2, calls: 2 })
    );
    let mut b = dgrams[0].clone();
    b[5] = 6;
    assert_eq!(
        l.check(1, 3, &b),
        Err(Bad::Segment {
            got: 6,
            segments: 6
        })
    );
    // A header moved onto another segment's bytes.
    let mut b = dgrams[1].clone();
    b[5] = 2;
    assert!(matches!(l.check(1, 3, &b), Err(Bad::Byte { seg: 2, .. })));

    // Lengths: truncated, too long, shorter than a header.
    assert_eq!(
        l.check(1, 3, &dgrams[0][..1399]),
        Err(Bad::Length {
            call: 2,
            seg: 0,
            len: 1399,
            want: 1400
        })
    );
    let last = dgrams.last().unwrap();
    assert_eq!(last.len(), 8000 - 5 * 1400);
    assert!(l.check(1, 3, last).is_ok());
    let mut long = last.clone();
    long.push(0);
    assert!(matches!(
        l.check(1, 3, &long),
        Err(Bad::Length { seg: 5, .. })
    ));
    assert_eq!(l.check(1, 3, &[0, 2, 0]), Err(Bad::Short { len: 3 }));

    // Another call's bytes under the right header (a stale buffer).
    let other = l.message(3, 1);
    let mut b = datagrams(&l, &other)[2].clone();
    b[..HEADER_LEN].copy_from_slice(&dgrams[2][..HEADER_LEN]);
    assert!(matches!(
        l.check(1, 4, &b),
        Err(Bad::Byte {
            call: 2,
            seg: 2,
            offset: 2806,
            ..
        })
    ));
}

#[test]
fn inflight_bookkeeping() {
    let mut f = InFlight::default();
    f.push(2, "a"); // ids 0, 1
    f.push(2, "b"); // ids 2, 3
    f.push(2, "c"); // ids 4, 5
    assert_eq!((f.len(), f.ids_left()), (3, 6));
    // One notification over a call and a half.
    assert_eq!(f.notify(0, 2), vec!["a"]);
    assert_eq!((f.len(), f.ids_left()), (2, 3));
    // Out of order.
    assert_eq!(f.notify(5, 5), Vec::<&str>::new());
    assert_eq!(f.notify(3, 4), vec!["b", "c"]);
    assert!(f.is_empty());
    assert_eq!(f.ids_left(), 0);
    f.push(3, "d"); // ids 6..=8
    assert_eq!(f.notify(0, 5), Vec::<&str>::new());
    assert_eq!(f.notify(6, 100), vec!["d"]);
}

#[test]
fn inflight_limit() {
    assert_eq!(max_inflight(4 * 64000), MAX_INFLIGHT);
    assert_eq!(max_inflight(1024 * 65507), 1);
    assert_eq!(max_inflight(MAX_INFLIGHT_BYTES / 10), 10);
    assert_eq!(max_inflight(0), MAX_INFLIGHT);
}

#[test]
fn interleave() {
    let i = Interleave::of([0, 1, 2, 3, 0, 1, 2, 3]);
    assert_eq!((i.pairs, i.changes, i.longest_run), (7, 7, 1));
    assert_eq!(i.score(), Some(1.0));
    let i = Interleave::of([0, 0, 0, 1, 1, 1]);
    assert_eq!((i.pairs, i.changes, i.longest_run), (5, 1, 3));
    assert_eq!(i.score(), Some(0.2));
    assert_eq!(Interleave::of([7]).score(), None);
    assert_eq!(Interleave::of([]).longest_run, 0);
}

#[test]
fn error_queue_messages() {
    let zc = ExtendedErr {
        origin: udp::SO_EE_ORIGIN_ZEROCOPY,
        code: udp::SO_EE_CODE_ZEROCOPY_COPIED,
        info: 4,
        data: 7,
        ..ExtendedErr::default()
    };
    assert_eq!(ExtendedErr::parse(&zc.to_bytes()), Some(zc));
    assert_eq!(
        udp::errqueue_event(
            libc::AF_INET,
            libc::SOL_IP,
            libc::IP_RECVERR,
            &zc.to_bytes()
        ),
        Some(ErrQueueEvent::ZeroCopy {
            lo: 4,
            hi: 7,
            copied: true
        })
    );
    let sent = ExtendedErr { code: 0, ..zc };
    assert_eq!(
        udp::errqueue_event(
            libc::AF_INET6,
            libc::SOL_IPV6,
            libc::IPV6_RECVERR,
            &sent.to_bytes()
        ),
        Some(ErrQueueEvent::ZeroCopy {
            lo: 4,
            hi: 7,
            copied: false
        })
    );
    // Another family's control message, or a short one: not ours.
    assert_eq!(
        udp::errqueue_event(
            libc::AF_INET,
            libc::SOL_IPV6,
            libc::IPV6_RECVERR,
            &zc.to_bytes()
        ),
        None
    );
    assert_eq!(
        udp::errqueue_event(
            libc::AF_INET,
            libc::SOL_IP,
            libc::IP_RECVERR,
            &zc.to_bytes()[..15]
        ),
        None
    );
    let icmp = ExtendedErr {
        errno: libc::ECONNREFUSED as u32,
        origin: udp::SO_EE_ORIGIN_ICMP,
        kind: 3,
        code: 3,
        ..ExtendedErr::default()
    };
    assert_eq!(
        udp::errqueue_event(
            libc::AF_INET,
            libc::SOL_IP,
            libc::IP_RECVERR,
            &icmp.to_bytes()
        ),
        Some(ErrQueueEvent::Icmp {
            errno: libc::ECONNREFUSED as u32
        })
    );
}

#[test]
fn raw_addresses() {
    for a in ["10.99.0.2:6001", "[fd99::2]:6002", "[::1]:1", "0.0.0.0:0"] {
        let a: SocketAddr = a.parse().unwrap();
        let raw = RawAddr::new(&a);
        assert_eq!(raw.to_socket_addr(), Some(a));
        let want = if a.is_ipv4() { 16 } else { 28 };
        assert_eq!(raw.len(), want);
    }
}

// Over loopback.

/// Whether a UDP GSO send works on `lo` for `family` ("127.0.0.1" or
/// "::1"): a socket with UDP_SEGMENT sends itself 3000 bytes in 1400-byte
/// datagrams.
fn gso_on_loopback(ip: &str) -> Result<(), String> {
    let sock = UdpSocket::bind((ip, 0)).map_err(|e| format!("bind {ip}: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let me = sock.local_addr().unwrap();
    let fd: OwnedFd = sock.try_clone().unwrap().into();
    udp::set_int(&fd, libc::SOL_UDP, udp::UDP_SEGMENT, 1400)
        .map_err(|e| format!("UDP_SEGMENT: {e}"))?;
    sock.send_to(&[7; 3000], me)
        .map_err(|e| format!("a UDP GSO send: {e}"))?;
    let mut buf = [0; 4000];
    let n = sock.recv(&mut buf).map_err(|e| format!("receive: {e}"))?;
    if n != 1400 {
        return Err(format!("a GSO send arrived as {n} B, not 1400"));
    }
    Ok(())
}

/// Whether a datagram to oneself on `ip` arrives.
fn udp_on_loopback(ip: &str) -> Result<(), String> {
    let sock = UdpSocket::bind((ip, 0)).map_err(|e| format!("bind {ip}: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    sock.send_to(b"x", sock.local_addr().unwrap())
        .map_err(|e| format!("send: {e}"))?;
    sock.recv(&mut [0; 8])
        .map_err(|e| format!("receive: {e}"))?;
    Ok(())
}

/// Whether a UDP socket of `ip`'s family takes SO_ZEROCOPY.
fn zerocopy_available(ip: &str) -> Result<(), String> {
    let sock = UdpSocket::bind((ip, 0)).map_err(|e| format!("bind {ip}: {e}"))?;
    let fd: OwnedFd = sock.into();
    udp::set_int(&fd, libc::SOL_SOCKET, udp::SO_ZEROCOPY, 1)
        .map_err(|e| format!("SO_ZEROCOPY: {e}"))
}

/// Skips the test (passing it, with a message) when the host cannot.
macro_rules! require {
    ($probe:ident, $ip:expr) => {
        if let Err(e) = $probe($ip) {
            eprintln!("skipped: {} ({}) failed: {e}", stringify!($probe), $ip);
            return;
        }
    };
}

/// `recv` running, its stderr after the first line.
struct Recv {
    child: Child,
    stderr: BufReader<ChildStderr>,
}

/// `recv` started with `args`, and the addresses it bound.
fn start_recv(args: &[&str]) -> (Recv, Vec<String>) {
    let mut child = Process::new(BIN)
        .arg("recv")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let bound = line
        .strip_prefix("zcpairctl recv: listening on ")
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("recv said {line:?}"));
    let addrs = bound.split(',').map(str::to_owned).collect();
    (Recv { child, stderr }, addrs)
}

/// `recv`'s exit: its status and stdout, and the rest of its stderr.
fn finish(mut recv: Recv) -> (Output, String, String) {
    let out = recv.child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut stderr = String::new();
    recv.stderr.read_to_string(&mut stderr).unwrap();
    (out, stdout, stderr)
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// `send` to `recv` over loopback, 2 ports, 3 calls of 8000 B: every
/// datagram arrives intact.
fn loopback_run(ip: &str, zerocopy: bool) {
    let any = if ip.contains(':') {
        format!("[{ip}]:0")
    } else {
        format!("{ip}:0")
    };
    let listen = format!("{any},{any}");
    let (recv, dests) = start_recv(&[
        "--listen",
        &listen,
        "--size",
        "8000",
        "--calls",
        "3",
        "--timeout",
        "10",
        "--json",
    ]);
    let mut send = Process::new(BIN);
    send.args([
        "send",
        "--dest",
        &dests.join(","),
        "--size",
        "8000",
        "--calls",
        "3",
        "--json",
    ]);
    if zerocopy {
        send.arg("--zerocopy");
    }
    let sent = send.output().unwrap();
    let (got, stdout, _) = finish(recv);
    let sent_out = String::from_utf8_lossy(&sent.stdout);
    assert!(
        sent.status.success(),
        "send: {sent:?} {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(got.status.success(), "recv: {got:?}");

    let s = json_of(&sent_out);
    assert_eq!(s["calls"], 3);
    assert_eq!(s["messages"], 6);
    assert_eq!(s["bytes"], 48000);
    assert_eq!(s["segments"], 6);
    assert_eq!(s["zerocopy"], zerocopy);
    assert!(s["sendmmsg-calls"].as_u64().unwrap() >= 3);
    assert_eq!(s["ids-missing"], 0);
    if zerocopy {
        // Loopback delivers to a local socket: reported copied.
        assert_eq!(s["ids-sent"], 6);
        assert_eq!(
            s["ids-copied"].as_u64().unwrap() + s["ids-zerocopy"].as_u64().unwrap(),
            6
        );
        assert!(s["notifications"].as_u64().unwrap() >= 1);
    } else {
        assert_eq!(s["notifications"], 0);
    }

    let r = json_of(&stdout);
    assert_eq!(r["complete"], true, "{r}");
    assert_eq!(r["expected"], 36);
    assert_eq!(r["intact"], 36);
    assert_eq!(r["bad"], 0);
    assert_eq!(r["bytes"], 48000);
    let ports = r["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 2);
    for (p, d) in ports.iter().zip(&dests) {
        assert_eq!(p["address"].as_str().unwrap(), d);
        assert_eq!(p["received"], 18);
    }
    assert_eq!(r["adjacent-pairs"], 35);
}

#[test]
fn loopback_ipv4() {
    require!(gso_on_loopback, "127.0.0.1");
    loopback_run("127.0.0.1", false);
}

#[test]
fn loopback_ipv4_zerocopy() {
    require!(gso_on_loopback, "127.0.0.1");
    require!(zerocopy_available, "127.0.0.1");
    loopback_run("127.0.0.1", true);
}

#[test]
fn loopback_ipv6_zerocopy() {
    require!(gso_on_loopback, "::1");
    require!(zerocopy_available, "::1");
    loopback_run("::1", true);
}

/// The text output of both, and recv's failure when a call is missing.
#[test]
fn loopback_text_and_missing_datagrams() {
    require!(gso_on_loopback, "127.0.0.1");
    require!(zerocopy_available, "127.0.0.1");
    let (recv, dests) = start_recv(&[
        "-l",
        "127.0.0.1:0,127.0.0.1:0",
        "-s",
        "8000",
        "-c",
        "4",
        "-t",
        "1",
    ]);
    let sent = Process::new(BIN)
        .args([
            "send",
            "-d",
            &dests.join(","),
            "-s",
            "8000",
            "-c",
            "3",
            "-z",
        ])
        .output()
        .unwrap();
    assert!(sent.status.success(), "{sent:?}");
    let text = String::from_utf8_lossy(&sent.stdout);
    for key in [
        "destinations   ",
        "calls          3 sendmmsg, MSG_ZEROCOPY",
        "messages       6 of 8000 B, gso 1400: 6 datagrams each",
        "bytes          48000",
        "elapsed ",
        "throughput ",
        "syscalls ",
        "notifications  ",
        "ids            6 of 6 notified:",
    ] {
        assert!(text.contains(key), "{key:?} not in\n{text}");
    }
    let (got, stdout, stderr) = finish(recv);
    assert_eq!(got.status.code(), Some(1), "{got:?}");
    assert!(
        stdout.contains(
            "total                 received 36  expected 48  bad 0  duplicate 0  missing 12"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("interleave score "), "{stdout}");
    assert!(
        stderr.contains("Error: 12 of 48 datagrams missing, 0 bad, 0 duplicate (none for 1 s)"),
        "{stderr}"
    );
}

/// A datagram changed on the way is found, and fails recv.
#[test]
fn recv_finds_a_corrupted_datagram() {
    require!(udp_on_loopback, "127.0.0.1");
    let (recv, ports) = start_recv(&[
        "-l",
        "127.0.0.1:0",
        "--size",
        "100",
        "--gso",
        "100",
        "--calls",
        "2",
        "-t",
        "5",
        "-j",
    ]);
    let l = Layout::new(100, 100).unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to: SocketAddr = ports[0].parse().unwrap();
    sock.send_to(&l.message(0, 0), to).unwrap();
    let mut bad = l.message(1, 0);
    bad[50] ^= 1;
    sock.send_to(&bad, to).unwrap();
    let (got, stdout, _) = finish(recv);
    assert_eq!(got.status.code(), Some(1), "{got:?}");
    let r = json_of(&stdout);
    assert_eq!(
        (
            r["received"].as_u64(),
            r["intact"].as_u64(),
            r["bad"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(r["complete"], false);
    let err = r["errors"][0].as_str().unwrap();
    assert!(
        err.ends_with(&format!(
            "call 1 segment 0: byte at message offset 50 is {:#04x}, want {:#04x}",
            bad[50],
            bad[50] ^ 1
        )),
        "{err}"
    );
}
