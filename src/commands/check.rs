//! `frenzy check`: reads histories and checks them for linearizability against a model.

mod output_dir;
mod summary;
mod units;

use crate::exit::user_error;
use checker::check::CheckOptions;
use checker::formats::{load_with_format, Format, LoadError};
use checker::models::{validate_init, ModelOptions, MODEL_NAMES};
use checker::suite::check_all;
use checker::verdict::Verdict;
use clap::Args;
use indicatif::ProgressBar;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Flags of `frenzy check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// History files: history.jsonl, Jepsen history.edn, or Porcupine's test files.
    #[arg(required = true, value_name = "HISTORY")]
    histories: Vec<PathBuf>,
    /// The model: register, cas-register, kv, kv-unpartitioned, tickets, multi-register or mutex.
    #[arg(long, short)]
    model: String,
    /// The history format (jsonl, edn, jepsen-txt, porcupine-log, porcupine-kv); detected from content when absent.
    #[arg(long)]
    format: Option<Format>,
    /// The model's initial state as JSON, e.g. `0`, `"x"`, `{"e1": 100}` (default: null).
    #[arg(long, value_name = "JSON", value_parser = units::json)]
    init: Option<serde_json::Value>,
    /// Tickets: holds expire this long after placement, e.g. `30`, `30s`, `500ms` (default: never).
    #[arg(long, value_name = "SECONDS", value_parser = units::duration)]
    hold_ttl: Option<Duration>,
    /// Tickets: how late past its TTL a hold may still expire.
    #[arg(long, value_name = "SECONDS", value_parser = units::duration, default_value = "0")]
    expiry_slack: Duration,
    /// Give up with `unknown` after this long per history, e.g. `10`, `2.5s`, `1m`.
    #[arg(long, value_name = "SECONDS", value_parser = units::duration)]
    time_limit: Option<Duration>,
    /// Give up with `unknown` when reading the history or the search would take the process past
    /// this much memory, e.g. `4GiB`, `512MiB` (default: half the memory available).
    #[arg(long, value_name = "BYTES", value_parser = units::bytes)]
    memory_limit: Option<u64>,
    /// Check every partition to its own verdict instead of stopping at the first invalid one.
    #[arg(long)]
    all_partitions: bool,
    /// Skip shrinking a witness for invalid partitions: `check_ms` then times the search alone.
    #[arg(long)]
    no_witness: bool,
    /// Registers, Jepsen EDN: read an ok read of nil as "never written" instead of Knossos'
    /// "the value read is unknown" (Frenzy's JSONL always reads null as never written).
    #[arg(long)]
    strict_nil_reads: bool,
    /// Accept a history that is no evidence as valid: no client operations, none that completed
    /// (all info or pending), or, in Frenzy's JSONL, none that succeeded (by default its
    /// verdict is unknown, exit 2: nothing was checked).
    #[arg(long)]
    allow_empty: bool,
    /// Print one JSON results object per history, one per line (docs/check-json.md).
    #[arg(long)]
    json: bool,
    /// Write the history (history.jsonl), results.json, each invalid partition's witness history
    /// (witness-<key>.jsonl) and the report (report.html, charts, junit.xml) here (one subdirectory
    /// per history when there are several). A folder where one of these would replace an input
    /// history is refused before anything is checked.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Checks every history and returns the exit code of the worst verdict (0 valid, 1 invalid, 2 unknown).
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    if !MODEL_NAMES.contains(&args.model.as_str()) {
        return Err(user_error(format!(
            "unknown model {:?}; pass --model with one of {}",
            args.model,
            MODEL_NAMES.join(", ")
        )));
    }
    if let Some(init) = &args.init {
        validate_init(&args.model, init).map_err(user_error)?;
    }
    let options = CheckOptions {
        time_limit: args.time_limit,
        memory_limit: args.memory_limit,
        all_partitions: args.all_partitions,
        progress: std::io::stderr().is_terminal(),
        allow_empty: args.allow_empty,
        ..CheckOptions::default()
    };
    let mut out_dirs = args
        .out
        .as_deref()
        .map(|dir| output_dir::OutputDirs::new(dir, &args.histories))
        .transpose()?;
    let mut worst = Verdict::Valid;
    for path in &args.histories {
        let spinner = reading_spinner(path);
        let loaded = load_with_format(path, args.format, args.memory_limit);
        spinner.finish_and_clear();
        let (history, format) = match loaded {
            Err(LoadError::MemoryLimit { path, reason }) => {
                if args.json {
                    let stopped =
                        serde_json::json!({"valid": "unknown", "file": path, "reason": reason});
                    outln!("{stopped}");
                } else {
                    eprintln!("verdict unknown: {path}: {reason}");
                }
                worst = worst.worst(Verdict::Unknown);
                continue;
            }
            loaded => loaded.map_err(|e| user_error(e.to_string()))?,
        };
        let model_options = ModelOptions {
            init: args.init.clone(),
            hold_ttl: args.hold_ttl,
            expiry_slack: args.expiry_slack,
            nil_read_unknown: format.knossos_values() && !args.strict_nil_reads,
        };
        let options = CheckOptions {
            foreign_history: format != Format::Jsonl,
            ..options.clone()
        };
        let mut results = check_all(
            &history,
            &args.model,
            &model_options,
            &options,
            !args.no_witness,
        )
        .map_err(|e| user_error(format!("{}: {e}", path.display())))?;
        results.file = Some(path.display().to_string());
        if let Some(why) = checker::suite::nothing_checked(&history, options.foreign_history)
            .filter(|_| !args.allow_empty)
        {
            eprintln!(
                "{}: nothing was checked: {why}; the verdict is unknown (pass --allow-empty to \
                 accept such a history as valid)",
                path.display()
            );
        }
        worst = worst.worst(results.valid);
        let written = match out_dirs.as_mut() {
            Some(dirs) => Some(dirs.write(&history, &results)?),
            None => None,
        };
        if args.json {
            outln!("{}", serde_json::to_string(&results)?);
        } else {
            out!("{}", summary::render(&results, written.as_ref()));
        }
        // Freeing millions of operations takes a while: let it run beside the next file, or
        // be cut short when the process exits.
        std::thread::spawn(move || drop(history));
    }
    Ok(worst.exit_code() as u8)
}

/// A spinner while a history is read, on a terminal only (large histories take seconds).
fn reading_spinner(path: &Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner().with_message(format!("reading {}", path.display()));
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}
