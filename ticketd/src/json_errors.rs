//! Every error ticketd answers is the contract's JSON error: replies the framework makes on its
//! own (405 for a method a route lacks, 400 for a path that does not decode, 413, 415) are
//! rewritten to `{"error": "<code>", "message": "..."}` with their status kept.

use axum::body::to_bytes;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The most of a framework reply's text kept as the message.
const MESSAGE_BYTES: usize = 1024;

/// Rewrites an error reply that is not JSON into the contract's JSON error.
pub async fn as_json(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let allow = response.headers().get(ALLOW).cloned();
    let text = to_bytes(response.into_body(), MESSAGE_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match (status, text.is_empty()) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => format!(
            "this route does not take that method{}; see docs/http-contract.md",
            allow
                .as_ref()
                .and_then(|a| a.to_str().ok())
                .map(|a| format!(" (it takes {a})"))
                .unwrap_or_default()
        ),
        (_, true) => status.canonical_reason().unwrap_or("error").to_string(),
        (_, false) => text,
    };
    let body = json!({"error": code(status), "message": message});
    let mut reply = (status, Json(body)).into_response();
    if let Some(allow) = allow {
        reply.headers_mut().insert(ALLOW, allow);
    }
    reply
}

/// The contract's error code for a status the framework answered with.
fn code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "no_route",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}
