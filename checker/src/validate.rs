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
    /// Nemesis events stay in `events` and never become operations.
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
    let pairs = pair_events(&events, time_order)?;
    // In one thread: the values are shared, not copied, and the counts of the few shared names
    // (`place_hold`, `"event"`) would bounce between cores.
    let operations = pairs.iter().map(|pair| operation(pair, &events)).collect();
    Ok(History { events, operations })
}

/// A client invocation and its completion, by position in the history.
struct Pair {
    process: u64,
    invoke: usize,
    completion: Option<usize>,
}

/// Validates `events` and pairs each client invocation, in order, with its completion.
fn pair_events(events: &[Event], time_order: TimeOrder) -> Result<Vec<Pair>, HistoryError> {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut open: FastMap<u64, usize> = FastMap::default();
    let mut crashed: FastSet<u64> = FastSet::default();
    let mut last_time = 0;
    for (position, event) in events.iter().enumerate() {
        let fail = |message: String| Err(HistoryError::at_position(position, message));
        if event.index != position as u64 {
            return fail(format!(
                "event has index {} but is event number {position} of the history; indices \
                 must count 0, 1, 2, ... in file order",
                event.index
            ));
        }
        if time_order == TimeOrder::Strict && event.time < last_time {
            return fail(format!(
                "time goes backwards: {} ns is before the previous event's {last_time} ns; \
                 events must be written in the order they happened, with a monotonic clock",
                event.time
            ));
        }
        last_time = event.time;
        let Process::Client(process) = event.process else {
            continue;
        };
        if crashed.contains(&process) {
            return fail(format!(
                "process {process} is used again after its operation ended with info; a \
                 process whose outcome is unknown must never be reused, give the next \
                 operation a fresh process id"
            ));
        }
        if event.kind == EventType::Invoke {
            if let Some(&previous) = open.get(&process) {
                let previous = &events[pairs[previous].invoke];
                return fail(format!(
                    "process {process} invokes {} while its {} invoked at index {} is still \
                     open; a process runs one operation at a time, so complete the first (ok, \
                     fail or info) before invoking the next",
                    event.f, previous.f, previous.index
                ));
            }
            open.insert(process, pairs.len());
            pairs.push(Pair {
                process,
                invoke: position,
                completion: None,
            });
            continue;
        }
        let Some(slot) = open.remove(&process) else {
            return fail(format!(
                "process {process} completes an operation ({}) it never invoked; every ok, \
                 fail or info must follow an invoke by the same process",
                event.f
            ));
        };
        let invoke = &events[pairs[slot].invoke];
        if invoke.f != event.f {
            return fail(format!(
                "process {process} completes {} but invoked {} at index {}; a completion must \
                 name the same f as its invocation",
                event.f, invoke.f, invoke.index
            ));
        }
        pairs[slot].completion = Some(position);
        if event.kind == EventType::Info {
            crashed.insert(process);
        }
    }
    Ok(pairs)
}

/// The operation a pair of events makes.
fn operation(pair: &Pair, events: &[Event]) -> Operation {
    let invoke = &events[pair.invoke];
    let completion = pair.completion.map(|c| &events[c]);
    Operation {
        id: invoke.index,
        completion: completion.map(|c| c.index),
        process: pair.process,
        f: invoke.f.clone(),
        input: invoke.value.clone(),
        output: completion.map_or(Json::Null, |c| c.value.clone()),
        outcome: match completion.map(|c| c.kind) {
            None | Some(EventType::Invoke) => Outcome::Pending,
            Some(EventType::Ok) => Outcome::Ok,
            Some(EventType::Fail) => Outcome::Fail,
            Some(EventType::Info) => Outcome::Info,
        },
        call: invoke.time,
        ret: completion.map(|c| c.time),
    }
}
