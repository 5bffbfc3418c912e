//! A run folder whose checks never ran: a run killed mid-way leaves only history.jsonl, a run
//! stopped by a signal leaves results that say "not checked". `frenzy report` checks such a
//! history in place, with the model its operations name (or `--model`), and writes results.json
//! and the report next to it.

use super::report_error;
use crate::exit::user_error;
use checker::check::CheckOptions;
use checker::formats::load;
use checker::history::History;
use checker::models::ModelOptions;
use checker::suite::check_all;
use checker::verdict::Results;
use reports::store::{HISTORY_FILE, RESULTS_FILE};
use reports::RunDir;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// How the reason of a run stopped before its checks begins (results.json of a stopped run).
pub const NOT_CHECKED: &str = "not checked:";

/// True when `dir` holds a history whose checks never ran.
pub fn needs_check(dir: &Path) -> bool {
    if !dir.join(HISTORY_FILE).is_file() {
        return false;
    }
    match std::fs::read_to_string(dir.join(RESULTS_FILE)) {
        Err(_) => true,
        Ok(text) => serde_json::from_str::<Results>(&text).is_ok_and(|r| {
            r.linearizability
                .iter()
                .flat_map(|l| &l.partitions)
                .any(|p| {
                    p.reason
                        .as_deref()
                        .is_some_and(|x| x.starts_with(NOT_CHECKED))
                })
        }),
    }
}

/// Checks the history in `dir` and writes its results.json and report there.
pub fn check_in_place(
    dir: &Path,
    model: Option<&str>,
    time_limit: Option<Duration>,
) -> anyhow::Result<(RunDir, Results)> {
    let path = dir.join(HISTORY_FILE);
    let history = load(&path, None).map_err(|e| user_error(e.to_string()))?;
    let model = match model {
        Some(m) => m,
        None => model_of(&history).ok_or_else(|| {
            user_error(format!(
                "{} has no results and its operations name no model Frenzy knows: pass --model M",
                dir.display()
            ))
        })?,
    };
    let options = CheckOptions {
        time_limit,
        progress: std::io::stderr().is_terminal(),
        ..CheckOptions::default()
    };
    let mut results = check_all(&history, model, &ModelOptions::default(), &options, true)
        .map_err(|e| user_error(format!("{}: {e}", path.display())))?;
    results.file = Some(path.display().to_string());
    let json = serde_json::to_string_pretty(&results)? + "\n";
    std::fs::write(dir.join(RESULTS_FILE), json).map_err(|e| {
        user_error(format!(
            "cannot write {}: {e}",
            dir.join(RESULTS_FILE).display()
        ))
    })?;
    let run = RunDir::open(dir).map_err(report_error)?;
    reports::render_run(&run, &history, &results).map_err(report_error)?;
    Ok((run, results))
}

/// The model of `frenzy test`'s workload that recorded these operations.
fn model_of(history: &History) -> Option<&'static str> {
    let names = |fs: &[&str]| {
        history
            .operations
            .iter()
            .any(|op| fs.contains(&op.f.as_str()))
    };
    if names(&[
        "place_hold",
        "create_event",
        "read_inventory",
        "list_holds",
        "read_log",
    ]) {
        Some("tickets")
    } else if names(&["get", "put", "append"]) {
        Some("kv")
    } else if names(&["read", "write", "cas"]) {
        Some("cas-register")
    } else {
        None
    }
}
