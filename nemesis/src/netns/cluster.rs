//! Local clusters: etcd (and optionally ticketd) in network namespaces, brought up, inspected and
//! taken down; what was made is recorded in a state file so a later process can heal or remove it.

use crate::error::{NemesisError, Result};
use crate::etcd;
use crate::netns::topology::{namespace_exists, Topology};
use crate::netns::{marker, process};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The etcd binary (Debian's `etcd-server`).
pub const ETCD: &str = "/usr/bin/etcd";
/// etcd's client port on every node.
pub const CLIENT_PORT: u16 = 2379;
/// etcd's peer port on every node.
pub const PEER_PORT: u16 = 2380;
/// ticketd's port on every node.
pub const TICKETD_PORT: u16 = 8080;
/// How long `up` waits for the cluster to become healthy.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);

/// How to run ticketd in front of each etcd member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketdSpec {
    /// The ticketd binary.
    pub binary: PathBuf,
    /// Extra flags (the mode and its knobs), passed after the listen address and endpoint;
    /// `{node}` becomes the node's name and `{peers}` the other nodes' ticketd URLs (comma-separated).
    pub args: Vec<String>,
}

/// What to bring up.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// Names and addresses.
    pub topology: Topology,
    /// Where data dirs, logs and the state file go (created; removed by `down`).
    pub root: PathBuf,
    /// ticketd in front of every member, or etcd alone.
    pub ticketd: Option<TicketdSpec>,
}

/// One process of a node, as started and as restarted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeProcess {
    /// `etcd` or `ticketd`.
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
    /// etcd's client URL, reachable from the host.
    pub etcd_url: String,
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
    /// The nodes.
    pub nodes: Vec<NodeState>,
}

impl ClusterState {
    /// The plan for `spec`: names, URLs and command lines, nothing started.
    pub fn plan(spec: &ClusterSpec) -> Self {
        let top = &spec.topology;
        let peers: Vec<String> = (1..=top.size)
            .map(|i| format!("n{i}=http://{}:{PEER_PORT}", top.addr(i)))
            .collect();
        let nodes = (1..=top.size)
            .map(|i| {
                let name = format!("n{i}");
                let dir = spec.root.join(&name);
                let etcd_url = format!("http://{}:{CLIENT_PORT}", top.addr(i));
                let peer_url = format!("http://{}:{PEER_PORT}", top.addr(i));
                let mut processes = vec![NodeProcess {
                    role: "etcd".into(),
                    argv: [
                        ETCD,
                        "--name",
                        &name,
                        "--data-dir",
                        &dir.join("etcd").to_string_lossy(),
                        "--listen-client-urls",
                        &etcd_url,
                        "--advertise-client-urls",
                        &etcd_url,
                        "--listen-peer-urls",
                        &peer_url,
                        "--initial-advertise-peer-urls",
                        &peer_url,
                        "--initial-cluster",
                        &peers.join(","),
                        "--initial-cluster-state",
                        "new",
                        "--initial-cluster-token",
                        &top.prefix,
                    ]
                    .map(String::from)
                    .to_vec(),
                    log: dir.join("etcd.log"),
                    pid: None,
                }];
                let ticketd_url = spec.ticketd.as_ref().map(|t| {
                    let listen = format!("{}:{TICKETD_PORT}", top.addr(i));
                    let mut argv = vec![
                        t.binary.to_string_lossy().into_owned(),
                        "--listen".into(),
                        listen.clone(),
                        "--etcd".into(),
                        etcd_url.clone(),
                    ];
                    let peers: Vec<String> = (1..=top.size)
                        .filter(|j| *j != i)
                        .map(|j| format!("http://{}:{TICKETD_PORT}", top.addr(j)))
                        .collect();
                    argv.extend(t.args.iter().map(|a| {
                        a.replace("{node}", &name)
                            .replace("{peers}", &peers.join(","))
                    }));
                    processes.push(NodeProcess {
                        role: "ticketd".into(),
                        argv,
                        log: dir.join("ticketd.log"),
                        pid: None,
                    });
                    format!("http://{listen}")
                });
                NodeState {
                    name,
                    namespace: top.namespace(i),
                    etcd_url,
                    ticketd_url,
                    processes,
                }
            })
            .collect();
        Self {
            topology: top.clone(),
            root: spec.root.clone(),
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

    /// `(name, etcd client URL)` of every node.
    pub fn members(&self) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .map(|n| (n.name.clone(), n.etcd_url.clone()))
            .collect()
    }

    /// Starts the processes of node `i` (1-based) that are not running, only those of `role`
    /// when given; returns the new pids.
    pub fn start_node(&mut self, i: usize, role: Option<&str>) -> Result<Vec<u32>> {
        let node = &mut self.nodes[i - 1];
        let mut started = Vec::new();
        for p in &mut node.processes {
            let running = p
                .pid
                .is_some_and(|pid| process::alive(pid) && in_namespace(pid, &node.namespace));
            if running || role.is_some_and(|r| r != p.role) {
                continue;
            }
            let pid = process::spawn_in(&node.namespace, &p.argv, &p.log)?;
            p.pid = Some(pid);
            started.push(pid);
        }
        Ok(started)
    }
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

/// Brings a cluster up: checks nothing is in the way, records the plan, makes the namespaces,
/// starts every node and waits until all are healthy. On failure everything made is removed.
/// `progress` hears one line per step.
pub async fn up(
    spec: &ClusterSpec,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<ClusterState> {
    if !is_root() {
        return Err(NemesisError::NotRoot);
    }
    if !Path::new(ETCD).exists() {
        return Err(NemesisError::Invalid(format!(
            "{ETCD} is missing: install Debian's etcd-server (scripts/setup.sh)"
        )));
    }
    if let Some(t) = &spec.ticketd {
        if !t.binary.exists() {
            return Err(NemesisError::Invalid(format!(
                "ticketd is missing at {}: build it with `cargo build -p ticketd`",
                t.binary.display()
            )));
        }
    }
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
    progress("starting etcd");
    for i in 1..=state.topology.size {
        state.start_node(i, Some("etcd"))?;
    }
    state.save()?;
    progress("waiting for etcd to be healthy");
    let client = etcd::client(Duration::from_secs(1));
    for node in &state.nodes {
        wait_until(node, "etcd", || etcd::healthy(&client, &node.etcd_url)).await?;
    }
    if state.nodes.iter().any(|n| n.ticketd_url.is_some()) {
        progress("starting ticketd");
        for i in 1..=state.topology.size {
            state.start_node(i, Some("ticketd"))?;
        }
        state.save()?;
        for node in &state.nodes {
            let url = node.ticketd_url.clone().unwrap_or_default();
            wait_until(node, "ticketd", || answers(&client, &url)).await?;
        }
    }
    progress("healthy");
    Ok(())
}

/// True when anything answers HTTP at `url`.
async fn answers(client: &reqwest::Client, url: &str) -> bool {
    client.get(url).send().await.is_ok()
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
    /// etcd's client URL.
    pub etcd_url: String,
    /// etcd answers its health check.
    pub healthy: bool,
    /// The store revision it reports.
    pub revision: Option<u64>,
    /// It is the leader, by its own account.
    pub leader: bool,
}

/// Inspects every node of a cluster.
pub async fn status(state: &ClusterState) -> Vec<NodeStatus> {
    let client = etcd::client(Duration::from_secs(1));
    let mut out = Vec::new();
    for node in &state.nodes {
        let member = etcd::status(&client, &node.etcd_url).await.ok();
        out.push(NodeStatus {
            name: node.name.clone(),
            namespace: namespace_exists(&node.namespace),
            pids: process::pids_in(&node.namespace).unwrap_or_default(),
            etcd_url: node.etcd_url.clone(),
            healthy: etcd::healthy(&client, &node.etcd_url).await,
            revision: member.as_ref().map(|m| m.revision),
            leader: member.is_some_and(|m| m.member_id == m.leader),
        });
    }
    out
}
