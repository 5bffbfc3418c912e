//! The expiry sweeper: finds holds past their expiry time through the expiry index and expires each
//! with the compare-guarded transition, so several ticketd instances sweeping at once still log
//! exactly one HoldExpired per hold.

use std::sync::Arc;
use std::time::Duration;

use super::gateway::Range;
use super::EtcdTickets;
use crate::model::{now_ms, LogKind};

/// Sweeps every `interval`, forever (the server aborts the task on shutdown).
pub async fn run_sweeper(tickets: Arc<EtcdTickets>, interval: Duration) {
    loop {
        tokio::time::sleep(interval).await;
        tickets.sweep_once().await;
    }
}

impl EtcdTickets {
    /// Expires every hold due now. Losing a race to another sweeper, or a store error, is left to
    /// the next sweep.
    async fn sweep_once(&self) {
        let (start, end) = self.keys.expiry_due(now_ms());
        let due = match self
            .gateway
            .range(&Range {
                key: start,
                end: Some(end),
                ..Range::default()
            })
            .await
        {
            Ok(reply) => reply.kvs,
            Err(_) => return,
        };
        for kv in due {
            let hold = String::from_utf8_lossy(&kv.value).into_owned();
            let _ = self.transition(&hold, LogKind::HoldExpired).await;
        }
    }
}
