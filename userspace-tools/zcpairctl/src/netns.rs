// SPDX-License-Identifier: GPL-2.0
//! Named network namespaces, as `ip netns` keeps them: bind mounts under
//! `/run/netns/NAME`.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where `ip netns add` puts them.
pub const NETNS_RUN_DIR: &str = "/run/netns";

fn path(name: &str) -> Result<PathBuf> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(Error::Other(format!("invalid netns name \"{name}\"")));
    }
    Ok(PathBuf::from(NETNS_RUN_DIR).join(name))
}

/// Open netns `name` (for IFLA_NET_NS_FD or setns).
pub fn open(name: &str) -> Result<File> {
    let p = path(name)?;
    File::open(&p).map_err(|e| Error::io(format!("cannot open network namespace \"{name}\""), e))
}

/// Move the calling thread into the netns open as `f`.
fn set(f: &File, name: &str) -> Result<()> {
    // SAFETY: setns(2) only reads the fd, which `f` keeps open for the
    // call; it changes no memory of ours.
    let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(Error::io(
            format!("setting the network namespace \"{name}\" failed"),
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

/// Move this process into netns `name`, as `ip -n NAME` does, so that the
/// sockets opened afterwards talk to that netns.
pub fn enter(name: &str) -> Result<()> {
    set(&open(name)?, name)
}

/// Run `work` in netns `name` (open as `f`) and return its result, this
/// thread staying where it is: `work` runs in a thread of its own, which
/// enters the netns first (a netns is per thread), so the sockets it opens
/// talk to that netns.
pub fn run_in<T: Send>(f: &File, name: &str, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            set(f, name)?;
            work()
        })
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
