//! The client a run drives the system with: a built-in one (the ticket contract, etcd) or the
//! user's adapter, behind one type so every workload runs with any of them.

use workloads::adapter::AdapterClient;
use workloads::etcd::EtcdClient;
use workloads::tickets::TicketClient;
use workloads::{Client, Completion, Op};

/// One of the clients `frenzy test` can drive a system with.
pub enum AnyClient {
    /// The ticket HTTP contract.
    Tickets(TicketClient),
    /// etcd's JSON gateway.
    Etcd(EtcdClient),
    /// A user's adapter process (`--adapter`).
    Adapter(Box<AdapterClient>),
}

impl AnyClient {
    /// The adapter, when the run drives one.
    pub fn adapter(&self) -> Option<&AdapterClient> {
        match self {
            AnyClient::Adapter(a) => Some(a),
            _ => None,
        }
    }
}

impl Client for AnyClient {
    async fn call(&self, node: usize, op: &Op) -> Completion {
        match self {
            AnyClient::Tickets(c) => c.call(node, op).await,
            AnyClient::Etcd(c) => c.call(node, op).await,
            AnyClient::Adapter(c) => c.call(node, op).await,
        }
    }
}
