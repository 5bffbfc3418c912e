//! Typed views of the tickets vocabulary (docs/operations.md) for the session and ledger checks.

use crate::grouping::group_by;
use crate::history::{History, Operation, Outcome};
use crate::json::Json;
use rayon::prelude::*;
use std::convert::Infallible;

/// The operations of `history` that name an event, grouped by event (sorted by name), each group
/// in history order.
pub(crate) fn by_event(history: &History) -> Vec<(&str, Vec<&Operation>)> {
    let groups = group_by(&history.operations, |op| {
        Ok::<_, Infallible>(str_field(&op.input, "event"))
    });
    let mut groups: Vec<_> = match groups {
        Ok(groups) => groups.into_iter().collect(),
        Err(never) => match never {},
    };
    groups.sort_unstable_by_key(|(event, _)| *event);
    groups
}

/// `check` of each event's tickets operations, on every core; the results in the events' order.
/// Every fact the session and ledger checks judge by concerns one event, so they run event by
/// event, each event's operations read once and near each other in memory.
pub(crate) fn per_event<'h, T: Send>(
    groups: &[(&'h str, Vec<&'h Operation>)],
    check: impl Fn(&'h str, &[&TicketOp<'h>]) -> T + Sync,
) -> Vec<T> {
    groups
        .par_iter()
        .map(|(event, ops)| of_event(ops, |ops| check(event, ops)))
        .collect()
}

/// `check` of one event's operations, read as tickets operations.
pub(crate) fn of_event<'h, T>(
    ops: &[&'h Operation],
    check: impl FnOnce(&[&TicketOp<'h>]) -> T,
) -> T {
    let ops: Vec<TicketOp> = ops.iter().filter_map(|op| TicketOp::of(op)).collect();
    let refs: Vec<&TicketOp> = ops.iter().collect();
    check(&refs)
}

/// One `place_hold`, `release`, `confirm` or `list_holds` operation, its fields pulled out of JSON.
#[derive(Debug, Clone)]
pub(crate) struct TicketOp<'a> {
    /// The operation itself.
    pub op: &'a Operation,
    /// The event it concerns.
    pub event: &'a str,
    /// The user named in the invocation, if any.
    pub user: Option<&'a str>,
    /// The hold named in the invocation (release, confirm) or returned (place_hold ok).
    pub hold: Option<&'a str>,
    /// The sequence number of the reply, when ok.
    pub seq: Option<u64>,
}

impl<'a> TicketOp<'a> {
    /// Reads the fields of a tickets operation; `None` when it has no `event`.
    pub fn of(op: &'a Operation) -> Option<TicketOp<'a>> {
        let event = str_field(&op.input, "event")?;
        let user = str_field(&op.input, "user");
        let hold = str_field(&op.input, "hold").or_else(|| str_field(&op.output, "hold"));
        let seq = if op.outcome == Outcome::Ok {
            op.output.get("seq").and_then(Json::as_u64)
        } else {
            None
        };
        Some(TicketOp {
            op,
            event,
            user,
            hold,
            seq,
        })
    }

    /// The history events of this operation: its invocation and, when it completed, its completion.
    pub fn events(&self) -> Vec<u64> {
        std::iter::once(self.op.id)
            .chain(self.op.completion)
            .collect()
    }

    /// The holds a `list_holds` returned, when it completed ok.
    pub fn listed_holds(&self) -> Option<Vec<&'a str>> {
        let holds = self.op.output.get("holds")?.as_array()?;
        Some(holds.iter().filter_map(Json::as_str).collect())
    }
}

/// A string field of a JSON object.
pub(crate) fn str_field<'a>(value: &'a Json, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Json::as_str)
}

/// Milliseconds between two history times (nanoseconds), for sentences.
pub(crate) fn millis_between(earlier: u64, later: u64) -> u64 {
    later.saturating_sub(earlier) / 1_000_000
}

/// `name's`, the English possessive (`carol's`, `james'`).
pub(crate) fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// `1 seat`, `3 seats`.
pub(crate) fn seats(n: u64) -> String {
    if n == 1 {
        "1 seat".to_owned()
    } else {
        format!("{n} seats")
    }
}
