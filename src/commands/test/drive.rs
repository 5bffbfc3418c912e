//! The system under test as a workload and a client: built and preflighted before the run, then
//! driven through the phases, stopped early by a signal, with a progress bar.

use super::args::{AdapterPlan, Plan, WorkloadKind};
use super::clients::AnyClient;
use super::faults::Faults;
use crate::exit::user_error;
use indicatif::{ProgressBar, ProgressStyle};
use nemesis::Driver;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use workloads::adapter::{AdapterClient, AdapterLog, Hello};
use workloads::etcd::{EtcdClient, KvWorkload, RegisterWorkload};
use workloads::runner::{NoFaults, RunHooks};
use workloads::tickets::{TicketClient, TicketsWorkload};
use workloads::{Recorder, RunReport, Workload};

/// A workload and the client that performs it, ready to run.
#[derive(Clone)]
pub enum Target {
    /// The tickets workload.
    Tickets(Arc<TicketsWorkload>, Arc<AnyClient>),
    /// Registers (with or without cas).
    Register(Arc<RegisterWorkload>, Arc<AnyClient>),
    /// Porcupine's kv store.
    Kv(Arc<KvWorkload>, Arc<AnyClient>),
}

impl Target {
    /// Builds the workload and client and checks every node (URL, reachability, contract), or
    /// starts the adapter and shakes hands with it; for tickets it also creates the events. Any
    /// problem is a user error, before the run starts.
    pub async fn prepare(plan: &Plan) -> anyhow::Result<Target> {
        let preflight = |e: workloads::PreflightError| user_error(e.to_string());
        let prefix = &plan.run_tag;
        Ok(match plan.workload {
            WorkloadKind::Tickets => {
                let workload = TicketsWorkload::new(plan.tickets.clone())
                    .map_err(|e| user_error(e.to_string()))?;
                let events = plan.tickets.event_names();
                let client = match &plan.adapter {
                    Some(adapter) => start_adapter(plan, adapter, &workload).await?,
                    None => {
                        let client = TicketClient::with_access(&plan.nodes, &plan.access)
                            .map_err(preflight)?;
                        client
                            .preflight(&events, plan.tickets.capacity)
                            .await
                            .map_err(preflight)?;
                        AnyClient::Tickets(client)
                    }
                };
                Target::Tickets(Arc::new(workload), Arc::new(client))
            }
            WorkloadKind::Register | WorkloadKind::CasRegister => {
                let workload = match plan.workload {
                    WorkloadKind::Register => {
                        RegisterWorkload::without_cas(prefix, plan.ops_per_key)
                    }
                    _ => RegisterWorkload::new(prefix, plan.ops_per_key),
                };
                let client = etcd_or_adapter(plan, &workload).await?;
                Target::Register(Arc::new(workload), Arc::new(client))
            }
            WorkloadKind::Kv => {
                let workload = KvWorkload::new(prefix, plan.ops_per_key);
                let client = etcd_or_adapter(plan, &workload).await?;
                Target::Kv(Arc::new(workload), Arc::new(client))
            }
        })
    }

    /// The adapter, when the run drives one.
    pub fn adapter(&self) -> Option<&AdapterClient> {
        match self {
            Target::Tickets(_, c) | Target::Register(_, c) | Target::Kv(_, c) => c.adapter(),
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
        if let Some(adapter) = self.adapter() {
            adapter.close().await;
        }
        Ok(report)
    }
}

/// The etcd client for a register or kv workload, checked against every node, or the adapter.
async fn etcd_or_adapter(plan: &Plan, workload: &impl Workload) -> anyhow::Result<AnyClient> {
    if let Some(adapter) = &plan.adapter {
        return start_adapter(plan, adapter, workload).await;
    }
    let preflight = |e: workloads::PreflightError| user_error(e.to_string());
    let client =
        EtcdClient::with_access(&plan.nodes, plan.serializable, &plan.access).map_err(preflight)?;
    client.preflight().await.map_err(preflight)?;
    Ok(AnyClient::Etcd(client))
}

/// Starts the adapter and shakes hands with it: the workload, the nodes, the options and the
/// setup (tickets: the events to create).
async fn start_adapter(
    plan: &Plan,
    adapter: &AdapterPlan,
    workload: &impl Workload,
) -> anyhow::Result<AnyClient> {
    let hello = Hello {
        workload: plan.workload.name().to_owned(),
        nodes: plan.nodes.clone(),
        options: adapter.options.clone(),
        setup: workload.setup(),
        tls: plan.access.tls.clone(),
        auth: plan.access.auth.clone(),
    };
    let client = AdapterClient::start(
        &adapter.command,
        hello,
        workload.fs(),
        AdapterLog::default(),
    )
    .await
    .map_err(|e| user_error(e.to_string()))?;
    Ok(AnyClient::Adapter(Box::new(client)))
}

async fn drive<W: Workload>(
    workload: &Arc<W>,
    client: &Arc<AnyClient>,
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
