//! `frenzy test`: drive a live system with a workload (optionally under faults), record the
//! history into the run store, check it, print a summary and exit 0 / 1 / 2.

mod args;
mod checks;
mod clients;
mod drive;
mod faults;
mod stop;
mod summary;

pub use args::{seconds, Plan, TestArgs};
pub use faults::FaultPlan;
pub use stop::{Signal, Stop};

use crate::exit::user_error;
use anyhow::Context;
use checker::history::History;
use checker::jsonl::HistoryWriter;
use checker::verdict::Results;
use reports::RunDir;
use std::sync::Arc;
use workloads::Recorder;

/// Runs `frenzy test`.
pub fn run(args: TestArgs) -> anyhow::Result<u8> {
    let plan = args.plan()?;
    let driver = match (&plan.faults, &plan.cluster) {
        (Some(_), Some(cluster)) => Some(faults::driver(cluster)?),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let stop = Stop::listen(&runtime)?;
    let run = execute(&runtime, &plan, driver, &stop)?;
    Ok(run.exit_code())
}

/// A finished run: where it was stored and what the checks found.
pub struct Finished {
    /// The run folder in the store.
    pub dir: std::path::PathBuf,
    /// The checks' results.
    pub results: checker::verdict::Results,
    /// The terminating signal that stopped the run, if one came.
    pub stopped: Option<Signal>,
}

impl Finished {
    /// 128 + the signal's number when a signal stopped the run, else the verdict's code.
    pub fn exit_code(&self) -> u8 {
        match self.stopped {
            Some(sig) => sig.exit_code(),
            None => self.results.valid.exit_code() as u8,
        }
    }
}

/// Runs a planned test on `runtime`: preflight, workload (with `driver` applying the plan's faults),
/// the record in the store, the checks, the report and the printed summary. A terminating signal
/// stops the workload, heals, and skips the checks: the results say unknown and why.
pub fn execute(
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    driver: Option<std::sync::Arc<dyn nemesis::Driver>>,
    stop: &Stop,
) -> anyhow::Result<Finished> {
    let target = runtime.block_on(async {
        tokio::select! {
            target = drive::Target::prepare(plan) => target,
            sig = stop.wait() => Err(Stop::before_the_run(sig)),
        }
    })?;
    let run_dir = RunDir::create(&plan.store, &plan.test_name).map_err(|e| {
        user_error(format!(
            "cannot create the run folder in {}: {e}",
            plan.store.display()
        ))
    })?;
    let writer = HistoryWriter::create(&run_dir.history_path())
        .with_context(|| format!("creating {}", run_dir.history_path().display()))?;
    if let Some(adapter) = target.adapter() {
        let log = run_dir.path().join("adapter.log");
        if let Err(e) = adapter.log().attach(&log) {
            eprintln!(
                "warning: the adapter's stderr cannot go to {} ({e})",
                log.display()
            );
        }
    }
    let recorder = Recorder::new(writer);
    stop.record_into(&recorder);
    let report = runtime.block_on(target.run(plan, recorder.clone(), driver, stop.stopped()))?;
    let (events, write_error) = recorder.finish();
    if let Some(e) = write_error {
        eprintln!(
            "warning: writing {} failed ({e}); the checks use the history kept in memory",
            run_dir.history_path().display()
        );
    }
    let history = Arc::new(
        History::from_events(events)
            .context("the recorded history is inconsistent (a Frenzy bug)")?,
    );
    let results = check_unless_stopped(runtime, stop, plan, &history, &run_dir)?;
    run_dir
        .write_results(&results)
        .context("writing results.json")?;
    if let Some(faults::Cluster::Netns(root)) = &plan.cluster {
        if let Err(e) = run_dir.copy_logs(&faults::cluster_logs(root)) {
            eprintln!("warning: the nodes' logs could not be kept with the run: {e}");
        }
    }
    if let Err(e) = reports::lanes::write_actors(&run_dir, &actors(plan, &recorder)) {
        eprintln!("warning: who each process was could not be kept with the run: {e}");
    }
    if let Err(e) = reports::render_run(&run_dir, &history, &results) {
        eprintln!("warning: the HTML report could not be written: {e}");
    }
    summary::print(plan, &report, &history, &results, run_dir.path());
    Ok(Finished {
        dir: run_dir.path().to_path_buf(),
        results,
        stopped: stop.received(),
    })
}

/// Who each process of the run was, for the report's lanes: its worker, user and node by name.
fn actors(plan: &Plan, recorder: &Recorder) -> Vec<reports::lanes::Actor> {
    recorder
        .roles()
        .into_iter()
        .map(|(process, role)| reports::lanes::Actor {
            process,
            worker: role.worker.map(|w| w as u64),
            user: role.user,
            node: role.node.map(|n| {
                plan.node_names
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| n.to_string())
            }),
        })
        .collect()
}

/// Runs the checks on their own thread, so a signal during a long search still ends the run at
/// once with results that say unknown (the search is abandoned; the process exits right after).
fn check_unless_stopped(
    runtime: &tokio::runtime::Runtime,
    stop: &Stop,
    plan: &Plan,
    history: &Arc<History>,
    run_dir: &RunDir,
) -> anyhow::Result<Results> {
    let file = run_dir.history_path();
    if let Some(sig) = stop.received() {
        return Ok(checks::not_checked(plan, history, file, sig));
    }
    let (done, checked) = tokio::sync::oneshot::channel();
    let (p, h, f) = (plan.clone(), history.clone(), file.clone());
    std::thread::spawn(move || {
        let _ = done.send(checks::run(&p, &h, f));
    });
    runtime.block_on(async {
        tokio::select! {
            results = checked => results.context("the checks stopped unexpectedly")?,
            sig = stop.wait() => Ok(checks::not_checked(plan, history, file, sig)),
        }
    })
}
