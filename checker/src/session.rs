//! Session guarantees of the tickets domain: read-your-writes and monotonic reads per user.
//!
//! A session is one user's sequence of operations on one event. The workload pins every user to one
//! node and carries the user across `info` process replacements, so the session survives a fresh
//! process id. Operation B happens after operation A when B was invoked after A returned (real time).
//!
//! - Read-your-writes: once a user's `place_hold` is acknowledged, every `list_holds` of that user
//!   invoked later includes the hold, unless a release or confirm of it may already have taken effect
//!   (invoked before the list returned, and not reported `fail`) or the event log shows it expired at a
//!   sequence number the list reflects. Symmetrically, a hold whose release or confirm was acknowledged
//!   never shows up again in a later list.
//! - Monotonic reads: the sequence numbers of a user's `list_holds` replies never go backwards.
//!
//! Each check is a sweep over operations sorted by time, so its cost is `O(n log n)` plus the number of
//! holds a user has open at once; no pairwise happens-before graph is built.

use crate::fast_hash::FastMap;
use crate::history::{History, Outcome};
use crate::json::Json;
use crate::ticket_fields::{
    by_event, millis_between, per_event, possessive, seats, str_field, TicketOp,
};
use crate::verdict::{Anomaly, AnomalyResult, Verdict};
use std::collections::BTreeMap;

/// Kind of the anomaly where a user does not see their own acknowledged write.
pub const READ_YOUR_WRITES: &str = "read-your-writes";
/// Kind of the anomaly where a user's reads go back to an older state.
pub const MONOTONIC_READS: &str = "monotonic-reads";

/// Checks read-your-writes and monotonic reads for every user session of a tickets history.
pub fn check_sessions(history: &History) -> AnomalyResult {
    sessions_result(per_event(&by_event(history), |_, ops| event_anomalies(ops)))
}

/// The result of the session checks of every event ([`event_anomalies`], in event order).
pub(crate) fn sessions_result(per_event: Vec<Vec<Anomaly>>) -> AnomalyResult {
    let mut anomalies: Vec<Anomaly> = per_event.into_iter().flatten().collect();
    // A stable sort: anomalies that start with the same operation come from one session, in
    // the order its checks found them.
    anomalies.sort_by_key(|a| a.events.first().copied());
    let valid = if anomalies.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Invalid
    };
    AnomalyResult {
        valid,
        anomalies,
        reason: None,
    }
}

/// The session anomalies of one event's operations, session by session (sessions in user order).
pub(crate) fn event_anomalies(ops: &[&TicketOp]) -> Vec<Anomaly> {
    let facts = Facts::gather(ops);
    let mut sessions: Vec<_> = facts.sessions.iter().collect();
    sessions.sort_unstable_by_key(|(key, _)| **key);
    let mut anomalies = Vec::new();
    for ((user, event), session) in sessions {
        let ctx = SessionCtx {
            user,
            event,
            facts: &facts,
        };
        ctx.acknowledged_holds_stay_visible(session, &mut anomalies);
        ctx.finished_holds_stay_gone(session, &mut anomalies);
        ctx.seqs_never_go_back(session, &mut anomalies);
    }
    anomalies
}

/// The operations of one user on one event.
#[derive(Default)]
struct Session<'a> {
    /// Acknowledged `place_hold`s.
    placed: Vec<TicketOp<'a>>,
    /// Acknowledged `release`s and `confirm`s of this user's holds.
    finished: Vec<TicketOp<'a>>,
    /// Successful `list_holds`.
    lists: Vec<TicketOp<'a>>,
}

/// Everything the session checks need, gathered in one pass over the history.
#[derive(Default)]
struct Facts<'a> {
    /// Sessions keyed by (user, event).
    sessions: FastMap<(&'a str, &'a str), Session<'a>>,
    /// For each (event, hold): the earliest invocation time of a release or confirm that may have
    /// taken effect (any outcome but `fail`).
    may_end_at: FastMap<(&'a str, &'a str), u64>,
    /// For each (event, hold): the lowest sequence number of a `HoldExpired` entry in any log read.
    expired_at: FastMap<(&'a str, &'a str), u64>,
}

impl<'a> Facts<'a> {
    fn gather(ops: &[&TicketOp<'a>]) -> Facts<'a> {
        let mut facts = Facts::default();
        let mut holder: FastMap<(&str, &str), &str> = FastMap::default();
        for &t in ops {
            match (t.op.f.as_str(), t.op.outcome) {
                ("place_hold", Outcome::Ok) => {
                    if let (Some(user), Some(hold)) = (t.user, t.hold) {
                        holder.insert((t.event, hold), user);
                        facts.session(user, t.event).placed.push(t.clone());
                    }
                }
                ("list_holds", Outcome::Ok) => {
                    if let Some(user) = t.user {
                        facts.session(user, t.event).lists.push(t.clone());
                    }
                }
                ("read_log", Outcome::Ok) => facts.note_expiries(t),
                _ => {}
            }
        }
        for &t in ops {
            let (Some(hold), "release" | "confirm") = (t.hold, t.op.f.as_str()) else {
                continue;
            };
            if t.op.outcome == Outcome::Fail {
                continue;
            }
            let end = facts.may_end_at.entry((t.event, hold)).or_insert(t.op.call);
            *end = (*end).min(t.op.call);
            if t.op.outcome == Outcome::Ok {
                if let Some(user) = holder.get(&(t.event, hold)) {
                    facts.session(user, t.event).finished.push(t.clone());
                }
            }
        }
        facts
    }

    fn session(&mut self, user: &'a str, event: &'a str) -> &mut Session<'a> {
        self.sessions.entry((user, event)).or_default()
    }

    fn note_expiries(&mut self, read: &TicketOp<'a>) {
        let entries = read.op.output.get("entries").and_then(Json::as_array);
        for entry in entries.into_iter().flatten() {
            if str_field(entry, "type") != Some("HoldExpired") {
                continue;
            }
            if let Some(hold) = str_field(entry, "hold") {
                let seq = entry.get("seq").and_then(Json::as_u64).unwrap_or(0);
                let at = self.expired_at.entry((read.event, hold)).or_insert(seq);
                *at = (*at).min(seq);
            }
        }
    }
}

/// One session under check, with the facts it is judged against.
struct SessionCtx<'s, 'a> {
    user: &'a str,
    event: &'a str,
    facts: &'s Facts<'a>,
}

impl<'a> SessionCtx<'_, 'a> {
    /// Read-your-writes for placed holds: every list invoked after a hold's acknowledgement shows it.
    fn acknowledged_holds_stay_visible(&self, s: &Session<'a>, out: &mut Vec<Anomaly>) {
        let mut placed: Vec<&TicketOp> = s.placed.iter().filter(|t| t.op.ret.is_some()).collect();
        placed.sort_by_key(|t| t.op.ret);
        let mut lists: Vec<&TicketOp> = s.lists.iter().collect();
        lists.sort_by_key(|t| t.op.call);
        let mut next = 0;
        let mut open: BTreeMap<&str, &TicketOp> = BTreeMap::new();
        for list in lists {
            while let Some(p) = placed.get(next).filter(|p| p.op.ret < Some(list.op.call)) {
                if let Some(hold) = p.hold {
                    open.insert(hold, p);
                }
                next += 1;
            }
            let may_end = |hold: &str| self.facts.may_end_at.get(&(self.event, hold)).copied();
            open.retain(|hold, _| may_end(hold).is_none_or(|end| end >= list.op.call));
            let Some(listed) = list.listed_holds() else {
                continue;
            };
            let list_ret = list.op.ret.unwrap_or(u64::MAX);
            for (hold, p) in &open {
                let ended = may_end(hold).is_some_and(|end| end < list_ret);
                let expired = self
                    .facts
                    .expired_at
                    .get(&(self.event, *hold))
                    .is_some_and(|&at| list.seq.is_none_or(|seq| seq >= at));
                if ended || expired || listed.contains(hold) {
                    continue;
                }
                out.push(self.vanished(hold, p, list));
            }
        }
    }

    fn vanished(&self, hold: &str, placed: &TicketOp, list: &TicketOp) -> Anomaly {
        let acked = placed.op.ret.unwrap_or(placed.op.call);
        let qty = placed
            .op
            .input
            .get("qty")
            .and_then(Json::as_u64)
            .unwrap_or(0);
        Anomaly {
            kind: READ_YOUR_WRITES.into(),
            explanation: format!(
                "{who} hold {hold} ({} of {}) vanished from {who} own list {} ms after it \
                 was confirmed to {}: the hold was placed at seq {}, the list answered at seq {}.",
                seats(qty),
                self.event,
                millis_between(acked, list.op.call),
                self.user,
                seq_text(placed.seq),
                seq_text(list.seq),
                who = possessive(self.user),
            ),
            events: [placed.events(), list.events()].concat(),
            when: None,
        }
    }

    /// Read-your-writes for releases and confirms: an acknowledged end of a hold is never undone.
    fn finished_holds_stay_gone(&self, s: &Session<'a>, out: &mut Vec<Anomaly>) {
        let mut finished_at: FastMap<&str, &TicketOp> = FastMap::default();
        for f in &s.finished {
            let (Some(hold), Some(ret)) = (f.hold, f.op.ret) else {
                continue;
            };
            let earlier = finished_at.get(hold).and_then(|g| g.op.ret);
            if earlier.is_none_or(|e| ret < e) {
                finished_at.insert(hold, f);
            }
        }
        for list in &s.lists {
            for hold in list.listed_holds().unwrap_or_default() {
                let Some(f) = finished_at.get(hold) else {
                    continue;
                };
                let done = f.op.ret.unwrap_or(u64::MAX);
                if done >= list.op.call {
                    continue;
                }
                let verb = if f.op.f == "confirm" {
                    "checked out"
                } else {
                    "released"
                };
                out.push(Anomaly {
                    kind: READ_YOUR_WRITES.into(),
                    explanation: format!(
                        "{} hold {hold} on {} reappeared in {} own list {} ms after it was {verb} \
                         (acknowledged at seq {}, the list answered at seq {}).",
                        possessive(self.user),
                        self.event,
                        possessive(self.user),
                        millis_between(done, list.op.call),
                        seq_text(f.seq),
                        seq_text(list.seq),
                    ),
                    events: [f.events(), list.events()].concat(),
                    when: None,
                });
            }
        }
    }

    /// Monotonic reads: a list never reflects an older sequence number than one that returned before it.
    fn seqs_never_go_back(&self, s: &Session<'a>, out: &mut Vec<Anomaly>) {
        let with_seq = || {
            s.lists
                .iter()
                .filter(|t| t.seq.is_some() && t.op.ret.is_some())
        };
        let mut by_ret: Vec<&TicketOp> = with_seq().collect();
        by_ret.sort_by_key(|t| t.op.ret);
        let mut by_call: Vec<&TicketOp> = with_seq().collect();
        by_call.sort_by_key(|t| t.op.call);
        let mut next = 0;
        let mut newest: Option<&TicketOp> = None;
        for list in by_call {
            while let Some(done) = by_ret.get(next).filter(|d| d.op.ret < Some(list.op.call)) {
                if newest.is_none_or(|n| done.seq > n.seq) {
                    newest = Some(done);
                }
                next += 1;
            }
            let Some(before) = newest.filter(|n| list.seq < n.seq) else {
                continue;
            };
            out.push(Anomaly {
                kind: MONOTONIC_READS.into(),
                explanation: format!(
                    "{} list of holds on {} went back in time: one list answered at seq {} \
                     (returned at {}), a later one (asked {} ms after) answered at seq {}.",
                    possessive(self.user),
                    self.event,
                    seq_text(before.seq),
                    seconds(before.op.ret.unwrap_or(0)),
                    millis_between(before.op.ret.unwrap_or(0), list.op.call),
                    seq_text(list.seq),
                ),
                events: [before.events(), list.events()].concat(),
                when: None,
            });
        }
    }
}

fn seq_text(seq: Option<u64>) -> String {
    seq.map_or_else(|| "?".to_owned(), |s| s.to_string())
}

fn seconds(ns: u64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}
