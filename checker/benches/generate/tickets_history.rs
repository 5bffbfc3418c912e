//! Generated tickets histories held in memory (see `tickets_gen` for the simulation), and
//! the events of any generated history.

use super::tickets_gen::{completion_event, invoke_event, merged, simulate, Happened, Shape};
use checker::history::{Event, History, Operation};
use checker::json::Json;

/// A history of `ops` operations over `events` events (each with `capacity` seats), `clients`
/// concurrent clients; about `unknown` placements time out (`info`) after taking effect.
pub fn generate(
    ops: usize,
    events: usize,
    clients: usize,
    capacity: i64,
    unknown: usize,
    seed: u64,
) -> History {
    let mut operations = Vec::with_capacity(ops);
    let shape = Shape {
        ops,
        events,
        clients,
        capacity,
        unknown,
    };
    simulate(&shape, seed, |happened, op| {
        if happened == Happened::Completed {
            operations.push(op.clone());
        }
    });
    operations.sort_by_key(|op| op.id);
    History {
        nemesis: Vec::new(),
        operations,
    }
}

/// The events of a generated history (invocations and completions in index order); each
/// completion carries the invocation's value with the result's fields added.
pub fn events(history: &History) -> Vec<Event> {
    events_with(history, merged)
}

/// The events of a generated history, each completion's value given by `completion`.
pub fn events_with(history: &History, completion: impl Fn(&Operation) -> Json) -> Vec<Event> {
    let mut events = Vec::with_capacity(history.operations.len() * 2);
    for op in &history.operations {
        events.push(invoke_event(op));
        events.extend(completion_event(op, completion(op)));
    }
    events.sort_by_key(|e| e.index);
    events
}
