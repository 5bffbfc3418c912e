//! The built-in models: `register`, `cas-register`, `kv`, `kv-unpartitioned`, `tickets`, and
//! Knossos' `multi-register` and `mutex`.

mod cow_array;
mod intern;
pub mod kv;
mod kv_string;
pub mod multi_register;
pub mod mutex;
pub mod register;
pub mod tickets;
mod tickets_explain;
mod tickets_holds;
mod tickets_reach;

pub use intern::Interner;

use crate::history::Operation;
use crate::json::Json;
use crate::model::OpError;
use serde_json::Value;
use std::time::Duration;

/// The names `--model` accepts.
pub const MODEL_NAMES: &[&str] = &[
    "register",
    "cas-register",
    "kv",
    "kv-unpartitioned",
    "tickets",
    "multi-register",
    "mutex",
];

/// Settings shared by the models (`--init`, `--hold-ttl`, `--expiry-slack`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelOptions {
    /// The initial state: a register's value; kv's initial string (or an object of key -> string);
    /// tickets' seats per event (a number for every event, or an object of event -> number).
    /// `None`: null register, `""` strings, unknown seat counts.
    pub init: Option<Value>,
    /// Tickets: holds expire this long after they are placed. `None`: holds never expire.
    pub hold_ttl: Option<Duration>,
    /// Tickets: how late past its TTL an expiry may still happen.
    pub expiry_slack: Duration,
    /// Registers: an ok read of null means "the value read is unknown" and constrains nothing
    /// (Knossos' reading, the default for Jepsen EDN histories); `false`: null = never written.
    pub nil_read_unknown: bool,
}

/// Splits a keyed value `{"key": K, "value": V}` into its key text and value.
pub(crate) fn split_keyed(value: &Json) -> Option<(String, &Json)> {
    if value.as_object()?.len() != 2 {
        return None;
    }
    let map = value;
    let key = map.get("key")?;
    let inner = map.get("value")?;
    Some((key_text(key), inner))
}

/// A key as partition text: strings as themselves, anything else as JSON.
pub(crate) fn key_text(key: &Json) -> String {
    match key {
        Json::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

/// A required string field of an operation's input, or an error naming it.
pub(crate) fn input_str<'a>(op: &'a Operation, field: &str) -> Result<&'a str, OpError> {
    op.input.get(field).and_then(Json::as_str).ok_or_else(|| {
        OpError::new(
            op,
            format!(
                "{} needs a string \"{field}\" in its value, got {}",
                op.f, op.input
            ),
        )
    })
}

/// Checks that `init` is an initial state the model named `model` can start from: tickets take a
/// non-negative integer capacity or an object of event -> capacity; kv a string or an object of
/// key -> string; the registers any JSON value. The error says what was wrong and what to pass.
pub fn validate_init(model: &str, init: &Value) -> Result<(), String> {
    let all_of = |ok: &dyn Fn(&Value) -> bool| match init {
        Value::Object(map) => map.values().all(ok),
        other => ok(other),
    };
    let (fits, wanted) = match model {
        "tickets" => (
            all_of(&|v| v.as_u64().is_some()),
            "a non-negative integer capacity (`100`) or an object of event -> capacity \
             (`{\"e1\": 100}`)",
        ),
        "kv" | "kv-unpartitioned" => (
            all_of(&Value::is_string),
            "a string (`\"x\"`) or an object of key -> string (`{\"k\": \"x\"}`)",
        ),
        "multi-register" => (
            init.is_object(),
            "an object of register -> value (`{\"x\": 0, \"y\": 0}`)",
        ),
        "mutex" => (init.is_boolean(), "`true` (held) or `false` (free)"),
        _ => (true, ""),
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "--init {init} does not fit the {model} model: pass {wanted}"
        ))
    }
}
