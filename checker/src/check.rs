//! `check`: a history, a model name and budgets in; a linearizability verdict with evidence out.

use crate::evidence;
use crate::history::{History, Operation};
use crate::model::{Model, OpError};
use crate::models::kv::KvModel;
use crate::models::multi_register::MultiRegisterModel;
use crate::models::mutex::MutexModel;
use crate::models::register::RegisterModel;
use crate::models::tickets::TicketsModel;
use crate::models::{ModelOptions, MODEL_NAMES};
use crate::search::{search_with, Budget, Engine, SearchOutcome, Stop};
use crate::verdict::{Evidence, LinearizabilityResult, PartitionResult, Verdict};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How a check may run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Give up with `unknown` after this long. `None`: no limit.
    pub time_limit: Option<Duration>,
    /// Give up with `unknown` when the search's memory reaches this many bytes. `None`: half the
    /// memory available when the check starts.
    pub memory_limit: Option<u64>,
    /// Check every partition to its own verdict instead of stopping at the first invalid one.
    pub all_partitions: bool,
    /// Show a progress bar (only when stderr is a terminal).
    pub progress: bool,
    /// [`crate::suite::check_all`]: a history that is no evidence
    /// ([`crate::suite::nothing_checked`]) is valid (not unknown).
    pub allow_empty: bool,
    /// The history was written by another tool (Jepsen, Knossos, Porcupine), not by a Frenzy
    /// run: one whose every operation was refused still shows the system refusing, as those
    /// tools mean it (see [`crate::suite::nothing_checked`]).
    pub foreign_history: bool,
    /// The search engine for every partition. `None`: chosen per partition
    /// ([`crate::search::choose`]).
    pub engine: Option<Engine>,
    /// How long shrinking witnesses may take over the whole check, each partition included.
    /// `None`: 20 s in all (or the time limit, when shorter) and 5 s a partition.
    pub shrink_time: Option<Duration>,
}

/// Why a check could not run: the user's model name or history does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The model name is not one of [`MODEL_NAMES`].
    #[error("unknown model {name:?}: choose one of {}", MODEL_NAMES.join(", "))]
    UnknownModel {
        /// The name given.
        name: String,
    },
    /// An operation the model cannot read.
    #[error(
        "operation {op} (the invocation at index {op}) does not fit the {model} model: {message}"
    )]
    BadOperation {
        /// The model's name.
        model: String,
        /// The operation's invocation index.
        op: u64,
        /// What was wrong.
        message: String,
    },
}

/// Checks `history` for linearizability against the model named `model`.
pub fn check(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
) -> Result<LinearizabilityResult, CheckError> {
    dispatch(history, model, model_options, options, true)
}

/// Like [`check`], but without shrinking a witness for invalid partitions (`witness` stays empty):
/// the search alone, as other checkers time it.
pub fn check_without_witness(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
) -> Result<LinearizabilityResult, CheckError> {
    dispatch(history, model, model_options, options, false)
}

fn dispatch(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
    witness: bool,
) -> Result<LinearizabilityResult, CheckError> {
    let init = model_options.init.clone();
    let run = Run {
        name: model,
        history,
        options,
        witness,
    };
    match model {
        "register" | "cas-register" => run.go(&RegisterModel::new(model == "cas-register", init)
            .nil_read_unknown(model_options.nil_read_unknown)),
        "kv" => run.go(&KvModel::new(true, init)),
        "kv-unpartitioned" => run.go(&KvModel::new(false, init)),
        "multi-register" => run.go(&MultiRegisterModel::new(init)),
        "mutex" => run.go(&MutexModel::new(init)),
        "tickets" => {
            run.go(
                &TicketsModel::new(init, model_options.hold_ttl, model_options.expiry_slack)
                    .binding_holds_of(&history.operations),
            )
        }
        other => Err(CheckError::UnknownModel {
            name: other.to_owned(),
        }),
    }
}

/// The history's operations grouped by partition key, in invocation order (on every core); an
/// operation the model cannot read is an error naming the first such.
pub fn partitions<'h, M: Model>(
    model: &M,
    ops: &'h [Operation],
) -> Result<BTreeMap<String, Vec<&'h Operation>>, OpError> {
    let groups = crate::grouping::group_by(ops, |op| model.partition_key(op).map(Some))?;
    Ok(groups.into_iter().collect())
}

/// Half the memory the system reports available, or 4 GiB when it cannot be read: the memory
/// limit of a check (and of loading its history) when none is given.
pub fn default_memory_limit() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
    available.map_or(4 << 30, |bytes| bytes / 2)
}

fn progress_bar(options: &CheckOptions, total: u64) -> ProgressBar {
    if !options.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("checking {bar:40} {pos}/{len} ops, {elapsed} ({msg})")
    {
        bar.set_style(style);
    }
    bar
}

/// One check's inputs, whatever the model.
struct Run<'a> {
    name: &'a str,
    history: &'a History,
    options: &'a CheckOptions,
    witness: bool,
}

impl Run<'_> {
    fn go<M: Model>(self, model: &M) -> Result<LinearizabilityResult, CheckError> {
        let Run {
            name,
            history,
            options,
            witness,
        } = self;
        run(model, name, history, options, witness)
    }
}

fn run<M: Model>(
    model: &M,
    name: &str,
    history: &History,
    options: &CheckOptions,
    witness: bool,
) -> Result<LinearizabilityResult, CheckError> {
    let started = Instant::now();
    let bad = |e: OpError| CheckError::BadOperation {
        model: name.to_owned(),
        op: e.op,
        message: e.message,
    };
    let groups = partitions(model, &history.operations).map_err(bad)?;
    let mut compiled: Vec<(String, Vec<&Operation>, M::Part)> = groups
        .into_par_iter()
        .map(|(key, ops)| model.compile(&key, &ops).map(|part| (key, ops, part)))
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    compiled.sort_by_key(|(_, ops, _)| std::cmp::Reverse(ops.len()));
    let budget = Budget::new(
        options.time_limit,
        options.memory_limit.unwrap_or_else(default_memory_limit),
    );
    let shrink_until = witness
        .then(|| crate::shrink::check_deadline(started, options.time_limit, options.shrink_time));
    let bar = progress_bar(options, history.operations.len() as u64);
    let mut results: Vec<PartitionResult> = compiled
        .par_iter()
        .map(|(key, ops, part)| {
            let result =
                check_partition(model, key, ops, part, options.engine, &budget, shrink_until);
            bar.inc(ops.len() as u64);
            if result.valid == Verdict::Invalid && !options.all_partitions {
                budget.cancel();
            }
            result
        })
        .collect();
    bar.finish_and_clear();
    // Millions of compiled operations take a while to free: on every core.
    compiled.into_par_iter().for_each(drop);
    results.sort_by(|a, b| a.key.cmp(&b.key));
    let valid = results.iter().fold(Verdict::Valid, |v, r| v.worst(r.valid));
    Ok(LinearizabilityResult {
        valid,
        model: name.to_owned(),
        partitions: results,
        check_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}

/// Searches one partition and turns the outcome into its result.
fn check_partition<M: Model>(
    model: &M,
    key: &str,
    ops: &[&Operation],
    part: &M::Part,
    wanted: Option<Engine>,
    budget: &Budget,
    shrink_until: Option<crate::shrink::ShrinkDeadline>,
) -> PartitionResult {
    let started = Instant::now();
    let (outcome, engine) = search_with(wanted, part, budget);
    let mut result = PartitionResult {
        key: key.to_owned(),
        valid: Verdict::Unknown,
        ops: ops.len(),
        check_ms: 0.0,
        search: Some(engine),
        reason: None,
        evidence: None,
    };
    match outcome {
        SearchOutcome::Linearizable => result.valid = Verdict::Valid,
        SearchOutcome::NotLinearizable(failure) => {
            result.valid = Verdict::Invalid;
            result.check_ms = started.elapsed().as_secs_f64() * 1e3;
            let mut evidence = evidence::evidence(part, &failure, Vec::new());
            if let Some(until) = shrink_until {
                let witness = crate::shrink::shrink(model, key, ops, &evidence.stuck, until);
                if witness.iter().any(|op| evidence.stuck.contains(op)) {
                    evidence.witness = witness;
                } else {
                    let of_witness =
                        crate::shrink::witness_evidence(model, key, ops, witness.clone());
                    evidence = of_witness.unwrap_or(Evidence {
                        witness,
                        ..evidence
                    });
                }
            }
            result.evidence = Some(evidence);
            return result;
        }
        SearchOutcome::Stopped(Stop::Exhausted(reason)) => result.reason = Some(reason),
        SearchOutcome::Stopped(Stop::Cancelled) => {
            result.reason = Some("not checked: another partition was already invalid".to_owned())
        }
    }
    result.check_ms = started.elapsed().as_secs_f64() * 1e3;
    result
}
