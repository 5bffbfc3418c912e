//! `--nemesis`: the fault schedule of the main phase, run by the nemesis crate against a local
//! namespace cluster (`frenzy cluster up`) or a live cluster over ssh, its every start and stop
//! recorded in the history, and healed at the end of the main phase, on Ctrl-C or on error.

use crate::exit::user_error;
use nemesis::netns::cluster::ClusterState;
use nemesis::{Driver, FaultKind, NetnsDriver, Schedule, SshConfig, SshDriver};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use workloads::runner::{HookFuture, RunHooks};
use workloads::Recorder;

/// Where faults are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cluster {
    /// A `frenzy cluster up` cluster: its state folder.
    Netns(PathBuf),
    /// A live cluster described by an ssh TOML file.
    Ssh(PathBuf),
}

/// The faults of a run: what to inject and how often (where: [`Plan::cluster`](super::args::Plan)).
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Fault kinds, started in turn.
    pub kinds: Vec<FaultKind>,
    /// Mean fault length and quiet time.
    pub interval: Duration,
}

impl FaultPlan {
    /// Parses `--nemesis` (a comma list of kinds).
    pub fn parse(kinds: &str, interval: Duration) -> anyhow::Result<FaultPlan> {
        let kinds =
            FaultKind::parse_list(kinds).map_err(|e| user_error(format!("--nemesis: {e}")))?;
        if kinds.is_empty() {
            return Err(user_error(
                "--nemesis names no fault; give e.g. --nemesis partition,kill",
            ));
        }
        Ok(FaultPlan { kinds, interval })
    }
}

/// The client URLs of a namespace cluster's nodes: ticketd's when it runs there, else the
/// system's (etcd, PostgreSQL, Redis).
pub fn cluster_nodes(root: &Path) -> anyhow::Result<Vec<String>> {
    let state = load_state(root)?;
    Ok(state
        .nodes
        .iter()
        .map(|n| n.ticketd_url.clone().unwrap_or_else(|| n.url.clone()))
        .collect())
}

/// A name for each node URL, for the report's lanes: the cluster's node name (`n2`) when the URL
/// is one of a `frenzy cluster up` cluster's, else the URL without its scheme.
pub fn node_names(cluster: Option<&Cluster>, urls: &[String]) -> Vec<String> {
    let state = match cluster {
        Some(Cluster::Netns(root)) => ClusterState::load(root).ok(),
        _ => None,
    };
    urls.iter()
        .map(|url| {
            let named = state.as_ref().and_then(|s| {
                s.nodes
                    .iter()
                    .find(|n| n.ticketd_url.as_deref() == Some(url.as_str()) || n.url == *url)
            });
            match named {
                Some(node) => node.name.clone(),
                None => url
                    .split_once("://")
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .trim_end_matches('/')
                    .to_string(),
            }
        })
        .collect()
}

/// The log files of a namespace cluster's processes, to keep with the run (`n1-etcd`, ...).
pub fn cluster_logs(root: &Path) -> Vec<reports::NodeLog> {
    let Ok(state) = ClusterState::load(root) else {
        return Vec::new();
    };
    let processes = state
        .nodes
        .iter()
        .flat_map(|n| n.processes.iter().map(move |p| (n, p)));
    processes
        .filter(|(_, p)| p.log.exists())
        .map(|(n, p)| reports::NodeLog {
            node: format!("{}-{}", n.name, p.role),
            path: p.log.clone(),
        })
        .collect()
}

fn load_state(root: &Path) -> anyhow::Result<ClusterState> {
    if !ClusterState::file(root).exists() {
        return Err(user_error(format!(
            "no cluster at {}: start one with `frenzy cluster up`, or pass --cluster with its folder",
            root.display()
        )));
    }
    ClusterState::load(root)
        .map_err(|e| user_error(format!("reading the cluster at {}: {e}", root.display())))
}

/// Builds the driver for `cluster`; a missing or unreadable description is a user error.
pub fn driver(cluster: &Cluster) -> anyhow::Result<Arc<dyn Driver>> {
    Ok(match cluster {
        Cluster::Netns(root) => {
            if !nemesis::netns::cluster::is_root() {
                return Err(user_error(
                    "--nemesis on a namespace cluster needs root (nftables rules and signals inside \
                     the namespaces); run as root, or use --ssh for a live cluster",
                ));
            }
            Arc::new(NetnsDriver::new(load_state(root)?))
        }
        Cluster::Ssh(file) => {
            let config = SshConfig::load(file)
                .map_err(|e| user_error(format!("--ssh {}: {e}", file.display())))?;
            Arc::new(SshDriver::new(config))
        }
    })
}

/// Run hooks that start the schedule with the main phase and heal after it.
pub struct Faults {
    driver: Arc<dyn Driver>,
    schedule: Schedule,
    recorder: Recorder,
    running: Option<(oneshot::Sender<()>, JoinHandle<nemesis::Result<()>>)>,
}

impl Faults {
    /// Hooks for `plan` with `driver`, recording fault events into `recorder`.
    pub fn new(plan: &FaultPlan, driver: Arc<dyn Driver>, seed: u64, recorder: Recorder) -> Faults {
        Faults {
            driver,
            schedule: Schedule::new(plan.kinds.clone(), plan.interval, seed),
            recorder,
            running: None,
        }
    }
}

impl RunHooks for Faults {
    fn main_phase_started(&mut self) -> HookFuture<'_> {
        let (stop, stopped) = oneshot::channel::<()>();
        let driver = self.driver.clone();
        let schedule = self.schedule.clone();
        let recorder = self.recorder.clone();
        let task = tokio::spawn(async move {
            let report = |e: nemesis::NemesisEvent| recorder.nemesis(&e.f, e.value);
            nemesis::run(driver.as_ref(), &schedule, report, async {
                let _ = stopped.await;
            })
            .await
        });
        self.running = Some((stop, task));
        Box::pin(async {})
    }

    fn heal(&mut self) -> HookFuture<'_> {
        Box::pin(async {
            let outcome = match self.running.take() {
                Some((stop, task)) => {
                    let _ = stop.send(());
                    match task.await {
                        Ok(result) => result,
                        Err(e) => Err(nemesis::NemesisError::Invalid(format!(
                            "the fault schedule stopped: {e}"
                        ))),
                    }
                }
                // Interrupted before the main phase: nothing started, heal anyway.
                None => self.driver.heal().await.map(drop),
            };
            if let Err(e) = outcome {
                eprintln!("warning: the nemesis reported an error ({e}); run `frenzy cluster heal` if faults remain");
            }
        })
    }
}
