// SPDX-License-Identifier: GPL-2.0
//! Errors, their iproute2-style messages and the exit codes.

use std::fmt;
use std::io;

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the request failed: the kernel refused it (a netlink
/// error), or the tool could not reach it (netns, socket, reply).
pub const EXIT_FAILED: i32 = 1;
/// Exit status: usage error (the command line).
pub const EXIT_USAGE: i32 = 2;

/// What went wrong.
#[derive(Debug)]
pub enum Error {
    /// The kernel answered with an error (NLMSG_ERROR, or NLMSG_DONE of a
    /// dump with a negative status).
    Kernel {
        /// Positive errno.
        errno: i32,
        /// The extended ack message (NLMSGERR_ATTR_MSG), if any.
        extack: Option<String>,
    },
    /// A system call failed on our side.
    Io { what: String, err: io::Error },
    /// A reply we could not decode.
    Decode(String),
    /// Anything else that is not the kernel's refusal (no such family, a
    /// device of another kind, ...).
    Other(String),
}

impl Error {
    pub fn io(what: impl Into<String>, err: io::Error) -> Self {
        Self::Io {
            what: what.into(),
            err,
        }
    }

    pub fn exit_code(&self) -> i32 {
        EXIT_FAILED
    }
}

/// strerror(3) of a positive errno, without std's " (os error N)".
pub fn strerror(errno: i32) -> String {
    let s = io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// iproute2's rendering of an extack message: `<msg>` with a full stop
/// added unless it has one.
pub fn extack_sentence(msg: &str) -> String {
    if msg.ends_with('.') {
        msg.to_owned()
    } else {
        format!("{msg}.")
    }
}

impl fmt::Display for Error {
    /// The line printed on stderr, as iproute2 prints it:
    /// `Error: <extack>.` when the kernel explained itself, else
    /// `Error: <strerror>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kernel {
                extack: Some(msg), ..
            } => write!(f, "Error: {}", extack_sentence(msg)),
            Self::Kernel {
                errno,
                extack: None,
            } => write!(f, "Error: {}", strerror(*errno)),
            Self::Io { what, err } => write!(f, "Error: {what}: {}", strerror_of(err)),
            Self::Decode(msg) => write!(f, "Error: malformed netlink reply: {msg}"),
            Self::Other(msg) => write!(f, "Error: {msg}"),
        }
    }
}

fn strerror_of(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(errno) => strerror(errno),
        None => err.to_string(),
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
