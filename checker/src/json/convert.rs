//! Conversions between [`Json`] and `serde_json::Value`, Rust numbers and strings, and the
//! comparisons with them.

use super::{Json, Str, Text};
use serde_json::{Number, Value};

impl Json {
    /// The same value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::U64(_) | Json::I64(_) | Json::F64(_) => {
                self.number().map_or(Value::Null, Value::Number)
            }
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

    /// The number as serde_json holds it, when this is a number.
    fn number(&self) -> Option<Number> {
        match *self {
            Json::U64(n) => Some(n.into()),
            Json::I64(n) => Some(n.into()),
            Json::F64(n) => Number::from_f64(n),
            _ => None,
        }
    }

    /// `n`, of the same kind as serde_json holds it.
    fn from_number(n: &Number) -> Json {
        if let Some(n) = n.as_u64() {
            Json::U64(n)
        } else if let Some(n) = n.as_i64() {
            Json::I64(n)
        } else {
            n.as_f64().map_or(Json::Null, Json::from)
        }
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
            Value::Number(n) => Json::from_number(n),
            Value::String(s) => Json::from(s.as_str()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::object(
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
        Json::String(Str::new(text))
    }
}

impl From<Str> for Json {
    fn from(text: Str) -> Json {
        Json::String(text)
    }
}

impl From<Text> for Json {
    fn from(text: Text) -> Json {
        Json::String(text.into())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

impl From<u64> for Json {
    fn from(n: u64) -> Json {
        Json::U64(n)
    }
}

impl From<i64> for Json {
    /// A `U64` when `n` is not negative, as serde_json reads it.
    fn from(n: i64) -> Json {
        u64::try_from(n).map_or(Json::I64(n), Json::U64)
    }
}

impl From<f64> for Json {
    /// `null` when `n` is not finite, as `serde_json::Value::from` makes it.
    fn from(n: f64) -> Json {
        if n.is_finite() {
            Json::F64(n)
        } else {
            Json::Null
        }
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (_, Value::Number(b)) => self.number().as_ref() == Some(b),
            (Json::String(a), Value::String(b)) => a == b,
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
