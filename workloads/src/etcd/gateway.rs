//! etcd's JSON gateway (etcd 3.4: `/v3/kv/range`, `/v3/kv/put`, `/v3/kv/txn`), over http or
//! https, with etcd's user/password auth (a token from `/v3/auth/authenticate` on every call).
//!
//! Keys and values travel base64-encoded; 64-bit integers come back as JSON strings; fields
//! equal to their default (`false`, `0`, empty) are left out of replies.

use crate::access::Access;
use crate::error::PreflightError;
use crate::transport::{join, node_url, retry_dropped, unreachable_node};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use reqwest::Url;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Why a gateway call did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The request could not be sent or its reply not received.
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
    /// etcd answered with an error (timeout, no leader, ...).
    #[error("etcd answered {status}: {message}")]
    Etcd {
        /// The HTTP status.
        status: u16,
        /// etcd's message.
        message: String,
    },
    /// The reply was not the JSON the gateway sends.
    #[error("unreadable gateway reply: {0}")]
    Reply(String),
}

impl GatewayError {
    /// The transport error, when the request got no HTTP answer.
    fn transport(&self) -> Option<&reqwest::Error> {
        match self {
            GatewayError::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// One key's current value and the revision that last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The value's bytes.
    pub value: Vec<u8>,
    /// `mod_revision`: the revision of the last write of this key.
    pub mod_revision: i64,
}

/// A JSON-gateway client for a set of etcd members.
pub struct Gateway {
    http: reqwest::Client,
    nodes: Vec<Url>,
    serializable: bool,
    access: Access,
    /// The auth token, once [`Gateway::preflight`] authenticated.
    token: OnceLock<String>,
}

impl Gateway {
    /// A client of `nodes` (client URLs); `serializable` reads are answered by the member alone.
    /// A client of `nodes` reached with `access` (TLS files, etcd user and password).
    pub fn new(
        nodes: &[String],
        serializable: bool,
        access: &Access,
    ) -> Result<Gateway, PreflightError> {
        let nodes = nodes
            .iter()
            .map(|n| node_url(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Gateway {
            http: access.http_client()?,
            nodes,
            serializable,
            access: access.clone(),
            token: OnceLock::new(),
        })
    }

    /// Authenticates (when a user is given), then checks that every node answers a range request
    /// as etcd's gateway does.
    pub async fn preflight(&self) -> Result<(), PreflightError> {
        if let Some(user) = &self.access.auth.user {
            self.authenticate(user).await?;
        }
        for (node, url) in self.nodes.iter().enumerate() {
            let range = retry_dropped(
                || self.range(node, "frenzy-preflight"),
                GatewayError::transport,
            );
            match range.await {
                Ok(_) => {}
                Err(GatewayError::Transport(e)) => {
                    return Err(unreachable_node(url.as_str(), &e).unwrap_or_else(|| {
                        PreflightError::WrongContract {
                            url: url.to_string(),
                            contract: "etcd v3 JSON gateway",
                            reason: e.to_string(),
                        }
                    }))
                }
                Err(GatewayError::Etcd {
                    status: 401,
                    message,
                }) => {
                    return Err(PreflightError::Credentials {
                        url: url.to_string(),
                        reason: message,
                    })
                }
                Err(e) => {
                    return Err(PreflightError::WrongContract {
                        url: url.to_string(),
                        contract: "etcd v3 JSON gateway",
                        reason: e.to_string(),
                    })
                }
            }
        }
        Ok(())
    }

    /// Gets a token for `user` from the first node; refused credentials are a preflight error.
    async fn authenticate(&self, user: &str) -> Result<(), PreflightError> {
        let url = self.nodes.first().map(Url::to_string).unwrap_or_default();
        let password = self.access.auth.password.as_deref().unwrap_or_default();
        let body = json!({"name": user, "password": password});
        let reply = retry_dropped(
            || self.post_on(0, &["v3", "auth", "authenticate"], body.clone()),
            GatewayError::transport,
        );
        let reply = match reply.await {
            Ok(reply) => reply,
            Err(GatewayError::Transport(e)) => {
                return Err(unreachable_node(&url, &e).unwrap_or_else(|| {
                    PreflightError::Unreachable {
                        url: url.clone(),
                        reason: e.to_string(),
                    }
                }))
            }
            Err(e) => {
                return Err(PreflightError::Credentials {
                    url,
                    reason: e.to_string(),
                })
            }
        };
        let token = reply.get("token").and_then(Value::as_str).ok_or_else(|| {
            PreflightError::Credentials {
                url: url.clone(),
                reason: "etcd answered without a token; is auth enabled?".into(),
            }
        })?;
        let _ = self.token.set(token.to_owned());
        Ok(())
    }

    /// Reads `key` on `node`: `None` when it was never written.
    pub async fn range(&self, node: usize, key: &str) -> Result<Option<Stored>, GatewayError> {
        let body = json!({"key": B64.encode(key), "serializable": self.serializable});
        let reply = self.post(node, "range", body).await?;
        if reply.get("header").is_none() {
            return Err(GatewayError::Reply("a range reply without a header".into()));
        }
        let Some(kv) = reply
            .get("kvs")
            .and_then(Value::as_array)
            .and_then(|kvs| kvs.first())
        else {
            return Ok(None);
        };
        let value = kv.get("value").and_then(Value::as_str).unwrap_or("");
        let value = B64
            .decode(value)
            .map_err(|e| GatewayError::Reply(e.to_string()))?;
        Ok(Some(Stored {
            value,
            mod_revision: int_field(kv, "mod_revision"),
        }))
    }

    /// Writes `value` to `key` on `node`.
    pub async fn put(&self, node: usize, key: &str, value: &[u8]) -> Result<(), GatewayError> {
        let body = json!({"key": B64.encode(key), "value": B64.encode(value)});
        self.post(node, "put", body).await.map(drop)
    }

    /// Writes `value` to `key` if the key's current value is `expected`: whether it did.
    pub async fn put_if_value(
        &self,
        node: usize,
        key: &str,
        expected: &[u8],
        value: &[u8],
    ) -> Result<bool, GatewayError> {
        let compare = json!({"key": B64.encode(key), "target": "VALUE", "result": "EQUAL", "value": B64.encode(expected)});
        self.put_if(node, key, compare, value).await
    }

    /// Writes `value` to `key` if the key was last written at `mod_revision` (0: never): whether it did.
    pub async fn put_if_revision(
        &self,
        node: usize,
        key: &str,
        mod_revision: i64,
        value: &[u8],
    ) -> Result<bool, GatewayError> {
        let compare = json!({
            "key": B64.encode(key), "target": "MOD", "result": "EQUAL",
            "mod_revision": mod_revision.to_string(),
        });
        self.put_if(node, key, compare, value).await
    }

    async fn put_if(
        &self,
        node: usize,
        key: &str,
        compare: Value,
        value: &[u8],
    ) -> Result<bool, GatewayError> {
        let put = json!({"request_put": {"key": B64.encode(key), "value": B64.encode(value)}});
        let reply = self
            .post(node, "txn", json!({"compare": [compare], "success": [put]}))
            .await?;
        if reply.get("header").is_none() {
            return Err(GatewayError::Reply("a txn reply without a header".into()));
        }
        Ok(reply
            .get("succeeded")
            .and_then(Value::as_bool)
            .unwrap_or(false))
    }

    async fn post(&self, node: usize, call: &str, body: Value) -> Result<Value, GatewayError> {
        self.post_on(node, &["v3", "kv", call], body).await
    }

    async fn post_on(
        &self,
        node: usize,
        path: &[&str],
        body: Value,
    ) -> Result<Value, GatewayError> {
        let base = self
            .nodes
            .get(node)
            .ok_or_else(|| GatewayError::Reply(format!("no node number {node}")))?;
        let mut request = self.http.post(join(base, path)).json(&body);
        if let Some(token) = self.token.get() {
            request = request.header(reqwest::header::AUTHORIZATION, token);
        }
        let reply = request.send().await?;
        let status = reply.status();
        let text = reply.text().await?;
        if !status.is_success() {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v.get("message")
                        .or(v.get("error"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or(text);
            return Err(GatewayError::Etcd {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_str(&text).map_err(|e| GatewayError::Reply(format!("{e}: {text:.200}")))
    }
}

/// A 64-bit integer field, which the gateway writes as a JSON string.
fn int_field(v: &Value, name: &str) -> i64 {
    match v.get(name) {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(n) => n.as_i64().unwrap_or(0),
        None => 0,
    }
}
