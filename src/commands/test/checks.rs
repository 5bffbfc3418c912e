//! The checks of a recorded run: linearizability with the workload's model, plus the session and
//! ledger checks for tickets.

use super::args::{Plan, WorkloadKind};
use super::drive::Target;
use crate::exit::user_error;
use checker::check::{check, CheckOptions};
use checker::history::History;
use checker::ledger::check_ledger;
use checker::models::ModelOptions;
use checker::session::check_sessions;
use checker::verdict::Results;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// Runs every check that applies to the workload and gathers them into results.json's shape.
pub fn run(
    plan: &Plan,
    target: &Target,
    history: &History,
    file: PathBuf,
) -> anyhow::Result<Results> {
    let start = Instant::now();
    let tickets = matches!(target, Target::Tickets(..));
    let model_options = ModelOptions {
        init: tickets.then(|| json!(plan.tickets.capacity)),
        hold_ttl: plan.hold_ttl,
        ..ModelOptions::default()
    };
    let options = CheckOptions {
        time_limit: plan.check_time_limit,
        progress: true,
        ..CheckOptions::default()
    };
    let model = plan.workload.name();
    let linearizability =
        check(history, model, &model_options, &options).map_err(|e| user_error(e.to_string()))?;
    let (sessions, ledger) = if plan.workload == WorkloadKind::Tickets {
        (
            Some(check_sessions(history)),
            Some(check_ledger(history, &plan.tickets.capacities())),
        )
    } else {
        (None, None)
    };
    let mut valid = linearizability.valid;
    for other in sessions.iter().chain(ledger.iter()) {
        valid = valid.worst(other.valid);
    }
    Ok(Results {
        valid,
        file: Some(file.display().to_string()),
        op_counts: history.op_counts(),
        linearizability: Some(linearizability),
        sessions,
        ledger,
        check_ms: start.elapsed().as_secs_f64() * 1e3,
    })
}
