// SPDX-License-Identifier: GPL-2.0
//! The command line: subcommands, keywords, usage errors (exit status 2).

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use zcpairctl::cli::{
    parse_add, parse_lan_add, parse_lan_show, parse_netns_keyword, parse_set, AddArgs, AddSpec,
    Cli, Command, LanAddSpec, LanCommand, LanShowSpec, SetParam, Setting,
};

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("zcpairctl").chain(args.iter().copied()))
}

fn add(args: &[&str]) -> Result<AddSpec, String> {
    match parse(&[&["add"], args].concat()).unwrap().command {
        Command::Add(a) => parse_add(&a),
        c => panic!("{c:?}"),
    }
}

#[test]
fn clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn add_keywords() {
    let s = add(&[
        "zc0",
        "peer",
        "zc1",
        "netns",
        "red",
        "peer-netns",
        "blue",
        "ring",
        "512",
        "hdr-buf",
        "256",
        "copybreak",
        "200",
    ])
    .unwrap();
    assert_eq!(
        s,
        AddSpec {
            name: "zc0".into(),
            peer: "zc1".into(),
            netns: Some("red".into()),
            peer_netns: Some("blue".into()),
            ring_size: Some(512),
            hdr_buf: Some(256),
            copybreak: Some(200),
            queues: None,
            uplink: None,
        }
    );
    let s = add(&["zc0", "copybreak", "64", "peer", "zc1"]).unwrap();
    assert_eq!(
        (s.peer.as_str(), s.copybreak, s.ring_size),
        ("zc1", Some(64), None)
    );
}

#[test]
fn add_queues() {
    let s = add(&["zc0", "peer", "zc1", "queues", "2"]).unwrap();
    assert_eq!(s.queues, Some(2));
    assert_eq!(
        add(&["zc0", "peer", "zc1", "queues", "1"]).unwrap().queues,
        Some(1)
    );
    let max = zcpairctl::uapi::limits::QUEUES_MAX;
    assert_eq!(max, 16);
    assert_eq!(
        add(&["zc0", "peer", "zc1", "queues", &max.to_string()])
            .unwrap()
            .queues,
        Some(max)
    );
    assert_eq!(add(&["zc0", "peer", "zc1"]).unwrap().queues, None);
    for bad in ["0", "17", "4294967295"] {
        assert_eq!(
            add(&["zc0", "peer", "zc1", "queues", bad]).unwrap_err(),
            format!("invalid value '{bad}' for 'queues': expected 1 to 16 queues")
        );
    }
    assert!(add(&["zc0", "peer", "zc1", "queues", "two"])
        .unwrap_err()
        .contains("unsigned 32-bit number"));
    assert!(add(&["zc0", "peer", "zc1", "queues", "2", "queues", "4"])
        .unwrap_err()
        .contains("'queues' given twice"));
    assert!(add(&["zc0", "peer", "zc1", "queues"])
        .unwrap_err()
        .contains("needs a value"));
}

/// Out of range queues is a usage error of the binary, before any netlink;
/// the help lists the keyword.
#[test]
fn add_queues_out_of_range_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
        .args(["add", "zc0", "peer", "zc1", "queues", "17"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value '17' for 'queues': expected 1 to 16 queues"),
        "{stderr}"
    );
    assert!(stderr.contains("[queues N]"), "{stderr}");
    let e = parse(&["add", "--help"]).unwrap_err().to_string();
    assert!(
        e.contains("queues N         queues of each end, 1 to 16"),
        "{e}"
    );
}

#[test]
fn add_uplink() {
    let s = add(&["zc0", "peer", "zc1", "uplink", "eth0"]).unwrap();
    assert_eq!(s.uplink.as_deref(), Some("eth0"));
    let s = add(&["zc0", "uplink", "eth0", "netns", "red", "peer", "zc1"]).unwrap();
    assert_eq!(
        (s.uplink.as_deref(), s.netns.as_deref(), s.peer.as_str()),
        (Some("eth0"), Some("red"), "zc1")
    );
    assert_eq!(add(&["zc0", "peer", "zc1"]).unwrap().uplink, None);
    assert!(
        add(&["zc0", "peer", "zc1", "uplink", "eth0", "uplink", "eth1"])
            .unwrap_err()
            .contains("'uplink' given twice")
    );
    assert!(add(&["zc0", "peer", "zc1", "uplink"])
        .unwrap_err()
        .contains("needs a value"));
    for bad in ["a/b", "this-name-is-too-long", "", "eth0:1"] {
        assert_eq!(
            add(&["zc0", "peer", "zc1", "uplink", bad]).unwrap_err(),
            format!("invalid value '{bad}' for 'uplink': expected a device name or 'none'")
        );
    }
    // `none` is set's word for no uplink; add has none unless one is given.
    assert!(add(&["zc0", "peer", "zc1", "uplink", "none"])
        .unwrap_err()
        .starts_with("invalid value 'none' for 'uplink': expected a device name"));
}

/// A bad uplink name is a usage error of the binary, before any netlink;
/// the help lists the keyword.
#[test]
fn add_bad_uplink_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
        .args(["add", "zc0", "peer", "zc1", "uplink", "a/b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value 'a/b' for 'uplink'"),
        "{stderr}"
    );
    assert!(stderr.contains("[uplink DEV]"), "{stderr}");
    let e = parse(&["add", "--help"]).unwrap_err().to_string();
    assert!(e.contains("uplink DEV       NAME (not PEER)"), "{e}");
}

#[test]
fn add_usage_errors() {
    assert!(add(&["zc0", "ring", "512"]).unwrap_err().contains("peer"));
    assert!(add(&["zc0", "peer"]).unwrap_err().contains("needs a value"));
    assert!(add(&["zc0", "peer", "a", "peer", "b"])
        .unwrap_err()
        .contains("twice"));
    assert!(add(&["zc0", "peer", "a", "ring", "0x10"])
        .unwrap_err()
        .contains("ring"));
    assert_eq!(
        parse(&["add", "zc0", "peer", "a", "ring", "-1"])
            .unwrap_err()
            .exit_code(),
        2
    );
    assert!(add(&["zc0", "peer", "a", "ring", "4294967296"]).is_err());
    assert!(add(&["zc0", "peer", "a", "mtu", "9000"])
        .unwrap_err()
        .contains("unknown keyword"));
    assert!(add(&["zc0", "peer", "this-name-is-too-long"])
        .unwrap_err()
        .contains("interface name"));
    assert!(parse_add(&AddArgs {
        name: "a/b".into(),
        keywords: vec!["peer".into(), "c".into()]
    })
    .is_err());
    assert_eq!(
        parse(&["add", "zc0"]).unwrap_err().kind(),
        ErrorKind::MissingRequiredArgument
    );
}

#[test]
fn subcommands() {
    let c = parse(&["-n", "blue", "show", "--json"]).unwrap();
    assert_eq!(c.netns.as_deref(), Some("blue"));
    assert_eq!(
        c.command,
        Command::Show {
            name: None,
            json: true
        }
    );
    let c = parse(&["show", "zc0", "--netns", "red"]).unwrap();
    assert_eq!(c.netns.as_deref(), Some("red"));
    assert_eq!(
        c.command,
        Command::Show {
            name: Some("zc0".into()),
            json: false
        }
    );
    assert_eq!(
        parse(&["set", "zc0", "copybreak", "64"]).unwrap().command,
        Command::Set {
            name: "zc0".into(),
            param: SetParam::Copybreak,
            value: "64".into()
        }
    );
    assert_eq!(
        parse(&["stats", "zc0", "--watch", "2", "-j"])
            .unwrap()
            .command,
        Command::Stats {
            name: "zc0".into(),
            json: true,
            watch: Some(2)
        }
    );
    assert_eq!(
        parse(&["del", "zc0"]).unwrap().command,
        Command::Del { name: "zc0".into() }
    );
    assert_eq!(
        parse(&["monitor"]).unwrap().command,
        Command::Monitor { json: false }
    );
}

/// `set NAME PARAM VALUE`, its value read by `parse_set`.
fn set(args: &[&str]) -> Result<(String, Setting), String> {
    match parse(&[&["set"], args].concat()).unwrap().command {
        Command::Set { name, param, value } => parse_set(param, &value).map(|s| (name, s)),
        c => panic!("{c:?}"),
    }
}

#[test]
fn set_values() {
    assert_eq!(
        parse(&["set", "zc0", "tx-segment", "on"]).unwrap().command,
        Command::Set {
            name: "zc0".into(),
            param: SetParam::TxSegment,
            value: "on".into()
        }
    );
    assert_eq!(
        set(&["zc0", "tx-segment", "on"]),
        Ok(("zc0".into(), Setting::TxSegment(true)))
    );
    assert_eq!(
        set(&["zc0", "tx-segment", "off"]),
        Ok(("zc0".into(), Setting::TxSegment(false)))
    );
    assert_eq!(
        set(&["zc0", "tx-segment", "1"]),
        Ok(("zc0".into(), Setting::TxSegment(true)))
    );
    assert_eq!(
        set(&["zc0", "tx-segment", "0"]),
        Ok(("zc0".into(), Setting::TxSegment(false)))
    );
    assert_eq!(
        set(&["zc0", "copybreak", "64"]),
        Ok(("zc0".into(), Setting::Copybreak(64)))
    );
}

#[test]
fn set_steer_pps() {
    assert_eq!(
        parse(&["set", "a", "steer-pps", "20000"]).unwrap().command,
        Command::Set {
            name: "a".into(),
            param: SetParam::SteerPps,
            value: "20000".into()
        }
    );
    assert_eq!(
        set(&["a", "steer-pps", "20000"]),
        Ok(("a".into(), Setting::SteerPps(20000)))
    );
    assert_eq!(
        set(&["a", "steer-pps", "0"]),
        Ok(("a".into(), Setting::SteerPps(0)))
    );
    assert_eq!(
        set(&["a", "steer-pps", "4294967295"]),
        Ok(("a".into(), Setting::SteerPps(u32::MAX)))
    );
    // `-1` is taken for an option by clap (a usage error); after `--`
    // it reaches the value check, which refuses it as any non-number.
    let e = parse(&["set", "a", "steer-pps", "-1"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownArgument);
    assert_eq!(e.exit_code(), 2);
    let expected = |bad: &str| {
        format!("invalid value '{bad}' for 'steer-pps': expected an unsigned 32-bit number")
    };
    assert_eq!(
        set(&["a", "steer-pps", "--", "-1"]).unwrap_err(),
        expected("-1")
    );
    for bad in ["x", "", "on", "1.5", "16k", "4294967296"] {
        assert_eq!(set(&["a", "steer-pps", bad]).unwrap_err(), expected(bad));
    }
    let e = parse(&["set", "--help"]).unwrap_err().to_string();
    assert!(e.contains("steer-pps N"), "{e}");
    assert!(e.contains("tx-notifications-steered"), "{e}");
}

/// The binary refuses a bad steer-pps as a usage error, before any
/// netlink.
#[test]
fn set_bad_steer_pps_exits_2() {
    for bad in [&["x"][..], &["-1"], &["--", "-1"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
            .args([&["set", "a", "steer-pps"][..], bad].concat())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("steer-pps N"), "{bad:?}: {stderr}");
    }
}

#[test]
fn set_uplink() {
    assert_eq!(
        parse(&["set", "zc0", "uplink", "eth0"]).unwrap().command,
        Command::Set {
            name: "zc0".into(),
            param: SetParam::Uplink,
            value: "eth0".into()
        }
    );
    assert_eq!(
        set(&["zc0", "uplink", "eth0"]),
        Ok(("zc0".into(), Setting::Uplink(Some("eth0".into()))))
    );
    assert_eq!(
        set(&["zc0", "uplink", "none"]),
        Ok(("zc0".into(), Setting::Uplink(None)))
    );
    for bad in ["a/b", "this-name-is-too-long", "", ".."] {
        assert_eq!(
            set(&["zc0", "uplink", bad]).unwrap_err(),
            format!("invalid value '{bad}' for 'uplink': expected a device name or 'none'")
        );
    }
    assert!(set(&["zc0", "copybreak", "none"])
        .unwrap_err()
        .contains("unsigned 32-bit number"));
    let e = parse(&["set", "--help"]).unwrap_err().to_string();
    assert!(e.contains("uplink DEV|none"), "{e}");
}

#[test]
fn set_refuses_bad_values() {
    for bad in ["yes", "2", "ON", "", "true"] {
        assert_eq!(
            set(&["zc0", "tx-segment", bad]).unwrap_err(),
            format!("invalid value '{bad}' for 'tx-segment': expected 'on' or 'off' (or 1, 0)")
        );
    }
    assert!(set(&["zc0", "copybreak", "x"])
        .unwrap_err()
        .contains("'copybreak'"));
    assert!(set(&["zc0", "copybreak", "on"])
        .unwrap_err()
        .contains("unsigned 32-bit number"));
}

/// The binary refuses a bad value as a usage error, before any netlink.
#[test]
fn set_bad_value_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
        .args(["set", "zc0", "tx-segment", "maybe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value 'maybe' for 'tx-segment'"),
        "{stderr}"
    );
    assert!(stderr.contains("tx-segment on|off"), "{stderr}");
}

#[test]
fn unknown_arguments_are_usage_errors() {
    for args in [
        &["bogus"][..],
        &["show", "zc0", "extra"],
        &["show", "--yaml"],
        &["set", "zc0", "mtu", "1500"],
        &["set", "zc0", "tx-segment"],
        &["set", "zc0", "tx-segment", "on", "extra"],
        &["set", "zc0", "tx-segment", "-1"],
        &["set", "zc0", "steer-pps"],
        &["set", "zc0", "steer-pps", "-1"],
        &["set", "zc0", "steer-pps", "1", "2"],
        &["set", "zc0", "uplink"],
        &["set", "zc0", "uplink", "eth0", "eth1"],
        &["stats", "zc0", "--watch", "0"],
        &["del"],
        &[],
    ] {
        let e = parse(args).map(|_| ()).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
    }
}

#[test]
fn help_documents_exit_status() {
    let help = Cli::command().render_long_help().to_string();
    assert!(help.contains("Exit status:"), "{help}");
    for sub in [
        "add", "del", "show", "set", "stats", "monitor", "send", "recv",
    ] {
        let e = parse(&[sub, "--help"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{sub}");
        assert_eq!(e.exit_code(), 0);
    }
}

fn lan(args: &[&str]) -> LanCommand {
    match parse(&[&["lan"], args].concat()).unwrap().command {
        Command::Lan { command } => command,
        c => panic!("{c:?}"),
    }
}

fn lan_add(args: &[&str]) -> Result<LanAddSpec, String> {
    match lan(&[&["add"], args].concat()) {
        LanCommand::Add(a) => parse_lan_add(&a),
        c => panic!("{c:?}"),
    }
}

#[test]
fn lan_add_members_and_netns() {
    let s = lan_add(&["lan", "members", "3"]).unwrap();
    assert_eq!(
        s,
        LanAddSpec {
            name: "lan".into(),
            members: 3,
            netns: vec![]
        }
    );
    let names: Vec<String> = (0..s.members).map(|i| s.member_name(i)).collect();
    assert_eq!(names, ["lan0", "lan1", "lan2"]);
    assert_eq!(s.member_netns(0), None);
    assert_eq!(s.member_netns(2), None);

    // The i-th member in the i-th netns, the rest in the last one.
    let s = lan_add(&["m", "members", "4", "netns", "red", "blue"]).unwrap();
    assert_eq!(s.netns, ["red", "blue"]);
    let ns: Vec<Option<&str>> = (0..4).map(|i| s.member_netns(i)).collect();
    assert_eq!(ns, [Some("red"), Some("blue"), Some("blue"), Some("blue")]);
    // Keywords in any order; netns may be repeated.
    let s = lan_add(&["m", "netns", "a", "netns", "b", "c", "members", "3"]).unwrap();
    assert_eq!(
        (s.members, &s.netns),
        (3, &vec!["a".to_owned(), "b".into(), "c".into()])
    );
    let s = lan_add(&["m", "netns", "a", "members", "1"]).unwrap();
    assert_eq!((s.members, s.member_netns(0)), (1, Some("a")));
    // Bounds: 1 and 64 members; 64 with a 13-byte prefix makes 15 bytes.
    assert_eq!(lan_add(&["m", "members", "1"]).unwrap().members, 1);
    let s = lan_add(&["abcdefghijklm", "members", "64"]).unwrap();
    assert_eq!(s.member_name(63), "abcdefghijklm63");
}

#[test]
fn lan_add_usage_errors() {
    for bad in ["0", "65", "x", "4294967296"] {
        assert_eq!(
            lan_add(&["m", "members", bad]).unwrap_err(),
            format!("invalid value '{bad}' for 'members': expected 1 to 64 members"),
            "{bad}"
        );
    }
    assert_eq!(
        lan_add(&["m", "members", "2", "netns", "a", "b", "c"]).unwrap_err(),
        "3 netns given for 2 members: at most one per member"
    );
    assert_eq!(
        lan_add(&["m", "members", "1", "netns", "a", "b"]).unwrap_err(),
        "2 netns given for 1 member: at most one per member"
    );
    assert_eq!(
        lan_add(&["m", "netns", "a"]).unwrap_err(),
        "'members N' is required"
    );
    assert!(lan_add(&["m", "members"])
        .unwrap_err()
        .contains("'members' needs a value"));
    assert!(lan_add(&["m", "members", "2", "netns"])
        .unwrap_err()
        .contains("'netns' needs a value"));
    assert!(lan_add(&["m", "netns", "members", "2"])
        .unwrap_err()
        .contains("'netns' needs a value"));
    assert!(lan_add(&["m", "members", "2", "members", "3"])
        .unwrap_err()
        .contains("'members' given twice"));
    assert!(lan_add(&["m", "members", "2", "peer", "x"])
        .unwrap_err()
        .contains("unknown keyword 'peer'"));
    // NAME plus the largest number must be a valid name.
    assert!(lan_add(&["abcdefghijklmn", "members", "10"]).is_ok());
    assert_eq!(
        lan_add(&["abcdefghijklmn", "members", "11"]).unwrap_err(),
        "member name \"abcdefghijklmn10\" is not a valid interface name \
         (NAME and the member's number, at most 15 bytes)"
    );
    assert!(lan_add(&["a/b", "members", "1"])
        .unwrap_err()
        .contains("interface name"));
    assert_eq!(
        parse(&["lan", "add", "m"]).unwrap_err().kind(),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        parse(&["lan", "add", "m", "members", "-1"])
            .unwrap_err()
            .exit_code(),
        2
    );
}

/// The binary refuses a bad member count, and more netns than members,
/// as usage errors (exit status 2) before any netlink.
#[test]
fn lan_add_bad_counts_exit_2() {
    for (args, msg) in [
        (
            &["lan", "add", "m", "members", "0"][..],
            "expected 1 to 64 members",
        ),
        (
            &["lan", "add", "m", "members", "65"],
            "expected 1 to 64 members",
        ),
        (
            &["lan", "add", "m", "members", "1", "netns", "a", "b"],
            "2 netns given for 1 member",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(msg), "{stderr}");
        assert!(
            stderr.contains("zcpairctl lan add NAME members N [netns NS [NS ...]]"),
            "{stderr}"
        );
    }
}

#[test]
fn lan_member_commands() {
    assert_eq!(
        lan(&["add-member", "lan0", "lan9"]),
        LanCommand::AddMember {
            member: "lan0".into(),
            new: "lan9".into(),
            keywords: vec![]
        }
    );
    let LanCommand::AddMember { keywords, .. } =
        lan(&["add-member", "lan0", "lan9", "netns", "red"])
    else {
        panic!()
    };
    assert_eq!(parse_netns_keyword(&keywords), Ok(Some("red".into())));
    assert_eq!(
        lan(&["del-member", "lan1", "netns", "blue"]),
        LanCommand::DelMember {
            name: "lan1".into(),
            keywords: vec!["netns".into(), "blue".into()]
        }
    );
    let kw = |v: &[&str]| parse_netns_keyword(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(kw(&[]), Ok(None));
    assert_eq!(kw(&["netns"]).unwrap_err(), "'netns' needs a value");
    assert_eq!(kw(&["ns", "red"]).unwrap_err(), "unknown keyword 'ns'");
    assert_eq!(
        kw(&["netns", "a", "netns", "b"]).unwrap_err(),
        "'netns' given twice"
    );
    for args in [
        &["lan", "add-member", "lan0"][..],
        &["lan", "del-member"],
        &["lan"],
    ] {
        assert_eq!(
            parse(args).map(|_| ()).unwrap_err().exit_code(),
            2,
            "{args:?}"
        );
    }
}

/// `lan del-member` of a bad name or keyword is a usage error of the
/// binary.
#[test]
fn lan_member_usage_errors_exit_2() {
    for (args, msg) in [
        (
            &["lan", "del-member", "a/b"][..],
            "not a valid interface name",
        ),
        (
            &["lan", "del-member", "lan0", "netns"],
            "'netns' needs a value",
        ),
        (
            &["lan", "add-member", "lan0", "x/y"],
            "not a valid interface name",
        ),
        (
            &["lan", "add-member", "lan0", "lan1", "up", "1"],
            "unknown keyword 'up'",
        ),
        (&["lan", "show", "lan0", "netns"], "'netns' needs a value"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zcpairctl"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
    }
}

#[test]
fn lan_show_arguments() {
    let show = |args: &[&str]| match lan(&[&["show"], args].concat()) {
        LanCommand::Show { args, json } => parse_lan_show(&args, json),
        c => panic!("{c:?}"),
    };
    assert_eq!(show(&[]), Ok(LanShowSpec::default()));
    assert_eq!(
        show(&["lan0", "--json"]),
        Ok(LanShowSpec {
            name: Some("lan0".into()),
            netns: None,
            json: true
        })
    );
    assert_eq!(
        show(&["netns", "red"]),
        Ok(LanShowSpec {
            name: None,
            netns: Some("red".into()),
            json: false
        })
    );
    assert_eq!(
        show(&["-j", "lan0", "netns", "red"]),
        Ok(LanShowSpec {
            name: Some("lan0".into()),
            netns: Some("red".into()),
            json: true
        })
    );
    // An odd count starts with NAME: a device may be called "netns".
    assert_eq!(show(&["netns"]).unwrap().name.as_deref(), Some("netns"));
    assert_eq!(
        show(&["netns", "netns", "red"]),
        Ok(LanShowSpec {
            name: Some("netns".into()),
            netns: Some("red".into()),
            json: false
        })
    );
    assert_eq!(
        show(&["lan0", "lan1"]).unwrap_err(),
        "unknown keyword 'lan1'"
    );
    assert_eq!(
        show(&["lan0", "netns"]).unwrap_err(),
        "'netns' needs a value"
    );
    assert!(show(&["a/b"]).unwrap_err().contains("interface name"));
    // -n works with lan as with every subcommand.
    let c = parse(&["-n", "blue", "lan", "show"]).unwrap();
    assert_eq!(c.netns.as_deref(), Some("blue"));
}

#[test]
fn lan_help() {
    let e = parse(&["lan", "--help"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DisplayHelp);
    let help = e.to_string();
    for sub in ["add", "add-member", "del-member", "show"] {
        assert!(help.contains(sub), "{help}");
        let e = parse(&["lan", sub, "--help"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{sub}");
    }
    let e = parse(&["lan", "add", "--help"]).unwrap_err().to_string();
    assert!(
        e.contains("members N        create N members (1 to 64)"),
        "{e}"
    );
    assert!(e.contains("moved there"), "{e}");
    assert_eq!(
        parse(&["lan"]).unwrap_err().kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
}
