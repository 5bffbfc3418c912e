//! [`Json`]: the values of a history's events (arguments and results), held compactly.
//!
//! A history of millions of operations holds millions of small objects such as
//! `{"event":"e1","qty":2,"user":"alice"}`. A `serde_json::Value` object is a B-tree node of
//! several hundred bytes with every key allocated; a [`Json`] object is one shared slice of
//! sorted entries with interned keys, and cloning any value only counts a reference, so an
//! operation shares its values with the events it pairs.

mod serde_impl;
mod text;

pub use text::Text;

use serde_json::{Number, Value};
use std::fmt;
use std::sync::Arc;

/// A JSON value: null, a boolean, a number, a string, an array, or an object whose entries are
/// sorted by key (as `serde_json::Value` orders them), each key once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string.
    String(Text),
    /// An array.
    Array(Arc<[Json]>),
    /// An object, entries sorted by key.
    Object(Arc<[(Text, Json)]>),
}

/// What [`Json`]'s index operator gives for a missing key or a non-object.
static NULL: Json = Json::Null;

impl Json {
    /// An object of `entries`, in any order; of repeated keys the last wins, as in JSON parsers.
    pub fn object(mut entries: Vec<(Text, Json)>) -> Json {
        if entries.windows(2).all(|pair| pair[0].0 < pair[1].0) {
            return Json::Object(entries.into());
        }
        // A stable sort keeps repeated keys in input order; keep the last of each.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(Text, Json)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match unique.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => unique.push(entry),
            }
        }
        Json::Object(unique.into())
    }

    /// The value of `key` when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        let Json::Object(entries) = self else {
            return None;
        };
        if entries.len() > 8 {
            let at = entries
                .binary_search_by(|(k, _)| k.as_str().cmp(key))
                .ok()?;
            return Some(&entries[at].1);
        }
        // A history's objects have a handful of short keys: a scan that rules most out by
        // their length and first byte is faster than a search.
        let (first, len) = (key.as_bytes().first(), key.len());
        entries
            .iter()
            .find(|(k, _)| k.len() == len && k.as_bytes().first() == first && k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The shared string, when this is one (cloning it copies no text).
    pub fn as_text(&self) -> Option<&Text> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The number as a `u64`, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as an `i64`, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number as an `f64`, when this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, when this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries in key order, when this is an object.
    pub fn as_object(&self) -> Option<&[(Text, Json)]> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Json::Number(_))
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;

    /// The value of `key`, or `null` when there is none (as `serde_json::Value` indexes).
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Json {
    type Output = Json;

    /// Element `at`, or `null` when there is none (as `serde_json::Value` indexes).
    fn index(&self, at: usize) -> &Json {
        self.as_array()
            .and_then(|items| items.get(at))
            .unwrap_or(&NULL)
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        Json::from(&value)
    }
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Text::new(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (Text::new(k), Json::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<&Json> for Value {
    fn from(json: &Json) -> Value {
        json.to_value()
    }
}

impl From<Json> for Value {
    fn from(json: Json) -> Value {
        json.to_value()
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Json {
        Json::String(Text::new(text))
    }
}

impl From<u64> for Json {
    fn from(n: u64) -> Json {
        Json::Number(n.into())
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Json {
        Json::Number(n.into())
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => a == b,
            (Json::String(a), Value::String(b)) => a.as_str() == b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Json::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<str> for Json {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<Json> for Value {
    fn eq(&self, other: &Json) -> bool {
        other == self
    }
}

impl fmt::Display for Json {
    /// Compact JSON text, as `serde_json::Value` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_json_as_serde_json_does() {
        let text = r#"{"user":"alice","qty":2,"event":"e1","holds":["h-1",null,1.5,-3],"qty":3}"#;
        let json: Json = serde_json::from_str(text).expect("valid JSON");
        let value: Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(json, value);
        assert_eq!(json.to_string(), value.to_string());
        assert_eq!(json.get("qty").and_then(Json::as_u64), Some(3));
        assert_eq!(json["holds"][2].as_f64(), Some(1.5));
        assert_eq!(json["holds"][3].as_i64(), Some(-3));
        assert!(json["missing"].is_null() && json["holds"][9].is_null());
        assert_eq!(Json::from(&value), json);
        assert_eq!(json.to_value(), value);
    }

    #[test]
    fn an_object_is_unequal_to_one_with_other_entries() {
        let json = Json::from(json!({"a": 1, "b": "x"}));
        assert_ne!(json, json!({"a": 1, "b": "y"}));
        assert_ne!(json, json!({"a": 1, "c": "x"}));
        assert_ne!(json, json!({"a": 1}));
        assert_eq!(json, json!({"b": "x", "a": 1}));
    }

    #[test]
    fn equal_short_strings_share_one_allocation() {
        let a = Text::new("e130");
        let b = Text::new(&String::from("e130"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        let long = "a string longer than the interned ones";
        assert_eq!(Text::new(long), Text::new(long));
    }
}
