//! The ticket HTTP contract (docs/http-contract.md) as a workload client.

use crate::access::Access;
use crate::client::Client;
use crate::error::PreflightError;
use crate::op::{with_fields, Completion, Op};
use crate::transport::{
    join, node_url, retry_dropped, root_cause, transport_failure, unreachable_node,
};
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Value};

/// The contract's name in preflight errors.
const CONTRACT: &str = "ticket HTTP contract";

/// A preflight refusal: the contract's "try again later" (a 503 whose body is a JSON error) is
/// [`PreflightError::Unavailable`], anything else `otherwise(what)`.
fn refused(
    base: &Url,
    status: StatusCode,
    body: &str,
    what: String,
    otherwise: impl FnOnce(String) -> PreflightError,
) -> PreflightError {
    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        PreflightError::Credentials {
            url: base.to_string(),
            reason: what,
        }
    } else if status == StatusCode::SERVICE_UNAVAILABLE && json_error(body) {
        PreflightError::Unavailable {
            url: base.to_string(),
            contract: CONTRACT,
            reason: what,
        }
    } else {
        otherwise(what)
    }
}

/// A reply body as one short quoted line, for an error sentence.
fn snippet(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{:?}", line.chars().take(120).collect::<String>())
}

/// True when `body` is the contract's JSON error, `{"error": "<code>", ...}`.
fn json_error(body: &str) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|v| v.get("error").is_some_and(Value::is_string))
}

/// Talks to one or more ticketd-compatible nodes over http or https.
pub struct TicketClient {
    http: reqwest::Client,
    nodes: Vec<Url>,
}

impl TicketClient {
    /// A client for `nodes` (base URLs); fails on a URL that is not http(s).
    pub fn new(nodes: &[String]) -> Result<TicketClient, PreflightError> {
        TicketClient::with_access(nodes, &Access::default())
    }

    /// Like [`TicketClient::new`], reaching the nodes with `access` (TLS, a bearer token).
    pub fn with_access(nodes: &[String], access: &Access) -> Result<TicketClient, PreflightError> {
        let nodes = nodes
            .iter()
            .map(|n| node_url(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TicketClient {
            http: access.http_client()?,
            nodes,
        })
    }

    /// Checks that every node answers `/health` and speaks the contract (an unknown event is a 404
    /// with a JSON error), then creates `events` with `capacity` seats on every node (creation is
    /// idempotent for the same capacity).
    pub async fn preflight(&self, events: &[String], capacity: u64) -> Result<(), PreflightError> {
        for base in &self.nodes {
            self.probe(base).await?;
        }
        for base in &self.nodes {
            for event in events {
                let url = join(base, &["events", event]);
                let reply = self
                    .http
                    .put(url)
                    .json(&json!({ "capacity": capacity }))
                    .send()
                    .await;
                let setup = |reason: String| PreflightError::Setup {
                    url: base.to_string(),
                    reason,
                };
                let reply = reply.map_err(|e| setup(root_cause(&e)))?;
                let status = reply.status();
                if !status.is_success() {
                    let body = reply.text().await.unwrap_or_default();
                    let what = format!("creating event {event} got {status} {}", snippet(&body));
                    return Err(refused(base, status, &body, what, setup));
                }
            }
        }
        Ok(())
    }

    async fn probe(&self, base: &Url) -> Result<(), PreflightError> {
        let wrong = |reason: String| PreflightError::WrongContract {
            url: base.to_string(),
            contract: CONTRACT,
            reason,
        };
        let health = retry_dropped(
            || self.http.get(join(base, &["health"])).send(),
            |e| Some(e),
        )
        .await;
        let health = health.map_err(|e| {
            unreachable_node(base.as_str(), &e).unwrap_or_else(|| PreflightError::Unreachable {
                url: base.to_string(),
                reason: root_cause(&e),
            })
        })?;
        let status = health.status();
        if !status.is_success() {
            let body = health.text().await.unwrap_or_default();
            let what = format!("GET /health answered {status} {}", snippet(&body));
            return Err(refused(base, status, &body, what, wrong));
        }
        let probe = join(base, &["events", "frenzy-preflight-no-such-event"]);
        let reply = self
            .http
            .get(probe)
            .send()
            .await
            .map_err(|e| wrong(root_cause(&e)))?;
        let status = reply.status();
        let body = reply.text().await.unwrap_or_default();
        if status == StatusCode::NOT_FOUND && json_error(&body) {
            return Ok(());
        }
        let what = format!(
            "GET /events/<unknown event> answered {status} {}, not 404 {{\"error\": ...}}",
            snippet(&body)
        );
        Err(refused(base, status, &body, what, wrong))
    }

    /// The request that performs `op` on `base`, or `None` for an operation outside the contract.
    fn request(&self, base: &Url, op: &Op) -> Option<reqwest::RequestBuilder> {
        let v = &op.value;
        let event = v.get("event").and_then(Value::as_str).unwrap_or_default();
        let hold = v.get("hold").and_then(Value::as_str).unwrap_or_default();
        let (method, url) = match op.f {
            "place_hold" => (Method::POST, join(base, &["events", event, "holds"])),
            "release" => (Method::DELETE, join(base, &["holds", hold])),
            "confirm" => (Method::POST, join(base, &["holds", hold, "confirm"])),
            "read_inventory" => (Method::GET, join(base, &["events", event])),
            "list_holds" => (Method::GET, join(base, &["events", event, "holds"])),
            "read_log" => (Method::GET, join(base, &["events", event, "log"])),
            _ => return None,
        };
        let mut request = self.http.request(method, url);
        match op.f {
            "place_hold" => {
                request = request.json(&json!({
                    "user": v.get("user"), "qty": v.get("qty"), "request_id": v.get("request_id"),
                }));
            }
            "list_holds" => {
                let user = v.get("user").and_then(Value::as_str).unwrap_or_default();
                request = request.query(&[("user", user)]);
                if let Some(min_seq) = v.get("min_seq").and_then(Value::as_u64) {
                    request = request.query(&[("min_seq", min_seq)]);
                }
            }
            "read_log" => {
                if let Some(after) = v.get("after").and_then(Value::as_u64) {
                    request = request.query(&[("after", after)]);
                }
            }
            _ => {}
        }
        Some(request)
    }
}

impl Client for TicketClient {
    async fn call(&self, node: usize, op: &Op) -> Completion {
        let Some(base) = self.nodes.get(node) else {
            return Completion::refused(op, format!("no node number {node}"));
        };
        let Some(request) = self.request(base, op) else {
            return Completion::refused(
                op,
                format!("{} is not an operation of the ticket contract", op.f),
            );
        };
        let reply = match request.send().await {
            Ok(r) => r,
            Err(e) => return transport_failure(op, &e),
        };
        let status = reply.status();
        let body: Value = match reply.json().await {
            Ok(b) => b,
            Err(e) if status.is_success() => {
                return Completion::unknown(op, format!("{status} with an unreadable body: {e}"))
            }
            Err(_) => Value::Null,
        };
        if status.is_success() {
            return Completion::Ok(result_of(op, &body));
        }
        let code = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let why = if code.is_empty() {
            status.to_string()
        } else {
            code.clone()
        };
        // A 503 means the store could not answer: the outcome is unknown, except for a read that
        // could not catch up to its min_seq ("stale"), which certainly did nothing.
        let stale_read = status == StatusCode::SERVICE_UNAVAILABLE && code == "stale";
        if status.is_server_error() && !stale_read {
            Completion::unknown(op, why)
        } else {
            Completion::refused(op, why)
        }
    }
}

/// The ok value of `op` given the reply body: the invocation plus the vocabulary's result fields.
fn result_of(op: &Op, body: &Value) -> Value {
    let field = |name: &str| body.get(name).cloned().unwrap_or(Value::Null);
    match op.f {
        "place_hold" => with_fields(&op.value, [("hold", field("hold")), ("seq", field("seq"))]),
        "read_inventory" => with_fields(
            &op.value,
            [("remaining", field("remaining")), ("seq", field("seq"))],
        ),
        "list_holds" => with_fields(
            &op.value,
            [("holds", field("holds")), ("seq", field("seq"))],
        ),
        "read_log" => {
            let entries = body.get("entries").cloned().unwrap_or_else(|| json!([]));
            with_fields(&op.value, [("entries", entries)])
        }
        _ => with_fields(&op.value, [("seq", field("seq"))]),
    }
}
