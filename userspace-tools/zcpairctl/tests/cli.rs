// SPDX-License-Identifier: GPL-2.0
//! The command line: subcommands, keywords, usage errors (exit status 2).

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use zcpairctl::cli::{parse_add, parse_set, AddArgs, AddSpec, Cli, Command, SetParam, Setting};

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
