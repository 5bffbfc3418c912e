//! Runs a workload through its phases: warm-up, the main phase (faults active), heal, quiesce and
//! the final reads, following Jepsen's process model.

use crate::client::Client;
use crate::op::{Completion, Op};
use crate::pacing::Pacing;
use crate::recorder::{ProcessRole, Recorder};
use crate::workload::{WorkerCtx, Workload};
use rand::{rngs::StdRng, SeedableRng};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long each phase lasts and how hard the workload pushes.
#[derive(Debug, Clone)]
pub struct Phases {
    /// Logical processes, each with at most one operation in flight.
    pub concurrency: usize,
    /// Number of nodes; each worker sticks to one.
    pub nodes: usize,
    /// Target operations per second over all processes; `None` runs flat out.
    pub rate: Option<f64>,
    /// The warm-up, before faults start.
    pub warmup: Duration,
    /// The main phase, with faults active.
    pub main: Duration,
    /// The wait after healing, before the final reads, for the system to converge.
    pub quiesce: Duration,
    /// How long an operation may take before it is recorded `info`.
    pub op_timeout: Duration,
    /// The seed of every random choice.
    pub seed: u64,
}

impl Phases {
    /// Flat out on one node until the stop signal, no warm-up or quiesce: for benchmarks.
    pub fn flat_out(concurrency: usize, op_timeout: Duration) -> Phases {
        Phases {
            concurrency,
            nodes: 1,
            rate: None,
            warmup: Duration::ZERO,
            main: Duration::from_secs(3600),
            quiesce: Duration::ZERO,
            op_timeout,
            seed: 1,
        }
    }
}

/// A future the hooks return.
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What the caller does at phase boundaries: start faults after the warm-up, heal them after the
/// main phase (always, also when the run is interrupted).
pub trait RunHooks: Send {
    /// The main phase starts: start the fault schedule.
    fn main_phase_started(&mut self) -> HookFuture<'_>;
    /// The main phase is over (or interrupted): stop faults and heal everything.
    fn heal(&mut self) -> HookFuture<'_>;
}

/// Hooks that do nothing: a run without faults.
pub struct NoFaults;

impl RunHooks for NoFaults {
    fn main_phase_started(&mut self) -> HookFuture<'_> {
        Box::pin(async {})
    }
    fn heal(&mut self) -> HookFuture<'_> {
        Box::pin(async {})
    }
}

/// How a run went (the history itself is in the recorder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Whether the stop signal cut the run short (then quiesce and final reads were skipped).
    pub interrupted: bool,
    /// Workload operations completed, final reads excluded.
    pub operations: u64,
}

/// Runs `workload` with `client` through every phase, recording into `recorder`.
///
/// `stop` turning true (Ctrl-C) ends the workload early: faults are healed while in-flight
/// operations get up to the operation timeout to finish, and the run returns without final reads.
pub async fn run<W: Workload, C: Client>(
    workload: Arc<W>,
    client: Arc<C>,
    recorder: Recorder,
    phases: &Phases,
    hooks: &mut dyn RunHooks,
    mut stop: watch::Receiver<bool>,
) -> RunReport {
    let shared = Arc::new(Shared {
        stopping: AtomicBool::new(false),
        next_process: AtomicU64::new(phases.concurrency as u64),
        completed: AtomicU64::new(0),
    });
    for op in workload.setup() {
        let process = shared.fresh_process();
        recorder.describe(process, ProcessRole::default());
        recorder.invoke(process, &op);
        recorder.complete(process, op.f, &Completion::Ok(op.value.clone()));
    }
    let mut workers = JoinSet::new();
    for slot in 0..phases.concurrency {
        let worker = Worker {
            ctx: WorkerCtx {
                slot,
                process: slot as u64,
                node: workload.node_of(slot, phases.nodes),
                rng: StdRng::seed_from_u64(
                    phases.seed ^ (slot as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                ),
            },
            workload: workload.clone(),
            client: client.clone(),
            recorder: recorder.clone(),
            shared: shared.clone(),
            pacing: Pacing::new(phases.rate, phases.concurrency),
            op_timeout: phases.op_timeout,
        };
        workers.spawn(worker.run());
    }
    let mut interrupted = !sleep_unless_stopped(phases.warmup, &mut stop).await;
    if !interrupted {
        hooks.main_phase_started().await;
        interrupted = !sleep_unless_stopped(phases.main, &mut stop).await;
    }
    shared.stopping.store(true, Ordering::SeqCst);
    let grace = phases.op_timeout + Duration::from_secs(1);
    let drain = async {
        let drained = tokio::time::timeout(grace, async {
            while workers.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            // Operations still in flight stay pending in the history: valid, unknown outcome.
            workers.abort_all();
        }
    };
    // The heal starts at once, while in-flight operations finish: no fault starts after the main
    // phase (or a signal) ends it, and operations stuck behind a fault get to complete.
    tokio::join!(drain, hooks.heal());
    let operations = shared.completed.load(Ordering::SeqCst);
    if interrupted || !sleep_unless_stopped(phases.quiesce, &mut stop).await {
        return RunReport {
            interrupted: true,
            operations,
        };
    }
    let reads = workload.final_reads(phases.nodes);
    let finals = FinalReads {
        client: client.as_ref(),
        recorder: &recorder,
        shared: &shared,
        op_timeout: phases.op_timeout,
        stop: &stop,
    };
    // The final phase is bounded: reads still running at the limit stay pending (unknown).
    let _ = tokio::time::timeout(final_reads_limit(phases.op_timeout), finals.run(reads)).await;
    RunReport {
        interrupted: false,
        operations,
    }
}

/// How long the final reads may take in all: 10 s, or twice the operation timeout when that is
/// longer. With the grace for in-flight operations (operation timeout + 1 s), the heal and the
/// quiesce, this bounds what a run takes beyond its time limit.
fn final_reads_limit(op_timeout: Duration) -> Duration {
    (op_timeout * 2).max(Duration::from_secs(10))
}

/// Sleeps for `duration`; false when `stop` turned true first.
async fn sleep_unless_stopped(duration: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    let deadline = tokio::time::sleep(duration);
    tokio::pin!(deadline);
    tokio::select! {
        _ = &mut deadline => true,
        stopped = stop.wait_for(|s| *s) => match stopped {
            Ok(_) => false,
            // The sender is gone, so nothing can stop the run any more: the sleep decides.
            Err(_) => {
                deadline.await;
                true
            }
        },
    }
}

/// State all workers share.
struct Shared {
    stopping: AtomicBool,
    /// The next fresh process id.
    next_process: AtomicU64,
    completed: AtomicU64,
}

impl Shared {
    fn fresh_process(&self) -> u64 {
        self.next_process.fetch_add(1, Ordering::SeqCst)
    }
}

/// Performs `op` as `process`, recording invocation and completion; times out into `info`.
async fn perform<C: Client>(
    client: &C,
    recorder: &Recorder,
    process: u64,
    node: usize,
    op: &Op,
    op_timeout: Duration,
) -> Completion {
    recorder.invoke(process, op);
    let completion = match tokio::time::timeout(op_timeout, client.call(node, op)).await {
        Ok(c) => c,
        Err(_) => Completion::unknown(op, format!("timed out after {} ms", op_timeout.as_millis())),
    };
    recorder.complete(process, op.f, &completion);
    completion
}

/// One worker slot: runs operations one at a time until the run stops.
struct Worker<W, C> {
    ctx: WorkerCtx,
    workload: Arc<W>,
    client: Arc<C>,
    recorder: Recorder,
    shared: Arc<Shared>,
    pacing: Pacing,
    op_timeout: Duration,
}

impl<W: Workload, C: Client> Worker<W, C> {
    /// Notes who the worker's current process is.
    fn describe(&self) {
        let role = ProcessRole {
            worker: Some(self.ctx.slot),
            node: Some(self.ctx.node),
            user: self.workload.user_for(self.ctx.slot),
        };
        self.recorder.describe(self.ctx.process, role);
    }

    async fn run(mut self) {
        self.describe();
        loop {
            let wait = self.pacing.next_wait(&mut self.ctx.rng);
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            if self.shared.stopping.load(Ordering::SeqCst) {
                return;
            }
            let op = self.workload.next_op(&mut self.ctx);
            let (client, recorder) = (self.client.as_ref(), &self.recorder);
            let completion = perform(
                client,
                recorder,
                self.ctx.process,
                self.ctx.node,
                &op,
                self.op_timeout,
            )
            .await;
            self.shared.completed.fetch_add(1, Ordering::Relaxed);
            self.workload.observe(&self.ctx, &op, &completion);
            if matches!(completion, Completion::Info(_)) {
                self.ctx.process = self.shared.fresh_process();
                self.describe();
            }
        }
    }
}

/// The final reads: run one after another, each node's reads by a fresh process, until `stop`.
struct FinalReads<'a, C> {
    client: &'a C,
    recorder: &'a Recorder,
    shared: &'a Shared,
    op_timeout: Duration,
    stop: &'a watch::Receiver<bool>,
}

impl<C: Client> FinalReads<'_, C> {
    async fn run(&self, reads: Vec<(usize, Op)>) {
        let mut process = None;
        let mut last_node = None;
        for (node, op) in reads {
            if *self.stop.borrow() {
                return;
            }
            if last_node != Some(node) {
                process = None;
                last_node = Some(node);
            }
            let p = *process.get_or_insert_with(|| {
                let p = self.shared.fresh_process();
                let role = ProcessRole {
                    node: Some(node),
                    ..ProcessRole::default()
                };
                self.recorder.describe(p, role);
                p
            });
            let completion =
                perform(self.client, self.recorder, p, node, &op, self.op_timeout).await;
            if matches!(completion, Completion::Info(_)) {
                process = None;
            }
        }
    }
}
