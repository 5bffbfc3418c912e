//! The read routes in etcd mode: linearizable or serializable ranges, and `min_seq` waits.

use std::time::Instant;

use super::gateway::{Range, RangeReply};
use super::place::view;
use super::{decode, EtcdTickets};
use crate::config::ReadMode;
use crate::error::TicketError;
use crate::model::{EventView, HoldRecord, HoldState, HoldsQuery, HoldsView, LogEntry, LogView};

/// How often a `min_seq` read polls the member while it waits to catch up.
const CATCH_UP_POLL: std::time::Duration = std::time::Duration::from_millis(10);

impl EtcdTickets {
    /// Runs a range the configured way; with `min_seq`, repeats it until the member's revision has
    /// reached `min_seq` or the bounded wait is over.
    async fn read(
        &self,
        mut range: Range,
        min_seq: Option<i64>,
    ) -> Result<RangeReply, TicketError> {
        range.serializable = self.reads == ReadMode::Serializable;
        let started = Instant::now();
        loop {
            let reply = self.gateway.range(&range).await?;
            let reached = reply.header.revision;
            match min_seq {
                Some(min_seq) if reached < min_seq => {
                    if started.elapsed() >= self.min_seq_wait {
                        return Err(TicketError::Stale {
                            min_seq,
                            reached,
                            waited_ms: started.elapsed().as_millis(),
                        });
                    }
                    tokio::time::sleep(CATCH_UP_POLL).await;
                }
                _ => return Ok(reply),
            }
        }
    }

    /// Fails with unknown_event when the event's inventory does not exist (at the read's revision
    /// or later).
    async fn require_event(&self, event: &str) -> Result<(), TicketError> {
        let range = Range {
            key: self.keys.inventory(event),
            ..Range::default()
        };
        match self.read(range, None).await?.kvs.is_empty() {
            true => Err(TicketError::UnknownEvent(event.to_string())),
            false => Ok(()),
        }
    }

    /// Reads an event's inventory.
    pub(super) async fn event(
        &self,
        event: &str,
        min_seq: Option<i64>,
    ) -> Result<EventView, TicketError> {
        let range = Range {
            key: self.keys.inventory(event),
            ..Range::default()
        };
        let reply = self.read(range, min_seq).await?;
        let kv = reply
            .kvs
            .first()
            .ok_or_else(|| TicketError::UnknownEvent(event.to_string()))?;
        Ok(view(event, decode(kv)?, reply.header.revision))
    }

    /// Lists an event's active and confirmed holds, of one user or of all.
    pub(super) async fn holds(
        &self,
        event: &str,
        query: &HoldsQuery,
        min_seq: Option<i64>,
    ) -> Result<HoldsView, TicketError> {
        let range = Range {
            key: self.keys.holds(event),
            prefix: true,
            ..Range::default()
        };
        let reply = self.read(range, min_seq).await?;
        if reply.kvs.is_empty() {
            self.require_event(event).await?;
        }
        let mut view = HoldsView {
            event: event.to_string(),
            holds: Vec::new(),
            confirmed: Vec::new(),
            seq: reply.header.revision,
        };
        for kv in &reply.kvs {
            let hold: HoldRecord = decode(kv)?;
            if query.user.as_ref().is_some_and(|u| *u != hold.user) {
                continue;
            }
            match hold.state {
                HoldState::Active => view.holds.push(hold.hold),
                HoldState::Confirmed => view.confirmed.push(hold.hold),
                HoldState::Released | HoldState::Expired => {}
            }
        }
        Ok(view)
    }

    /// Reads an event's log entries written after sequence number `after`, in order.
    pub(super) async fn log(
        &self,
        event: &str,
        after: i64,
        min_seq: Option<i64>,
    ) -> Result<LogView, TicketError> {
        let range = Range {
            key: self.keys.logs(event),
            prefix: true,
            created_after: after,
            by_creation: true,
            ..Range::default()
        };
        let reply = self.read(range, min_seq).await?;
        if reply.kvs.is_empty() {
            self.require_event(event).await?;
        }
        let entries = reply
            .kvs
            .iter()
            .map(|kv| {
                Ok(LogEntry {
                    seq: kv.create_revision,
                    record: decode(kv)?,
                })
            })
            .collect::<Result<Vec<_>, TicketError>>()?;
        Ok(LogView {
            event: event.to_string(),
            entries,
            seq: reply.header.revision,
        })
    }
}
