//! What a workload is: how it chooses operations for each worker, and the final reads.

use crate::op::{Completion, Op};
use rand::rngs::StdRng;

/// One worker of a run: a slot that keeps its user and node while its process id changes.
pub struct WorkerCtx {
    /// The worker's number, `0..concurrency`.
    pub slot: usize,
    /// The process id it currently runs as.
    pub process: u64,
    /// The node it sticks to, an index into the run's node list.
    pub node: usize,
    /// Its random choices, seeded from the run's seed and the slot.
    pub rng: StdRng,
}

/// A generator of operations plus the knowledge to judge its own history.
pub trait Workload: Send + Sync + 'static {
    /// The node worker `slot` sticks to, among `nodes` (a user sticks to a region).
    fn node_of(&self, slot: usize, nodes: usize) -> usize {
        slot % nodes.max(1)
    }

    /// The user worker `slot` acts as, when the workload has users (for the report's labels).
    fn user_for(&self, _slot: usize) -> Option<String> {
        None
    }

    /// The system's setup as operations (a ticket event's capacity), done before the run (in
    /// preflight) and recorded first, as ok operations, so a stored history describes the system
    /// it was checked against and re-checks to its own verdict.
    fn setup(&self) -> Vec<Op> {
        Vec::new()
    }

    /// Every `f` the workload may perform, final reads included: what an adapter must support.
    fn fs(&self) -> Vec<&'static str>;

    /// The next operation for this worker.
    fn next_op(&self, worker: &mut WorkerCtx) -> Op;

    /// Learns from a completed operation (holds acquired, sequence numbers seen).
    fn observe(&self, worker: &WorkerCtx, op: &Op, completion: &Completion);

    /// The reads that end a run, each with the node to send it to: after the faults are healed
    /// and the system has quiesced, they capture its final state for the checks.
    fn final_reads(&self, nodes: usize) -> Vec<(usize, Op)>;
}
