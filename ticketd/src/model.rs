//! The records ticketd stores and the JSON bodies of its replies.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::validate::PlaceHold;

/// The seats of one event.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Inventory {
    /// Seats the event was created with.
    pub capacity: u64,
    /// Seats not held or sold; negative when a merge of regions oversold.
    pub remaining: i64,
}

/// Where a hold is in its life.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    /// Placed, seats taken, not yet paid.
    Active,
    /// Checked out: the seats are sold.
    Confirmed,
    /// Given back by the user.
    Released,
    /// Given back by the expiry sweeper.
    Expired,
}

impl HoldState {
    /// The state's name as the contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            HoldState::Active => "active",
            HoldState::Confirmed => "confirmed",
            HoldState::Released => "released",
            HoldState::Expired => "expired",
        }
    }
}

/// One hold, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HoldRecord {
    /// The hold id, `event:token`.
    pub hold: String,
    /// The event it holds seats of.
    pub event: String,
    /// Who holds them.
    pub user: String,
    /// How many seats.
    pub qty: u32,
    /// The client's idempotency key of the placeHold that created it.
    pub request_id: String,
    /// Where it is in its life.
    pub state: HoldState,
    /// When it expires, in milliseconds since the Unix epoch.
    pub expires_at: u64,
}

impl HoldRecord {
    /// A new active hold with id `hold` for `request`, expiring `ttl` from now.
    pub fn placed(hold: String, event: &str, request: &PlaceHold, ttl: Duration) -> Self {
        HoldRecord {
            hold,
            event: event.to_string(),
            user: request.user.clone(),
            qty: request.qty,
            request_id: request.request_id.clone(),
            state: HoldState::Active,
            expires_at: now_ms() + ttl.as_millis() as u64,
        }
    }
}

impl HoldRecord {
    /// Why the transition `kind` cannot happen to this hold at `now` (ms): the state to report.
    /// A hold past its expiry time counts as expired (the sweeper has not got to it yet); a hold not
    /// yet due cannot expire. None when the transition can happen.
    pub fn blocker(&self, kind: LogKind, now: u64) -> Option<HoldState> {
        let due = self.expires_at <= now;
        match (self.state, kind == LogKind::HoldExpired) {
            (HoldState::Active, true) if !due => Some(HoldState::Active),
            (HoldState::Active, false) if due => Some(HoldState::Expired),
            (HoldState::Active, _) => None,
            (other, _) => Some(other),
        }
    }
}

/// The kinds of entries in an event's log (named as the contract spells them).
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum LogKind {
    /// A hold was placed (the payment service reserves the charge).
    HoldPlaced,
    /// The user released a hold.
    HoldReleased,
    /// The user checked out: charge.
    HoldConfirmed,
    /// The hold expired and its seats came back.
    HoldExpired,
}

impl LogKind {
    /// The state a hold is in after this entry (placed holds are active).
    pub fn resulting_state(self) -> HoldState {
        match self {
            LogKind::HoldPlaced => HoldState::Active,
            LogKind::HoldReleased => HoldState::Released,
            LogKind::HoldConfirmed => HoldState::Confirmed,
            LogKind::HoldExpired => HoldState::Expired,
        }
    }

    /// The entry's name as the contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            LogKind::HoldPlaced => "HoldPlaced",
            LogKind::HoldReleased => "HoldReleased",
            LogKind::HoldConfirmed => "HoldConfirmed",
            LogKind::HoldExpired => "HoldExpired",
        }
    }
}

/// One entry of an event's log, without its sequence number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LogRecord {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: LogKind,
    /// To which hold.
    pub hold: String,
    /// The hold's user.
    pub user: String,
    /// The hold's seats.
    pub qty: u32,
    /// The request id of the placeHold that created the hold.
    pub request_id: String,
}

impl LogRecord {
    /// The entry `kind` for this hold.
    pub fn of(kind: LogKind, hold: &HoldRecord) -> Self {
        LogRecord {
            kind,
            hold: hold.hold.clone(),
            user: hold.user.clone(),
            qty: hold.qty,
            request_id: hold.request_id.clone(),
        }
    }
}

/// One entry of an event's log with the sequence number it was written at.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LogEntry {
    /// The sequence number (etcd revision, or the region's counter) of the write.
    pub seq: i64,
    /// The entry.
    #[serde(flatten)]
    pub record: LogRecord,
}

/// The reply to a successful placeHold.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedHold {
    /// The new (or, for a retried request id, the existing) hold id.
    pub hold: String,
    /// The sequence number of the write that created it.
    pub seq: i64,
    /// When it expires, in milliseconds since the Unix epoch.
    pub expires_at: u64,
    /// True when the request id had been seen and nothing new was created.
    pub replayed: bool,
}

/// The reply to reading an event.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// The event name.
    pub event: String,
    /// Seats it was created with.
    pub capacity: u64,
    /// Seats still available.
    pub remaining: i64,
    /// The sequence number the read reflects.
    pub seq: i64,
}

/// The reply to listing holds.
#[derive(Debug, Clone, Serialize)]
pub struct HoldsView {
    /// The event name.
    pub event: String,
    /// Ids of the active (placed, not confirmed, released or expired) holds, in id order.
    pub holds: Vec<String>,
    /// Ids of the confirmed (sold) holds, in id order.
    pub confirmed: Vec<String>,
    /// The sequence number the read reflects.
    pub seq: i64,
}

/// The reply to reading the log.
#[derive(Debug, Clone, Serialize)]
pub struct LogView {
    /// The event name.
    pub event: String,
    /// Entries after the requested sequence number, in order.
    pub entries: Vec<LogEntry>,
    /// The sequence number the read reflects.
    pub seq: i64,
}

/// The reply to confirming or releasing a hold.
#[derive(Debug, Clone, Serialize)]
pub struct HoldChange {
    /// The hold id.
    pub hold: String,
    /// The state it is in now.
    pub state: HoldState,
    /// The sequence number of the write.
    pub seq: i64,
}

/// A selection of holds to list.
#[derive(Debug, Clone)]
pub struct HoldsQuery {
    /// Only this user's holds, or everybody's.
    pub user: Option<String>,
}

/// The current wall clock in milliseconds since the Unix epoch (hold expiry is wall-clock time).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
