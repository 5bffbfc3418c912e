//! Every check a history supports, gathered into results.json's shape: linearizability against
//! the model and, for tickets, the session guarantees and the ledger. `frenzy test`, `check` and
//! `report` all judge a history through it, so a stored run re-checks to its own verdict.

use crate::check::{check_beside, CheckError, CheckOptions};
use crate::history::{History, Operation, Outcome};
use crate::json::Json;
use crate::ledger::{check_event, ledger_result};
use crate::models::tickets::CREATE_EVENT;
use crate::models::ModelOptions;
use crate::session::{event_anomalies, sessions_result};
use crate::ticket_fields::of_event;
use crate::verdict::{Anomaly, Results, Verdict};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Runs every check `history` supports with `model`; `witness`: shrink witnesses of invalid
/// partitions. Without a hold TTL in `model_options`, tickets use the one the history recorded.
/// A history that is no evidence of correctness ([`nothing_checked`]) is unknown unless
/// `options.allow_empty`.
pub fn check_all(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
    witness: bool,
) -> Result<Results, CheckError> {
    let started = Instant::now();
    let recorded = ModelOptions {
        hold_ttl: model_options
            .hold_ttl
            .or_else(|| recorded_hold_ttl(history)),
        ..model_options.clone()
    };
    let capacities = (model == "tickets").then(|| capacities(history, model_options.init.as_ref()));
    // The session and ledger checks run event by event beside the search of each event's
    // partition, while its operations are at hand; the counts on the other cores.
    let (linearized, op_counts) = rayon::join(
        || {
            let beside = |event: &str, ops: &[&Operation]| {
                let capacities = capacities.as_ref()?;
                Some(ticket_checks(event, ops, capacities.get(event).copied()))
            };
            check_beside(history, model, &recorded, options, witness, &beside)
        },
        || history.op_counts(),
    );
    let (linearizability, checked) = linearized?;
    let (sessions, ledger) = match capacities {
        Some(_) => {
            let (sessions, ledger) = checked.into_iter().flatten().unzip();
            (Some(sessions_result(sessions)), Some(ledger_result(ledger)))
        }
        None => (None, None),
    };
    let mut linearizability = linearizability;
    if let Some(why) =
        nothing_checked(history, options.foreign_history).filter(|_| !options.allow_empty)
    {
        linearizability.valid = Verdict::Unknown;
        for partition in &mut linearizability.partitions {
            partition.valid = Verdict::Unknown;
            partition.reason = Some(format!("nothing was checked: {why}"));
        }
    }
    let valid = sessions
        .iter()
        .chain(ledger.iter())
        .fold(linearizability.valid, |v, r| v.worst(r.valid));
    let mut results = Results {
        valid,
        file: None,
        op_counts,
        linearizability: Some(linearizability),
        sessions,
        ledger,
        check_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    crate::timing::annotate(&mut results, history);
    Ok(results)
}

/// The session anomalies and the ledger check ([`check_event`]) of one event's operations;
/// `capacity`: the event's seats, when known.
fn ticket_checks(
    event: &str,
    ops: &[&Operation],
    capacity: Option<u64>,
) -> (Vec<Anomaly>, (Vec<Anomaly>, Option<String>)) {
    of_event(ops, |ops| {
        (event_anomalies(ops), check_event(event, ops, capacity))
    })
}

/// Why `history` is no evidence of correctness, when it is none: it has no client operation,
/// or none completed (each ended `info` or never returned), so no result was observed; or, in a
/// history a Frenzy run recorded (not `foreign`), none succeeded: every request timed out or was
/// refused, as when the system or its adapter stayed down. A CI gate must pass none of these.
/// (Another tool's history whose every operation failed keeps that tool's meaning: Knossos
/// calls such a history valid.)
pub fn nothing_checked(history: &History, foreign: bool) -> Option<&'static str> {
    let ops = &history.operations;
    if ops.is_empty() {
        Some("the history has no client operations")
    } else if ops
        .iter()
        .all(|op| matches!(op.outcome, Outcome::Info | Outcome::Pending))
    {
        Some("no client operation completed (each ended info or never returned), so no result was observed")
    } else if !foreign && ops.iter().all(|op| op.outcome != Outcome::Ok) {
        Some(
            "no client operation succeeded (each failed, ended info or never returned), so \
             nothing shows the system working",
        )
    } else {
        None
    }
}

/// The hold TTL the history's ok `create_event` operations recorded (`hold_ttl_ms`), if any.
pub fn recorded_hold_ttl(history: &History) -> Option<Duration> {
    history
        .operations
        .iter()
        .filter(|op| op.f == CREATE_EVENT && op.outcome == Outcome::Ok)
        .find_map(|op| op.input.get("hold_ttl_ms")?.as_u64())
        .map(Duration::from_millis)
}

/// Each event's capacity: what the history's ok `create_event` operations set up, else what
/// `init` gives (one number for every event of the history, or an object of event -> seats).
pub fn capacities(history: &History, init: Option<&Value>) -> BTreeMap<String, u64> {
    let event_of = |input: &Json| input.get("event")?.as_str().map(str::to_owned);
    let mut seats: BTreeMap<String, u64> = BTreeMap::new();
    match init {
        Some(Value::Object(map)) => seats.extend(
            map.iter()
                .filter_map(|(e, n)| Some((e.clone(), n.as_u64()?))),
        ),
        Some(n) => {
            if let Some(n) = n.as_u64() {
                seats.extend(
                    history
                        .operations
                        .iter()
                        .filter_map(|op| Some((event_of(&op.input)?, n))),
                );
            }
        }
        None => {}
    }
    for op in &history.operations {
        if op.f == CREATE_EVENT && op.outcome == Outcome::Ok {
            let capacity = op.input.get("capacity").and_then(Json::as_u64);
            if let (Some(event), Some(capacity)) = (event_of(&op.input), capacity) {
                seats.insert(event, capacity);
            }
        }
    }
    seats
}
