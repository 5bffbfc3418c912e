//! The history model: Jepsen-shaped operation events, one per line of history.jsonl.

use crate::json::{Json, Text};
use crate::verdict::OpCounts;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// Who issued an event: a numbered client process, or the fault injector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Process {
    /// A logical client process (Jepsen's integer process id).
    Client(u64),
    /// The nemesis, which records fault starts and stops as `info` events.
    Nemesis,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Process::Client(p) => write!(f, "{p}"),
            Process::Nemesis => write!(f, "nemesis"),
        }
    }
}

impl Serialize for Process {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Process::Client(p) => s.serialize_u64(*p),
            Process::Nemesis => s.serialize_str("nemesis"),
        }
    }
}

impl<'de> Deserialize<'de> for Process {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Json::deserialize(d)? {
            Json::U64(n) => Ok(Process::Client(n)),
            Json::I64(_) | Json::F64(_) => Err(serde::de::Error::custom(
                "process must be a non-negative integer or \"nemesis\"",
            )),
            Json::String(s) if s == "nemesis" => Ok(Process::Nemesis),
            other => Err(serde::de::Error::custom(format!(
                "process must be a non-negative integer or \"nemesis\", got {other}"
            ))),
        }
    }
}

/// The kind of an event: an invocation, or one of its three possible completions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// The operation was called.
    Invoke,
    /// It happened, with the result in `value`.
    Ok,
    /// It certainly did not happen.
    Fail,
    /// Unknown: it may take effect at any later point, or never.
    Info,
}

/// One line of a history: an invocation or a completion of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the history, 0-based and dense.
    pub index: u64,
    /// Nanoseconds since the test started (monotonic clock).
    pub time: u64,
    /// The process that issued it.
    pub process: Process,
    /// Invoke, ok, fail or info.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The operation's function name, e.g. `place_hold`, `read`, `cas`.
    pub f: Text,
    /// The operation's argument (on invoke) or result (on completion).
    #[serde(default)]
    pub value: Json,
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Completed `ok`: it took effect once, between call and return, with `output` as its result.
    Ok,
    /// Completed `fail`: it certainly did not take effect.
    Fail,
    /// Completed `info`: it may take effect at any point after its call, or never.
    Info,
    /// Never completed before the history ended: treated exactly like `info`.
    Pending,
}

/// An operation: an invocation paired with its completion (client processes only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The `index` of the invocation event: the operation's name everywhere (evidence, reports).
    pub id: u64,
    /// The `index` of the completion event, if there is one.
    pub completion: Option<u64>,
    /// The client process that issued it.
    pub process: u64,
    /// The function name.
    pub f: Text,
    /// The invocation's value (the argument).
    pub input: Json,
    /// The completion's value (the result); `null` when pending.
    pub output: Json,
    /// Ok, fail, info or pending.
    pub outcome: Outcome,
    /// Invocation time, ns.
    pub call: u64,
    /// Completion time, ns; `None` when pending. For `info` this is when the client gave up,
    /// not a bound on when the operation took effect.
    pub ret: Option<u64>,
}

/// A validated history: the client operations its events pair into, and the nemesis's events.
///
/// A client event is not kept on its own: it is the call or the return of its operation, which
/// holds its index, time, process, `f` and value ([`Operation::events`]); [`History::events`]
/// gives every event back in history order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Client operations, ordered by invocation.
    pub operations: Vec<Operation>,
    /// The nemesis's events (fault starts and stops), in history order; their `index` places
    /// them among the operations' events.
    pub nemesis: Vec<Event>,
}

impl Operation {
    /// The history events of this operation: its invocation and, when it completed, its
    /// completion, as they were read.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        let invoke = Event {
            index: self.id,
            time: self.call,
            process: Process::Client(self.process),
            kind: EventType::Invoke,
            f: self.f.clone(),
            value: self.input.clone(),
        };
        let kind = match self.outcome {
            Outcome::Ok => Some(EventType::Ok),
            Outcome::Fail => Some(EventType::Fail),
            Outcome::Info => Some(EventType::Info),
            Outcome::Pending => None,
        };
        let completion = self.completion.zip(kind).map(|(index, kind)| Event {
            index,
            time: self.ret.unwrap_or(self.call),
            process: Process::Client(self.process),
            kind,
            f: self.f.clone(),
            value: self.output.clone(),
        });
        std::iter::once(invoke).chain(completion)
    }

    /// `(index, time)` of each of its events.
    fn event_times(&self) -> impl Iterator<Item = (u64, u64)> {
        let completion = self
            .completion
            .map(|at| (at, self.ret.unwrap_or(self.call)));
        std::iter::once((self.id, self.call)).chain(completion)
    }
}

impl History {
    /// Every event, nemesis included, in history order (rebuilt from the operations: for
    /// writing a history out, not for a check's hot path).
    pub fn events(&self) -> Vec<Event> {
        let mut events: Vec<Event> = self
            .operations
            .iter()
            .flat_map(Operation::events)
            .chain(self.nemesis.iter().cloned())
            .collect();
        events.sort_unstable_by_key(|e| e.index);
        events
    }

    /// How many events the history has, nemesis included.
    pub fn event_count(&self) -> usize {
        let completions = self.operations.iter().filter(|op| op.completion.is_some());
        self.operations.len() + completions.count() + self.nemesis.len()
    }

    /// `(index, time)` of every event, in no particular order.
    pub fn event_times(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let nemesis = self.nemesis.iter().map(|e| (e.index, e.time));
        self.operations
            .iter()
            .flat_map(Operation::event_times)
            .chain(nemesis)
    }

    /// The time of the history's last event, ns (0 when it has none).
    pub fn end_time(&self) -> u64 {
        self.event_times().map(|(_, time)| time).max().unwrap_or(0)
    }

    /// Counts the history's events by type (client operations by outcome, nemesis events apart).
    pub fn op_counts(&self) -> OpCounts {
        let mut counts = OpCounts {
            invoke: self.operations.len(),
            nemesis: self.nemesis.len(),
            ..OpCounts::default()
        };
        for op in &self.operations {
            match op.outcome {
                Outcome::Ok => counts.ok += 1,
                Outcome::Fail => counts.fail += 1,
                Outcome::Info => counts.info += 1,
                Outcome::Pending => counts.pending += 1,
            }
        }
        counts
    }

    /// The events of the operations named by `ids` (invocation indices), in history order and
    /// re-indexed 0, 1, 2, ...: a smaller history on its own, e.g. a shrunken witness to write out.
    ///
    /// Ids that name no operation are ignored; nemesis events are left out.
    pub fn sub_history_events(&self, ids: &[u64]) -> Vec<Event> {
        let wanted: HashSet<u64> = ids.iter().copied().collect();
        let mut events: Vec<Event> = self
            .operations
            .iter()
            .filter(|op| wanted.contains(&op.id))
            .flat_map(Operation::events)
            .collect();
        events.sort_unstable_by_key(|e| e.index);
        for (index, event) in events.iter_mut().enumerate() {
            event.index = index as u64;
        }
        events
    }
}
