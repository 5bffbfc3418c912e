//! One answer line from the adapter: `{"id":N,"type":"ok"|"fail"|"info","value":...,"error":...}`.

use crate::op::{with_fields, Completion, Op};
use serde_json::Value;

/// What the adapter said about one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `ok`, `fail` or `info`.
    pub kind: Kind,
    /// The completion value; absent means "the invocation's value" (fail and info only).
    pub value: Option<Value>,
    /// The adapter's reason, if it gave one.
    pub error: Option<String>,
}

/// The three outcomes (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// It happened.
    Ok,
    /// It certainly did not happen.
    Fail,
    /// Unknown.
    Info,
}

/// Reads an answer line: its id and answer, or why the line breaks the protocol.
pub fn parse(line: &str) -> Result<(u64, Answer), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let id = v
        .get("id")
        .and_then(Value::as_u64)
        .ok_or("no numeric \"id\"")?;
    let kind = match v.get("type").and_then(Value::as_str) {
        Some("ok") => Kind::Ok,
        Some("fail") => Kind::Fail,
        Some("info") => Kind::Info,
        _ => return Err(format!("id {id}: \"type\" is not ok, fail or info")),
    };
    let value = v.get("value").cloned();
    if kind == Kind::Ok && value.is_none() {
        return Err(format!("id {id}: an ok answer without a \"value\""));
    }
    let error = match v.get("error") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok((id, Answer { kind, value, error }))
}

impl Answer {
    /// The completion of `op` this answer records.
    pub fn completion(self, op: &Op) -> Completion {
        let value = self.value.unwrap_or_else(|| op.value.clone());
        let value = match self.error {
            Some(why) => with_fields(&value, [("error", Value::String(why))]),
            None => value,
        };
        match self.kind {
            Kind::Ok => Completion::Ok(value),
            Kind::Fail => Completion::Fail(value),
            Kind::Info => Completion::Info(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_become_completions() {
        let op = Op::new("write", json!({"key": "k", "value": 3}));
        let (id, a) = parse(r#"{"id":7,"type":"ok","value":{"key":"k","value":3}}"#).unwrap();
        assert_eq!(id, 7);
        assert_eq!(a.completion(&op), Completion::Ok(op.value.clone()));
        let (_, a) = parse(r#"{"id":8,"type":"info","error":"timeout"}"#).unwrap();
        assert_eq!(
            a.completion(&op),
            Completion::Info(json!({"key": "k", "value": 3, "error": "timeout"}))
        );
        let (_, a) = parse(r#"{"id":9,"type":"ok","value":null}"#).unwrap();
        assert_eq!(a.completion(&op), Completion::Ok(Value::Null));
    }

    #[test]
    fn lines_that_break_the_protocol_say_why() {
        for (line, why) in [
            ("garbage", "not JSON"),
            (r#"{"type":"ok","value":1}"#, "id"),
            (r#"{"id":1,"type":"maybe"}"#, "not ok, fail or info"),
            (r#"{"id":1,"type":"ok"}"#, "without a \"value\""),
        ] {
            let err = parse(line).unwrap_err();
            assert!(err.contains(why), "{line}: {err}");
        }
    }
}
