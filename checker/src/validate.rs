//! Turning a list of events into a [`History`]: pairing invocations with completions, and
//! rejecting event lists that no real test could have produced.

use crate::fast_hash::{FastMap, FastSet};
use crate::history::{Event, EventType, History, Operation, Outcome, Process};
use crate::json::Json;
use thiserror::Error;

/// A history that cannot be read or checked, located by its 1-based line.
///
/// For event lists built in memory (and for JSONL files, one event per line) `line` is the
/// event's 1-based position; importers of other formats translate it to the line in their file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct HistoryError {
    /// 1-based line of the offending event.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl HistoryError {
    /// An error at the event with 0-based `position` in history order.
    pub fn at_position(position: usize, message: impl Into<String>) -> Self {
        HistoryError {
            line: position + 1,
            message: message.into(),
        }
    }
}

impl History {
    /// [`History::from_events`] for formats Frenzy did not write (Jepsen EDN,
    /// `history.txt`, Porcupine logs): as in Jepsen and Knossos, the file order is the real-time
    /// order and `time` is for display only, so times that go backwards are accepted. `lines[i]`
    /// is the 1-based line of event `i` in the file: errors name that line.
    pub fn from_foreign_events_at_lines(
        events: Vec<Event>,
        lines: &[usize],
    ) -> Result<History, HistoryError> {
        at_lines(build(events, TimeOrder::FileOrder), lines)
    }

    /// Validates `events` and pairs each client invocation with its completion.
    ///
    /// Rejects, naming the event: an index that is not its 0-based position, time going
    /// backwards, a completion with no open invocation, a second invocation while one is open, a
    /// process used again after an `info`, and a completion whose `f` differs from its
    /// invocation's. Invocations still open at the end become [`Outcome::Pending`] operations.
    /// Nemesis events are kept in [`History::nemesis`] and never become operations.
    pub fn from_events(events: Vec<Event>) -> Result<History, HistoryError> {
        build(events, TimeOrder::Strict)
    }
}

/// Whether event times must not decrease.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeOrder {
    /// Frenzy's own histories: times come from one monotonic clock.
    Strict,
    /// Foreign histories: each worker stamps its own events; file order is the order.
    FileOrder,
}

/// Translates an error's event position into the file line `lines` gives for it.
fn at_lines(
    built: Result<History, HistoryError>,
    lines: &[usize],
) -> Result<History, HistoryError> {
    built.map_err(|e| HistoryError {
        line: lines.get(e.line - 1).copied().unwrap_or(e.line),
        message: e.message,
    })
}

/// Validates `events` and pairs them into a history.
fn build(events: Vec<Event>, time_order: TimeOrder) -> Result<History, HistoryError> {
    let mut builder = HistoryBuilder::new(time_order);
    builder.reserve(events.len() / 2);
    for event in events {
        builder.push(event)?;
    }
    Ok(builder.finish())
}

/// Builds a history from its events in order, validating each as it comes and pairing each
/// client invocation with its completion: the events need not all be held at once (a reader
/// of millions of lines hands them over a batch at a time). In one thread: values move into
/// the operations, and the counts of the few shared names (`place_hold`, `"event"`) would
/// bounce between cores.
pub(crate) struct HistoryBuilder {
    operations: Vec<Operation>,
    nemesis: Vec<Event>,
    /// The operation each process has open (its position in `operations`).
    open: FastMap<u64, usize>,
    /// Processes whose last operation ended with `info`.
    crashed: FastSet<u64>,
    last_time: u64,
    /// The position of the next event.
    position: usize,
    time_order: TimeOrder,
}

impl HistoryBuilder {
    /// An empty history of Frenzy's own (times must not decrease).
    pub(crate) fn strict() -> Self {
        HistoryBuilder::new(TimeOrder::Strict)
    }

    fn new(time_order: TimeOrder) -> Self {
        HistoryBuilder {
            operations: Vec::new(),
            nemesis: Vec::new(),
            open: FastMap::default(),
            crashed: FastSet::default(),
            last_time: 0,
            position: 0,
            time_order,
        }
    }

    /// Makes room for `more` operations.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.operations.reserve(more);
    }

    /// Adds the next event, or says why it cannot come next (naming its 0-based position as
    /// its line, see [`HistoryError::at_position`]).
    pub(crate) fn push(&mut self, event: Event) -> Result<(), HistoryError> {
        let position = self.position;
        let fail = |message: String| Err(HistoryError::at_position(position, message));
        if event.index != position as u64 {
            return fail(format!(
                "event has index {} but is event number {position} of the history; indices \
                 must count 0, 1, 2, ... in file order",
                event.index
            ));
        }
        if self.time_order == TimeOrder::Strict && event.time < self.last_time {
            return fail(format!(
                "time goes backwards: {} ns is before the previous event's {} ns; events must \
                 be written in the order they happened, with a monotonic clock",
                event.time, self.last_time
            ));
        }
        self.position += 1;
        self.last_time = event.time;
        let Process::Client(process) = event.process else {
            self.nemesis.push(event);
            return Ok(());
        };
        if self.crashed.contains(&process) {
            return fail(format!(
                "process {process} is used again after its operation ended with info; a \
                 process whose outcome is unknown must never be reused, give the next \
                 operation a fresh process id"
            ));
        }
        if event.kind == EventType::Invoke {
            if let Some(&previous) = self.open.get(&process) {
                let previous = &self.operations[previous];
                return fail(format!(
                    "process {process} invokes {} while its {} invoked at index {} is still \
                     open; a process runs one operation at a time, so complete the first (ok, \
                     fail or info) before invoking the next",
                    event.f, previous.f, previous.id
                ));
            }
            self.open.insert(process, self.operations.len());
            self.operations.push(invoked(process, event));
            return Ok(());
        }
        let Some(slot) = self.open.remove(&process) else {
            return fail(format!(
                "process {process} completes an operation ({}) it never invoked; every ok, \
                 fail or info must follow an invoke by the same process",
                event.f
            ));
        };
        let op = &mut self.operations[slot];
        if op.f != event.f {
            return fail(format!(
                "process {process} completes {} but invoked {} at index {}; a completion must \
                 name the same f as its invocation",
                event.f, op.f, op.id
            ));
        }
        if event.kind == EventType::Info {
            self.crashed.insert(process);
        }
        complete(op, event);
        Ok(())
    }

    /// The history of every event pushed; invocations still open are pending operations.
    pub(crate) fn finish(self) -> History {
        History {
            operations: self.operations,
            nemesis: self.nemesis,
        }
    }
}

/// The operation `process` invoked with `invoke`, pending until its completion.
fn invoked(process: u64, invoke: Event) -> Operation {
    Operation {
        id: invoke.index,
        completion: None,
        process,
        f: invoke.f,
        input: invoke.value,
        output: Json::Null,
        outcome: Outcome::Pending,
        call: invoke.time,
        ret: None,
    }
}

/// Completes `op` with its completion event.
fn complete(op: &mut Operation, completion: Event) {
    op.completion = Some(completion.index);
    op.output = completion.value;
    op.outcome = match completion.kind {
        EventType::Invoke => Outcome::Pending,
        EventType::Ok => Outcome::Ok,
        EventType::Fail => Outcome::Fail,
        EventType::Info => Outcome::Info,
    };
    op.ret = Some(completion.time);
}
