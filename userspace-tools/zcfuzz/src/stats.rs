// SPDX-License-Identifier: GPL-2.0
//! Counting answers, and the summary (text and JSON).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::errno;
use crate::gen::Class;
use crate::sock::{Anomalies, Answer};

/// The counters of one entry point (or of all).
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub sent: u64,
    pub valid: u64,
    pub semi: u64,
    pub garbage: u64,
    /// Acked with 0 / dump completed.
    pub ok: u64,
    /// Of those, valid-class requests.
    pub ok_valid: u64,
    /// Success that carried an extack message (a warning).
    pub ok_with_msg: u64,
    pub refused: u64,
    pub refused_with_msg: u64,
    pub refused_without_msg: u64,
    /// errno name -> count.
    pub errnos: BTreeMap<String, u64>,
    pub hangs: u64,
    /// A positive code in NLMSG_ERROR/NLMSG_DONE.
    pub weird: u64,
    pub send_failed: u64,
}

impl Counts {
    pub fn add(&mut self, class: Class, answer: &Answer) {
        self.sent += 1;
        match class {
            Class::Valid => self.valid += 1,
            Class::Semi => self.semi += 1,
            Class::Garbage => self.garbage += 1,
        }
        match answer {
            Answer::Ok { msg, .. } => {
                self.ok += 1;
                if class == Class::Valid {
                    self.ok_valid += 1;
                }
                if msg.is_some() {
                    self.ok_with_msg += 1;
                }
            }
            Answer::Err { errno: e, msg } => {
                self.refused += 1;
                if msg.is_some() {
                    self.refused_with_msg += 1;
                } else {
                    self.refused_without_msg += 1;
                }
                *self.errnos.entry(errno::name(*e)).or_default() += 1;
            }
            Answer::Weird { .. } => self.weird += 1,
            Answer::Hang => self.hangs += 1,
            Answer::SendFailed { errno: e } => {
                self.send_failed += 1;
                *self
                    .errnos
                    .entry(format!("send:{}", errno::name(*e)))
                    .or_default() += 1;
            }
        }
    }

    fn json(&self) -> Value {
        json!({
            "sent": self.sent,
            "valid": self.valid,
            "semi": self.semi,
            "garbage": self.garbage,
            "ok": self.ok,
            "ok_valid": self.ok_valid,
            "ok_with_extack_msg": self.ok_with_msg,
            "refused": self.refused,
            "refused_with_extack_msg": self.refused_with_msg,
            "refused_without_extack_msg": self.refused_without_msg,
            "errnos": self.errnos,
            "hangs": self.hangs,
            "weird": self.weird,
            "send_failed": self.send_failed,
        })
    }
}

/// A request that had no answer, or an odd one.
#[derive(Debug, Clone)]
pub struct Incident {
    pub n: u64,
    pub entry: String,
    pub what: String,
    pub hex: String,
}

/// What the final cleanup found and did.
#[derive(Debug, Default, Clone)]
pub struct Cleanup {
    pub kept: bool,
    /// zcpair devices in the netns after the run.
    pub left: usize,
    /// RTM_DELLINK requests acked.
    pub deleted: usize,
    pub delete_errors: usize,
    /// zcpair devices after the cleanup (must be 0 unless kept).
    pub remaining: usize,
    /// Devices with a pool-like name ("zf…") left, of any kind, other
    /// than the fuzzer's own uplink (a half-created device would show
    /// here).
    pub remaining_named: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub seed: u64,
    pub count: u64,
    pub seconds: f64,
    pub total: Counts,
    pub entries: BTreeMap<String, Counts>,
    pub incidents: Vec<Incident>,
    pub anomalies: Anomalies,
    /// Kernel-internal errnos (>= 512) seen in answers.
    pub kernel_internal: u64,
    /// Distinct zcpair ifindexes seen during the run.
    pub devices_seen: usize,
    /// Hangs of the fuzzer's own RTM_GETLINK dumps.
    pub internal_hangs: u64,
    pub notes: Vec<String>,
    pub cleanup: Cleanup,
}

impl Summary {
    pub fn add(&mut self, entry: &str, class: Class, answer: &Answer) {
        self.total.add(class, answer);
        self.entries
            .entry(entry.to_string())
            .or_default()
            .add(class, answer);
        if let Answer::Err { errno: e, .. } = answer {
            if errno::is_kernel_internal(*e) {
                self.kernel_internal += 1;
            }
        }
    }

    /// The run failed: a hang, a non-errno answer, or a zcpair device
    /// the cleanup could not remove.
    pub fn failed(&self) -> bool {
        self.total.hangs > 0
            || self.internal_hangs > 0
            || self.total.weird > 0
            || (!self.cleanup.kept
                && (self.cleanup.remaining > 0 || !self.cleanup.remaining_named.is_empty()))
    }

    pub fn json(&self) -> Value {
        let entries: serde_json::Map<String, Value> = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), v.json()))
            .collect();
        json!({
            "seed": self.seed,
            "count": self.count,
            "seconds": (self.seconds * 1000.0).round() / 1000.0,
            "result": if self.failed() { "fail" } else { "pass" },
            "total": self.total.json(),
            "entries": entries,
            "incidents": self.incidents.iter().map(|i| json!({
                "n": i.n, "entry": i.entry, "what": i.what, "hex": i.hex,
            })).collect::<Vec<_>>(),
            "stray_messages": self.anomalies.stray,
            "truncated_reads": self.anomalies.truncated,
            "recv_errors": self.anomalies.recv_errors,
            "kernel_internal_errnos": self.kernel_internal,
            "zcpair_devices_seen": self.devices_seen,
            "internal_hangs": self.internal_hangs,
            "notes": self.notes,
            "cleanup": {
                "kept": self.cleanup.kept,
                "left_after_run": self.cleanup.left,
                "deleted": self.cleanup.deleted,
                "delete_errors": self.cleanup.delete_errors,
                "remaining": self.cleanup.remaining,
                "remaining_pool_named": self.cleanup.remaining_named,
            },
        })
    }

    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let t = &self.total;
        let _ = writeln!(
            s,
            "zcfuzz: seed {} count {} in {:.1} s: {}",
            self.seed,
            self.count,
            self.seconds,
            if self.failed() { "FAIL" } else { "pass" }
        );
        let _ = writeln!(
            s,
            "sent {} (valid {}, semi-valid {}, garbage {}): ok {} (of valid: {}), refused {} \
             (extack message: {} with, {} without), hangs {}, non-errno answers {}, send failures {}",
            t.sent,
            t.valid,
            t.semi,
            t.garbage,
            t.ok,
            t.ok_valid,
            t.refused,
            t.refused_with_msg,
            t.refused_without_msg,
            t.hangs,
            t.weird,
            t.send_failed
        );
        let _ = writeln!(
            s,
            "\n{:<24} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}  errnos",
            "entry point", "sent", "valid", "ok", "refused", "no-msg", "hangs"
        );
        for (name, c) in &self.entries {
            let errs: Vec<String> = sorted_errnos(&c.errnos)
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = writeln!(
                s,
                "{:<24} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}  {}",
                name,
                c.sent,
                c.valid,
                c.ok,
                c.refused,
                c.refused_without_msg,
                c.hangs,
                errs.join(", ")
            );
        }
        let _ = writeln!(s, "\nerrnos over all entry points:");
        for (k, v) in sorted_errnos(&t.errnos) {
            let _ = writeln!(s, "  {k:<16} {v}");
        }
        if self.kernel_internal > 0 {
            let _ = writeln!(
                s,
                "warning: {} answers carried a kernel-internal errno (>= 512)",
                self.kernel_internal
            );
        }
        let _ = writeln!(
            s,
            "stray messages {}, truncated reads {}, recv errors {}; zcpair devices seen {}",
            self.anomalies.stray,
            self.anomalies.truncated,
            self.anomalies.recv_errors,
            self.devices_seen
        );
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        for i in &self.incidents {
            let _ = writeln!(s, "{} #{} ({}): {}", i.what, i.n, i.entry, i.hex);
        }
        let c = &self.cleanup;
        if c.kept {
            let _ = writeln!(
                s,
                "cleanup: --keep: {} zcpair devices left in place",
                c.left
            );
        } else {
            let _ = writeln!(
                s,
                "cleanup: {} zcpair devices left after the run, {} deletions acked ({} refused), \
                 {} zcpair devices remaining, {} pool-named devices remaining{}",
                c.left,
                c.deleted,
                c.delete_errors,
                c.remaining,
                c.remaining_named.len(),
                if c.remaining_named.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", c.remaining_named.join(", "))
                }
            );
        }
        s
    }
}

/// errno counts, most frequent first.
fn sorted_errnos(m: &BTreeMap<String, u64>) -> Vec<(&String, &u64)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_errno_table() {
        let mut s = Summary::default();
        s.add(
            "rtnl newlink",
            Class::Valid,
            &Answer::Ok {
                parts: 0,
                msg: None,
            },
        );
        s.add(
            "rtnl newlink",
            Class::Semi,
            &Answer::Err {
                errno: libc::EINVAL,
                msg: Some("x".into()),
            },
        );
        s.add(
            "rtnl newlink",
            Class::Garbage,
            &Answer::Err {
                errno: libc::EINVAL,
                msg: None,
            },
        );
        s.add("ethtool rings-set", Class::Garbage, &Answer::Hang);
        s.add(
            "ethtool rings-set",
            Class::Garbage,
            &Answer::Err {
                errno: 524,
                msg: None,
            },
        );
        assert_eq!(s.total.sent, 5);
        assert_eq!(s.total.ok, 1);
        assert_eq!(s.total.ok_valid, 1);
        assert_eq!(s.total.refused, 3);
        assert_eq!(s.total.refused_with_msg, 1);
        assert_eq!(s.total.refused_without_msg, 2);
        assert_eq!(s.total.errnos["EINVAL"], 2);
        assert_eq!(s.total.errnos["ENOTSUPP"], 1);
        assert_eq!(s.entries["rtnl newlink"].errnos["EINVAL"], 2);
        assert_eq!(s.kernel_internal, 1);
        assert!(s.failed());
        let j = s.json();
        assert_eq!(j["total"]["hangs"], 1);
        assert_eq!(j["entries"]["rtnl newlink"]["errnos"]["EINVAL"], 2);
        assert_eq!(j["result"], "fail");
        let t = s.text();
        assert!(t.contains("EINVAL 2"), "{t}");
    }

    #[test]
    fn leftovers_fail_unless_kept() {
        let mut s = Summary::default();
        assert!(!s.failed());
        s.cleanup.remaining = 1;
        assert!(s.failed());
        s.cleanup.kept = true;
        assert!(!s.failed());
    }
}
