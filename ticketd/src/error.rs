//! The errors a ticket operation can end in, and the JSON error reply each one becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Why a ticket operation did not succeed; each variant maps to one HTTP status and error code.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TicketError {
    /// The request itself is wrong (missing field, qty out of range, malformed JSON, ...).
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than {limit} bytes; send a smaller body")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The path or method is not part of the contract.
    #[error("no such route; see docs/http-contract.md for the routes ticketd serves")]
    NoRoute,
    /// A replication batch without the deployment's shared secret.
    #[error("replication needs the peers' shared secret as `Authorization: Bearer <secret>`")]
    Unauthorized,
    /// No event with this name was created.
    #[error("event {0:?} does not exist; create it with PUT /events/{0}")]
    UnknownEvent(String),
    /// The event exists already with another capacity.
    #[error("event {event:?} already exists with capacity {capacity}")]
    EventExists {
        /// The event name.
        event: String,
        /// Its existing capacity.
        capacity: u64,
    },
    /// No hold with this id exists.
    #[error("hold {0:?} does not exist")]
    UnknownHold(String),
    /// The hold was confirmed, released or expired already.
    #[error("hold {hold:?} is {state}, not active")]
    HoldNotActive {
        /// The hold id.
        hold: String,
        /// Its current state.
        state: String,
    },
    /// Fewer seats remain than were asked for.
    #[error("event {event:?} has {remaining} seats left, {requested} were asked for")]
    SoldOut {
        /// The event name.
        event: String,
        /// How many seats were asked for.
        requested: u32,
        /// How many this instance saw remaining.
        remaining: i64,
    },
    /// Eventual mode only: the peers did not acknowledge a hold in time, and the client is told the
    /// hold failed as if sold out, although the local write stays and replicates later
    /// (ConcertFrenzy's "Hold failed", then charged).
    #[error("hold failed: region {peer} did not confirm the seats within {waited_ms} ms")]
    HoldFailed {
        /// The peer that did not answer.
        peer: String,
        /// How long placeHold waited.
        waited_ms: u128,
    },
    /// The store did not answer in time or at all: the outcome of a write is unknown.
    #[error("the store could not answer ({0}); the outcome of this request is unknown, retry with the same request_id")]
    Unavailable(String),
    /// A `min_seq` read could not catch up within the bounded wait.
    #[error("this instance has reached seq {reached}, not min_seq {min_seq}, within {waited_ms} ms; retry later or read from another instance")]
    Stale {
        /// The sequence number asked for.
        min_seq: i64,
        /// The sequence number reached.
        reached: i64,
        /// How long the read waited.
        waited_ms: u128,
    },
    /// placeHold lost every compare-and-swap race until its deadline; nothing was held.
    #[error("placeHold did not get through the contention on this event in time ({attempts} lost attempts); nothing was held, retry")]
    Contention {
        /// How many transactions were tried.
        attempts: u32,
    },
}

impl TicketError {
    /// The HTTP status and the machine-readable `error` code of this error.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            TicketError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            TicketError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            TicketError::NoRoute => (StatusCode::NOT_FOUND, "no_route"),
            TicketError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            TicketError::UnknownEvent(_) => (StatusCode::NOT_FOUND, "unknown_event"),
            TicketError::EventExists { .. } => (StatusCode::CONFLICT, "event_exists"),
            TicketError::UnknownHold(_) => (StatusCode::NOT_FOUND, "unknown_hold"),
            TicketError::HoldNotActive { .. } => (StatusCode::CONFLICT, "hold_not_active"),
            TicketError::SoldOut { .. } | TicketError::HoldFailed { .. } => {
                (StatusCode::CONFLICT, "sold_out")
            }
            TicketError::Unavailable(_) | TicketError::Contention { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            TicketError::Stale { .. } => (StatusCode::SERVICE_UNAVAILABLE, "stale"),
        }
    }
}

impl IntoResponse for TicketError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = json!({"error": code, "message": self.to_string()});
        (status, Json(body)).into_response()
    }
}
