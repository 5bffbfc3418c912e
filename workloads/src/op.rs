//! Operations as a generator asks for them and as a client reports them.

use checker::history::EventType;
use serde_json::{Map, Value};

/// An operation to perform: its function name and argument, as the invoke event records them.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// The function, e.g. `place_hold`, `read`, `cas` (docs/operations.md).
    pub f: &'static str,
    /// The argument.
    pub value: Value,
}

impl Op {
    /// An operation `f` with argument `value`.
    pub fn new(f: &'static str, value: Value) -> Op {
        Op { f, value }
    }
}

/// How an operation ended, with the value its completion event records.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// It happened, with this result.
    Ok(Value),
    /// It certainly did not happen (a definite refusal).
    Fail(Value),
    /// Unknown: it may take effect later, or never (timeout, dropped connection, 503).
    Info(Value),
}

impl Completion {
    /// The event type this completion is recorded with.
    pub fn kind(&self) -> EventType {
        match self {
            Completion::Ok(_) => EventType::Ok,
            Completion::Fail(_) => EventType::Fail,
            Completion::Info(_) => EventType::Info,
        }
    }

    /// The recorded value.
    pub fn value(&self) -> &Value {
        match self {
            Completion::Ok(v) | Completion::Fail(v) | Completion::Info(v) => v,
        }
    }

    /// An unknown outcome for `op`, saying why in an `error` field.
    pub fn unknown(op: &Op, why: impl Into<String>) -> Completion {
        Completion::Info(with_fields(
            &op.value,
            [("error", Value::String(why.into()))],
        ))
    }

    /// A definite refusal of `op`, with the reason in an `error` field.
    pub fn refused(op: &Op, why: impl Into<String>) -> Completion {
        Completion::Fail(with_fields(
            &op.value,
            [("error", Value::String(why.into()))],
        ))
    }
}

/// `base` (an object) with `fields` added, as a completion repeats its invocation and adds results.
/// A non-object base is returned unchanged.
pub fn with_fields<const N: usize>(base: &Value, fields: [(&str, Value); N]) -> Value {
    let mut out = match base {
        Value::Object(map) => map.clone(),
        Value::Null => Map::new(),
        other => return other.clone(),
    };
    for (k, v) in fields {
        out.insert(k.to_owned(), v);
    }
    Value::Object(out)
}
