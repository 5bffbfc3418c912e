//! The etcd client of the register and kv workloads: each operation as gateway calls.

use super::gateway::{Gateway, GatewayError};
use crate::access::Access;
use crate::client::Client;
use crate::error::PreflightError;
use crate::op::{Completion, Op};
use serde_json::{json, Value};

/// How many times `append` retries its read-modify-write after losing a race.
const APPEND_ATTEMPTS: usize = 8;

/// Performs `read`/`write`/`cas` (cas-register) and `get`/`put`/`append` (kv) on etcd.
pub struct EtcdClient {
    gateway: Gateway,
}

impl EtcdClient {
    /// A client of the etcd members at `nodes`; `serializable` reads skip the leader round-trip.
    pub fn new(nodes: &[String], serializable: bool) -> Result<EtcdClient, PreflightError> {
        EtcdClient::with_access(nodes, serializable, &Access::default())
    }

    /// Like [`EtcdClient::new`], reaching the members with `access` (TLS, user and password).
    pub fn with_access(
        nodes: &[String],
        serializable: bool,
        access: &Access,
    ) -> Result<EtcdClient, PreflightError> {
        Ok(EtcdClient {
            gateway: Gateway::new(nodes, serializable, access)?,
        })
    }

    /// Authenticates if a user is given, and checks that every node is an etcd JSON gateway.
    pub async fn preflight(&self) -> Result<(), PreflightError> {
        self.gateway.preflight().await
    }

    async fn perform(
        &self,
        node: usize,
        op: &Op,
        key: &str,
        arg: &Value,
    ) -> Result<Completion, GatewayError> {
        let g = &self.gateway;
        let ok = |value: Value| Completion::Ok(json!({"key": key, "value": value}));
        Ok(match op.f {
            "read" => ok(g
                .range(node, key)
                .await?
                .map_or(Value::Null, |s| register_value(&s.value))),
            "get" => ok(Value::String(
                g.range(node, key)
                    .await?
                    .map_or_else(String::new, |s| text(&s.value)),
            )),
            "write" | "put" => {
                g.put(node, key, &bytes_of(arg)).await?;
                ok(arg.clone())
            }
            "cas" => {
                let (Some(from), Some(to)) = (arg.get(0), arg.get(1)) else {
                    return Ok(Completion::refused(op, "cas takes [from, to]"));
                };
                if g.put_if_value(node, key, &bytes_of(from), &bytes_of(to))
                    .await?
                {
                    ok(arg.clone())
                } else {
                    Completion::refused(op, "precondition failed")
                }
            }
            "append" => self.append(node, op, key, arg).await?,
            other => Completion::refused(op, format!("{other} is not an etcd workload operation")),
        })
    }

    /// Appends by read-modify-write, compared on the key's revision so no write is lost.
    async fn append(
        &self,
        node: usize,
        op: &Op,
        key: &str,
        arg: &Value,
    ) -> Result<Completion, GatewayError> {
        let suffix = arg.as_str().unwrap_or_default();
        for _ in 0..APPEND_ATTEMPTS {
            let current = self.gateway.range(node, key).await?;
            let (mut value, revision) =
                current.map_or((Vec::new(), 0), |s| (s.value, s.mod_revision));
            value.extend_from_slice(suffix.as_bytes());
            match self
                .gateway
                .put_if_revision(node, key, revision, &value)
                .await
            {
                Ok(true) => return Ok(Completion::Ok(op.value.clone())),
                Ok(false) => continue,
                // The write may have been applied: its outcome is unknown, whatever the error.
                Err(e) => return Ok(Completion::unknown(op, e.to_string())),
            }
        }
        Ok(Completion::refused(
            op,
            format!("lost {APPEND_ATTEMPTS} races in a row; nothing appended"),
        ))
    }
}

impl Client for EtcdClient {
    async fn call(&self, node: usize, op: &Op) -> Completion {
        let key = op
            .value
            .get("key")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let arg = op.value.get("value").cloned().unwrap_or(Value::Null);
        match self.perform(node, op, &key, &arg).await {
            Ok(c) => c,
            // A read changes nothing, so a read that got no answer certainly did not happen.
            Err(e) if matches!(op.f, "read" | "get") => Completion::refused(op, e.to_string()),
            Err(GatewayError::Transport(e)) => crate::transport::transport_failure(op, &e),
            Err(e) => Completion::unknown(op, e.to_string()),
        }
    }
}

/// A register value as stored: integers as decimal text, anything else as JSON text.
fn bytes_of(value: &Value) -> Vec<u8> {
    match value {
        Value::String(s) => s.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    }
}

/// A stored register value read back: JSON when it parses, else the text.
fn register_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(text(bytes)))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
