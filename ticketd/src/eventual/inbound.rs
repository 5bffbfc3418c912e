//! The receiving end of replication: `POST /replication` accepts a batch only from a peer that
//! presents the deployment's shared secret, and only when every change in it passes the same
//! checks a client's request would; a batch with one bad change is refused whole.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;

use super::replication::{Batch, REPLICATION_PATH};
use super::state::{Change, ReplicatedOp};
use super::Region;
use crate::error::TicketError;
use crate::http;
use crate::model::{HoldState, LogKind};
use crate::validate::{check_name, hold_event, MAX_CAPACITY};

/// The largest replication batch a region accepts, in bytes.
const MAX_REPLICATION_BYTES: usize = 64 * 1024 * 1024;

/// What the replication route needs: the region, the shared secret, the client limits.
struct Inbound {
    region: Arc<Region>,
    secret: String,
    max_qty: u32,
}

/// The replication route of `region`, guarded by `secret`.
pub fn router(region: Arc<Region>, secret: String, max_qty: u32) -> Router {
    Router::new()
        .route(REPLICATION_PATH, post(receive))
        .layer(DefaultBodyLimit::max(MAX_REPLICATION_BYTES))
        .with_state(Arc::new(Inbound {
            region,
            secret,
            max_qty,
        }))
}

/// Applies a replication batch from an authenticated peer, after checking every change.
async fn receive(
    State(inbound): State<Arc<Inbound>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(), TicketError> {
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|p| same_secret(p, &inbound.secret)) {
        return Err(TicketError::Unauthorized);
    }
    let bytes = http::body(raw, MAX_REPLICATION_BYTES)?;
    let batch: Batch = serde_json::from_slice(&bytes)
        .map_err(|e| TicketError::BadRequest(format!("not a replication batch: {e}")))?;
    for op in &batch.ops {
        check(op, inbound.max_qty).map_err(|e| {
            TicketError::BadRequest(format!(
                "replicated change {} from {:?} refused, with its whole batch: {e}",
                op.number, op.origin
            ))
        })?;
    }
    inbound.region.receive(&batch)
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(presented: &str, secret: &str) -> bool {
    let (a, b) = (presented.as_bytes(), secret.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks one replicated change as the client request that made it would have been checked.
fn check(op: &ReplicatedOp, max_qty: u32) -> Result<(), TicketError> {
    check_name("region", &op.origin)?;
    if op.number == 0 {
        return Err(TicketError::BadRequest(
            "change numbers count from 1".into(),
        ));
    }
    match &op.change {
        Change::EventCreated { event, capacity } => {
            check_name("event", event)?;
            if *capacity > MAX_CAPACITY {
                return Err(TicketError::BadRequest(format!(
                    "capacity {capacity} is out of range: 0 to {MAX_CAPACITY}"
                )));
            }
        }
        Change::HoldPlaced { hold } => {
            check_name("event", &hold.event)?;
            check_name("user", &hold.user)?;
            check_name("request_id", &hold.request_id)?;
            if hold.qty < 1 || hold.qty > max_qty {
                return Err(TicketError::BadRequest(format!(
                    "qty {} is out of range: 1 to {max_qty}",
                    hold.qty
                )));
            }
            if hold_event(&hold.hold).ok() != Some(hold.event.as_str()) {
                return Err(TicketError::BadRequest(format!(
                    "hold id {:?} does not belong to event {:?}",
                    hold.hold, hold.event
                )));
            }
            if hold.state != HoldState::Active {
                return Err(TicketError::BadRequest(
                    "a placed hold must be active".into(),
                ));
            }
        }
        Change::HoldEnded { hold, kind } => {
            hold_event(hold).map_err(|_| {
                TicketError::BadRequest(format!("{hold:?} is not a hold id ticketd issues"))
            })?;
            if *kind == LogKind::HoldPlaced {
                return Err(TicketError::BadRequest(
                    "a hold ends confirmed, released or expired, not placed".into(),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_exactly() {
        assert!(same_secret("s3cret-s3cret-s3cret", "s3cret-s3cret-s3cret"));
        assert!(!same_secret("s3cret-s3cret-s3creT", "s3cret-s3cret-s3cret"));
        assert!(!same_secret("s3cret", "s3cret-s3cret-s3cret"));
        assert!(!same_secret("", "s3cret-s3cret-s3cret"));
    }
}
