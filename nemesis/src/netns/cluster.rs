//! Local clusters in network namespaces, whatever system runs on them (etcd, PostgreSQL, Redis:
//! see [`System`](crate::netns::system::System)), brought up, inspected and taken down; what was
//! made is recorded in a state file so a later process can heal or remove it.

use crate::command::blocking;
use crate::error::{NemesisError, Result};
use crate::netns::system::SystemSpec;
use crate::netns::topology::{namespace_exists, Topology};
use crate::netns::{marker, process};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `up` waits for a node to become healthy.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);

/// What to bring up.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// Names and addresses.
    pub topology: Topology,
    /// Where data dirs, logs and the state file go (created; removed by `down`).
    pub root: PathBuf,
    /// What runs on every node.
    pub system: SystemSpec,
}

/// One process of a node, as started and as restarted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeProcess {
    /// What it is (`etcd`, `ticketd`, `postgres`, `redis`, `sentinel`).
    pub role: String,
    /// The command line run inside the namespace.
    pub argv: Vec<String>,
    /// Its output.
    pub log: PathBuf,
    /// Its pid, once started.
    pub pid: Option<u32>,
}

/// One node of a local cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeState {
    /// `n1` … `nN`.
    pub name: String,
    /// Its network namespace.
    pub namespace: String,
    /// The system's client URL, reachable from the host.
    #[serde(alias = "etcd_url")]
    pub url: String,
    /// ticketd's URL, when ticketd runs.
    pub ticketd_url: Option<String>,
    /// Its processes, started in this order.
    pub processes: Vec<NodeProcess>,
}

/// Everything a local cluster is made of: written before anything is made, kept up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterState {
    /// Names and addresses.
    pub topology: Topology,
    /// Data dirs, logs and this state's file.
    pub root: PathBuf,
    /// What runs on the nodes.
    #[serde(default)]
    pub system: SystemSpec,
    /// The node a failover manager made primary (PostgreSQL); `None` where the system elects
    /// its own leader.
    #[serde(default)]
    pub primary: Option<String>,
    /// The nodes.
    pub nodes: Vec<NodeState>,
}

impl ClusterState {
    /// The plan for `spec`: names, URLs and command lines, nothing started.
    pub fn plan(spec: &ClusterSpec) -> Self {
        let top = &spec.topology;
        let system = spec.system.system();
        let nodes = (1..=top.size)
            .map(|i| {
                let plan = system.plan(top, &spec.root, i);
                NodeState {
                    name: format!("n{i}"),
                    namespace: top.namespace(i),
                    url: plan.url,
                    ticketd_url: plan.ticketd_url,
                    processes: plan.processes,
                }
            })
            .collect();
        Self {
            topology: top.clone(),
            root: spec.root.clone(),
            system: spec.system.clone(),
            primary: None,
            nodes,
        }
    }

    /// Where the state of a cluster rooted at `root` is kept.
    pub fn file(root: &Path) -> PathBuf {
        root.join("cluster.json")
    }

    /// Reads the state of the cluster rooted at `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = Self::file(root);
        let text = std::fs::read_to_string(&path).map_err(|source| NemesisError::File {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            NemesisError::Invalid(format!(
                "{}: not a Frenzy cluster state: {e}",
                path.display()
            ))
        })
    }

    /// Writes the state next to the data.
    pub fn save(&self) -> Result<()> {
        let path = Self::file(&self.root);
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| NemesisError::File { path, source })
    }

    /// `(name, client URL)` of every node.
    pub fn members(&self) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .map(|n| (n.name.clone(), n.url.clone()))
            .collect()
    }

    /// The directory of node `i` (1-based): its data and logs.
    pub fn node_dir(&self, i: usize) -> PathBuf {
        self.root.join(format!("n{i}"))
    }

    /// Starts the processes of node `i` (1-based) that are not running, only those of `role`
    /// when given; returns the new pids. The system first fits the node's data to its role (a
    /// former primary rejoining as a replica after a failover).
    pub fn start_node(&mut self, i: usize, role: Option<&str>) -> Result<Vec<u32>> {
        let node = &self.nodes[i - 1];
        let wanted =
            |p: &NodeProcess| !running(p, &node.namespace) && role.is_none_or(|r| r == p.role);
        if !node.processes.iter().any(wanted) {
            return Ok(Vec::new());
        }
        self.system.system().before_start(self, i)?;
        let node = &mut self.nodes[i - 1];
        let mut started = Vec::new();
        for p in &mut node.processes {
            if running(p, &node.namespace) || role.is_some_and(|r| r != p.role) {
                continue;
            }
            let pid = process::spawn_in(&node.namespace, &p.argv, &p.log)?;
            p.pid = Some(pid);
            started.push(pid);
        }
        Ok(started)
    }

    /// Starts `role` on the nodes `nodes` (1-based), records the pids, then waits until each
    /// answers `healthy` (given a copy of the node). For systems bringing their nodes up in stages.
    pub async fn start_and_wait<F, Fut>(
        &mut self,
        role: &str,
        nodes: &[usize],
        healthy: F,
    ) -> Result<()>
    where
        F: Fn(NodeState) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for i in nodes {
            self.start_node(*i, Some(role))?;
        }
        self.save()?;
        for i in nodes {
            let node = &self.nodes[*i - 1];
            wait_until(node, role, || healthy(node.clone())).await?;
        }
        Ok(())
    }
}

/// The address of node `name` as a string (empty for a name the topology does not have).
pub fn node_addr(top: &Topology, name: &str) -> String {
    top.index(name)
        .map(|i| top.addr(i).to_string())
        .unwrap_or_default()
}

/// Polls the blocking `check` every 100 ms until it holds or `limit` passes (`what` names it in
/// the timeout's message).
pub async fn wait_for<F>(limit: Duration, what: &str, check: F) -> Result<()>
where
    F: Fn() -> bool + Send + Sync + 'static,
{
    let check = std::sync::Arc::new(check);
    let deadline = Instant::now() + limit;
    loop {
        let c = check.clone();
        if blocking(move || Ok(c())).await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(NemesisError::Timeout(format!(
                "{what}: not within {} s",
                limit.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// True when process `p` of the node in namespace `ns` runs.
fn running(p: &NodeProcess, ns: &str) -> bool {
    p.pid
        .is_some_and(|pid| process::alive(pid) && in_namespace(pid, ns))
}

/// True when `pid` lives in network namespace `ns` (guards against signalling a reused pid).
pub fn in_namespace(pid: u32, ns: &str) -> bool {
    process::pids_in(ns).is_ok_and(|pids| pids.contains(&pid))
}

/// True when this process runs as root (local clusters need it).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Brings a cluster up: checks the system is installed and nothing is in the way, records the
/// plan, makes the namespaces, starts every node and waits until all are healthy. On failure
/// everything made is removed. `progress` hears one line per step.
pub async fn up(
    spec: &ClusterSpec,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<ClusterState> {
    if !is_root() {
        return Err(NemesisError::NotRoot);
    }
    spec.system.system().check_installed()?;
    marker::check_ours(&spec.root)?;
    let mut in_the_way = spec.topology.leftovers();
    if ClusterState::file(&spec.root).exists() {
        in_the_way.push(format!(
            "state file {}",
            ClusterState::file(&spec.root).display()
        ));
    }
    if !in_the_way.is_empty() {
        return Err(NemesisError::InTheWay(in_the_way));
    }
    let mut state = ClusterState::plan(spec);
    let made = bring_up(&mut state, progress).await;
    if made.is_err() {
        let _ = down(&state);
    }
    made.map(|_| state)
}

async fn bring_up(state: &mut ClusterState, progress: &mut (dyn FnMut(&str) + Send)) -> Result<()> {
    marker::create_marked(&state.root)?;
    for node in &state.nodes {
        let dir = state.root.join(&node.name);
        std::fs::create_dir_all(&dir).map_err(|source| NemesisError::File { path: dir, source })?;
    }
    state.save()?;
    progress("creating namespaces and bridge");
    state.topology.create()?;
    let system = state.system.system();
    system.bring_up(state, progress).await?;
    state.save()?;
    progress("healthy");
    Ok(())
}

/// Polls `check` until it holds; fails early, with the log's tail, when the process died.
async fn wait_until<F, Fut>(node: &NodeState, role: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + HEALTH_TIMEOUT;
    let proc = node.processes.iter().find(|p| p.role == role);
    loop {
        if check().await {
            return Ok(());
        }
        let dead = proc
            .and_then(|p| p.pid)
            .is_some_and(|pid| !process::alive(pid));
        if dead || Instant::now() > deadline {
            let log = proc.map(|p| log_tail(&p.log)).unwrap_or_default();
            let why = if dead {
                "exited"
            } else {
                "did not become healthy in time"
            };
            return Err(NemesisError::Timeout(format!(
                "{role} on {} {why}; its log ends with:\n{log}",
                node.name
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Takes a cluster down: every process killed, namespaces and bridge deleted, data removed.
/// Idempotent; returns what it removed. A folder without Frenzy's marker is refused before
/// anything is touched.
pub fn down(state: &ClusterState) -> Result<Vec<String>> {
    marker::check_ours(&state.root)?;
    let mut removed = state.topology.destroy()?;
    removed.extend(marker::remove_marked(&state.root)?);
    Ok(removed)
}

/// What `frenzy cluster status` shows for one node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeStatus {
    /// The node.
    pub name: String,
    /// Its namespace exists.
    pub namespace: bool,
    /// Pids running in its namespace.
    pub pids: Vec<u32>,
    /// The system's client URL.
    pub url: String,
    /// It answers its health check.
    pub healthy: bool,
    /// The system's account of it (`revision 42`, `primary at 0/3000148`).
    pub detail: String,
    /// It leads (etcd's leader, the primary).
    pub leader: bool,
}

/// Inspects every node of a cluster.
pub async fn status(state: &ClusterState) -> Vec<NodeStatus> {
    let system = state.system.system();
    let leader = system.leader(state).await.ok().flatten();
    let mut out = Vec::new();
    for (i, node) in state.nodes.iter().enumerate() {
        out.push(NodeStatus {
            name: node.name.clone(),
            namespace: namespace_exists(&node.namespace),
            pids: process::pids_in(&node.namespace).unwrap_or_default(),
            url: node.url.clone(),
            healthy: system.healthy(state, i + 1).await.unwrap_or(false),
            detail: system.describe(state, i + 1).await.unwrap_or_default(),
            leader: leader.as_deref() == Some(node.name.as_str()),
        });
    }
    out
}
