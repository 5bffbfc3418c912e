//! What runs on the nodes of a local cluster: one small trait, implemented once per system
//! (etcd with an optional ticketd, PostgreSQL, Redis), so the namespaces, the driver and
//! `cluster up|status|heal|down` are written once.

use crate::driver::DriverFuture;
use crate::error::Result;
use crate::netns::cluster::{ClusterState, NodeProcess};
use crate::netns::topology::Topology;
use crate::netns::{etcd, postgres, redis};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The system a cluster runs, as recorded in its state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SystemSpec {
    /// etcd on every node, optionally with ticketd in front of each member.
    Etcd {
        /// ticketd in front of every member, or etcd alone.
        #[serde(default)]
        ticketd: Option<etcd::TicketdSpec>,
    },
    /// A PostgreSQL primary and streaming replicas.
    Postgres {
        /// Synchronous replication: a commit waits for one standby (`--pg-sync`).
        #[serde(default)]
        sync: bool,
    },
    /// A Redis primary, replicas, and a Sentinel on every node.
    Redis,
}

impl Default for SystemSpec {
    fn default() -> Self {
        SystemSpec::Etcd { ticketd: None }
    }
}

impl SystemSpec {
    /// The implementation of this system.
    pub fn system(&self) -> Box<dyn System> {
        match self {
            SystemSpec::Etcd { ticketd } => Box::new(etcd::Etcd {
                ticketd: ticketd.clone(),
            }),
            SystemSpec::Postgres { sync } => Box::new(postgres::Postgres { sync: *sync }),
            SystemSpec::Redis => Box::new(redis::Redis),
        }
    }
}

/// One node as planned: its processes (in start order) and the URL clients use.
#[derive(Debug, Clone)]
pub struct NodePlan {
    /// Processes, not started.
    pub processes: Vec<NodeProcess>,
    /// The system's client URL on this node (`http://…:2379`, `postgresql://…:5432`, `redis://…:6379`).
    pub url: String,
    /// ticketd's URL, when ticketd runs on the node.
    pub ticketd_url: Option<String>,
}

/// A system a local cluster can run. Blocking methods run on tokio's blocking pool.
pub trait System: Send + Sync {
    /// Its name on the command line (`etcd`, `postgres`, `redis`).
    fn name(&self) -> &'static str;
    /// Fails with one sentence naming the Debian package when a binary is missing.
    fn check_installed(&self) -> Result<()>;
    /// Node `i`'s processes and URLs (1-based), nothing started.
    fn plan(&self, top: &Topology, root: &Path, i: usize) -> NodePlan;
    /// Starts every node for the first time and waits until the cluster serves; `progress`
    /// hears one line per step.
    fn bring_up<'a>(
        &'a self,
        state: &'a mut ClusterState,
        progress: &'a mut (dyn FnMut(&str) + Send),
    ) -> DriverFuture<'a, ()>;
    /// Makes node `i`'s data fit its role before its processes start again (after a kill or a
    /// failover). Blocking.
    fn before_start(&self, _state: &ClusterState, _i: usize) -> Result<()> {
        Ok(())
    }
    /// True when node `i` answers as it should.
    fn healthy<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, bool>;
    /// The node that leads (etcd's leader, the primary), when one is found.
    fn leader<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>>;
    /// A short account of node `i` for `cluster status` (its revision, its role and position).
    fn describe<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, String>;
    /// When every node has caught up with the leader, a sentence saying where they all are.
    fn converged<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>>;
    /// After a heal, waits until the system's failover manager agrees on one primary again and
    /// says what it found (see [`crate::Driver::settle`]); `Null` for systems without one.
    fn settle<'a>(&'a self, _state: &'a ClusterState) -> DriverFuture<'a, serde_json::Value> {
        Box::pin(async { Ok(serde_json::Value::Null) })
    }
    /// Makes another node primary because `from` was lost, as a failover manager would; records
    /// the new primary in `state` and returns what was done. Blocking.
    fn promote(&self, state: &mut ClusterState, from: &str) -> Result<serde_json::Value>;
}
