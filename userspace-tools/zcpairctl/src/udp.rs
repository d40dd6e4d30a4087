// SPDX-License-Identifier: GPL-2.0
//! The UDP socket calls `send` and `recv` make, over libc: sockets and
//! their options, `sendmmsg(2)`, `recvmsg(2)` with control messages (the
//! error queue, receive timestamps) and `poll(2)`.

use std::io;
use std::mem;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use libc::{c_int, c_void, socklen_t};

/// `SOL_UDP` option: the GSO segment size (`linux/udp.h`).
pub const UDP_SEGMENT: c_int = 103;
/// `SOL_SOCKET` option: allow `MSG_ZEROCOPY` (`asm-generic/socket.h`).
pub const SO_ZEROCOPY: c_int = 60;
/// `sock_extended_err.ee_origin` of a zero-copy notification.
pub const SO_EE_ORIGIN_ZEROCOPY: u8 = 5;
/// `sock_extended_err.ee_code` bit: the kernel copied the data after all.
pub const SO_EE_CODE_ZEROCOPY_COPIED: u8 = 1;
/// `sock_extended_err.ee_origin` of an ICMP (IPv4) or ICMPv6 error.
pub const SO_EE_ORIGIN_ICMP: u8 = 2;
pub const SO_EE_ORIGIN_ICMP6: u8 = 3;

fn last_error() -> io::Error {
    io::Error::last_os_error()
}

/// A new UDP socket of `addr`'s family, close-on-exec.
pub fn socket_for(addr: &SocketAddr) -> io::Result<OwnedFd> {
    let family = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: socket(2) takes no pointers.
    let fd = unsafe { libc::socket(family, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(last_error());
    }
    // SAFETY: fd is a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// setsockopt(2) of an int option.
pub fn set_int(fd: &OwnedFd, level: c_int, name: c_int, value: c_int) -> io::Result<()> {
    // SAFETY: the option value is a local int whose size we pass.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw const value).cast::<c_void>(),
            mem::size_of::<c_int>() as socklen_t,
        )
    };
    if rc != 0 {
        return Err(last_error());
    }
    Ok(())
}

/// getsockopt(2) of an int option.
pub fn get_int(fd: &OwnedFd, level: c_int, name: c_int) -> io::Result<c_int> {
    let mut value: c_int = 0;
    let mut len = mem::size_of::<c_int>() as socklen_t;
    // SAFETY: value and len are locals the kernel writes at most len bytes to.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw mut value).cast::<c_void>(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(last_error());
    }
    Ok(value)
}

/// `O_NONBLOCK` on.
pub fn set_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: fcntl(2) on a descriptor we own, no pointers.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(last_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(last_error());
    }
    Ok(())
}

/// A socket address in the kernel's form.
#[derive(Clone, Copy)]
pub struct RawAddr {
    storage: libc::sockaddr_storage,
    len: socklen_t,
}

impl RawAddr {
    pub fn new(addr: &SocketAddr) -> Self {
        // SAFETY: sockaddr_storage is plain data; all zero is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: sockaddr_storage is larger than and aligned for
                // any sockaddr, sockaddr_in included.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
                mem::size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo().to_be(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: as above, for sockaddr_in6.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
                mem::size_of::<libc::sockaddr_in6>()
            }
        };
        Self {
            storage,
            len: len as socklen_t,
        }
    }

    pub fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    pub fn len(&self) -> socklen_t {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address, if it is an IPv4 or IPv6 one.
    pub fn to_socket_addr(&self) -> Option<SocketAddr> {
        match c_int::from(self.storage.ss_family) {
            libc::AF_INET => {
                // SAFETY: the kernel wrote a sockaddr_in (ss_family says
                // so) into storage, which is aligned for it.
                let sin = unsafe { (&raw const self.storage).cast::<libc::sockaddr_in>().read() };
                Some(SocketAddr::V4(SocketAddrV4::new(
                    Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes()),
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 => {
                // SAFETY: as above, a sockaddr_in6.
                let sin6 = unsafe {
                    (&raw const self.storage)
                        .cast::<libc::sockaddr_in6>()
                        .read()
                };
                Some(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

/// bind(2).
pub fn bind(fd: &OwnedFd, addr: &SocketAddr) -> io::Result<()> {
    let raw = RawAddr::new(addr);
    // SAFETY: raw holds a sockaddr of raw.len() bytes.
    if unsafe { libc::bind(fd.as_raw_fd(), raw.as_ptr(), raw.len()) } != 0 {
        return Err(last_error());
    }
    Ok(())
}

/// getsockname(2).
pub fn local_addr(fd: &OwnedFd) -> io::Result<SocketAddr> {
    // SAFETY: all zero is a valid sockaddr_storage.
    let mut raw = RawAddr {
        storage: unsafe { mem::zeroed() },
        len: mem::size_of::<libc::sockaddr_storage>() as socklen_t,
    };
    // SAFETY: the kernel writes at most raw.len bytes into raw.storage.
    let rc =
        unsafe { libc::getsockname(fd.as_raw_fd(), (&raw mut raw.storage).cast(), &mut raw.len) };
    if rc != 0 {
        return Err(last_error());
    }
    raw.to_socket_addr()
        .ok_or_else(|| io::Error::other("not an IP socket"))
}

/// A UDP socket bound to `addr` (port 0: any free one), non-blocking, an
/// IPv6 one for IPv6 only.
pub fn bound_socket(addr: &SocketAddr) -> io::Result<OwnedFd> {
    let fd = socket_for(addr)?;
    if addr.is_ipv6() {
        set_int(&fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
    }
    bind(&fd, addr)?;
    set_nonblocking(&fd)?;
    Ok(fd)
}

/// sendto(2) of `data` to `dest`, without flags.
pub fn send_to(fd: &OwnedFd, data: &[u8], dest: &RawAddr) -> io::Result<usize> {
    // SAFETY: data and dest are valid for the lengths we pass.
    let rc = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            data.as_ptr().cast(),
            data.len(),
            0,
            dest.as_ptr(),
            dest.len(),
        )
    };
    if rc < 0 {
        return Err(last_error());
    }
    Ok(rc as usize)
}

/// One `sendmmsg(2)` of `bufs[i]` to `dests[i]` for every i; returns how
/// many messages the kernel took (the first ones).
pub fn sendmmsg(
    fd: &OwnedFd,
    bufs: &[&[u8]],
    dests: &[RawAddr],
    flags: c_int,
) -> io::Result<usize> {
    assert_eq!(bufs.len(), dests.len());
    let mut iovs: Vec<libc::iovec> = bufs
        .iter()
        .map(|b| libc::iovec {
            iov_base: b.as_ptr().cast_mut().cast(),
            iov_len: b.len(),
        })
        .collect();
    let mut msgs: Vec<libc::mmsghdr> = iovs
        .iter_mut()
        .zip(dests)
        .map(|(iov, dest)| {
            // SAFETY: msghdr is plain data (pointers and integers); all
            // zero is a valid value: no control data, no flags.
            let mut hdr: libc::msghdr = unsafe { mem::zeroed() };
            hdr.msg_name = dest.as_ptr().cast_mut().cast();
            hdr.msg_namelen = dest.len();
            hdr.msg_iov = iov;
            hdr.msg_iovlen = 1;
            libc::mmsghdr {
                msg_hdr: hdr,
                msg_len: 0,
            }
        })
        .collect();
    // SAFETY: every msghdr points at one iovec of `iovs` and one address of
    // `dests`, which outlive the call; each iovec at a buffer of `bufs` of
    // its length, which the kernel only reads. The kernel writes msg_len of
    // each entry of `msgs`.
    let rc = unsafe {
        libc::sendmmsg(
            fd.as_raw_fd(),
            msgs.as_mut_ptr(),
            msgs.len() as libc::c_uint,
            flags,
        )
    };
    if rc < 0 {
        return Err(last_error());
    }
    Ok(rc as usize)
}

/// A control message: level, type, data.
pub type Cmsg = (c_int, c_int, Vec<u8>);

/// The control messages of a `msghdr` the kernel filled in.
fn cmsgs_of(msg: &libc::msghdr) -> Vec<Cmsg> {
    let mut out = Vec::new();
    // SAFETY: msg's control buffer is the one recvmsg(2) filled, of
    // msg_controllen bytes; CMSG_FIRSTHDR/NXTHDR stay within it and
    // return null at its end, and each header's cmsg_len bytes are within
    // it, so the data slice is too.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let hdr = c.read_unaligned();
            let data = libc::CMSG_DATA(c);
            let head = data.offset_from(c.cast::<u8>()) as usize;
            let len = (hdr.cmsg_len as usize).saturating_sub(head);
            out.push((
                hdr.cmsg_level,
                hdr.cmsg_type,
                std::slice::from_raw_parts(data, len).to_vec(),
            ));
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    out
}

/// A control message buffer, aligned for `cmsghdr`.
#[repr(C, align(8))]
struct ControlBuf([u8; 256]);

/// What `recvmsg(2)` returned.
pub struct Received {
    /// Bytes of the datagram (for the error queue: of the original).
    pub len: usize,
    /// `msg_flags` (`MSG_TRUNC`, `MSG_CTRUNC`, ...).
    pub flags: c_int,
    pub cmsgs: Vec<Cmsg>,
}

/// One `recvmsg(2)` into `buf` (may be empty) with `flags`; `None` on
/// `EAGAIN`.
pub fn recvmsg(fd: &OwnedFd, buf: &mut [u8], flags: c_int) -> io::Result<Option<Received>> {
    let mut control = ControlBuf([0; 256]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: all zero is a valid msghdr.
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = control.0.len() as _;
    loop {
        // SAFETY: msg points at iov (over buf) and control, both live and
        // writable for the lengths given.
        let rc = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut msg, flags) };
        if rc >= 0 {
            return Ok(Some(Received {
                len: rc as usize,
                flags: msg.msg_flags,
                cmsgs: cmsgs_of(&msg),
            }));
        }
        let err = last_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EAGAIN) => return Ok(None),
            _ => return Err(err),
        }
    }
}

/// `poll(2)` of `fds` for `events` each, up to `timeout_ms`; returns each
/// descriptor's `revents`.
pub fn poll(fds: &[&OwnedFd], events: i16, timeout_ms: c_int) -> io::Result<Vec<i16>> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|fd| libc::pollfd {
            fd: fd.as_raw_fd(),
            events,
            revents: 0,
        })
        .collect();
    // SAFETY: pfds is an array of pfds.len() pollfds the kernel writes
    // revents of.
    let rc = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if rc < 0 {
        let err = last_error();
        if err.raw_os_error() == Some(libc::EINTR) {
            return Ok(vec![0; pfds.len()]);
        }
        return Err(err);
    }
    Ok(pfds.iter().map(|p| p.revents).collect())
}

/// `struct sock_extended_err` (`linux/errqueue.h`), as an `IP_RECVERR` or
/// `IPV6_RECVERR` control message carries it (native byte order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtendedErr {
    pub errno: u32,
    pub origin: u8,
    pub kind: u8,
    pub code: u8,
    pub info: u32,
    pub data: u32,
}

impl ExtendedErr {
    /// Bytes of the structure.
    pub const LEN: usize = 16;

    pub fn parse(data: &[u8]) -> Option<Self> {
        let d = data.get(..Self::LEN)?;
        let u32_at = |i: usize| u32::from_ne_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
        Some(Self {
            errno: u32_at(0),
            origin: d[4],
            kind: d[5],
            code: d[6],
            info: u32_at(8),
            data: u32_at(12),
        })
    }

    pub fn to_bytes(self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        b[0..4].copy_from_slice(&self.errno.to_ne_bytes());
        b[4] = self.origin;
        b[5] = self.kind;
        b[6] = self.code;
        b[8..12].copy_from_slice(&self.info.to_ne_bytes());
        b[12..16].copy_from_slice(&self.data.to_ne_bytes());
        b
    }
}

/// What one error-queue message said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrQueueEvent {
    /// Zero-copy sends `lo..=hi` completed; `copied`: the kernel copied
    /// their data after all.
    ZeroCopy { lo: u32, hi: u32, copied: bool },
    /// An ICMP error for a datagram sent earlier (errno, e.g.
    /// ECONNREFUSED: nothing listens on the port).
    Icmp { errno: u32 },
    /// Anything else.
    Other,
}

/// The error-queue event in control message (`level`, `kind`, `data`) of
/// a socket of `family` (`AF_INET`, `AF_INET6`), if it is one.
pub fn errqueue_event(
    family: c_int,
    level: c_int,
    kind: c_int,
    data: &[u8],
) -> Option<ErrQueueEvent> {
    let ours = match family {
        libc::AF_INET => (libc::SOL_IP, libc::IP_RECVERR),
        _ => (libc::SOL_IPV6, libc::IPV6_RECVERR),
    };
    if (level, kind) != ours {
        return None;
    }
    let e = ExtendedErr::parse(data)?;
    Some(match e.origin {
        SO_EE_ORIGIN_ZEROCOPY => ErrQueueEvent::ZeroCopy {
            lo: e.info,
            hi: e.data,
            copied: e.code & SO_EE_CODE_ZEROCOPY_COPIED != 0,
        },
        SO_EE_ORIGIN_ICMP | SO_EE_ORIGIN_ICMP6 => ErrQueueEvent::Icmp { errno: e.errno },
        _ => ErrQueueEvent::Other,
    })
}

/// The family constant of an address.
pub fn family_of(ip: &IpAddr) -> c_int {
    match ip {
        IpAddr::V4(_) => libc::AF_INET,
        IpAddr::V6(_) => libc::AF_INET6,
    }
}

/// The receive timestamp (`SO_TIMESTAMPNS`) among `cmsgs`, in
/// nanoseconds since the epoch.
pub fn timestamp_ns(cmsgs: &[Cmsg]) -> Option<u64> {
    let (_, _, data) = cmsgs
        .iter()
        .find(|(l, t, _)| *l == libc::SOL_SOCKET && *t == libc::SCM_TIMESTAMPNS)?;
    if data.len() < mem::size_of::<libc::timespec>() {
        return None;
    }
    // SAFETY: data holds at least a timespec's bytes; read_unaligned
    // copes with any alignment, and any bytes are a valid timespec.
    let ts: libc::timespec = unsafe { data.as_ptr().cast::<libc::timespec>().read_unaligned() };
    Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}
