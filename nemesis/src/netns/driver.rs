//! The netns driver: partitions as nftables rules inside the namespaces, kill and pause as
//! signals to every process of a node's namespace, the leader and failovers from the system the
//! cluster runs.

use crate::command::blocking;
use crate::driver::{Driver, DriverFuture, LinkFault};
use crate::error::{NemesisError, Result};
use crate::fault::{Partition, PartitionKind};
use crate::netns::cluster::ClusterState;
use crate::netns::{firewall, process};
use crate::partition;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Applies faults to a local cluster; restarts are written back to its state file.
#[derive(Debug, Clone)]
pub struct NetnsDriver {
    state: Arc<Mutex<ClusterState>>,
}

impl NetnsDriver {
    /// A driver for the cluster described by `state`.
    pub fn new(state: ClusterState) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// A driver for the cluster whose state `frenzy cluster up` wrote under `root`.
    pub fn open(root: &std::path::Path) -> Result<Self> {
        ClusterState::load(root).map(Self::new)
    }

    /// A copy of the cluster's current state (pids change on restart).
    pub fn state(&self) -> ClusterState {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClusterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn namespace(&self, node: &str) -> Result<String> {
        let state = self.lock();
        let i = state.topology.index(node)?;
        Ok(state.topology.namespace(i))
    }

    /// Sends `sig` to every process of `node`; the pids signalled.
    fn signal<'a>(&'a self, node: &'a str, sig: i32) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let ns = self.namespace(node)?;
            let pids = blocking(move || {
                if sig == libc::SIGKILL {
                    process::kill_all(&ns)
                } else {
                    process::signal_all(&ns, sig)
                }
            })
            .await?;
            Ok(json!({ "pids": pids }))
        })
    }

    /// Starts every process that is not running, on `nodes`; records and returns the new pids.
    async fn start(&self, nodes: Vec<String>) -> Result<Value> {
        let state = self.state.clone();
        blocking(move || {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            let mut started = serde_json::Map::new();
            for node in nodes {
                let i = state.topology.index(&node)?;
                let pids = state.start_node(i, None)?;
                if !pids.is_empty() {
                    started.insert(node, json!({ "pids": pids }));
                }
            }
            state.save()?;
            Ok(Value::Object(started))
        })
        .await
    }

    /// Installs, for every node, the drop rules for the addresses in `grudge` (empty = heal).
    async fn firewall(&self, grudge: BTreeMap<String, Vec<Ipv4Addr>>) -> Result<()> {
        let top = self.lock().topology.clone();
        blocking(move || {
            for node in top.nodes() {
                let ns = top.namespace(top.index(&node)?);
                firewall::drop_from(&ns, grudge.get(&node).map(Vec::as_slice).unwrap_or(&[]))?;
            }
            Ok(())
        })
        .await
    }
}

impl Driver for NetnsDriver {
    fn name(&self) -> &'static str {
        "netns"
    }

    fn nodes(&self) -> Vec<String> {
        self.lock().topology.nodes()
    }

    fn leader(&self) -> DriverFuture<'_, Option<String>> {
        Box::pin(async move {
            let state = self.state();
            state.system.system().leader(&state).await
        })
    }

    fn partition<'a>(&'a self, partition: &'a Partition) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let top = self.lock().topology.clone();
            let mut grudge = BTreeMap::new();
            let mut shown = BTreeMap::new();
            for (node, drops) in &partition.grudge {
                let addrs = drops
                    .iter()
                    .map(|d| top.index(d).map(|i| top.addr(i)))
                    .collect::<Result<Vec<_>>>()?;
                shown.insert(
                    node.clone(),
                    addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                );
                grudge.insert(node.clone(), addrs);
            }
            self.firewall(grudge).await?;
            Ok(json!({ "dropped_sources": shown }))
        })
    }

    fn links<'a>(&'a self, _nodes: &'a [String], _fault: LinkFault) -> DriverFuture<'a, Value> {
        Box::pin(async {
            Err(NemesisError::Unsupported {
                driver: "netns",
                fault: "delay or lose traffic".into(),
                why: "tc netem is not available here; put the proxy driver on the links instead"
                    .into(),
            })
        })
    }

    fn heal_network(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            self.firewall(BTreeMap::new()).await?;
            Ok(json!({ "rules": "removed" }))
        })
    }

    fn kill<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.signal(node, libc::SIGKILL)
    }

    fn restart<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let started = self.start(vec![node.to_string()]).await?;
            Ok(started
                .get(node)
                .cloned()
                .unwrap_or_else(|| json!({ "pids": [] })))
        })
    }

    fn pause<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.signal(node, libc::SIGSTOP)
    }

    fn resume<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.signal(node, libc::SIGCONT)
    }

    fn heal(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            let nodes = self.nodes();
            let network = self.heal_network().await?;
            let mut resumed = serde_json::Map::new();
            for node in &nodes {
                resumed.insert(node.clone(), self.resume(node).await?);
            }
            let restarted = self.start(nodes).await?;
            let mut healed =
                json!({ "network": network, "resumed": resumed, "restarted": restarted });
            let settled = self.settle().await?;
            if !settled.is_null() {
                healed["settled"] = settled;
            }
            Ok(healed)
        })
    }

    fn settle(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            let state = self.state();
            state.system.system().settle(&state).await
        })
    }

    fn failover<'a>(&'a self, from: &'a str, grace: Duration) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let cut = partition::isolate(PartitionKind::IsolateLeader, &self.nodes(), from);
            let dropped = self.partition(&cut).await?;
            tokio::time::sleep(grace).await;
            let state = self.state.clone();
            let from_owned = from.to_string();
            let promoted = blocking(move || {
                let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
                let system = state.system.system();
                let done = system.promote(&mut state, &from_owned)?;
                state.save()?;
                Ok(done)
            })
            .await?;
            Ok(json!({ "isolated": dropped, "failover": promoted }))
        })
    }
}
