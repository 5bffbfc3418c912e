//! Tickets in words: operations, states and why a history cannot be linearized.

use super::tickets::{status, HoldRef, TicketOp, TicketsPartition, TicketsState};

/// A hold reference as its id.
fn hold_name(part: &TicketsPartition, state: Option<&TicketsState>, h: HoldRef) -> String {
    match h {
        HoldRef::Known(p) => part.placements[p as usize]
            .hold
            .as_deref()
            .unwrap_or_default()
            .to_owned(),
        HoldRef::Foreign(f) => {
            let (hold, event) = &part.foreign[f as usize];
            format!("{hold} (a hold of {event})")
        }
        HoldRef::Orphan(o) => {
            let bound = state
                .map(|s| s.bound.get(o as usize))
                .filter(|&p| p != u32::MAX);
            match bound {
                Some(p) => format!(
                    "{} (placed by op {})",
                    part.orphans[o as usize],
                    placement_source(part, p)
                ),
                None => part.orphans[o as usize].clone(),
            }
        }
    }
}

/// The history operation that placed placement `p`.
fn placement_source(part: &TicketsPartition, p: u32) -> u64 {
    part.ops
        .iter()
        .position(|o| *o == TicketOp::Place(p))
        .map_or(0, |i| part.timings[i].source)
}

/// `alice's 2 seats (h-3)`.
fn holding(part: &TicketsPartition, p: u32) -> String {
    let pl = &part.placements[p as usize];
    let hold = pl
        .hold
        .as_deref()
        .unwrap_or("a hold whose id no client saw");
    format!(
        "{} holds {} ({hold})",
        part.users.text(pl.user),
        seats(pl.qty)
    )
}

fn seats(n: i64) -> String {
    if n == 1 {
        "1 seat".to_owned()
    } else {
        format!("{n} seats")
    }
}

/// Operation `op` in words.
pub(crate) fn describe_op(part: &TicketsPartition, op: usize) -> String {
    let user = |u: u32| part.users.text(u).to_owned();
    let what = match &part.ops[op] {
        TicketOp::Place(p) => {
            let pl = &part.placements[*p as usize];
            let got = pl
                .hold
                .as_deref()
                .map_or(" (no reply)".to_owned(), |h| format!(" -> {h}"));
            format!(
                "{}: place_hold {} of {}{got}",
                user(pl.user),
                seats(pl.qty),
                part.event
            )
        }
        TicketOp::SoldOut { user: u, qty } => {
            format!(
                "{}: place_hold {} of {} -> sold out",
                user(*u),
                seats(*qty),
                part.event
            )
        }
        TicketOp::Release(h) => format!("release {}", hold_name(part, None, *h)),
        TicketOp::Confirm(h) => format!("confirm {}", hold_name(part, None, *h)),
        TicketOp::NotActive(h) => format!(
            "release or confirm {} -> not active",
            hold_name(part, None, *h)
        ),
        TicketOp::Inventory(n) => format!("read_inventory {} -> {n} remaining", part.event),
        TicketOp::List { user: u, holds } => {
            let names: Vec<String> = holds.iter().map(|&h| hold_name(part, None, h)).collect();
            format!(
                "{}: list_holds -> [{}]",
                user(*u),
                first_few(&names, "holds")
            )
        }
        TicketOp::Expire(p) => format!(
            "expiry of {}'s hold placed by op {}",
            user(part.placements[*p as usize].user),
            part.timings[op].source
        ),
    };
    format!("op {} ({what})", part.timings[op].source)
}

/// The capacity as far as it is known.
fn capacity(state: &TicketsState) -> String {
    if state.min_capacity == state.max_capacity {
        format!("{}", state.min_capacity)
    } else if state.max_capacity == i64::MAX {
        format!("at least {}", state.min_capacity)
    } else {
        format!("{}..{}", state.min_capacity, state.max_capacity)
    }
}

/// The seats left, as far as the capacity is known.
fn remaining(state: &TicketsState) -> String {
    if state.max_capacity == i64::MAX {
        format!("at least {}", seats(state.min_capacity - state.taken))
    } else if state.min_capacity == state.max_capacity {
        seats(state.max_capacity - state.taken)
    } else {
        format!("at most {}", seats(state.max_capacity - state.taken))
    }
}

/// A state in words: the capacity, the seats taken and confirmed, and the first few active holds
/// (the rest counted).
pub(crate) fn describe_state(part: &TicketsPartition, state: &TicketsState) -> String {
    let active: Vec<String> = (0..part.placements.len() as u32)
        .filter(|&p| state.status.get(p as usize) == status::ACTIVE)
        .map(|p| holding(part, p))
        .collect();
    let confirmed = (0..part.placements.len())
        .filter(|&p| state.status.get(p) == status::CONFIRMED)
        .map(|p| part.placements[p].qty)
        .sum::<i64>();
    format!(
        "{}: capacity {}, {} taken ({} confirmed); active holds: {}",
        part.event,
        capacity(state),
        seats(state.taken),
        seats(confirmed),
        if active.is_empty() {
            "none".to_owned()
        } else {
            first_few(&active, "holds")
        }
    )
}

/// Joins names as `a`, `a and b`, `a, b and c`; past [`NAMED`] names, the first few and a count
/// of `what`: `a, b, c, and 18 more holds` (the evidence table lists them all).
fn and_list(names: &[String], what: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        many if many.len() > NAMED + 1 => first_few(many, what),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How many names a sentence lists before it counts the rest.
const NAMED: usize = 3;

/// The first [`NAMED`] names, then `and N more <what>`, or all of them when they are few.
fn first_few(names: &[String], what: &str) -> String {
    // "and 1 more" says no less than the name itself.
    if names.len() <= NAMED + 1 {
        return names.join(", ");
    }
    format!(
        "{}, and {} more {what}",
        names[..NAMED].join(", "),
        names.len() - NAMED
    )
}

/// Why none of `stuck` can happen next in `state`, a paragraph for people.
pub(crate) fn explain(part: &TicketsPartition, state: &TicketsState, stuck: &[usize]) -> String {
    // One sentence per kind of impossible reply; the rest are counted, not repeated.
    let mut sentences: Vec<(u8, String)> = Vec::new();
    let mut more = 0usize;
    let holders: Vec<u32> = (0..part.placements.len() as u32)
        .filter(|&p| {
            matches!(
                state.status.get(p as usize),
                status::ACTIVE | status::CONFIRMED
            )
        })
        .collect();
    for &op in stuck {
        let kind = match &part.ops[op] {
            TicketOp::Place(_) => 0,
            TicketOp::SoldOut { .. } => 1,
            TicketOp::Inventory(_) => 2,
            _ => 3,
        };
        if sentences.iter().any(|(k, _)| *k == kind) {
            more += 1;
            continue;
        }
        let sentence = match &part.ops[op] {
            TicketOp::Place(p) => {
                let pl = &part.placements[*p as usize];
                let mut users: Vec<String> = holders
                    .iter()
                    .map(|&h| part.users.text(part.placements[h as usize].user).to_owned())
                    .collect();
                users.push(part.users.text(pl.user).to_owned());
                users.sort();
                users.dedup();
                let told = match users.len() {
                    1 => format!("{} was told more than once that they hold", users[0]),
                    2 => format!("{} were both told they hold", and_list(&users, "users")),
                    _ => format!("{} were all told they hold", and_list(&users, "users")),
                };
                let held: Vec<String> = holders.iter().map(|&h| holding(part, h)).collect();
                let hold = pl.hold.as_deref().unwrap_or("no id seen");
                format!(
                    "{told} seats of {}, but the seats are not there for all of them: {} has {} seats, \
                     {} already, leaving {}, yet {} was told {} more ({hold}, op {}).",
                    part.event,
                    part.event,
                    capacity(state),
                    if held.is_empty() { "nobody holds any".to_owned() } else { and_list(&held, "holds") },
                    remaining(state),
                    part.users.text(pl.user),
                    seats(pl.qty),
                    part.timings[op].source,
                )
            }
            TicketOp::SoldOut { user, qty } => format!(
                "{} was told {} was sold out for {} (op {}), but only {} were taken of a capacity of {}.",
                part.users.text(*user),
                part.event,
                seats(*qty),
                part.timings[op].source,
                seats(state.taken),
                capacity(state)
            ),
            TicketOp::Inventory(n) if *n < 0 => format!(
                "A read of {} returned {n} seats remaining (op {}): the service sold {} it did not \
                 have, when {} were taken of a capacity of {}.",
                part.event,
                part.timings[op].source,
                seats(-n),
                seats(state.taken),
                capacity(state)
            ),
            TicketOp::Inventory(n) => format!(
                "A read of {} returned {n} remaining (op {}), but {} were taken of a capacity of {}.",
                part.event,
                part.timings[op].source,
                seats(state.taken),
                capacity(state)
            ),
            _ => format!(
                "{} cannot happen when {}.",
                describe_op(part, op),
                describe_state(part, state)
            ),
        };
        sentences.push((kind, sentence));
    }
    let others = match more {
        0 => String::new(),
        1 => " One more operation cannot be placed there either.".to_owned(),
        n => format!(" {n} more operations cannot be placed there either."),
    };
    let said: Vec<String> = sentences.into_iter().map(|(_, s)| s).collect();
    format!(
        "{}{others} No order of {}'s operations agrees with every reply.",
        said.join(" "),
        part.event,
    )
}
