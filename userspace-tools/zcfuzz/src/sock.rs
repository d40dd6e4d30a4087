// SPDX-License-Identifier: GPL-2.0
//! A raw netlink socket: send one request, collect everything the kernel
//! answers to it until the answer is complete (NLMSG_ERROR, or NLMSG_DONE
//! of a dump), or the receive timeout says there is no answer.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use zcpairctl::extack;

use crate::msg::{self, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK_TLVS};

const SOL_NETLINK: libc::c_int = 270;
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;

/// How the kernel answered one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Ack with error 0, or a dump that ended in NLMSG_DONE with 0.
    Ok {
        /// Data messages before the end (dump parts, a `do`'s reply).
        parts: usize,
        /// An extack message that came with the success (a warning).
        msg: Option<String>,
    },
    /// Refused: the errno (positive), and the extack message if any.
    Err { errno: i32, msg: Option<String> },
    /// The kernel said something that is not an errno: a positive
    /// "error" in NLMSG_ERROR or NLMSG_DONE.
    Weird { code: i32 },
    /// Nothing within the timeout.
    Hang,
    /// `sendto` itself failed (the message never reached a handler).
    SendFailed { errno: i32 },
}

/// Anomalies seen on a socket while waiting for answers.
#[derive(Debug, Default, Clone, Copy)]
pub struct Anomalies {
    /// Messages with another sequence number (late answers to a request
    /// that had timed out, or unexpected ones).
    pub stray: u64,
    /// Datagrams larger than the receive buffer.
    pub truncated: u64,
    /// recv errors other than the timeout (ENOBUFS: overrun).
    pub recv_errors: u64,
}

pub struct NlSocket {
    fd: OwnedFd,
    buf: Vec<u8>,
    pub anomalies: Anomalies,
}

fn setsockopt_int(
    fd: libc::c_int,
    level: libc::c_int,
    opt: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `v` lives across the call and its size is passed.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl NlSocket {
    /// A socket of `protocol` (NETLINK_ROUTE, NETLINK_GENERIC), extended
    /// acks on, echoed requests capped, `timeout` on each receive.
    pub fn open(protocol: libc::c_int, timeout: Duration) -> io::Result<Self> {
        // SAFETY: plain socket(2).
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        setsockopt_int(raw, SOL_NETLINK, NETLINK_EXT_ACK, 1)?;
        setsockopt_int(raw, SOL_NETLINK, NETLINK_CAP_ACK, 1)?;
        // Room for dumps; failing to raise it is not fatal.
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, 4 << 20);
        let tv = libc::timeval {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: `tv` lives across the call and its size is passed.
        let r = unsafe {
            libc::setsockopt(
                raw,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self {
            fd,
            buf: vec![0; 1 << 20],
            anomalies: Anomalies::default(),
        })
    }

    pub fn raw_fd(&self) -> libc::c_int {
        self.fd.as_raw_fd()
    }

    fn send(&self, m: &[u8]) -> io::Result<()> {
        // SAFETY: zeroed sockaddr_nl is the kernel (pid 0, no groups).
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `m` and `sa` are valid for the lengths passed.
        let r = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                m.as_ptr().cast(),
                m.len(),
                0,
                (&sa as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// One datagram into `self.buf`; its length.
    fn recv(&mut self) -> io::Result<usize> {
        // SAFETY: the buffer is valid for its length.
        let r = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                self.buf.as_mut_ptr().cast(),
                self.buf.len(),
                libc::MSG_TRUNC,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = r as usize;
        if n > self.buf.len() {
            self.anomalies.truncated += 1;
            return Ok(self.buf.len());
        }
        Ok(n)
    }

    /// Sends `m` (its sequence number is `seq`) and waits for the end of
    /// its answer; `on_part` sees each data message of it (type, payload).
    pub fn request(&mut self, m: &[u8], seq: u32, mut on_part: impl FnMut(u16, &[u8])) -> Answer {
        if let Err(e) = self.send(m) {
            return Answer::SendFailed {
                errno: e.raw_os_error().unwrap_or(0),
            };
        }
        let mut parts = 0;
        loop {
            let n = match self.recv() {
                Ok(n) => n,
                Err(e) => match e.raw_os_error() {
                    Some(libc::EAGAIN) => return Answer::Hang,
                    Some(libc::EINTR) => continue,
                    _ => {
                        self.anomalies.recv_errors += 1;
                        continue;
                    }
                },
            };
            let mut end = None;
            let mut stray = 0;
            for (ty, flags, s, payload) in msg::messages(&self.buf[..n]) {
                if s != seq {
                    stray += 1;
                    continue;
                }
                match ty {
                    NLMSG_ERROR | NLMSG_DONE if end.is_none() => {
                        end = Some(classify(ty, flags, payload, parts));
                    }
                    NLMSG_ERROR | NLMSG_DONE => stray += 1,
                    _ => {
                        parts += 1;
                        on_part(ty, payload);
                    }
                }
            }
            self.anomalies.stray += stray;
            if let Some(a) = end {
                return a;
            }
        }
    }
}

/// The end of an answer: NLMSG_ERROR (error code, echoed header, TLVs)
/// or NLMSG_DONE (status, TLVs).
pub fn classify(ty: u16, flags: u16, payload: &[u8], parts: usize) -> Answer {
    if payload.len() < 4 {
        // A DONE without status (old kernels): success.
        return Answer::Ok { parts, msg: None };
    }
    let code = i32::from_ne_bytes(payload[..4].try_into().unwrap());
    let ext = if ty == NLMSG_ERROR {
        extack::from_error(flags, &payload[4..])
    } else if flags & NLM_F_ACK_TLVS != 0 {
        extack::from_tlvs(&payload[4..])
    } else {
        extack::Extack::default()
    };
    match code {
        0 => Answer::Ok {
            parts,
            msg: ext.msg,
        },
        c if c < 0 => Answer::Err {
            errno: c.checked_neg().unwrap_or(i32::MAX),
            msg: ext.msg,
        },
        c => Answer::Weird { code: c },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Msg, NLM_F_CAPPED};

    fn error_payload(code: i32, flags: u16, tlv_msg: Option<&str>) -> Vec<u8> {
        let mut p = code.to_ne_bytes().to_vec();
        // Echoed header (capped).
        p.extend_from_slice(&Msg::new(16, 5).finish(9));
        if let Some(s) = tlv_msg {
            let mut t = Msg::new(0, 0);
            t.attr_str(extack::NLMSGERR_ATTR_MSG, s);
            p.extend_from_slice(&t.finish(0)[16..]);
        }
        let _ = flags;
        p
    }

    #[test]
    fn classify_ack_and_errors() {
        let p = error_payload(0, NLM_F_CAPPED, None);
        assert_eq!(
            classify(NLMSG_ERROR, NLM_F_CAPPED, &p, 0),
            Answer::Ok {
                parts: 0,
                msg: None
            }
        );
        let p = error_payload(-22, NLM_F_CAPPED | NLM_F_ACK_TLVS, Some("bad"));
        assert_eq!(
            classify(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, &p, 0),
            Answer::Err {
                errno: 22,
                msg: Some("bad".into())
            }
        );
        let p = error_payload(-95, NLM_F_CAPPED, None);
        assert_eq!(
            classify(NLMSG_ERROR, NLM_F_CAPPED, &p, 0),
            Answer::Err {
                errno: 95,
                msg: None
            }
        );
        assert_eq!(
            classify(NLMSG_ERROR, 0, &5i32.to_ne_bytes(), 0),
            Answer::Weird { code: 5 }
        );
    }

    /// Against the running kernel, no privileges needed: a message the
    /// kernel does not answer (NLMSG_NOOP without NLM_F_ACK) is a hang
    /// after the timeout; a link dump ends in NLMSG_DONE.
    #[test]
    fn hang_and_dump_against_the_kernel() {
        let Ok(mut s) = NlSocket::open(libc::NETLINK_ROUTE, Duration::from_millis(300)) else {
            eprintln!("no netlink socket here: skipped");
            return;
        };
        let noop = Msg::new(1, crate::msg::NLM_F_REQUEST).finish(1);
        assert_eq!(s.request(&noop, 1, |_, _| {}), Answer::Hang);
        let mut m = Msg::new(
            crate::msg::RTM_GETLINK,
            crate::msg::NLM_F_REQUEST | crate::msg::NLM_F_ACK | crate::msg::NLM_F_DUMP,
        );
        m.ifinfomsg(0, 0, 0, 0, 0);
        let mut n = 0;
        let a = s.request(&m.finish(2), 2, |ty, _| {
            assert_eq!(ty, crate::msg::RTM_NEWLINK);
            n += 1;
        });
        assert!(
            matches!(a, Answer::Ok { parts, .. } if parts == n && n >= 1),
            "{a:?}"
        );
        // Unknown rtnetlink message type: refused, answered.
        let bad = Msg::new(0x3ff, crate::msg::NLM_F_REQUEST | crate::msg::NLM_F_ACK).finish(3);
        assert!(matches!(s.request(&bad, 3, |_, _| {}), Answer::Err { .. }));
    }

    #[test]
    fn classify_done() {
        assert_eq!(
            classify(NLMSG_DONE, 2, &0i32.to_ne_bytes(), 3),
            Answer::Ok {
                parts: 3,
                msg: None
            }
        );
        let mut p = (-19i32).to_ne_bytes().to_vec();
        let mut t = Msg::new(0, 0);
        t.attr_str(extack::NLMSGERR_ATTR_MSG, "no such device");
        p.extend_from_slice(&t.finish(0)[16..]);
        assert_eq!(
            classify(NLMSG_DONE, NLM_F_ACK_TLVS, &p, 1),
            Answer::Err {
                errno: 19,
                msg: Some("no such device".into())
            }
        );
    }
}
