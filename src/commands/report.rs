//! `frenzy report`: rebuilds a run folder's report from its history and results, or checks a
//! history file and stores it as a new run with its report.

use crate::exit::user_error;
use checker::check::{check, CheckOptions};
use checker::formats::load;
use checker::history::History;
use checker::ledger::check_ledger;
use checker::models::ModelOptions;
use checker::session::check_sessions;
use checker::verdict::Results;
use clap::Args;
use reports::{render_report, write_run, ReportError, RunDir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Flags of `frenzy report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder (store/<test>/<time>/) whose report to rebuild, or a history file to check
    /// (with --model) and store as a new run.
    #[arg(value_name = "RUN_DIR|HISTORY")]
    path: PathBuf,
    /// The model to check a history file with: register, cas-register, kv, kv-unpartitioned or tickets.
    #[arg(long, short)]
    model: Option<String>,
    /// The model's initial state as JSON; for tickets, seats per event (`100` or `{"e1": 100}`),
    /// which also turns on the ledger check.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    init: Option<Value>,
    /// The store a checked history goes to.
    #[arg(long, value_name = "DIR", default_value = "store")]
    store: PathBuf,
    /// The test name of a checked history's run (default: the file's name without its extension).
    #[arg(long)]
    test: Option<String>,
    /// Give up with `unknown` after this many seconds of checking.
    #[arg(long, value_name = "SECONDS")]
    time_limit: Option<f64>,
}

/// Writes the report and returns the verdict's exit code (0 valid, 1 invalid, 2 unknown).
pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let (run, results) = if args.path.is_dir() {
        if args.model.is_some() {
            return Err(user_error(format!(
                "{} is a run folder, already checked: drop --model to rebuild its report, or pass a history file",
                args.path.display()
            )));
        }
        let run = render_report(&args.path).map_err(report_error)?;
        let results = run.read_results().map_err(report_error)?;
        (run, results)
    } else if args.path.is_file() {
        check_and_store(&args)?
    } else {
        return Err(user_error(format!(
            "{} does not exist: pass a run folder (store/<test>/<time>/) or a history file",
            args.path.display()
        )));
    };
    println!(
        "{}: {}",
        verdict_word(&results),
        run.path().join(reports::render::REPORT_FILE).display()
    );
    Ok(results.valid.exit_code() as u8)
}

/// Checks a history file against `--model` and stores it as a run with its report.
fn check_and_store(args: &ReportArgs) -> anyhow::Result<(RunDir, Results)> {
    let Some(model) = args.model.as_deref() else {
        return Err(user_error(format!(
            "{} is a history file: pass --model M to check it (or give a run folder to rebuild its report)",
            args.path.display()
        )));
    };
    let time_limit = match args.time_limit {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(user_error(format!(
                "--time-limit {s} must be a positive number of seconds"
            )))
        }
        s => s.map(Duration::from_secs_f64),
    };
    let history = load(&args.path, None).map_err(|e| user_error(e.to_string()))?;
    let started = Instant::now();
    let model_options = ModelOptions {
        init: args.init.clone(),
        ..ModelOptions::default()
    };
    let options = CheckOptions {
        time_limit,
        progress: std::io::stderr().is_terminal(),
        ..CheckOptions::default()
    };
    let linearizability = check(&history, model, &model_options, &options)
        .map_err(|e| user_error(format!("{}: {e}", args.path.display())))?;
    let tickets = model == "tickets";
    let sessions = tickets.then(|| check_sessions(&history));
    let ledger = match (&args.init, tickets) {
        (Some(init), true) => Some(check_ledger(&history, &capacities(init, &history)?)),
        _ => None,
    };
    let valid = sessions
        .iter()
        .chain(ledger.iter())
        .fold(linearizability.valid, |v, r| v.worst(r.valid));
    let results = Results {
        valid,
        file: Some(args.path.display().to_string()),
        op_counts: history.op_counts(),
        linearizability: Some(linearizability),
        sessions,
        ledger,
        check_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    let test = args
        .test
        .clone()
        .unwrap_or_else(|| test_name_of(&args.path));
    let run = write_run(&args.store, &test, &history, &results, &[]).map_err(report_error)?;
    Ok((run, results))
}

/// Seats per event from `--init`: one number for every event of the history, or an object.
fn capacities(init: &Value, history: &History) -> anyhow::Result<BTreeMap<String, u64>> {
    let bad = || {
        user_error(format!("--init {init} gives no seat counts: pass a number (`100`) or an object of event -> seats (`{{\"e1\": 100}}`)"))
    };
    match init {
        Value::Number(n) => {
            let seats = n.as_u64().ok_or_else(bad)?;
            let events = history
                .operations
                .iter()
                .filter_map(|op| op.input.get("event")?.as_str());
            Ok(events.map(|e| (e.to_string(), seats)).collect())
        }
        Value::Object(map) => map
            .iter()
            .map(|(event, seats)| Ok((event.clone(), seats.as_u64().ok_or_else(bad)?)))
            .collect(),
        _ => Err(bad()),
    }
}

/// A file name made into a test name: its stem, with characters a folder name avoids replaced.
fn test_name_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" | "latest" => "history".to_string(),
        n => n.to_string(),
    }
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("not JSON ({e}); e.g. 0, \"x\", {{\"e1\": 100}}"))
}

fn verdict_word(results: &Results) -> &'static str {
    reports::summary::verdict_word(results.valid)
}

/// Store and input errors are the user's to fix (exit 254); a chart that fails to draw is ours.
fn report_error(e: ReportError) -> anyhow::Error {
    match e {
        ReportError::Plot { .. } => anyhow::Error::new(e),
        other => user_error(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::history::{Event, EventType, Process};
    use serde_json::json;

    #[test]
    fn file_names_become_store_safe_test_names() {
        assert_eq!(test_name_of(Path::new("/x/c01-bad.txt")), "c01-bad");
        assert_eq!(test_name_of(Path::new("my history.jsonl")), "my-history");
        assert_eq!(test_name_of(Path::new(".hidden.jsonl")), "hidden");
        assert_eq!(test_name_of(Path::new("latest.edn")), "history");
    }

    #[test]
    fn seat_counts_come_from_a_number_or_an_object() {
        let event = |index, kind, value| Event {
            index,
            time: index,
            process: Process::Client(0),
            kind,
            f: "read_inventory".into(),
            value,
        };
        let history = History::from_events(vec![
            event(0, EventType::Invoke, json!({"event": "e1"})),
            event(
                1,
                EventType::Ok,
                json!({"event": "e1", "remaining": 3, "seq": 1}),
            ),
        ])
        .unwrap();
        let one: Vec<_> = capacities(&json!(5), &history)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(one, [("e1".to_string(), 5)]);
        let each: Vec<_> = capacities(&json!({"e2": 7}), &history)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(each, [("e2".to_string(), 7)]);
        let err = capacities(&json!("x"), &history).unwrap_err();
        assert_eq!(crate::exit::code_for(&err), crate::exit::BAD_INPUT);
    }
}
