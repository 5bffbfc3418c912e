//! The checks of a recorded run: every check the history supports (`checker::suite`), with the
//! workload's model.

use super::args::Plan;
use super::stop::Signal;
use crate::commands::report::unchecked::NOT_CHECKED;
use crate::exit::user_error;
use checker::check::CheckOptions;
use checker::history::History;
use checker::models::ModelOptions;
use checker::suite::check_all;
use checker::verdict::{LinearizabilityResult, PartitionResult, Results, Verdict};
use std::path::PathBuf;

/// Runs every check that applies to the workload and gathers them into results.json's shape.
/// Ticket events' capacities come from the history itself (the workload records them), as when
/// `frenzy check` re-checks the stored run.
pub fn run(plan: &Plan, history: &History, file: PathBuf) -> anyhow::Result<Results> {
    let model_options = ModelOptions {
        hold_ttl: plan.hold_ttl,
        ..ModelOptions::default()
    };
    let options = CheckOptions {
        time_limit: plan.check_time_limit,
        progress: true,
        ..CheckOptions::default()
    };
    let model = plan.workload.name();
    let mut results = check_all(history, model, &model_options, &options, true)
        .map_err(|e| user_error(e.to_string()))?;
    results.file = Some(file.display().to_string());
    Ok(results)
}

/// The results of a run a signal stopped before its checks: unknown, saying why and how to check
/// what was recorded.
pub fn not_checked(plan: &Plan, history: &History, file: PathBuf, sig: Signal) -> Results {
    let reason = format!(
        "{NOT_CHECKED} the run was stopped by {}; `frenzy report {}` checks the recorded history",
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
                search: None,
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
