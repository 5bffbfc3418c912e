//! The ticket ledger check: does the final state add up, and does the event log match what clients
//! were told?
//!
//! It reads, per event, the freshest successful `read_inventory` and `read_log` of the history (the
//! workload's final reads; freshest: reaching furthest into the service's log by `seq`, then the
//! last completed) and every user's freshest `list_holds`, and checks:
//! - seats are conserved: capacity = remaining + seats in active holds + seats in confirmed holds, and
//!   no more seats are held or sold than the capacity (an oversell);
//! - each acknowledged hold has exactly one `HoldPlaced` entry;
//! - no event without a hold: a hold the log says is still active appears in its user's final list
//!   (unless that list returned before the hold was requested), and no listed hold lacks its
//!   `HoldPlaced`;
//! - a `place_hold` reported `fail` left no `HoldPlaced` behind (ConcertFrenzy's "Hold failed" followed
//!   by a charge);
//! - one request id never produced two holds;
//! - no read of the inventory returned fewer than zero seats.

use crate::fast_hash::FastMap;
use crate::history::{History, Operation, Outcome};
use crate::json::Json;
use crate::ticket_fields::{by_event, per_event, possessive, seats, str_field, TicketOp};
use crate::verdict::{Anomaly, AnomalyResult, Verdict};
use std::collections::{BTreeMap, BTreeSet};

/// More seats held or sold than the event has.
pub const OVERSELL: &str = "oversell";
/// Remaining + held + confirmed differs from the capacity.
pub const SEATS_NOT_CONSERVED: &str = "seats-not-conserved";
/// An acknowledged hold with no `HoldPlaced` entry.
pub const MISSING_HOLD_PLACED: &str = "missing-hold-placed";
/// A hold with more than one `HoldPlaced` entry.
pub const DUPLICATE_HOLD_PLACED: &str = "duplicate-hold-placed";
/// A `HoldPlaced` entry for an active hold that its user does not have.
pub const EVENT_WITHOUT_HOLD: &str = "event-without-hold";
/// A hold in a user's list that no `HoldPlaced` entry accounts for.
pub const HOLD_WITHOUT_EVENT: &str = "hold-without-event";
/// A `HoldPlaced` entry for a request whose `place_hold` was reported failed.
pub const FAILED_HOLD_PLACED: &str = "failed-hold-placed";
/// One request id that produced two different holds.
pub const DUPLICATE_REQUEST: &str = "duplicate-request";
/// A read of the inventory that returned fewer than zero seats remaining.
pub const NEGATIVE_INVENTORY: &str = "negative-inventory";

/// Checks the ledger of a tickets history, given each event's capacity (set up by the workload).
///
/// The verdict is `unknown` when an event with holds has no successful final `read_log` to judge by.
pub fn check_ledger(history: &History, capacities: &BTreeMap<String, u64>) -> AnomalyResult {
    ledger_result(per_event(&by_event(history), |event, ops| {
        check_event(event, ops, capacities.get(event).copied())
    }))
}

/// The result of the ledger checks of every event ([`check_event`], in event order). An event
/// with a capacity but no operation has nothing to check.
pub(crate) fn ledger_result(checked: Vec<(Vec<Anomaly>, Option<String>)>) -> AnomalyResult {
    let events = checked.len();
    let mut anomalies = Vec::new();
    let mut undecided = Vec::new();
    for (found, event) in checked {
        anomalies.extend(found);
        undecided.extend(event);
    }
    anomalies.sort_by_key(|a| a.events.first().copied());
    let (valid, reason) = if !anomalies.is_empty() {
        (Verdict::Invalid, None)
    } else if !undecided.is_empty() {
        (Verdict::Unknown, Some(undecided_reason(&undecided, events)))
    } else {
        (Verdict::Valid, None)
    };
    AnomalyResult {
        valid,
        anomalies,
        reason,
    }
}

/// Why the ledger is unknown: `undecided` (event names) of the history's `events` have holds but
/// no final log read.
fn undecided_reason(undecided: &[String], events: usize) -> String {
    const NAMED: usize = 3;
    let mut names = undecided[..undecided.len().min(NAMED)].join(", ");
    if undecided.len() > NAMED {
        names.push_str(", ...");
    }
    let (has, them) = if undecided.len() == 1 {
        ("has", "its holds")
    } else {
        ("have", "their holds")
    };
    let which = match (undecided.len(), events) {
        (1, 1) => "the history's one event".to_owned(),
        (n, all) if n == all => format!("all {all} events"),
        (n, all) => format!("{n} of the {all} events"),
    };
    format!(
        "{which} ({names}) {has} holds but no successful read_log: the ledger judges {them} by \
         each event's final log read, which a run records at its end"
    )
}

/// The ledger anomalies of one event's operations, and the event's name when it is undecided
/// (it has placements but no final log read to judge them by).
pub(crate) fn check_event(
    event: &str,
    on_event: &[&TicketOp],
    capacity: Option<u64>,
) -> (Vec<Anomaly>, Option<String>) {
    let mut anomalies = Vec::new();
    inventory_never_negative(event, on_event, &mut anomalies);
    let Some(log) = freshest(on_event, "read_log") else {
        let placed = on_event.iter().any(|t| t.op.f == "place_hold");
        return (anomalies, placed.then(|| event.to_owned()));
    };
    let ledger = EventLedger::new(event, on_event, log);
    if let Some(capacity) = capacity {
        ledger.seats_conserved(
            capacity,
            freshest(on_event, "read_inventory"),
            &mut anomalies,
        );
    }
    ledger.acknowledged_holds_placed_once(&mut anomalies);
    ledger.holds_match_events(&mut anomalies);
    ledger.failed_requests_left_nothing(&mut anomalies);
    ledger.one_hold_per_request(&mut anomalies);
    (anomalies, None)
}

/// One entry of an event's log, as `read_log` returns it.
#[derive(Debug, Clone)]
struct LogEntry<'a> {
    seq: u64,
    kind: &'a str,
    hold: &'a str,
    user: Option<&'a str>,
    qty: u64,
    request_id: Option<&'a str>,
}

impl<'a> LogEntry<'a> {
    fn parse(v: &'a Json) -> Option<LogEntry<'a>> {
        Some(LogEntry {
            seq: v.get("seq").and_then(Json::as_u64).unwrap_or(0),
            kind: str_field(v, "type")?,
            hold: str_field(v, "hold")?,
            user: str_field(v, "user"),
            qty: v.get("qty").and_then(Json::as_u64).unwrap_or(0),
            request_id: str_field(v, "request_id"),
        })
    }
}

/// Where a hold stands at the end of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldState {
    Active,
    Confirmed,
    Ended,
}

/// The final state of one event, as its log and its final reads tell it.
struct EventLedger<'h, 'a> {
    event: &'a str,
    ops: &'h [&'h TicketOp<'a>],
    log: &'h TicketOp<'a>,
    entries: Vec<LogEntry<'a>>,
    /// `HoldPlaced` entries per hold.
    placed: BTreeMap<&'a str, Vec<LogEntry<'a>>>,
    /// Each placed hold's state at the end of the log.
    state: BTreeMap<&'a str, HoldState>,
}

impl<'h, 'a> EventLedger<'h, 'a> {
    fn new(event: &'a str, ops: &'h [&'h TicketOp<'a>], log: &'h TicketOp<'a>) -> Self {
        let raw = log.op.output.get("entries").and_then(Json::as_array);
        let mut entries: Vec<LogEntry> = raw
            .into_iter()
            .flatten()
            .filter_map(LogEntry::parse)
            .collect();
        entries.sort_by_key(|e| e.seq);
        let mut placed: BTreeMap<&str, Vec<LogEntry>> = BTreeMap::new();
        let mut state = BTreeMap::new();
        for e in &entries {
            let next = match e.kind {
                "HoldPlaced" => {
                    placed.entry(e.hold).or_default().push(e.clone());
                    HoldState::Active
                }
                "HoldConfirmed" => HoldState::Confirmed,
                _ => HoldState::Ended,
            };
            state.insert(e.hold, next);
        }
        EventLedger {
            event,
            ops,
            log,
            entries,
            placed,
            state,
        }
    }

    fn seats_in(&self, wanted: HoldState) -> u64 {
        let qty = |hold: &str| {
            self.placed
                .get(hold)
                .and_then(|p| p.first())
                .map_or(0, |e| e.qty)
        };
        let held = self.state.iter().filter(|(_, s)| **s == wanted);
        held.map(|(hold, _)| qty(hold)).sum()
    }

    fn seats_conserved(&self, capacity: u64, inventory: Option<&TicketOp>, out: &mut Vec<Anomaly>) {
        let active = self.seats_in(HoldState::Active);
        let confirmed = self.seats_in(HoldState::Confirmed);
        let mut events = self.log.events();
        if active + confirmed > capacity {
            let mut events = events.clone();
            if let Some(over) = self.hold_over(capacity) {
                events.extend(over.events());
                events.sort_unstable();
            }
            out.push(Anomaly {
                kind: OVERSELL.into(),
                explanation: format!(
                    "{} sold {} of its {capacity}: at the end of its log {} in active holds and \
                     {confirmed} confirmed.",
                    self.event,
                    seats(active + confirmed),
                    seats(active),
                ),
                events,
                when: None,
            });
        }
        let Some(inventory) = inventory else {
            return;
        };
        let Some(remaining) = inventory.op.output.get("remaining").and_then(Json::as_i64) else {
            return;
        };
        let accounted = remaining + (active + confirmed) as i64;
        if accounted == capacity as i64 {
            return;
        }
        let gap = accounted - capacity as i64;
        let what = if gap < 0 {
            format!("{} vanished", seats(gap.unsigned_abs()))
        } else {
            format!("{} appeared from nowhere", seats(gap.unsigned_abs()))
        };
        events.extend(inventory.events());
        events.sort_unstable();
        out.push(Anomaly {
            kind: SEATS_NOT_CONSERVED.into(),
            explanation: format!(
                "{}'s seats are not conserved: capacity {capacity}, but {remaining} remaining + \
                 {active} in active holds + {confirmed} confirmed = {accounted}, so {what}.",
                self.event
            ),
            events,
            when: None,
        });
    }

    /// The acknowledged `place_hold` of the hold whose seats, counted in log order over the holds
    /// still active or confirmed at the end, first went past the capacity: when the oversell
    /// happened.
    fn hold_over(&self, capacity: u64) -> Option<&'h TicketOp<'a>> {
        let mut seats = 0;
        let over = self.placed_entries().find(|e| {
            let kept = matches!(
                self.state.get(e.hold),
                Some(HoldState::Active | HoldState::Confirmed)
            );
            seats += if kept { e.qty } else { 0 };
            kept && seats > capacity
        })?;
        // Acknowledged with its hold id, or (a hold reported failed) by its request id.
        self.ops_with("place_hold", Outcome::Ok)
            .find(|t| t.hold == Some(over.hold))
            .or_else(|| {
                let request = over.request_id?;
                self.ops.iter().copied().find(|t| {
                    t.op.f == "place_hold" && str_field(&t.op.input, "request_id") == Some(request)
                })
            })
    }

    fn acknowledged_holds_placed_once(&self, out: &mut Vec<Anomaly>) {
        for t in self.ops_with("place_hold", Outcome::Ok) {
            let Some(hold) = t.hold else { continue };
            let user = t.user.unwrap_or("a user");
            let qty = qty_of(t.op);
            let entries = self.placed.get(hold).map_or(&[][..], Vec::as_slice);
            let (kind, explanation) = match entries {
                [_] => continue,
                [] => (
                    MISSING_HOLD_PLACED,
                    format!(
                        "{user} was told hold {hold} ({} of {}) was placed, but the event log has \
                         no HoldPlaced for it: the payment service would never charge it.",
                        seats(qty),
                        self.event
                    ),
                ),
                many => (
                    DUPLICATE_HOLD_PLACED,
                    format!(
                        "{} hold {hold} on {} has {} HoldPlaced entries in the log (seqs {}): the \
                         payment service would charge it more than once.",
                        possessive(user),
                        self.event,
                        many.len(),
                        seqs(many)
                    ),
                ),
            };
            out.push(self.anomaly(kind, explanation, t));
        }
    }

    fn holds_match_events(&self, out: &mut Vec<Anomaly>) {
        let acknowledged: BTreeSet<&str> = self
            .ops_with("place_hold", Outcome::Ok)
            .filter_map(|t| t.hold)
            .collect();
        let mut final_lists: BTreeMap<&str, &TicketOp> = BTreeMap::new();
        for t in self.ops_with("list_holds", Outcome::Ok) {
            if let Some(user) = t.user {
                let fresher = |kept: &&TicketOp| {
                    (reach(t), t.op.completion) >= (reach(kept), kept.op.completion)
                };
                if final_lists.get(user).is_none_or(fresher) {
                    final_lists.insert(user, t);
                }
            }
        }
        for (user, list) in &final_lists {
            let listed = list.listed_holds().unwrap_or_default();
            for hold in &listed {
                if self.placed.contains_key(hold) || acknowledged.contains(hold) {
                    continue;
                }
                let explanation = format!(
                    "{} final list of holds on {} has {hold}, which no HoldPlaced entry in the log \
                     accounts for.",
                    possessive(user),
                    self.event
                );
                out.push(self.anomaly(HOLD_WITHOUT_EVENT, explanation, list));
            }
            for (hold, entries) in &self.placed {
                let Some(first) = entries.first() else {
                    continue;
                };
                let active = self.state.get(hold) == Some(&HoldState::Active);
                if first.user != Some(user) || !active || listed.contains(hold) {
                    continue;
                }
                if self.listed_before_requested(list, first) {
                    continue;
                }
                let explanation = format!(
                    "the log placed hold {hold} for {user} ({} of {}, seq {}) and never ended \
                     it, but {} final list of holds does not have it: an event with no hold behind it.",
                    seats(first.qty),
                    self.event,
                    first.seq,
                    possessive(user)
                );
                out.push(self.anomaly(EVENT_WITHOUT_HOLD, explanation, list));
            }
        }
    }

    /// True when `list` returned before any client sent the request that placed `entry`: such a
    /// list cannot show the hold (a user whose last list came early, say because the bounded
    /// final reads stopped before it), so its absence there is no evidence.
    fn listed_before_requested(&self, list: &TicketOp, entry: &LogEntry) -> bool {
        let Some((request, returned)) = entry.request_id.zip(list.op.ret) else {
            return false;
        };
        let mut calls = self
            .ops
            .iter()
            .filter(|t| {
                t.op.f == "place_hold" && str_field(&t.op.input, "request_id") == Some(request)
            })
            .map(|t| t.op.call)
            .peekable();
        calls.peek().is_some() && calls.all(|call| call > returned)
    }

    fn failed_requests_left_nothing(&self, out: &mut Vec<Anomaly>) {
        // A retry that fails (say, the connection is refused) says nothing of an earlier attempt
        // with the same request id whose outcome is unknown: only requests that failed every time
        // must have left nothing.
        let maybe_happened: BTreeSet<&str> = self
            .ops
            .iter()
            .filter(|t| t.op.f == "place_hold" && t.op.outcome != Outcome::Fail)
            .filter_map(|t| str_field(&t.op.input, "request_id"))
            .collect();
        for t in self.ops_with("place_hold", Outcome::Fail) {
            let Some(request) = str_field(&t.op.input, "request_id") else {
                continue;
            };
            if maybe_happened.contains(request) {
                continue;
            }
            let error = str_field(&t.op.output, "error").unwrap_or("no reason given");
            for e in self
                .placed_entries()
                .filter(|e| e.request_id == Some(request))
            {
                let explanation = format!(
                    "{} was told placing a hold on {} of {} failed ({error}), yet the log has \
                     HoldPlaced {} for that very request ({request}, seq {}): the payment service \
                     would charge for a hold reported failed.",
                    t.user.unwrap_or("a user"),
                    seats(qty_of(t.op)),
                    self.event,
                    e.hold,
                    e.seq
                );
                out.push(self.anomaly(FAILED_HOLD_PLACED, explanation, t));
            }
        }
    }

    fn one_hold_per_request(&self, out: &mut Vec<Anomaly>) {
        let mut by_request: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for e in self.placed_entries() {
            if let Some(request) = e.request_id {
                by_request
                    .entry(request)
                    .or_default()
                    .entry(e.hold)
                    .or_insert(e.seq);
            }
        }
        let mut acked: FastMap<&str, Vec<&TicketOp>> = FastMap::default();
        for t in self.ops_with("place_hold", Outcome::Ok) {
            if let (Some(request), Some(hold)) = (str_field(&t.op.input, "request_id"), t.hold) {
                by_request
                    .entry(request)
                    .or_default()
                    .entry(hold)
                    .or_insert(0);
                acked.entry(request).or_default().push(t);
            }
        }
        for (request, holds) in by_request.iter().filter(|(_, h)| h.len() > 1) {
            let list: Vec<String> = holds.keys().map(|h| h.to_string()).collect();
            let mut events = self.log.events();
            for t in acked.get(request).into_iter().flatten() {
                events.extend(t.events());
            }
            events.sort_unstable();
            out.push(Anomaly {
                kind: DUPLICATE_REQUEST.into(),
                explanation: format!(
                    "request {request} created {} holds on {} ({}): a retried request must never \
                     hold seats twice.",
                    holds.len(),
                    self.event,
                    list.join(", ")
                ),
                events,
                when: None,
            });
        }
    }

    fn placed_entries(&self) -> impl Iterator<Item = &LogEntry<'a>> {
        self.entries.iter().filter(|e| e.kind == "HoldPlaced")
    }

    fn ops_with(&self, f: &'h str, outcome: Outcome) -> impl Iterator<Item = &'h TicketOp<'a>> {
        self.ops
            .iter()
            .copied()
            .filter(move |t| t.op.f == f && t.op.outcome == outcome)
    }

    /// An anomaly about one operation, judged by the final log read.
    fn anomaly(&self, kind: &str, explanation: String, op: &TicketOp) -> Anomaly {
        let mut events = op.events();
        events.extend(self.log.events());
        events.sort_unstable();
        Anomaly {
            kind: kind.into(),
            explanation,
            events,
            when: None,
        }
    }
}

/// A read of negative inventory says the service sold seats it did not have: the first such read
/// of `event`, with the others counted.
fn inventory_never_negative(event: &str, ops: &[&TicketOp], out: &mut Vec<Anomaly>) {
    let negative: Vec<(&TicketOp, i64)> = ops
        .iter()
        .copied()
        .filter(|t| t.op.f == "read_inventory" && t.op.outcome == Outcome::Ok)
        .filter_map(|t| {
            let remaining = t.op.output.get("remaining").and_then(Json::as_i64)?;
            (remaining < 0).then_some((t, remaining))
        })
        .collect();
    let Some((first, remaining)) = negative.first() else {
        return;
    };
    let others = match negative.len() - 1 {
        0 => String::new(),
        1 => " One more read was negative too.".to_owned(),
        n => format!(" {n} more reads were negative too."),
    };
    out.push(Anomaly {
        kind: NEGATIVE_INVENTORY.into(),
        explanation: format!(
            "A read of {event} returned {remaining} seats remaining (op {}): the service sold {} \
             it did not have.{others}",
            first.op.id,
            seats(remaining.unsigned_abs())
        ),
        events: first.events(),
        when: None,
    });
}

/// The freshest operation named `f` that completed ok: the one whose reply reaches furthest into
/// the service's log, the last completed among equals. A lagging replica's final read shows a
/// state the service has since moved past; judged by it, entries the log has would look missing.
fn freshest<'h, 'a>(ops: &[&'h TicketOp<'a>], f: &str) -> Option<&'h TicketOp<'a>> {
    ops.iter()
        .copied()
        .filter(|t| t.op.f == f && t.op.outcome == Outcome::Ok)
        .max_by_key(|t| (reach(t), t.op.completion))
}

/// How far into the service's log a reply reaches: its `seq`, or for a log read its last entry's
/// (0 when the service gives neither, so completion order alone decides).
fn reach(t: &TicketOp) -> u64 {
    t.seq.unwrap_or_else(|| {
        let entries = t.op.output.get("entries").and_then(Json::as_array);
        let seqs = entries.into_iter().flatten();
        seqs.filter_map(|e| e.get("seq").and_then(Json::as_u64))
            .max()
            .unwrap_or(0)
    })
}

fn qty_of(op: &Operation) -> u64 {
    op.input.get("qty").and_then(Json::as_u64).unwrap_or(0)
}

fn seqs(entries: &[LogEntry]) -> String {
    let all: Vec<String> = entries.iter().map(|e| e.seq.to_string()).collect();
    all.join(", ")
}
