// SPDX-License-Identifier: GPL-2.0

//! Per-queue counters, as one table. From it come the `Counters` struct the
//! data path adds to, the `ethtool -S` names and values (in table order),
//! the genl `stats` nest (each counter's `ZCPAIR_A_STATS_*` attribute) and
//! `ip -s link` (`stats64`, from the `tx_*`/`rx_*` packet, byte and drop
//! rows) and the netdev family's per-queue statistics. Each queue of an
//! end counts its own; ethtool, the genl family and `ip -s link` report
//! an end's totals ([`Counters::total`]).
//! A new counter is one row here and its attribute in the YNL spec
//! (Documentation/netlink/specs/zcpair.yaml, then `make uapi`).

use crate::knet::uapi::*;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::c_str;
use kernel::str::CStr;

/// Whether a row is a maximum (marked `max`) rather than a sum.
macro_rules! is_max {
    () => {
        false
    };
    (max) => {
        true
    };
}

macro_rules! counters {
    ($($(#[$doc:meta])* $field:ident: $name:literal => $attr:ident $(, $kind:ident)?;)*) => {
        /// Per-queue counters (see the module documentation).
        #[derive(Default)]
        pub(crate) struct Counters {
            $($(#[$doc])* pub(crate) $field: AtomicU64,)*
        }

        impl Counters {
            /// How many counters there are.
            pub(crate) const COUNT: usize = [$(stringify!($field)),*].len();
            /// Their `ethtool -S` names.
            pub(crate) const NAMES: [&'static CStr; Self::COUNT] = [$(c_str!($name)),*];
            /// Their attributes in the genl `stats` nest.
            pub(crate) const ATTRS: [u32; Self::COUNT] = [$($attr),*];

            /// Which rows are maxima (the others are sums).
            const MAXIMA: [bool; Self::COUNT] = [$(is_max!($($kind)?)),*];

            /// Their values, in table order.
            pub(crate) fn values(&self) -> [u64; Self::COUNT] {
                [$(get(&self.$field)),*]
            }
        }
    };
}

counters! {
    /// Bytes copied into slot header buffers: the headers of SG frames,
    /// all of a frame copied whole.
    tx_header_bytes_copied: "tx_header_bytes_copied" => ZCPAIR_A_STATS_TX_HEADER_BYTES_COPIED;
    /// Bytes that crossed by page reference.
    tx_payload_bytes_referenced: "tx_payload_bytes_referenced"
        => ZCPAIR_A_STATS_TX_PAYLOAD_BYTES_REFERENCED;
    /// Bytes of a kmalloc'ed linear area copied into a page fragment.
    tx_linear_bytes_copied: "tx_linear_bytes_copied" => ZCPAIR_A_STATS_TX_LINEAR_BYTES_COPIED;
    /// Frames no longer than copybreak, copied whole.
    tx_frames_copied_whole: "tx_frames_copied_whole" => ZCPAIR_A_STATS_TX_FRAMES_COPIED_WHOLE;
    /// Descriptors with at least one SG entry.
    tx_sg_descriptors: "tx_sg_descriptors" => ZCPAIR_A_STATS_TX_SG_DESCRIPTORS;
    /// The ring was full (queue stopped, or a frame dropped with noqueue).
    tx_ring_full: "tx_ring_full" => ZCPAIR_A_STATS_TX_RING_FULL;
    /// Notifications raised to the peer.
    tx_notifications: "tx_notifications" => ZCPAIR_A_STATS_TX_NOTIFICATIONS;
    /// Frames released after the peer read them (or the ring was emptied).
    tx_completions: "tx_completions" => ZCPAIR_A_STATS_TX_COMPLETIONS;
    /// Received frames GRO merged into another.
    rx_gro_frames: "rx_gro_frames" => ZCPAIR_A_STATS_RX_GRO_FRAMES;
    /// Frames sent (`ip -s link` TX packets).
    tx_packets: "tx_packets" => ZCPAIR_A_STATS_TX_PACKETS;
    /// Bytes sent.
    tx_bytes: "tx_bytes" => ZCPAIR_A_STATS_TX_BYTES;
    /// Frames dropped at transmit.
    tx_dropped: "tx_dropped" => ZCPAIR_A_STATS_TX_DROPPED;
    /// Frames received (`ip -s link` RX packets).
    rx_packets: "rx_packets" => ZCPAIR_A_STATS_RX_PACKETS;
    /// Bytes received.
    rx_bytes: "rx_bytes" => ZCPAIR_A_STATS_RX_BYTES;
    /// Descriptors skipped or refused on receive.
    rx_dropped: "rx_dropped" => ZCPAIR_A_STATS_RX_DROPPED;
    /// Frames of user pages that crossed with their zero-copy state.
    tx_zerocopy_frames: "tx_zerocopy_frames" => ZCPAIR_A_STATS_TX_ZEROCOPY_FRAMES;
    /// Segments cut from UDP GSO frames by this end (tx-segment on).
    tx_segments: "tx_segments" => ZCPAIR_A_STATS_TX_SEGMENTS;
    /// Batches of segmented frames written into the ring at once.
    tx_batches: "tx_batches" => ZCPAIR_A_STATS_TX_BATCHES;
    /// Frames those batches held.
    tx_batch_frames: "tx_batch_frames" => ZCPAIR_A_STATS_TX_BATCH_FRAMES;
    /// Destinations of those batches, summed.
    tx_batch_destinations: "tx_batch_destinations" => ZCPAIR_A_STATS_TX_BATCH_DESTINATIONS;
    /// Longest same-destination run while another destination had
    /// segments left (a maximum).
    tx_batch_max_run: "tx_batch_max_run" => ZCPAIR_A_STATS_TX_BATCH_MAX_RUN, max;
    /// Completion passes that released frames.
    tx_completion_passes: "tx_completion_passes" => ZCPAIR_A_STATS_TX_COMPLETION_PASSES;
    /// Frames sent through the uplink (a broadcast's copy too).
    tx_uplink_packets: "tx_uplink_packets" => ZCPAIR_A_STATS_TX_UPLINK_PACKETS;
    /// Bytes of those.
    tx_uplink_bytes: "tx_uplink_bytes" => ZCPAIR_A_STATS_TX_UPLINK_BYTES;
    /// Frames for the peer sent through the uplink while it was down.
    tx_uplink_remapped: "tx_uplink_remapped" => ZCPAIR_A_STATS_TX_UPLINK_REMAPPED;
    /// Frames the uplink refused.
    tx_uplink_dropped: "tx_uplink_dropped" => ZCPAIR_A_STATS_TX_UPLINK_DROPPED;
    /// Frames received from the uplink.
    rx_uplink_packets: "rx_uplink_packets" => ZCPAIR_A_STATS_RX_UPLINK_PACKETS;
    /// Bytes of those, with the Ethernet header.
    rx_uplink_bytes: "rx_uplink_bytes" => ZCPAIR_A_STATS_RX_UPLINK_BYTES;
    /// LAN member: frames placed in the ring of the member the table (or
    /// the destination MAC) named.
    tx_lan_unicast: "tx_lan_unicast" => ZCPAIR_A_STATS_TX_LAN_UNICAST;
    /// LAN member: copies of broadcast/multicast frames placed in other
    /// members' rings.
    tx_lan_flooded: "tx_lan_flooded" => ZCPAIR_A_STATS_TX_LAN_FLOODED;
    /// LAN member: frames for a destination no member has (dropped).
    tx_lan_unknown: "tx_lan_unknown" => ZCPAIR_A_STATS_TX_LAN_UNKNOWN;
    /// Notifications that scheduled the reader's poll on another CPU
    /// (steer.rs).
    tx_notifications_steered: "tx_notifications_steered"
        => ZCPAIR_A_STATS_TX_NOTIFICATIONS_STEERED;
    /// Frames written into a shared ring (ours or a LAN member's; a
    /// frame cut into segments once).
    tx_ring_packets: "tx_ring_packets" => ZCPAIR_A_STATS_TX_RING_PACKETS;
    /// Bytes of those.
    tx_ring_bytes: "tx_ring_bytes" => ZCPAIR_A_STATS_TX_RING_BYTES;
}

// Every counter of the spec's `stats` set is a row of the table (and each
// row has its own attribute: the kernel's genl nest and zcpairctl, which
// builds its list from the same header, then agree).
const _: () = {
    assert!(Counters::COUNT == ZCPAIR_A_STATS_MAX as usize);
    let mut i = 0;
    while i < Counters::COUNT {
        let mut j = i + 1;
        while j < Counters::COUNT {
            assert!(Counters::ATTRS[i] != Counters::ATTRS[j]);
            j += 1;
        }
        i += 1;
    }
};

impl Counters {
    /// The values of several sets (an end's queues) taken together: sums,
    /// and the largest value of a maximum.
    pub(crate) fn total<'a>(sets: impl Iterator<Item = &'a Counters>) -> [u64; Self::COUNT] {
        let mut out = [0u64; Self::COUNT];
        for set in sets {
            for ((o, v), is_max) in out.iter_mut().zip(set.values()).zip(Self::MAXIMA) {
                *o = if is_max { (*o).max(v) } else { *o + v };
            }
        }
        out
    }
}

/// Adds `n` to a counter (the writers of one counter are serialised by the
/// ring locks or NAPI; relaxed is enough for statistics).
pub(crate) fn add(c: &AtomicU64, n: u64) {
    // Most counters of a frame's path are 0 for any one frame: no
    // read-modify-write (a locked instruction) for those.
    if n != 0 {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

/// Raises a maximum to `n`.
pub(crate) fn max(c: &AtomicU64, n: u64) {
    c.fetch_max(n, Ordering::Relaxed);
}

/// Reads a counter.
pub(crate) fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}
