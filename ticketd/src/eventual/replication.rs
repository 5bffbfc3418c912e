//! Asynchronous replication from one region to its peers: a queue per peer, sent after the
//! configured lag and retried until the peer accepts it, so a partition heals into a merge.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::state::ReplicatedOp;

/// The path peers receive replication on.
pub const REPLICATION_PATH: &str = "/replication";
/// The most changes sent in one request.
const MAX_BATCH: usize = 256;
/// How long a replication request may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(1);
/// How long to wait before sending again after a failed attempt.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// The body of a replication request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Batch {
    /// Changes, in their origin's order.
    pub ops: Vec<ReplicatedOp>,
}

/// The link to one peer region.
#[derive(Debug)]
pub struct PeerLink {
    /// The peer's base URL.
    pub url: String,
    /// The deployment's shared secret, presented with every batch.
    secret: String,
    queue: Mutex<VecDeque<(Instant, ReplicatedOp)>>,
    wake: Notify,
    acked: watch::Sender<u64>,
}

impl PeerLink {
    /// A link to the peer at `url`, authenticated by `secret`, with nothing queued.
    pub fn new(url: &str, secret: &str) -> Self {
        PeerLink {
            url: url.trim_end_matches('/').to_string(),
            secret: secret.to_string(),
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            acked: watch::Sender::new(0),
        }
    }

    /// Queues a change for this peer.
    pub fn enqueue(&self, op: ReplicatedOp) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.push_back((Instant::now(), op));
        }
        self.wake.notify_one();
    }

    /// Waits until the peer has accepted this region's change number `number`, or `deadline`.
    /// Returns whether it did.
    pub async fn wait_acked(&self, number: u64, deadline: Instant) -> bool {
        let mut acked = self.acked.subscribe();
        tokio::time::timeout_at(deadline, acked.wait_for(|n| *n >= number))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The changes whose lag has passed, oldest first, and when the next one comes due.
    fn due(&self, lag: Duration) -> (Vec<ReplicatedOp>, Option<Instant>) {
        let Ok(queue) = self.queue.lock() else {
            return (Vec::new(), None);
        };
        let now = Instant::now();
        let ready: Vec<ReplicatedOp> = queue
            .iter()
            .take_while(|(queued, _)| *queued + lag <= now)
            .take(MAX_BATCH)
            .map(|(_, op)| op.clone())
            .collect();
        let next = queue.get(ready.len()).map(|(queued, _)| *queued + lag);
        (ready, next)
    }

    /// Drops the first `count` queued changes (accepted by the peer).
    fn pop(&self, count: usize) {
        if let Ok(mut queue) = self.queue.lock() {
            let count = count.min(queue.len());
            queue.drain(..count);
        }
    }

    /// Sends queued changes to the peer, forever (the server aborts the task on shutdown).
    pub async fn run(self: Arc<Self>, lag: Duration) {
        let http = match reqwest::Client::builder().timeout(SEND_TIMEOUT).build() {
            Ok(http) => http,
            Err(e) => {
                eprintln!(
                    "ticketd: cannot build the replication client for {}: {e}",
                    self.url
                );
                return;
            }
        };
        let url = format!("{}{REPLICATION_PATH}", self.url);
        loop {
            let (ready, next) = self.due(lag);
            if ready.is_empty() {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => self.wake.notified().await,
                }
                continue;
            }
            let last = ready.last().map(|op| op.number).unwrap_or(0);
            let count = ready.len();
            let sent = http
                .post(&url)
                .bearer_auth(&self.secret)
                .json(&Batch { ops: ready })
                .send()
                .await;
            if sent.is_ok_and(|reply| reply.status().is_success()) {
                self.pop(count);
                self.acked.send_replace(last);
            } else {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}
