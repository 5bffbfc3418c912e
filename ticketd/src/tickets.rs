//! The operations of the contract, which every design implements and the HTTP layer calls.

use std::future::Future;

use crate::error::TicketError;
use crate::model::{EventView, HoldChange, HoldsQuery, HoldsView, LogKind, LogView, PlacedHold};
use crate::validate::PlaceHold;

/// The ticket operations, independent of HTTP. `min_seq` asks for a read that reflects every write
/// up to that sequence number.
pub trait Tickets: Send + Sync + 'static {
    /// Creates an event with `capacity` seats (idempotent for the same capacity); true when created.
    fn create_event(
        &self,
        event: &str,
        capacity: u64,
    ) -> impl Future<Output = Result<(bool, EventView), TicketError>> + Send;

    /// Places a hold, or returns the hold an earlier request with the same request id placed.
    fn place_hold(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> impl Future<Output = Result<PlacedHold, TicketError>> + Send;

    /// Checks out an active hold (`HoldConfirmed`) or gives it back (`HoldReleased`).
    fn finish_hold(
        &self,
        hold: &str,
        kind: LogKind,
    ) -> impl Future<Output = Result<HoldChange, TicketError>> + Send;

    /// Reads an event's inventory.
    fn read_event(
        &self,
        event: &str,
        min_seq: Option<i64>,
    ) -> impl Future<Output = Result<EventView, TicketError>> + Send;

    /// Lists an event's holds.
    fn list_holds(
        &self,
        event: &str,
        query: &HoldsQuery,
        min_seq: Option<i64>,
    ) -> impl Future<Output = Result<HoldsView, TicketError>> + Send;

    /// Reads an event's log entries with a sequence number above `after`.
    fn read_log(
        &self,
        event: &str,
        after: i64,
        min_seq: Option<i64>,
    ) -> impl Future<Output = Result<LogView, TicketError>> + Send;
}
