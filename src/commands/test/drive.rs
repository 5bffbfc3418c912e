//! The system under test as a workload and a client: built and preflighted before the run, then
//! driven through the phases, stopped early by a signal, with a progress bar.

use super::args::{Plan, WorkloadKind};
use super::faults::Faults;
use crate::exit::user_error;
use indicatif::{ProgressBar, ProgressStyle};
use nemesis::Driver;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use workloads::etcd::{EtcdClient, KvWorkload, RegisterWorkload};
use workloads::runner::{NoFaults, RunHooks};
use workloads::tickets::{TicketClient, TicketsWorkload};
use workloads::{Client, Recorder, RunReport, Workload};

/// A workload and the client that performs it, ready to run.
#[derive(Clone)]
pub enum Target {
    /// The ticket contract.
    Tickets(Arc<TicketsWorkload>, Arc<TicketClient>),
    /// etcd registers.
    Register(Arc<RegisterWorkload>, Arc<EtcdClient>),
    /// etcd kv.
    Kv(Arc<KvWorkload>, Arc<EtcdClient>),
}

impl Target {
    /// Builds the workload and client and checks every node (URL, reachability, contract); for
    /// tickets it also creates the events. Any problem is a user error, before the run starts.
    pub async fn prepare(plan: &Plan) -> anyhow::Result<Target> {
        let preflight = |e: workloads::PreflightError| user_error(e.to_string());
        match plan.workload {
            WorkloadKind::Tickets => {
                let workload = TicketsWorkload::new(plan.tickets.clone())
                    .map_err(|e| user_error(e.to_string()))?;
                let client = TicketClient::new(&plan.nodes).map_err(preflight)?;
                let events = plan.tickets.event_names();
                client
                    .preflight(&events, plan.tickets.capacity)
                    .await
                    .map_err(preflight)?;
                Ok(Target::Tickets(Arc::new(workload), Arc::new(client)))
            }
            WorkloadKind::CasRegister | WorkloadKind::Kv => {
                let client = EtcdClient::new(&plan.nodes, plan.serializable).map_err(preflight)?;
                client.preflight().await.map_err(preflight)?;
                let client = Arc::new(client);
                Ok(if plan.workload == WorkloadKind::Kv {
                    Target::Kv(
                        Arc::new(KvWorkload::new(&plan.run_tag, plan.ops_per_key)),
                        client,
                    )
                } else {
                    Target::Register(
                        Arc::new(RegisterWorkload::new(&plan.run_tag, plan.ops_per_key)),
                        client,
                    )
                })
            }
        }
    }

    /// Runs every phase, recording into `recorder`. `stopped` turning true (a signal) stops the
    /// workload early; faults are healed either way.
    pub async fn run(
        &self,
        plan: &Plan,
        recorder: Recorder,
        faults: Option<Arc<dyn Driver>>,
        stopped: watch::Receiver<bool>,
    ) -> anyhow::Result<RunReport> {
        let progress = Progress::start(plan, recorder.clone());
        let mut hooks: Box<dyn RunHooks> = match (faults, &plan.faults) {
            (Some(driver), Some(faults)) => Box::new(Faults::new(
                faults,
                driver,
                plan.phases.seed,
                recorder.clone(),
            )),
            _ => Box::new(NoFaults),
        };
        let hooks = hooks.as_mut();
        let report = match self {
            Target::Tickets(w, c) => drive(w, c, recorder, plan, hooks, stopped).await,
            Target::Register(w, c) => drive(w, c, recorder, plan, hooks, stopped).await,
            Target::Kv(w, c) => drive(w, c, recorder, plan, hooks, stopped).await,
        };
        progress.finish();
        Ok(report)
    }
}

async fn drive<W: Workload, C: Client>(
    workload: &Arc<W>,
    client: &Arc<C>,
    recorder: Recorder,
    plan: &Plan,
    hooks: &mut dyn RunHooks,
    stopped: watch::Receiver<bool>,
) -> RunReport {
    workloads::run(
        workload.clone(),
        client.clone(),
        recorder,
        &plan.phases,
        hooks,
        stopped,
    )
    .await
}

/// A progress bar over the workload's time on a terminal; nothing otherwise.
struct Progress {
    bar: Option<(ProgressBar, tokio::task::JoinHandle<()>)>,
}

impl Progress {
    fn start(plan: &Plan, recorder: Recorder) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let total = plan.phases.warmup + plan.phases.main;
        let bar = ProgressBar::new(total.as_millis() as u64);
        let style = ProgressStyle::with_template("{bar:40} {elapsed}/{duration} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let ticker = bar.clone();
        let task = tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                ticker.set_position(start.elapsed().as_millis() as u64);
                ticker.set_message(format!("{} events recorded", recorder.len()));
            }
        });
        Progress {
            bar: Some((bar, task)),
        }
    }

    fn finish(self) {
        if let Some((bar, task)) = self.bar {
            task.abort();
            bar.finish_and_clear();
        }
    }
}
