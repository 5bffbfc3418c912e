//! The checks of a recorded run: linearizability with the workload's model, plus the session and
//! ledger checks for tickets.

use super::args::{Plan, WorkloadKind};
use super::drive::Target;
use super::stop::Signal;
use crate::exit::user_error;
use checker::check::{check, CheckOptions};
use checker::history::History;
use checker::ledger::check_ledger;
use checker::models::ModelOptions;
use checker::session::check_sessions;
use checker::verdict::{LinearizabilityResult, PartitionResult, Results, Verdict};
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

/// The results of a run a signal stopped before its checks: unknown, saying why and how to check
/// what was recorded.
pub fn not_checked(plan: &Plan, history: &History, file: PathBuf, sig: Signal) -> Results {
    let reason = format!(
        "not checked: the run was stopped by {}; `frenzy report {}` checks the recorded history",
        sig.name,
        file.parent().unwrap_or(&file).display()
    );
    Results {
        valid: Verdict::Unknown,
        file: Some(file.display().to_string()),
        op_counts: history.op_counts(),
        linearizability: Some(LinearizabilityResult {
            valid: Verdict::Unknown,
            model: plan.workload.name().to_string(),
            partitions: vec![PartitionResult {
                key: String::new(),
                valid: Verdict::Unknown,
                ops: history.operations.len(),
                check_ms: 0.0,
                reason: Some(reason),
                evidence: None,
            }],
            check_ms: 0.0,
        }),
        sessions: None,
        ledger: None,
        check_ms: 0.0,
    }
}
