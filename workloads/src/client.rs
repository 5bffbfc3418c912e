//! The client side of a workload: performs one operation against one node.

use crate::op::{Completion, Op};
use std::future::Future;

/// Performs operations against the system under test.
///
/// A client must tell a definite refusal (`fail`) from an unknown outcome (`info`): when a request
/// was sent and no definite answer came back, the outcome is unknown. The runner adds the
/// `--op-timeout`; a client need not time out itself.
pub trait Client: Send + Sync + 'static {
    /// Performs `op` on node number `node` (an index into the run's node list).
    fn call(&self, node: usize, op: &Op) -> impl Future<Output = Completion> + Send;
}
