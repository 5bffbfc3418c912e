//! One region's copy of everything, and the changes that regions apply locally and replicate.
//! Applying never refuses a replicated change: a merge of two regions that both sold the last seats
//! leaves a negative `remaining` (an honest oversell), as ConcertFrenzy's merge does.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{HoldRecord, HoldState, Inventory, LogEntry, LogKind, LogRecord};

/// A change one region made, as it is replicated to the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// An event was created.
    EventCreated {
        /// Its name.
        event: String,
        /// Its seats.
        capacity: u64,
    },
    /// A hold was placed.
    HoldPlaced {
        /// The new hold.
        hold: HoldRecord,
    },
    /// A hold was confirmed, released or expired.
    HoldEnded {
        /// The hold id.
        hold: String,
        /// HoldConfirmed, HoldReleased or HoldExpired.
        kind: LogKind,
    },
}

/// A change with its origin region and its number there (numbers count up from 1 per origin).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplicatedOp {
    /// The region that made the change.
    pub origin: String,
    /// Its number in that region's sequence of changes.
    pub number: u64,
    /// The change.
    pub change: Change,
}

/// One event as this region sees it.
#[derive(Debug, Clone)]
pub struct EventCopy {
    /// Seats and what is left of them here.
    pub inventory: Inventory,
    /// False while only holds of the event, not its creation, have arrived here.
    pub created: bool,
    /// The event's log as applied here, in this region's order.
    pub log: Vec<LogEntry>,
}

impl EventCopy {
    /// An event known only from holds that arrived before its creation.
    fn not_yet_created() -> Self {
        EventCopy {
            inventory: Inventory {
                capacity: 0,
                remaining: 0,
            },
            created: false,
            log: Vec::new(),
        }
    }
}

/// Where an earlier placeHold with a request id ended up.
#[derive(Debug, Clone)]
pub struct PlacedRecord {
    /// The hold it created.
    pub hold: String,
    /// The seq at which this region applied it.
    pub seq: i64,
    /// When it expires.
    pub expires_at: u64,
}

/// A region's state.
#[derive(Debug, Default)]
pub struct RegionState {
    /// This region's sequence number: one more per applied change, local or replicated.
    pub seq: i64,
    /// Events by name.
    pub events: HashMap<String, EventCopy>,
    /// Holds by id.
    pub holds: BTreeMap<String, HoldRecord>,
    /// Holds by (event, request id), for idempotent retries.
    pub requests: HashMap<(String, String), PlacedRecord>,
    /// Per origin region, the number of the last change applied from it.
    pub applied: HashMap<String, u64>,
    /// How many changes this region has made itself.
    pub made: u64,
}

impl RegionState {
    /// Applies one change; returns false when it changed nothing (already known or moot).
    pub fn apply(&mut self, change: &Change) -> bool {
        match change {
            Change::EventCreated { event, capacity } => self.create(event, *capacity),
            Change::HoldPlaced { hold } => self.place(hold),
            Change::HoldEnded { hold, kind } => self.end(hold, *kind),
        }
    }

    /// Applies a replicated change unless it was applied before.
    pub fn apply_replicated(&mut self, op: &ReplicatedOp) {
        let last = self.applied.entry(op.origin.clone()).or_insert(0);
        if op.number > *last {
            *last = op.number;
            self.apply(&op.change);
        }
    }

    fn create(&mut self, event: &str, capacity: u64) -> bool {
        let copy = self
            .events
            .entry(event.to_string())
            .or_insert(EventCopy::not_yet_created());
        if copy.created {
            return false;
        }
        copy.created = true;
        copy.inventory.capacity = capacity;
        copy.inventory.remaining += capacity as i64;
        self.seq += 1;
        true
    }

    fn place(&mut self, hold: &HoldRecord) -> bool {
        if self.holds.contains_key(&hold.hold) {
            return false;
        }
        self.seq += 1;
        let seq = self.seq;
        let copy = self
            .events
            .entry(hold.event.clone())
            .or_insert(EventCopy::not_yet_created());
        copy.inventory.remaining -= i64::from(hold.qty);
        copy.log.push(LogEntry {
            seq,
            record: LogRecord::of(LogKind::HoldPlaced, hold),
        });
        self.requests.insert(
            (hold.event.clone(), hold.request_id.clone()),
            PlacedRecord {
                hold: hold.hold.clone(),
                seq,
                expires_at: hold.expires_at,
            },
        );
        self.holds.insert(hold.hold.clone(), hold.clone());
        true
    }

    fn end(&mut self, hold_id: &str, kind: LogKind) -> bool {
        let Some(hold) = self.holds.get_mut(hold_id) else {
            return false;
        };
        if hold.state != HoldState::Active {
            return false;
        }
        hold.state = kind.resulting_state();
        self.seq += 1;
        let seq = self.seq;
        if let Some(copy) = self.events.get_mut(&hold.event) {
            if kind != LogKind::HoldConfirmed {
                copy.inventory.remaining += i64::from(hold.qty);
            }
            copy.log.push(LogEntry {
                seq,
                record: LogRecord::of(kind, hold),
            });
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(id: &str, qty: u32) -> HoldRecord {
        HoldRecord {
            hold: id.to_string(),
            event: "e1".to_string(),
            user: "u".to_string(),
            qty,
            request_id: id.to_string(),
            state: HoldState::Active,
            expires_at: u64::MAX,
        }
    }

    #[test]
    fn a_merge_of_two_regions_that_sold_the_same_seats_oversells() {
        let mut region = RegionState::default();
        region.apply(&Change::EventCreated {
            event: "e1".into(),
            capacity: 2,
        });
        region.apply(&Change::HoldPlaced {
            hold: hold("e1:eu-2", 2),
        });
        let remote = ReplicatedOp {
            origin: "na".into(),
            number: 1,
            change: Change::HoldPlaced {
                hold: hold("e1:na-1", 2),
            },
        };
        region.apply_replicated(&remote);
        region.apply_replicated(&remote);
        assert_eq!(region.events["e1"].inventory.remaining, -2);
        assert_eq!(region.events["e1"].log.len(), 2);
        assert_eq!(region.seq, 3);
    }
}
