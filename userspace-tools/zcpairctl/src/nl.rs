// SPDX-License-Identifier: GPL-2.0
//! Netlink sockets: send a request, collect its replies, surface errors
//! and extended acks, and (with `ZCPAIRCTL_CAPTURE=DIR`) save every
//! received message.
//!
//! Framing is netlink-packet-core's (`NetlinkMessage`, `NetlinkBuffer`);
//! the socket is netlink-sys's.

use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use netlink_packet_core::{
    NetlinkBuffer, NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    NetlinkSerializable, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_generic::ctrl::nlas::{GenlCtrlAttrs, McastGrpAttrs};
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::{GenlFamily, GenlMessage};
use netlink_sys::{protocols, Socket};

use crate::error::{extack_sentence, Error, Result};
use crate::extack;

/// Environment variable naming a directory to save received messages in.
pub const CAPTURE_ENV: &str = "ZCPAIRCTL_CAPTURE";

/// Which netlink protocol a socket speaks; also the prefix of the files
/// captured from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Route,
    Generic,
}

impl Proto {
    pub fn label(self) -> &'static str {
        match self {
            Self::Route => "rtnl",
            Self::Generic => "genl",
        }
    }

    /// The protocol of a capture or fixture file, from its name's prefix.
    pub fn from_file_name(name: &str) -> Option<Self> {
        match name.split(['-', '.']).next()? {
            "rtnl" => Some(Self::Route),
            "genl" => Some(Self::Generic),
            _ => None,
        }
    }
}

/// Saves each received message as `DIR/<proto>-<pid>-<n>.bin`.
#[derive(Debug)]
struct Capture {
    dir: PathBuf,
}

static CAPTURED: AtomicUsize = AtomicUsize::new(0);

impl Capture {
    fn from_env() -> Result<Option<Self>> {
        let Some(dir) = std::env::var_os(CAPTURE_ENV) else {
            return Ok(None);
        };
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("{CAPTURE_ENV}={}", dir.display()), e))?;
        Ok(Some(Self { dir }))
    }

    fn save(&self, proto: Proto, msg: &[u8]) -> Result<()> {
        let n = CAPTURED.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!(
            "{}-{}-{n:04}.bin",
            proto.label(),
            std::process::id()
        ));
        std::fs::write(&path, msg).map_err(|e| Error::io(path.display().to_string(), e))
    }
}

/// Split a datagram into its netlink messages.
pub fn split_messages(mut buf: &[u8]) -> Result<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let len = NetlinkBuffer::new_checked(buf)
            .map_err(|e| Error::Decode(e.to_string()))?
            .length() as usize;
        out.push(&buf[..len]);
        let next = (len + 3) & !3;
        buf = buf.get(next..).unwrap_or_default();
    }
    Ok(out)
}

/// The sequence number of one raw message.
fn sequence_number(msg: &[u8]) -> u32 {
    NetlinkBuffer::new(msg).sequence_number()
}

/// Decode one raw message.
pub fn decode<T>(msg: &[u8]) -> Result<NetlinkMessage<T>>
where
    T: NetlinkDeserializable + Debug,
{
    NetlinkMessage::<T>::deserialize(msg).map_err(|e| Error::Decode(e.to_string()))
}

/// Turn an NLMSG_ERROR into `Ok(())` (an ack, after printing any warning
/// it carries) or the kernel's error.
pub fn check_ack<T>(msg: &NetlinkMessage<T>) -> Result<()> {
    match &msg.payload {
        NetlinkPayload::Error(e) => {
            let ext = extack::from_error(msg.header.flags, &e.header);
            match e.code {
                None => {
                    if let Some(w) = ext.msg {
                        eprintln!("Warning: {}", extack_sentence(&w));
                    }
                    Ok(())
                }
                Some(code) => Err(Error::Kernel {
                    errno: code.get().saturating_neg(),
                    extack: ext.msg,
                }),
            }
        }
        NetlinkPayload::Done(d) if d.code < 0 => {
            let ext = if msg.header.flags & netlink_packet_core::NLM_F_ACK_TLVS != 0 {
                extack::from_tlvs(&d.extended_ack)
            } else {
                extack::Extack::default()
            };
            Err(Error::Kernel {
                errno: d.code.saturating_neg(),
                extack: ext.msg,
            })
        }
        _ => Ok(()),
    }
}

/// A netlink socket of one protocol.
#[derive(Debug)]
pub struct Conn {
    sock: Socket,
    proto: Proto,
    seq: u32,
    capture: Option<Capture>,
}

impl Conn {
    pub fn open(proto: Proto) -> Result<Self> {
        let protocol = match proto {
            Proto::Route => protocols::NETLINK_ROUTE,
            Proto::Generic => protocols::NETLINK_GENERIC,
        };
        let mut sock =
            Socket::new(protocol).map_err(|e| Error::io("cannot open netlink socket", e))?;
        sock.bind_auto()
            .map_err(|e| Error::io("cannot bind netlink socket", e))?;
        // Extended acks, and only the request's header echoed in errors.
        sock.set_ext_ack(true)
            .map_err(|e| Error::io("NETLINK_EXT_ACK", e))?;
        sock.set_cap_ack(true)
            .map_err(|e| Error::io("NETLINK_CAP_ACK", e))?;
        Ok(Self {
            sock,
            proto,
            seq: 0,
            capture: Capture::from_env()?,
        })
    }

    pub fn add_membership(&self, group: u32) -> Result<()> {
        self.sock
            .add_membership(group)
            .map_err(|e| Error::io("cannot join multicast group", e))
    }

    /// Number, serialize and send a request; returns its sequence number.
    pub fn send<T>(&mut self, msg: &mut NetlinkMessage<T>) -> Result<u32>
    where
        T: NetlinkSerializable + Debug,
    {
        self.seq = self.seq.wrapping_add(1).max(1);
        msg.header.sequence_number = self.seq;
        msg.finalize();
        let mut buf = vec![0; msg.buffer_len()];
        msg.serialize(&mut buf);
        self.sock
            .send(&buf, 0)
            .map_err(|e| Error::io("cannot send netlink request", e))?;
        Ok(self.seq)
    }

    /// Receive one datagram and split it into messages (saving them when
    /// capturing).
    pub fn recv(&mut self) -> Result<Vec<Vec<u8>>> {
        let (buf, _) = self
            .sock
            .recv_from_full()
            .map_err(|e| Error::io("cannot receive netlink reply", e))?;
        let msgs: Vec<Vec<u8>> = split_messages(&buf)?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        if let Some(cap) = &self.capture {
            for m in &msgs {
                cap.save(self.proto, m)?;
            }
        }
        Ok(msgs)
    }

    /// Send `msg` and collect the replies to it: up to the ack of a `do`
    /// (`NLM_F_ACK` is added) or the NLMSG_DONE of a dump.
    pub fn request<T>(&mut self, mut msg: NetlinkMessage<T>) -> Result<Vec<T>>
    where
        T: NetlinkSerializable + NetlinkDeserializable + Debug,
    {
        let dump = msg.header.flags & NLM_F_DUMP == NLM_F_DUMP;
        if !dump {
            msg.header.flags |= NLM_F_ACK;
        }
        let seq = self.send(&mut msg)?;
        let mut replies = Vec::new();
        let mut interrupted = false;
        loop {
            for raw in self.recv()? {
                if sequence_number(&raw) != seq {
                    continue; // not ours (a notification or a stale reply)
                }
                let reply = decode::<T>(&raw)?;
                interrupted |= reply.header.flags & NLM_F_DUMP_INTR != 0;
                match reply.payload {
                    NetlinkPayload::InnerMessage(inner) => replies.push(inner),
                    NetlinkPayload::Error(_) | NetlinkPayload::Done(_) => {
                        check_ack(&reply)?;
                        if interrupted {
                            eprintln!("Dump was interrupted and may be inconsistent.");
                        }
                        return Ok(replies);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// A request message with `flags` (NLM_F_REQUEST is added).
pub fn new_request<T>(payload: T, flags: u16) -> NetlinkMessage<T>
where
    T: NetlinkSerializable + Debug,
    NetlinkPayload<T>: From<T>,
{
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | flags;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::from(payload));
    msg.finalize();
    msg
}

/// A generic netlink family as the controller reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub id: u16,
    pub version: u32,
    /// `(name, id)` of each multicast group.
    pub mcast_groups: Vec<(String, u32)>,
}

impl Family {
    pub fn mcast_group(&self, name: &str) -> Option<u32> {
        self.mcast_groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// Read a CTRL_CMD_GETFAMILY reply.
    pub fn from_ctrl(reply: &GenlCtrl) -> Option<Self> {
        let mut id = None;
        let mut version = 0;
        let mut mcast_groups = Vec::new();
        for attr in &reply.nlas {
            match attr {
                GenlCtrlAttrs::FamilyId(v) => id = Some(*v),
                GenlCtrlAttrs::Version(v) => version = *v,
                GenlCtrlAttrs::McastGroups(groups) => {
                    for g in groups {
                        let name = g.iter().find_map(|a| match a {
                            McastGrpAttrs::Name(n) => Some(n.clone()),
                            _ => None,
                        });
                        let gid = g.iter().find_map(|a| match a {
                            McastGrpAttrs::Id(i) => Some(*i),
                            _ => None,
                        });
                        if let (Some(n), Some(i)) = (name, gid) {
                            mcast_groups.push((n, i));
                        }
                    }
                }
                _ => {}
            }
        }
        Some(Self {
            id: id?,
            version,
            mcast_groups,
        })
    }
}

/// The CTRL_CMD_GETFAMILY request for family `F`.
pub fn get_family_request<F: GenlFamily>() -> NetlinkMessage<GenlMessage<GenlCtrl>> {
    new_request(
        GenlMessage::from_payload(GenlCtrl {
            cmd: GenlCtrlCmd::GetFamily,
            nlas: vec![GenlCtrlAttrs::FamilyName(F::family_name().to_owned())],
        }),
        0,
    )
}

/// Ask the generic netlink controller for family `F`.
pub fn resolve_family<F: GenlFamily>(conn: &mut Conn) -> Result<Family> {
    let replies = match conn.request(get_family_request::<F>()) {
        Err(Error::Kernel { errno, .. }) if errno == libc::ENOENT => {
            return Err(Error::Other(format!(
                "generic netlink family \"{}\" not found (is the zcpair module loaded?)",
                F::family_name()
            )))
        }
        r => r?,
    };
    replies
        .iter()
        .find_map(|r| Family::from_ctrl(&r.payload))
        .ok_or_else(|| Error::Decode("CTRL_CMD_GETFAMILY reply without a family id".into()))
}
