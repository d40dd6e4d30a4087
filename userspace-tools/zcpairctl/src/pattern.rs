// SPDX-License-Identifier: GPL-2.0
//! The payload `send` sends and `recv` checks.
//!
//! One call of `send` is one `sendmmsg(2)` of one message per destination,
//! each message SIZE bytes. With `UDP_SEGMENT` GSO the kernel (or zcpair
//! with `tx-segment on`) cuts a message into datagrams of GSO bytes, the
//! last one shorter when GSO does not divide SIZE: datagram `k` (the
//! message's segment `k`) carries the message's bytes
//! `[k * GSO, min((k + 1) * GSO, SIZE))`.
//!
//! The message is laid out so that every datagram checks on its own:
//!
//! - the first [`HEADER_LEN`] (6) bytes of each segment are a header, three
//!   big-endian `u16`s: the call index, the destination index (the
//!   destination's position in `--dest`) and the segment index `k`. The
//!   message itself thus begins with (call, destination), as
//!   `tests/multidest.py`'s messages do;
//! - every other byte, at offset `off` from the start of the message, is
//!   `(off % 251 + 7 * dest + 13 * call) % 256` ([`pattern_byte`]).
//!
//! The receiver needs only SIZE and GSO (the length segment `k` must have)
//! and the destination index its port stands for: a lost, duplicated or
//! reordered datagram does not throw off the check of the others, and
//! each one names the call and segment it belongs to. The bytes depend on
//! the call, so data of another call (a page the sender reused before its
//! zero-copy notification, a stale slot) shows, and on the offset modulo a
//! prime, so a slice shifted within the message shows as well.
//!
//! Limits: the header must fit, so SIZE and GSO are at least 6 bytes and
//! the last segment (`SIZE % GSO` when not 0) too; SIZE is at most 65507,
//! the payload of one UDP datagram of 65535 bytes (a UDP GSO send is one
//! such datagram before it is cut). Call indexes are `u16`s: at most 65536
//! calls.

use std::fmt;

/// Bytes of the header at the start of each segment.
pub const HEADER_LEN: usize = 6;

/// The largest message: 65535 - 20 (IPv4 header) - 8 (UDP header).
pub const MAX_SIZE: usize = 65507;

/// The most calls whose index a header can tell apart.
pub const MAX_CALLS: u32 = 1 << 16;

/// The pattern repeats every this many bytes (a prime, not a power of two).
const PERIOD: usize = 251;

/// `(off % 251 + 7 * dest + 13 * call) % 256`: the byte at offset `off` of
/// the message of `call` to destination `dest`, outside the headers.
pub fn pattern_byte(call: u16, dest: u16, off: usize) -> u8 {
    // Every term reduced mod 256 first: the same sum mod 256.
    ((off % PERIOD) as u8)
        .wrapping_add((dest as u8).wrapping_mul(7))
        .wrapping_add((call as u8).wrapping_mul(13))
}

/// The header of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub call: u16,
    pub dest: u16,
    pub seg: u16,
}

impl Header {
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let [c0, c1] = self.call.to_be_bytes();
        let [d0, d1] = self.dest.to_be_bytes();
        let [s0, s1] = self.seg.to_be_bytes();
        [c0, c1, d0, d1, s0, s1]
    }

    /// The header at the start of `dgram`, if it is long enough.
    pub fn parse(dgram: &[u8]) -> Option<Self> {
        let h = dgram.get(..HEADER_LEN)?;
        Some(Self {
            call: u16::from_be_bytes([h[0], h[1]]),
            dest: u16::from_be_bytes([h[2], h[3]]),
            seg: u16::from_be_bytes([h[4], h[5]]),
        })
    }
}

/// Why a datagram is not what the sender sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bad {
    /// Shorter than a header.
    Short { len: usize },
    /// Meant for another destination (the header's index).
    Dest { got: u16, want: u16 },
    /// A call index the run does not have.
    Call { got: u16, calls: u32 },
    /// A segment index the message does not have.
    Segment { got: u16, segments: usize },
    /// The wrong length for its segment.
    Length {
        call: u16,
        seg: u16,
        len: usize,
        want: usize,
    },
    /// A byte that differs from the pattern, at `offset` in the message.
    Byte {
        call: u16,
        seg: u16,
        offset: usize,
        got: u8,
        want: u8,
    },
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Short { len } => {
                write!(f, "{len} B datagram, shorter than the {HEADER_LEN} B header")
            }
            Self::Dest { got, want } => {
                write!(f, "header names destination {got}, this port is {want}")
            }
            Self::Call { got, calls } => {
                write!(f, "header names call {got}, the run has {calls}")
            }
            Self::Segment { got, segments } => {
                write!(f, "header names segment {got}, a message has {segments}")
            }
            Self::Length {
                call,
                seg,
                len,
                want,
            } => write!(f, "call {call} segment {seg}: {len} B, want {want} B"),
            Self::Byte {
                call,
                seg,
                offset,
                got,
                want,
            } => write!(
                f,
                "call {call} segment {seg}: byte at message offset {offset} is {got:#04x}, want {want:#04x}"
            ),
        }
    }
}

/// How messages of SIZE bytes are cut into datagrams of GSO bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    size: usize,
    gso: usize,
}

impl Layout {
    /// SIZE and GSO checked against the limits above; the error is a usage
    /// message.
    pub fn new(size: usize, gso: usize) -> Result<Self, String> {
        if !(HEADER_LEN..=MAX_SIZE).contains(&size) {
            return Err(format!(
                "size {size} out of range: a message is {HEADER_LEN} to {MAX_SIZE} bytes"
            ));
        }
        if !(HEADER_LEN..=MAX_SIZE).contains(&gso) {
            return Err(format!(
                "gso {gso} out of range: a segment is {HEADER_LEN} to {MAX_SIZE} bytes"
            ));
        }
        let layout = Self { size, gso };
        let last = layout.segment_len(layout.segments() - 1);
        if last < HEADER_LEN {
            return Err(format!(
                "size {size} with gso {gso} leaves a last datagram of {last} B, shorter than \
                 its {HEADER_LEN} B header: make the size a multiple of the gso, or leave at \
                 least {HEADER_LEN} B over"
            ));
        }
        Ok(layout)
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn gso(&self) -> usize {
        self.gso
    }

    /// Datagrams per message.
    pub fn segments(&self) -> usize {
        self.size.div_ceil(self.gso)
    }

    /// The length of segment `seg` (< `segments()`).
    pub fn segment_len(&self, seg: usize) -> usize {
        self.gso.min(self.size - seg * self.gso)
    }

    /// Writes the message of `call` to destination `dest` into `buf`
    /// (`size()` bytes).
    pub fn fill(&self, call: u16, dest: u16, buf: &mut [u8]) {
        assert_eq!(buf.len(), self.size, "message buffer of the wrong size");
        let base = pattern_byte(call, dest, 0);
        // off % PERIOD is the index within each PERIOD-byte chunk.
        for chunk in buf.chunks_mut(PERIOD) {
            for (j, b) in chunk.iter_mut().enumerate() {
                *b = (j as u8).wrapping_add(base);
            }
        }
        for seg in 0..self.segments() {
            let h = Header {
                call,
                dest,
                seg: seg as u16,
            };
            let at = seg * self.gso;
            buf[at..at + HEADER_LEN].copy_from_slice(&h.to_bytes());
        }
    }

    /// The message of `call` to `dest`, in a new buffer.
    pub fn message(&self, call: u16, dest: u16) -> Vec<u8> {
        let mut buf = vec![0; self.size];
        self.fill(call, dest, &mut buf);
        buf
    }

    /// Checks one datagram received at the port of destination `dest` of a
    /// run of `calls` calls: its header, its length and every byte. Returns
    /// its header.
    pub fn check(&self, dest: u16, calls: u32, dgram: &[u8]) -> Result<Header, Bad> {
        let h = Header::parse(dgram).ok_or(Bad::Short { len: dgram.len() })?;
        if h.dest != dest {
            return Err(Bad::Dest {
                got: h.dest,
                want: dest,
            });
        }
        if u32::from(h.call) >= calls {
            return Err(Bad::Call { got: h.call, calls });
        }
        let seg = usize::from(h.seg);
        if seg >= self.segments() {
            return Err(Bad::Segment {
                got: h.seg,
                segments: self.segments(),
            });
        }
        let want = self.segment_len(seg);
        if dgram.len() != want {
            return Err(Bad::Length {
                call: h.call,
                seg: h.seg,
                len: dgram.len(),
                want,
            });
        }
        let start = seg * self.gso;
        for (j, &got) in dgram.iter().enumerate().skip(HEADER_LEN) {
            let want = pattern_byte(h.call, dest, start + j);
            if got != want {
                return Err(Bad::Byte {
                    call: h.call,
                    seg: h.seg,
                    offset: start + j,
                    got,
                    want,
                });
            }
        }
        Ok(h)
    }
}
