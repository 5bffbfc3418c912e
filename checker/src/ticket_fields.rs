//! Typed views of the tickets vocabulary (docs/operations.md) for the session and ledger checks.

use crate::fast_hash::FastMap;
use crate::history::{History, Operation, Outcome};
use crate::json::Json;
use rayon::prelude::*;

/// The tickets operations of `history` (those naming an event), in history order, read in
/// parallel: the session and ledger checks share them.
pub(crate) fn ticket_ops(history: &History) -> Vec<TicketOp<'_>> {
    history
        .operations
        .par_iter()
        .filter_map(TicketOp::of)
        .collect()
}

/// `ops` grouped by event, in history order within each event.
pub(crate) fn by_event<'t, 'a>(ops: &'t [TicketOp<'a>]) -> FastMap<&'a str, Vec<&'t TicketOp<'a>>> {
    let mut groups: FastMap<&str, Vec<&TicketOp>> = FastMap::default();
    for t in ops {
        groups.entry(t.event).or_default().push(t);
    }
    groups
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
