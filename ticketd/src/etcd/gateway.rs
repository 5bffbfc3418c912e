//! A small client for etcd 3.4's JSON gateway (`/v3/kv/*`), over plain-http reqwest.
//! Keys and values travel base64-encoded; 64-bit integers arrive as JSON strings.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

/// Why an etcd request gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No answer within the timeout.
    #[error("etcd at {endpoint} did not answer within {timeout_ms} ms")]
    Timeout {
        /// The member's URL.
        endpoint: String,
        /// The timeout.
        timeout_ms: u128,
    },
    /// The connection failed.
    #[error("etcd at {endpoint} is unreachable: {reason}")]
    Unreachable {
        /// The member's URL.
        endpoint: String,
        /// What reqwest said.
        reason: String,
    },
    /// etcd answered with an error status.
    #[error("etcd at {endpoint} answered {status}: {body}")]
    Rejected {
        /// The member's URL.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The reply body.
        body: String,
    },
    /// The reply was not what etcd's gateway sends.
    #[error("etcd at {endpoint} sent a reply ticketd cannot read: {reason}")]
    Malformed {
        /// The member's URL.
        endpoint: String,
        /// What did not parse.
        reason: String,
    },
}

/// A response header: the store revision the answer reflects.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Header {
    /// The revision (for a write: the revision of that write).
    #[serde(default, deserialize_with = "int64")]
    pub revision: i64,
}

/// One key-value pair.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Kv {
    /// The key.
    #[serde(default, deserialize_with = "bytes64")]
    pub key: Vec<u8>,
    /// The value.
    #[serde(default, deserialize_with = "bytes64")]
    pub value: Vec<u8>,
    /// The revision that created the key.
    #[serde(default, deserialize_with = "int64")]
    pub create_revision: i64,
    /// The revision that last wrote it.
    #[serde(default, deserialize_with = "int64")]
    pub mod_revision: i64,
}

/// The answer to a range.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RangeReply {
    /// Header.
    #[serde(default)]
    pub header: Header,
    /// The pairs found (absent when none).
    #[serde(default)]
    pub kvs: Vec<Kv>,
}

/// One answer inside a txn reply.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TxnOpReply {
    /// Set for a range op.
    #[serde(default)]
    pub response_range: Option<RangeReply>,
}

/// The answer to a txn.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TxnReply {
    /// Header; its revision is the txn's revision when it wrote.
    #[serde(default)]
    pub header: Header,
    /// Whether the compares held (absent means false).
    #[serde(default)]
    pub succeeded: bool,
    /// One reply per op of the branch that ran.
    #[serde(default)]
    pub responses: Vec<TxnOpReply>,
}

impl TxnReply {
    /// The first pair returned by the range at position `index` of the branch that ran.
    pub fn first_kv(&self, index: usize) -> Option<&Kv> {
        self.responses
            .get(index)
            .and_then(|r| r.response_range.as_ref())
            .and_then(|r| r.kvs.first())
    }
}

/// A condition of a txn.
#[derive(Debug, Clone)]
pub enum Compare {
    /// The key was last written at exactly this revision (0: the key does not exist).
    ModRevision(String, i64),
    /// The key does not exist.
    Absent(String),
}

/// An operation inside a txn.
#[derive(Debug, Clone)]
pub enum Op {
    /// Write a value.
    Put(String, Vec<u8>),
    /// Read one key.
    Get(String),
    /// Delete one key.
    Delete(String),
}

/// What to read in a range request.
#[derive(Debug, Clone, Default)]
pub struct Range {
    /// The key, or the prefix when `prefix` is set.
    pub key: String,
    /// Read every key starting with `key`.
    pub prefix: bool,
    /// Read every key from `key` up to (excluding) this one instead.
    pub end: Option<String>,
    /// Answer from the local member without consulting the leader.
    pub serializable: bool,
    /// Only keys created after this revision (0: all).
    pub created_after: i64,
    /// Sort by creation revision, oldest first.
    pub by_creation: bool,
}

/// The first key after every key starting with `prefix`.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// A client for one etcd member's JSON gateway.
#[derive(Debug, Clone)]
pub struct Gateway {
    http: reqwest::Client,
    endpoint: String,
    timeout: Duration,
}

impl Gateway {
    /// A client for the member at `endpoint` whose requests give up after `timeout`.
    pub fn new(endpoint: &str, timeout: Duration) -> Result<Self, GatewayError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| GatewayError::Unreachable {
                endpoint: endpoint.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Gateway {
            http,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            timeout,
        })
    }

    /// POSTs `body` to `path` and parses the reply.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: Value,
    ) -> Result<T, GatewayError> {
        let url = format!("{}{}", self.endpoint, path);
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                GatewayError::Timeout {
                    endpoint: self.endpoint.clone(),
                    timeout_ms: self.timeout.as_millis(),
                }
            } else {
                GatewayError::Unreachable {
                    endpoint: self.endpoint.clone(),
                    reason: e.to_string(),
                }
            }
        };
        let reply = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(failed)?;
        let status = reply.status();
        let text = reply.text().await.map_err(failed)?;
        if !status.is_success() {
            return Err(GatewayError::Rejected {
                endpoint: self.endpoint.clone(),
                status: status.as_u16(),
                body: text,
            });
        }
        serde_json::from_str(&text).map_err(|e| GatewayError::Malformed {
            endpoint: self.endpoint.clone(),
            reason: format!("{e} in {text}"),
        })
    }

    /// Reads keys.
    pub async fn range(&self, range: &Range) -> Result<RangeReply, GatewayError> {
        let mut body = json!({"key": B64.encode(&range.key)});
        let end = match (&range.end, range.prefix) {
            (Some(end), _) => Some(end.as_bytes().to_vec()),
            (None, true) => Some(prefix_end(&range.key)),
            (None, false) => None,
        };
        if let Some(end) = end {
            body["range_end"] = json!(B64.encode(end));
        }
        if range.serializable {
            body["serializable"] = json!(true);
        }
        if range.created_after > 0 {
            body["min_create_revision"] = json!((range.created_after + 1).to_string());
        }
        if range.by_creation {
            body["sort_order"] = json!("ASCEND");
            body["sort_target"] = json!("CREATE");
        }
        self.call("/v3/kv/range", body).await
    }

    /// Runs a transaction: `success` when every compare holds, else `failure`.
    pub async fn txn(
        &self,
        compares: &[Compare],
        success: &[Op],
        failure: &[Op],
    ) -> Result<TxnReply, GatewayError> {
        let compares: Vec<Value> = compares
            .iter()
            .map(|c| match c {
                Compare::ModRevision(key, rev) => json!({
                    "key": B64.encode(key), "target": "MOD", "result": "EQUAL",
                    "mod_revision": rev.to_string()}),
                Compare::Absent(key) => json!({
                    "key": B64.encode(key), "target": "CREATE", "result": "EQUAL",
                    "create_revision": "0"}),
            })
            .collect();
        let body = json!({
            "compare": compares,
            "success": success.iter().map(op_json).collect::<Vec<_>>(),
            "failure": failure.iter().map(op_json).collect::<Vec<_>>(),
        });
        self.call("/v3/kv/txn", body).await
    }
}

/// The gateway's JSON for one txn op.
fn op_json(op: &Op) -> Value {
    match op {
        Op::Put(key, value) => {
            json!({"request_put": {"key": B64.encode(key), "value": B64.encode(value)}})
        }
        Op::Get(key) => json!({"request_range": {"key": B64.encode(key)}}),
        Op::Delete(key) => json!({"request_delete_range": {"key": B64.encode(key)}}),
    }
}

/// Reads a 64-bit integer that the gateway sends as a string (or, leniently, as a number).
fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => s.parse().map_err(serde::de::Error::custom),
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("integer out of range")),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// Reads base64 bytes.
fn bytes64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    B64.decode(s).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_is_the_next_key_after_the_prefix() {
        assert_eq!(prefix_end("a/"), b"a0".to_vec());
        assert_eq!(prefix_end("ab"), b"ac".to_vec());
    }

    #[test]
    fn gateway_replies_with_string_integers_and_missing_fields_parse() {
        let text = r#"{"header":{"revision":"17"},"succeeded":true,"responses":[
            {"response_range":{"header":{"revision":"17"},"kvs":[{"key":"YQ==","value":"Yg==",
            "create_revision":"5","mod_revision":"9","version":"2"}],"count":"1"}},
            {"response_put":{"header":{"revision":"17"}}}]}"#;
        let reply: TxnReply = serde_json::from_str(text).expect("a gateway reply parses");
        assert_eq!(reply.header.revision, 17);
        let kv = reply.first_kv(0).expect("the range has one kv");
        assert_eq!(
            (kv.key.as_slice(), kv.value.as_slice()),
            (&b"a"[..], &b"b"[..])
        );
        assert_eq!((kv.create_revision, kv.mod_revision), (5, 9));
        let failed: TxnReply =
            serde_json::from_str(r#"{"header":{"revision":"3"}}"#).expect("a failed txn parses");
        assert!(!failed.succeeded);
    }
}
