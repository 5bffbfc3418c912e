//! The HTTP contract (docs/http-contract.md): routes, body and query parsing, JSON replies.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::json;

use crate::error::TicketError;
use crate::model::{HoldsQuery, LogKind};
use crate::tickets::Tickets;
use crate::validate;

/// What every handler shares: the design serving the contract and the input limits.
pub struct App<T> {
    /// The design.
    pub tickets: Arc<T>,
    /// The largest qty of one placeHold.
    pub max_qty: u32,
    /// The largest accepted body, in bytes.
    pub max_body_bytes: usize,
}

type Shared<T> = State<Arc<App<T>>>;

/// The contract's routes over `app`.
pub fn router<T: Tickets>(app: App<T>) -> Router {
    let limit = app.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .route(
            "/events/{event}",
            put(create_event::<T>).get(read_event::<T>),
        )
        .route(
            "/events/{event}/holds",
            post(place_hold::<T>).get(list_holds::<T>),
        )
        .route("/events/{event}/log", get(read_log::<T>))
        .route("/holds/{hold}/confirm", post(confirm::<T>))
        .route("/holds/{hold}", delete(release::<T>))
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(Arc::new(app))
}

/// The body, or body_too_large / bad_request as a JSON error.
pub fn body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, TicketError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => TicketError::BodyTooLarge { limit },
        _ => TicketError::BadRequest(format!("the request body could not be read: {rejection}")),
    })
}

/// Parses an optional integer query parameter, naming it when it is not one.
fn int_param(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, TicketError> {
    params
        .get(name)
        .map(|raw| {
            raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                TicketError::BadRequest(format!(
                    "query parameter {name}={raw:?} must be a non-negative integer"
                ))
            })
        })
        .transpose()
}

/// Checks the event name of a read and parses its `min_seq`.
fn read_params(event: &str, params: &HashMap<String, String>) -> Result<Option<i64>, TicketError> {
    validate::check_name("event", event)?;
    int_param(params, "min_seq")
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn create_event<T: Tickets>(
    State(app): Shared<T>,
    Path(event): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, TicketError> {
    validate::check_name("event", &event)?;
    let capacity = validate::create_event(&body(raw, app.max_body_bytes)?)?;
    let (created, view) = app.tickets.create_event(&event, capacity).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

async fn place_hold<T: Tickets>(
    State(app): Shared<T>,
    Path(event): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, TicketError> {
    validate::check_name("event", &event)?;
    let request = validate::place_hold(&body(raw, app.max_body_bytes)?, app.max_qty)?;
    let placed = app.tickets.place_hold(&event, &request).await?;
    let status = if placed.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(placed)).into_response())
}

async fn finish<T: Tickets>(
    app: &App<T>,
    hold: &str,
    kind: LogKind,
) -> Result<Response, TicketError> {
    let change = app.tickets.finish_hold(hold, kind).await?;
    Ok(Json(change).into_response())
}

async fn confirm<T: Tickets>(
    State(app): Shared<T>,
    Path(hold): Path<String>,
) -> Result<Response, TicketError> {
    finish(&app, &hold, LogKind::HoldConfirmed).await
}

async fn release<T: Tickets>(
    State(app): Shared<T>,
    Path(hold): Path<String>,
) -> Result<Response, TicketError> {
    finish(&app, &hold, LogKind::HoldReleased).await
}

async fn read_event<T: Tickets>(
    State(app): Shared<T>,
    Path(event): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, TicketError> {
    let min_seq = read_params(&event, &params)?;
    Ok(Json(app.tickets.read_event(&event, min_seq).await?).into_response())
}

async fn list_holds<T: Tickets>(
    State(app): Shared<T>,
    Path(event): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, TicketError> {
    let min_seq = read_params(&event, &params)?;
    let user = params.get("user").cloned();
    if let Some(user) = &user {
        validate::check_name("user", user)?;
    }
    let view = app
        .tickets
        .list_holds(&event, &HoldsQuery { user }, min_seq)
        .await?;
    Ok(Json(view).into_response())
}

async fn read_log<T: Tickets>(
    State(app): Shared<T>,
    Path(event): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, TicketError> {
    let min_seq = read_params(&event, &params)?;
    let after = int_param(&params, "after")?.unwrap_or(0);
    Ok(Json(app.tickets.read_log(&event, after, min_seq).await?).into_response())
}

/// The JSON reply for a path or method the contract does not have.
pub async fn no_route() -> TicketError {
    TicketError::NoRoute
}
