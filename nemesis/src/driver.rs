//! How faults reach a cluster: the `Driver` trait that netns, ssh and proxy implement.

use crate::error::Result;
use crate::fault::Partition;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future a driver method returns (boxed so drivers can be `dyn Driver`).
pub type DriverFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What a link fault does to the traffic of a node: delay and loss (both zero = healthy).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkFault {
    /// Added to every chunk of data.
    pub delay: Duration,
    /// Probability (0..=1) that a chunk is lost and must be retransmitted.
    pub loss: f64,
}

/// Applies faults to one cluster. Every method returns what it actually did (pids, rules,
/// links), which the schedule writes into the history. All methods are idempotent where the
/// fault allows it, so a heal can be repeated safely.
pub trait Driver: Send + Sync {
    /// The driver's name (`netns`, `ssh`, `proxy`), for messages.
    fn name(&self) -> &'static str;
    /// The cluster's node names.
    fn nodes(&self) -> Vec<String>;
    /// The current leader, when the system exposes one (etcd does); `None` otherwise.
    fn leader(&self) -> DriverFuture<'_, Option<String>>;
    /// Makes every node drop the traffic of the nodes in its grudge (replacing any partition).
    fn partition<'a>(&'a self, partition: &'a Partition) -> DriverFuture<'a, Value>;
    /// Delays or loses the traffic on the links of `nodes`.
    fn links<'a>(&'a self, nodes: &'a [String], fault: LinkFault) -> DriverFuture<'a, Value>;
    /// Removes every partition and link fault.
    fn heal_network(&self) -> DriverFuture<'_, Value>;
    /// SIGKILLs the processes of `node`.
    fn kill<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value>;
    /// Starts the processes of `node` again, with the same data.
    fn restart<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value>;
    /// SIGSTOPs the processes of `node`.
    fn pause<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value>;
    /// SIGCONTs the processes of `node`.
    fn resume<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value>;
    /// Undoes everything: network healed, every node resumed, every dead node restarted.
    fn heal(&self) -> DriverFuture<'_, Value>;
    /// After a heal, waits until the system's own failover manager agrees on one primary again
    /// (Redis: every Sentinel names the same node), and says what it found; `Null` when the
    /// system has no such manager or the driver cannot ask it.
    fn settle(&self) -> DriverFuture<'_, Value> {
        Box::pin(async { Ok(Value::Null) })
    }
    /// Cuts the primary `from` off from the other nodes, waits `grace`, then makes another node
    /// primary as a failover manager would (the cut stays until the network heals).
    fn failover<'a>(&'a self, from: &'a str, grace: Duration) -> DriverFuture<'a, Value> {
        let _ = (from, grace);
        Box::pin(async move {
            Err(crate::error::NemesisError::Unsupported {
                driver: self.name(),
                fault: "fail a primary over".into(),
                why: "only local PostgreSQL and Redis clusters (`frenzy cluster up --system postgres|redis`) have a failover".into(),
            })
        })
    }
}
