//! Converting values between EDN (Jepsen, Porcupine) and JSON (Frenzy's histories).

use crate::history::EventType;
use clojure_reader::edn::Edn;
use serde_json::{Map, Number, Value};
use std::fmt::Write;

/// The JSON value of an EDN value: `nil` -> null, keywords and symbols -> their name as a string,
/// vectors, lists and sets -> arrays, maps -> objects (keys by name), tagged values -> the value
/// under the tag, characters -> one-character strings, ratios -> their float value.
pub fn to_json(edn: &Edn<'_>) -> Value {
    match edn {
        Edn::Nil => Value::Null,
        Edn::Bool(b) => Value::Bool(*b),
        Edn::Int(i) => Value::from(*i),
        Edn::Double(d) => float(d.into_inner()),
        Edn::Rational((n, d)) => float(*n as f64 / *d as f64),
        Edn::Str(s) | Edn::Symbol(s) => Value::String(s.to_string()),
        Edn::Key(k) => Value::String(keyword_name(k).to_string()),
        Edn::Char(c) => Value::String(c.to_string()),
        Edn::Vector(items) | Edn::List(items) => Value::Array(items.iter().map(to_json).collect()),
        Edn::Set(items) => Value::Array(items.iter().map(to_json).collect()),
        Edn::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (key_string(k), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Edn::Tagged(_, inner) => to_json(inner),
        other => Value::String(other.to_string()),
    }
}

/// The event type a Jepsen `:type` keyword (or its name) names, if it is one of the four.
pub fn event_type(keyword: &str) -> Option<EventType> {
    match keyword_name(keyword) {
        "invoke" => Some(EventType::Invoke),
        "ok" => Some(EventType::Ok),
        "fail" => Some(EventType::Fail),
        "info" => Some(EventType::Info),
        _ => None,
    }
}

/// A keyword's name without its leading colon.
pub fn keyword_name(keyword: &str) -> &str {
    keyword.strip_prefix(':').unwrap_or(keyword)
}

/// The JSON object key for an EDN map key.
fn key_string(key: &Edn<'_>) -> String {
    match to_json(key) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A JSON number for a float, or null for NaN and infinities (which JSON cannot hold).
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Writes `value` as EDN: null -> `nil`, arrays -> vectors, objects -> maps with keyword keys
/// (string keys when the name is not a plain keyword).
pub fn write_edn(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_edn(out, item);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(out, k);
                out.push(' ');
                write_edn(out, v);
            }
            out.push('}');
        }
    }
}

/// Writes a map key: `:name` when `name` reads back as a keyword, else a string.
pub fn write_key(out: &mut String, name: &str) {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_?!*+.".contains(c));
    if plain {
        out.push(':');
        out.push_str(name);
    } else {
        write_string(out, name);
    }
}

/// Writes an EDN string literal with the escapes EDN readers understand.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
}
