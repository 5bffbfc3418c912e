//! `frenzy report`: rebuilds a run folder's report from its history and results (checking the
//! history first when the run never got to its checks), or checks a history file and stores it as
//! a new run with its report.

pub mod unchecked;

use crate::exit::user_error;
use checker::check::CheckOptions;
use checker::formats::load_with_format;
use checker::models::{validate_init, ModelOptions};
use checker::suite::check_all;
use checker::verdict::Results;
use clap::Args;
use reports::{render_report, write_run, ReportError, RunDir};
use serde_json::Value;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Flags of `frenzy report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder (store/<test>/<time>/) whose report to rebuild (a folder whose checks never
    /// ran, a killed or stopped run, is checked first), or a history file to check (with --model)
    /// and store as a new run.
    #[arg(value_name = "RUN_DIR|HISTORY")]
    path: PathBuf,
    /// The model to check a history file (or an unchecked run folder, when its operations do not
    /// name it) with: register, cas-register, kv, kv-unpartitioned, tickets, multi-register or mutex.
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
    let (run, results) = if args.path.is_dir() && unchecked::needs_check(&args.path) {
        let time_limit = time_limit(&args)?;
        unchecked::check_in_place(&args.path, args.model.as_deref(), time_limit)?
    } else if args.path.is_dir() {
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
    outln!(
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
    let time_limit = time_limit(args)?;
    if let Some(init) = &args.init {
        validate_init(model, init).map_err(user_error)?;
    }
    let (history, format) =
        load_with_format(&args.path, None, None).map_err(|e| user_error(e.to_string()))?;
    let model_options = ModelOptions {
        init: args.init.clone(),
        nil_read_unknown: format.knossos_values(),
        ..ModelOptions::default()
    };
    let options = CheckOptions {
        time_limit,
        progress: std::io::stderr().is_terminal(),
        ..CheckOptions::default()
    };
    let mut results = check_all(&history, model, &model_options, &options, true)
        .map_err(|e| user_error(format!("{}: {e}", args.path.display())))?;
    results.file = Some(args.path.display().to_string());
    let test = args
        .test
        .clone()
        .unwrap_or_else(|| test_name_of(&args.path));
    let run = write_run(&args.store, &test, &history, &results, &[]).map_err(report_error)?;
    Ok((run, results))
}

/// `--time-limit` as a duration: a positive number of seconds, or none.
fn time_limit(args: &ReportArgs) -> anyhow::Result<Option<Duration>> {
    args.time_limit
        .map(|s| super::test::seconds("time-limit", s, true))
        .transpose()
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
pub(crate) fn report_error(e: ReportError) -> anyhow::Error {
    match e {
        ReportError::Plot { .. } => anyhow::Error::new(e),
        other => user_error(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_store_safe_test_names() {
        assert_eq!(test_name_of(Path::new("/x/c01-bad.txt")), "c01-bad");
        assert_eq!(test_name_of(Path::new("my history.jsonl")), "my-history");
        assert_eq!(test_name_of(Path::new(".hidden.jsonl")), "hidden");
        assert_eq!(test_name_of(Path::new("latest.edn")), "history");
    }
}
