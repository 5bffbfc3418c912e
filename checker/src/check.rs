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
use std::borrow::Cow;
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
    check_beside(history, model, model_options, options, true, &|_, _| ()).map(|(result, _)| result)
}

/// Like [`check`], but without shrinking a witness for invalid partitions (`witness` stays empty):
/// the search alone, as other checkers time it.
pub fn check_without_witness(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
) -> Result<LinearizabilityResult, CheckError> {
    check_beside(history, model, model_options, options, false, &|_, _| ())
        .map(|(result, _)| result)
}

/// What runs on each partition's operations beside its search, while they are at hand (the
/// tickets session and ledger checks, event by event).
pub(crate) type Beside<'a, T> = dyn Fn(&str, &[&Operation]) -> T + Sync + 'a;

/// Like [`check`] (`witness`: shrink witnesses), also running `beside` on each partition's
/// operations; its results in the partitions' key order.
pub(crate) fn check_beside<T: Send>(
    history: &History,
    model: &str,
    model_options: &ModelOptions,
    options: &CheckOptions,
    witness: bool,
    beside: &Beside<T>,
) -> Result<(LinearizabilityResult, Vec<T>), CheckError> {
    let init = model_options.init.clone();
    let run = Run {
        name: model,
        history,
        options,
        witness,
        beside,
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

/// One partition's key and operations, in invocation order.
pub type Group<'h> = (Cow<'h, str>, Vec<&'h Operation>);

/// The history's operations grouped by partition key (sorted by key), each group in invocation
/// order (on every core); an operation the model cannot read is an error naming the first such.
pub fn partitions<'h, M: Model>(
    model: &M,
    ops: &'h [Operation],
) -> Result<Vec<Group<'h>>, OpError> {
    let groups = crate::grouping::group_by(ops, |op| model.partition_key(op).map(Some))?;
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.par_sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    Ok(groups)
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
struct Run<'a, T> {
    name: &'a str,
    history: &'a History,
    options: &'a CheckOptions,
    witness: bool,
    beside: &'a Beside<'a, T>,
}

impl<T: Send> Run<'_, T> {
    fn go<M: Model>(self, model: &M) -> Result<(LinearizabilityResult, Vec<T>), CheckError> {
        run(model, self)
    }
}

/// Compiles and searches every partition, the biggest first, each compiled just before its
/// search and freed right after: a history's partitions are never all compiled at once.
fn run<M: Model, T: Send>(
    model: &M,
    run: Run<'_, T>,
) -> Result<(LinearizabilityResult, Vec<T>), CheckError> {
    let Run {
        name,
        history,
        options,
        witness,
        beside,
    } = run;
    let started = Instant::now();
    let bad = |e: OpError| CheckError::BadOperation {
        model: name.to_owned(),
        op: e.op,
        message: e.message,
    };
    let mut groups = partitions(model, &history.operations).map_err(bad)?;
    groups.sort_by_key(|(_, ops)| std::cmp::Reverse(ops.len()));
    let budget = Budget::new(
        options.time_limit,
        options.memory_limit.unwrap_or_else(default_memory_limit),
    );
    let shrink_until = witness
        .then(|| crate::shrink::check_deadline(started, options.time_limit, options.shrink_time));
    let bar = progress_bar(options, history.operations.len() as u64);
    type Checked<'k, T> = (&'k str, Result<(PartitionResult, T), OpError>);
    let checked: Vec<Checked<T>> = groups
        .par_iter()
        .map(|(key, ops)| {
            let part = match model.compile(key, ops) {
                Ok(part) => part,
                Err(e) => {
                    // Unreadable input: the check fails, the other searches need not finish.
                    budget.cancel();
                    return (&**key, Err(e));
                }
            };
            let beside = beside(key, ops);
            let result = check_partition(
                model,
                key,
                ops,
                &part,
                options.engine,
                &budget,
                shrink_until,
            );
            bar.inc(ops.len() as u64);
            if result.valid == Verdict::Invalid && !options.all_partitions {
                budget.cancel();
            }
            (&**key, Ok((result, beside)))
        })
        .collect();
    bar.finish_and_clear();
    // Of several unreadable partitions, the one whose bad operation comes first.
    let unreadable = checked.iter().filter_map(|(_, c)| c.as_ref().err());
    if let Some(first) = unreadable.min_by_key(|e| e.op) {
        return Err(bad(first.clone()));
    }
    let mut checked: Vec<_> = checked
        .into_iter()
        .filter_map(|(key, c)| Some((key, c.ok()?)))
        .collect();
    checked.sort_unstable_by_key(|(key, _)| *key);
    let (results, besides): (Vec<PartitionResult>, Vec<T>) =
        checked.into_iter().map(|(_, c)| c).unzip();
    let valid = results.iter().fold(Verdict::Valid, |v, r| v.worst(r.valid));
    let result = LinearizabilityResult {
        valid,
        model: name.to_owned(),
        partitions: results,
        check_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    Ok((result, besides))
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
