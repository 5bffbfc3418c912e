//! `frenzy test`: drive a live system with a workload (optionally under faults), record the
//! history into the run store, check it, print a summary and exit 0 / 1 / 2.

mod args;
mod checks;
mod drive;
mod faults;
mod summary;

pub use args::{Plan, TestArgs};
pub use faults::FaultPlan;

use crate::exit::user_error;
use anyhow::Context;
use checker::history::History;
use checker::jsonl::HistoryWriter;
use reports::RunDir;
use workloads::Recorder;

/// Runs `frenzy test`.
pub fn run(args: TestArgs) -> anyhow::Result<u8> {
    let plan = args.plan()?;
    let driver = match (&plan.faults, &plan.cluster) {
        (Some(_), Some(cluster)) => Some(faults::driver(cluster)?),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let run = execute(&runtime, &plan, driver)?;
    Ok(run.results.valid.exit_code() as u8)
}

/// A finished run: where it was stored and what the checks found.
pub struct Finished {
    /// The run folder in the store.
    pub dir: std::path::PathBuf,
    /// The checks' results.
    pub results: checker::verdict::Results,
}

/// Runs a planned test on `runtime`: preflight, workload (with `driver` applying the plan's faults),
/// the record in the store, the checks, the report and the printed summary.
pub fn execute(
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    driver: Option<std::sync::Arc<dyn nemesis::Driver>>,
) -> anyhow::Result<Finished> {
    let target = runtime.block_on(drive::Target::prepare(plan))?;
    let run_dir = RunDir::create(&plan.store, &plan.test_name).map_err(|e| {
        user_error(format!(
            "cannot create the run folder in {}: {e}",
            plan.store.display()
        ))
    })?;
    let writer = HistoryWriter::create(&run_dir.history_path())
        .with_context(|| format!("creating {}", run_dir.history_path().display()))?;
    let recorder = Recorder::new(writer);
    let report = runtime.block_on(target.run(plan, recorder.clone(), driver))?;
    let (events, write_error) = recorder.finish();
    if let Some(e) = write_error {
        eprintln!(
            "warning: writing {} failed ({e}); the checks use the history kept in memory",
            run_dir.history_path().display()
        );
    }
    let history = History::from_events(events)
        .context("the recorded history is inconsistent (a Frenzy bug)")?;
    let results = checks::run(plan, &target, &history, run_dir.history_path())?;
    run_dir
        .write_results(&results)
        .context("writing results.json")?;
    if let Some(faults::Cluster::Netns(root)) = &plan.cluster {
        if let Err(e) = run_dir.copy_logs(&faults::cluster_logs(root)) {
            eprintln!("warning: the nodes' logs could not be kept with the run: {e}");
        }
    }
    if let Err(e) = reports::render_run(&run_dir, &history, &results) {
        eprintln!("warning: the HTML report could not be written: {e}");
    }
    summary::print(plan, &report, &results, run_dir.path());
    Ok(Finished {
        dir: run_dir.path().to_path_buf(),
        results,
    })
}
