//! The etcd-backed design: etcd's Raft log is the single ordered source of truth.

mod batch;
mod gateway;
mod keys;
mod place;
mod reads;
mod sweeper;
mod transitions;

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::{CrashPlan, EtcdConfig, ReadMode};
use crate::error::TicketError;
use crate::model::{EventView, HoldChange, HoldsQuery, HoldsView, LogKind, LogView, PlacedHold};
use crate::tickets::Tickets;
use crate::validate::PlaceHold;

pub use gateway::GatewayError;
use gateway::{Gateway, Kv};
use keys::Keys;
pub use place::MAX_BATCH_LIMIT;
pub use sweeper::run_sweeper;

/// What the idempotency key of a request id holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RequestRecord {
    hold: String,
    expires_at: u64,
}

/// The ticket operations on etcd.
#[derive(Debug)]
pub struct EtcdTickets {
    gateway: Gateway,
    keys: Keys,
    reads: ReadMode,
    hold_ttl: Duration,
    min_seq_wait: Duration,
    non_atomic: bool,
    max_batch: usize,
    crash: Option<CrashPlan>,
    non_atomic_count: AtomicU32,
    /// One queue per event: this instance sends one placeHold txn per event at a time, carrying a
    /// batch of placeHolds (see `batch`), so its own clients do not fail each other's compares.
    event_queues: Mutex<HashMap<String, Arc<batch::EventQueue>>>,
}

impl EtcdTickets {
    /// Ticket operations against the member in `config`.
    pub fn new(
        config: &EtcdConfig,
        hold_ttl: Duration,
        min_seq_wait: Duration,
    ) -> Result<Self, GatewayError> {
        Ok(EtcdTickets {
            gateway: Gateway::new(&config.endpoint, config.store_timeout)?,
            keys: Keys::new(&config.key_prefix),
            reads: config.reads,
            hold_ttl,
            min_seq_wait,
            non_atomic: config.non_atomic,
            max_batch: config.max_batch,
            crash: config.crash,
            non_atomic_count: AtomicU32::new(0),
            event_queues: Mutex::new(HashMap::new()),
        })
    }
}

impl From<GatewayError> for TicketError {
    fn from(e: GatewayError) -> Self {
        TicketError::Unavailable(e.to_string())
    }
}

/// Decodes a stored JSON value; a value ticketd cannot read makes the store unusable (503).
fn decode<T: DeserializeOwned>(kv: &Kv) -> Result<T, TicketError> {
    serde_json::from_slice(&kv.value).map_err(|e| {
        TicketError::Unavailable(format!(
            "the stored value of {} is not ticketd's: {e}",
            String::from_utf8_lossy(&kv.key)
        ))
    })
}

/// Encodes a record for storing.
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

impl Tickets for EtcdTickets {
    async fn create_event(
        &self,
        event: &str,
        capacity: u64,
    ) -> Result<(bool, EventView), TicketError> {
        self.create(event, capacity).await
    }

    async fn place_hold(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        if !self.non_atomic {
            return self.place_batched(event, request).await;
        }
        let queue = self.event_queue(event)?;
        let _turn = tokio::time::timeout(place::CONTENTION_DEADLINE, queue.turn.lock())
            .await
            .map_err(|_| TicketError::Contention { attempts: 0 })?;
        self.place_non_atomic(event, request).await
    }

    async fn finish_hold(&self, hold: &str, kind: LogKind) -> Result<HoldChange, TicketError> {
        self.transition(hold, kind).await
    }

    async fn read_event(
        &self,
        event: &str,
        min_seq: Option<i64>,
    ) -> Result<EventView, TicketError> {
        self.event(event, min_seq).await
    }

    async fn list_holds(
        &self,
        event: &str,
        query: &HoldsQuery,
        min_seq: Option<i64>,
    ) -> Result<HoldsView, TicketError> {
        self.holds(event, query, min_seq).await
    }

    async fn read_log(
        &self,
        event: &str,
        after: i64,
        min_seq: Option<i64>,
    ) -> Result<LogView, TicketError> {
        self.log(event, after, min_seq).await
    }
}
