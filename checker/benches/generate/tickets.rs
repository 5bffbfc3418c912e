//! Generates large linearizable tickets histories: clients driving a simulated, correct ticket
//! service whose operations take effect at a random point between call and return.

use checker::history::{Event, EventType, Operation, Outcome, Process};
use checker::json::Json;
use serde_json::{json, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// A small deterministic random number generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// One show's (event's) true state in the simulated service.
struct Show {
    remaining: i64,
    active: HashMap<String, (usize, i64)>,
}

/// What a simulated step does next.
#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Step {
    Invoke,
    TakeEffect,
    Complete,
}

/// The size of a generated history: see `tickets_history::generate`.
pub struct Shape {
    /// Operations invoked.
    pub ops: usize,
    /// Ticket events (shows), each its own partition.
    pub events: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// Seats of each event.
    pub capacity: i64,
    /// About this many placements time out (`info`) after taking effect.
    pub unknown: usize,
}

/// What the simulation reports of an operation, in history order (the events' indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happened {
    /// The operation was invoked (its `id` is the invocation's index).
    Invoked,
    /// The operation completed (its `completion` is the completion's index).
    Completed,
}

/// Runs the simulated clients and service, telling `record` each invocation and completion as
/// it happens, without keeping the history.
pub fn simulate(shape: &Shape, seed: u64, mut record: impl FnMut(Happened, &Operation)) {
    let Shape {
        ops,
        events,
        clients,
        capacity,
        unknown,
    } = *shape;
    // A client that holds seats releases or confirms one in 3 of 10 operations and places a
    // hold in 4 (see `choose`): placements are about 40% of the operations, and each times
    // out with this chance, so that about `unknown` do.
    let (chance, out_of) = (unknown as u64, (ops as u64 * 4 / 10).max(1));
    let mut rng = Rng::new(seed);
    let mut state: Vec<Show> = (0..events)
        .map(|_| Show {
            remaining: capacity,
            active: HashMap::new(),
        })
        .collect();
    let mut known: Vec<Vec<(usize, String)>> = vec![Vec::new(); clients];
    let mut process: Vec<u64> = (0..clients as u64).collect();
    let mut next_process = clients as u64;
    let mut current: Vec<Option<Operation>> = vec![None; clients];
    let mut queue = BinaryHeap::new();
    for c in 0..clients {
        queue.push(Reverse((rng.below(100), Step::Invoke, c)));
    }
    let mut index = 0u64;
    let mut holds = 0u64;
    let mut invoked = 0;
    while let Some(Reverse((time, step, c))) = queue.pop() {
        match step {
            Step::Invoke => {
                if invoked == ops {
                    continue;
                }
                invoked += 1;
                let (f, input) = choose(&mut rng, c, events, &mut known[c]);
                current[c] = Some(Operation {
                    id: index,
                    completion: None,
                    process: process[c],
                    f: f.into(),
                    input: input.into(),
                    output: Value::Null.into(),
                    outcome: Outcome::Pending,
                    call: time,
                    ret: None,
                });
                if let Some(op) = &current[c] {
                    record(Happened::Invoked, op);
                }
                index += 1;
                queue.push(Reverse((time + 1 + rng.below(50), Step::TakeEffect, c)));
            }
            Step::TakeEffect => {
                let Some(op) = current[c].as_mut() else {
                    continue;
                };
                let (outcome, output) = apply(&mut state, op, c, &mut holds);
                op.outcome = outcome;
                op.output = output.into();
                queue.push(Reverse((time + 1 + rng.below(50), Step::Complete, c)));
            }
            Step::Complete => {
                let Some(mut op) = current[c].take() else {
                    continue;
                };
                op.completion = Some(index);
                op.ret = Some(time);
                index += 1;
                if op.f == "place_hold" && rng.below(out_of) < chance {
                    op.outcome = Outcome::Info;
                    op.output = Value::Null.into();
                    process[c] = next_process;
                    next_process += 1;
                } else if op.outcome == Outcome::Ok && op.f == "place_hold" {
                    let event = op.input["event"].as_str().unwrap_or_default();
                    let e: usize = event[1..].parse().unwrap_or(0);
                    known[c].push((e, op.output["hold"].as_str().unwrap_or_default().to_owned()));
                }
                record(Happened::Completed, &op);
                queue.push(Reverse((time + 1 + rng.below(20), Step::Invoke, c)));
            }
        }
    }
}

/// Picks client `c`'s next operation.
fn choose(
    rng: &mut Rng,
    c: usize,
    events: usize,
    known: &mut Vec<(usize, String)>,
) -> (&'static str, Value) {
    let roll = rng.below(100);
    if roll < 30 && !known.is_empty() {
        let (e, hold) = known.swap_remove(rng.below(known.len() as u64) as usize);
        let f = if roll < 15 { "release" } else { "confirm" };
        return (f, json!({"event": format!("e{e}"), "hold": hold}));
    }
    let event = format!("e{}", rng.below(events as u64));
    match roll {
        0..=69 => (
            "place_hold",
            json!({"event": event, "user": format!("u{c}"), "qty": 1 + rng.below(4)}),
        ),
        70..=84 => ("read_inventory", json!({"event": event})),
        _ => (
            "list_holds",
            json!({"event": event, "user": format!("u{c}")}),
        ),
    }
}

/// Applies `op` to the true state at its linearization point; returns its outcome and result.
fn apply(state: &mut [Show], op: &Operation, c: usize, holds: &mut u64) -> (Outcome, Value) {
    let name = op.input["event"].as_str().unwrap_or_default();
    let e = &mut state[name[1..].parse::<usize>().unwrap_or(0)];
    match op.f.as_str() {
        "place_hold" => {
            let qty = op.input["qty"].as_i64().unwrap_or(1);
            if e.remaining < qty {
                return (Outcome::Fail, json!({"error": "sold_out"}));
            }
            e.remaining -= qty;
            *holds += 1;
            let hold = format!("h-{holds}");
            e.active.insert(hold.clone(), (c, qty));
            (Outcome::Ok, json!({"hold": hold}))
        }
        "release" | "confirm" => {
            let hold = op.input["hold"].as_str().unwrap_or_default();
            match e.active.remove(hold) {
                Some((_, qty)) => {
                    if op.f == "release" {
                        e.remaining += qty;
                    }
                    (Outcome::Ok, json!({}))
                }
                None => (Outcome::Fail, json!({"error": "hold_not_active"})),
            }
        }
        "read_inventory" => (Outcome::Ok, json!({"remaining": e.remaining})),
        _ => {
            let user_holds: Vec<&String> = e
                .active
                .iter()
                .filter(|(_, (u, _))| *u == c)
                .map(|(h, _)| h)
                .collect();
            (Outcome::Ok, json!({"holds": user_holds}))
        }
    }
}

/// The invocation's value with the result's fields added (the value of a completion event).
pub fn merged(op: &Operation) -> Json {
    match (op.input.as_object(), op.output.as_object()) {
        (Some(input), Some(output)) => Json::object(
            input
                .iter()
                .chain(output)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => op.input.clone(),
    }
}

/// The invocation event of `op`.
pub fn invoke_event(op: &Operation) -> Event {
    Event {
        index: op.id,
        time: op.call,
        process: Process::Client(op.process),
        kind: EventType::Invoke,
        f: op.f.clone(),
        value: op.input.clone(),
    }
}

/// The completion event of `op` with `value`, when it completed.
pub fn completion_event(op: &Operation, value: Json) -> Option<Event> {
    let kind = match op.outcome {
        Outcome::Ok => EventType::Ok,
        Outcome::Fail => EventType::Fail,
        _ => EventType::Info,
    };
    Some(Event {
        index: op.completion?,
        time: op.ret?,
        process: Process::Client(op.process),
        kind,
        f: op.f.clone(),
        value,
    })
}
