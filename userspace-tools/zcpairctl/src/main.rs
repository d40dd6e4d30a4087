// SPDX-License-Identifier: GPL-2.0
//! zcpairctl: create, inspect and tune zcpair device pairs.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use zcpairctl::cli::{self, Cli, Command, LanCommand};
use zcpairctl::error::{Result, EXIT_USAGE};
use zcpairctl::{commands, multidest, netns};

/// A usage error in clap's format, exit status 2: `path` is the
/// subcommand's, e.g. `["lan", "add"]`.
fn usage_error(path: &[&str], msg: String) -> ! {
    let mut cmd = Cli::command();
    let mut sub = &mut cmd;
    for name in path {
        sub = sub.find_subcommand_mut(name).expect("known subcommand");
    }
    sub.error(clap::error::ErrorKind::ValueValidation, msg)
        .exit()
}

fn run(cli: Cli) -> Result<()> {
    if let Some(ns) = &cli.netns {
        netns::enter(ns)?;
    }
    match cli.command {
        Command::Add(args) => {
            let spec = cli::parse_add(&args).unwrap_or_else(|m| usage_error(&["add"], m));
            commands::add(&spec)
        }
        Command::Del { name } => {
            cli::check_ifname(&name).unwrap_or_else(|m| usage_error(&["del"], m));
            commands::del(&name)
        }
        Command::Show { name, json } => {
            if let Some(n) = &name {
                cli::check_ifname(n).unwrap_or_else(|m| usage_error(&["show"], m));
            }
            commands::show(name.as_deref(), json)
        }
        Command::Set { name, param, value } => {
            cli::check_ifname(&name).unwrap_or_else(|m| usage_error(&["set"], m));
            let setting =
                cli::parse_set(param, &value).unwrap_or_else(|m| usage_error(&["set"], m));
            commands::set(&name, setting)
        }
        Command::Stats { name, json, watch } => {
            cli::check_ifname(&name).unwrap_or_else(|m| usage_error(&["stats"], m));
            commands::stats(&name, json, watch)
        }
        Command::Monitor { json } => commands::monitor(json),
        Command::Send(args) => {
            let spec = cli::parse_send(&args).unwrap_or_else(|m| usage_error(&["send"], m));
            multidest::send(&spec)
        }
        Command::Recv(args) => {
            let spec = cli::parse_recv(&args).unwrap_or_else(|m| usage_error(&["recv"], m));
            multidest::recv(&spec)
        }
        Command::Lan { command } => lan(command),
    }
}

fn lan(command: LanCommand) -> Result<()> {
    match command {
        LanCommand::Add(args) => {
            let spec =
                cli::parse_lan_add(&args).unwrap_or_else(|m| usage_error(&["lan", "add"], m));
            commands::lan_add(&spec)
        }
        LanCommand::AddMember {
            member,
            new,
            keywords,
        } => {
            let netns = cli::check_ifname(&member)
                .and_then(|()| cli::check_ifname(&new))
                .and_then(|()| cli::parse_netns_keyword(&keywords))
                .unwrap_or_else(|m| usage_error(&["lan", "add-member"], m));
            commands::lan_add_member(&member, &new, netns.as_deref())
        }
        LanCommand::DelMember { name, keywords } => {
            let netns = cli::check_ifname(&name)
                .and_then(|()| cli::parse_netns_keyword(&keywords))
                .unwrap_or_else(|m| usage_error(&["lan", "del-member"], m));
            commands::lan_del_member(&name, netns.as_deref())
        }
        LanCommand::Show { args, json } => {
            let spec = cli::parse_lan_show(&args, json)
                .unwrap_or_else(|m| usage_error(&["lan", "show"], m));
            commands::lan_show(&spec)
        }
    }
}

fn main() -> ExitCode {
    // Die quietly on a closed pipe (`zcpairctl monitor | head`) instead of
    // panicking in println!.
    // SAFETY: restoring the default disposition of SIGPIPE, before any
    // thread exists; no handler is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

// EXIT_USAGE is what clap exits with on usage errors; keep them in step.
const _: () = assert!(EXIT_USAGE == 2);
