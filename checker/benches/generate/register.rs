//! Generates cas-register histories like a real register under partitions: clients of a correct
//! register whose operations take effect between call and return, except that while a partition
//! isolates a node its clients' operations time out (`info`), a quarter of them having taken
//! effect, so the history has exactly `unknown` operations with unknown outcomes over a small set
//! of values.
//!
//! One extra process writes a value nobody else writes, then another value, then reads: in the
//! valid history the read returns what the register held; in the invalid one it returns the first
//! value, which nothing can have restored (a stale read), so the history is invalid by
//! construction wherever the unknown outcomes took effect.

use super::tickets_gen::Rng;
use checker::history::{Event, History, Operation, Outcome};
use serde_json::{json, Value};

/// Values clients write and compare with: few, so unknown outcomes collide, as in ser-02
/// (which, like these clients, reads 80% of the time).
const VALUES: u64 = 5;
/// The value only the stale-read process writes.
const LONE: u64 = 99;
/// Concurrent clients.
const CLIENTS: usize = 9;
/// Operations per unknown outcome (the rest complete ok or fail).
const OPS_PER_UNKNOWN: usize = 8;

/// An operation before its values are known: who, when, what.
struct Planned {
    process: u64,
    call: u64,
    effect: Option<u64>,
    ret: u64,
    f: &'static str,
    input: Value,
    unknown: bool,
}

/// A cas-register history with `unknown` unknown outcomes (at least 600 operations); `valid`
/// chooses whether the stale-read process reads the truth or the overwritten value.
pub fn generate(unknown: usize, valid: bool, seed: u64) -> History {
    let mut rng = Rng::new(seed);
    let total = (unknown * OPS_PER_UNKNOWN).max(600);
    let mut planned = Vec::with_capacity(total + 3);
    let mut clock = [0u64; CLIENTS];
    let mut process: Vec<u64> = (0..CLIENTS as u64).collect();
    let mut next_process = CLIENTS as u64 + 1;
    let mut left = unknown;
    for n in 0..total {
        let c = rng.below(CLIENTS as u64) as usize;
        let call = clock[c] + 1 + rng.below(20);
        let took = 1 + rng.below(30);
        // A partition isolates one node (clients c with c % 3 == node) for a window of
        // operations; its clients' operations time out, and most of those never take effect.
        let window = n / 60;
        let isolated = window % 2 == 1 && c % 3 == (window / 2) % 3;
        let is_unknown = left > 0 && (isolated || total - n <= left);
        let (f, input) = match rng.below(10) {
            0..=7 => ("read", Value::Null),
            8 => ("write", json!(rng.below(VALUES))),
            _ => ("cas", json!([rng.below(VALUES), rng.below(VALUES)])),
        };
        let effect = (!is_unknown || rng.below(4) == 0).then(|| call + rng.below(took + 1));
        planned.push(Planned {
            process: process[c],
            call,
            effect,
            ret: call + took,
            f,
            input,
            unknown: is_unknown,
        });
        clock[c] = call + took;
        if is_unknown {
            left -= 1;
            process[c] = next_process;
            next_process += 1;
        }
    }
    let mid = clock.iter().max().copied().unwrap_or(0) * 3 / 5;
    stale_read(&mut planned, mid);
    let (mut operations, lone_read) = run(planned);
    if !valid {
        operations[lone_read].output = json!(LONE).into();
    }
    History {
        nemesis: Vec::new(),
        operations,
    }
}

/// Adds the lone process's write of [`LONE`], a write of 0 after it, and a read after that.
fn stale_read(planned: &mut Vec<Planned>, at: u64) {
    let process = CLIENTS as u64;
    for (k, (f, input)) in [
        ("write", json!(LONE)),
        ("write", json!(0)),
        ("read", Value::Null),
    ]
    .into_iter()
    .enumerate()
    {
        let call = at + 10 * k as u64;
        planned.push(Planned {
            process,
            call,
            effect: Some(call + 2),
            ret: call + 5,
            f,
            input,
            unknown: false,
        });
    }
}

/// Applies the planned operations in effect order to a true register, numbers events by time,
/// and returns the operations with the index of the lone read.
fn run(planned: Vec<Planned>) -> (Vec<Operation>, usize) {
    let mut by_effect: Vec<usize> = (0..planned.len())
        .filter(|&i| planned[i].effect.is_some())
        .collect();
    by_effect.sort_by_key(|&i| (planned[i].effect, i));
    let mut register: Option<u64> = None;
    let mut outputs: Vec<(Outcome, Value)> = planned
        .iter()
        .map(|p| (Outcome::Info, p.input.clone()))
        .collect();
    for i in by_effect {
        let p = &planned[i];
        let result = match p.f {
            "read" => (Outcome::Ok, json!(register)),
            "write" => {
                register = p.input.as_u64();
                (Outcome::Ok, p.input.clone())
            }
            _ => {
                let (from, to) = (p.input[0].as_u64(), p.input[1].as_u64());
                if register == from {
                    register = to;
                    (Outcome::Ok, p.input.clone())
                } else {
                    (Outcome::Fail, p.input.clone())
                }
            }
        };
        if !p.unknown {
            outputs[i] = result;
        }
    }
    let mut points: Vec<(u64, bool, usize)> = planned
        .iter()
        .enumerate()
        .flat_map(|(i, p)| [(p.call, false, i), (p.ret, true, i)])
        .collect();
    points.sort_unstable();
    let mut ids = vec![(0, 0); planned.len()];
    for (index, &(_, is_ret, i)) in points.iter().enumerate() {
        if is_ret {
            ids[i].1 = index as u64;
        } else {
            ids[i].0 = index as u64;
        }
    }
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| ids[i].0);
    let lone_read = order
        .iter()
        .position(|&i| planned[i].process == CLIENTS as u64 && planned[i].f == "read")
        .unwrap_or(0);
    let operations = order
        .into_iter()
        .map(|i| {
            let p = &planned[i];
            let (outcome, output) = outputs[i].clone();
            Operation {
                id: ids[i].0,
                completion: Some(ids[i].1),
                process: p.process,
                f: p.f.into(),
                input: p.input.clone().into(),
                output: output.into(),
                outcome,
                call: p.call,
                ret: Some(p.ret),
            }
        })
        .collect();
    (operations, lone_read)
}

/// The events of a generated register history: invocations with the argument, completions
/// with the result (the value read; the argument of a write or cas).
pub fn events(history: &History) -> Vec<Event> {
    super::tickets_history::events_with(history, |op| op.output.clone())
}
