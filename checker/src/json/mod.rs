//! [`Json`]: the values of a history's events (arguments and results), held compactly.
//!
//! A history of millions of operations holds millions of small objects such as
//! `{"event":"e1","qty":2,"user":"alice"}`. A `serde_json::Value` object is a B-tree node of
//! several hundred bytes with every key allocated; a [`Json`] value is 16 bytes, an object one
//! allocation of its values (16 bytes each) that points to its list of keys, shared by every
//! object with the same keys, strings of up to [`INLINE_MAX_LEN`] bytes are held inline (no
//! allocation), and cloning any value at most counts a reference.

#[cfg(test)]
pub(crate) mod any_value;
mod convert;
mod interner;
mod object;
mod serde_impl;
mod shared;
mod string;
mod string_traits;
mod text;

pub use object::{Entries, Object};
pub use shared::Shared;
pub use string::{Str, INLINE_MAX_LEN};
pub use text::Text;

use std::fmt;
use std::hash::{Hash, Hasher};

/// A JSON value: null, a boolean, a number, a string, an array, or an object whose entries are
/// sorted by key (as `serde_json::Value` orders them), each key once. Numbers keep the three
/// kinds serde_json tells apart, so a value prints and compares as serde_json's does.
#[derive(Debug, Clone, Default)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer (a non-negative one is a `U64`, as serde_json reads it and as
    /// `Json::from` makes it; the two compare by value all the same).
    I64(i64),
    /// A finite number with a fraction or an exponent.
    F64(f64),
    /// A string.
    String(Str),
    /// An array.
    Array(Shared<Json>),
    /// An object, entries sorted by key.
    Object(Object),
}

const _: () = assert!(size_of::<Json>() == 16);
const _: () = assert!(size_of::<Text>() == 8);

/// What [`Json`]'s index operator gives for a missing key or a non-object.
static NULL: Json = Json::Null;

impl Json {
    /// An object of `entries`, in any order; of repeated keys the last wins, as in JSON parsers.
    pub fn object(entries: Vec<(Text, Json)>) -> Json {
        Json::object_of(entries)
    }

    /// [`Json::object`] with keys that may be plain strings: a reader's keys need no [`Text`]
    /// of their own, since the object's list of keys is found by them.
    pub(crate) fn object_of<K: AsRef<str>>(mut entries: Vec<(K, Json)>) -> Json {
        /// The key of an entry.
        fn key<K: AsRef<str>>(entry: &(K, Json)) -> &str {
            entry.0.as_ref()
        }
        if !entries.windows(2).all(|pair| key(&pair[0]) < key(&pair[1])) {
            // A stable sort keeps repeated keys in input order; keep the last of each.
            entries.sort_by(|a, b| key(a).cmp(key(b)));
            let mut unique: Vec<(K, Json)> = Vec::with_capacity(entries.len());
            for entry in entries {
                match unique.last_mut() {
                    Some(last) if key(last) == key(&entry) => *last = entry,
                    _ => unique.push(entry),
                }
            }
            entries = unique;
        }
        Json::Object(Object::of_sorted(entries))
    }

    /// The value of `key` when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.get(key)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The string as a [`Str`], when this is one (cloning it copies no text on the heap).
    pub fn as_text(&self) -> Option<&Str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The number as a `u64`, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Json::U64(n) => Some(n),
            Json::I64(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }

    /// The number as an `i64`, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Json::U64(n) => i64::try_from(n).ok(),
            Json::I64(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `f64`, when this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Json::U64(n) => Some(n as f64),
            Json::I64(n) => Some(n as f64),
            Json::F64(n) => Some(n),
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
    pub fn as_object(&self) -> Option<&Object> {
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
        matches!(self, Json::U64(_) | Json::I64(_) | Json::F64(_))
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

    /// The integer, when this is one (of either kind).
    fn integer(&self) -> Option<i128> {
        match *self {
            Json::U64(n) => Some(i128::from(n)),
            Json::I64(n) => Some(i128::from(n)),
            _ => None,
        }
    }
}

impl PartialEq for Json {
    /// Equality as serde_json's: integers by value, an integer never equal to a fraction, and
    /// fractions as `f64` compares them.
    fn eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::F64(a), Json::F64(b)) => a == b,
            (Json::String(a), Json::String(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => a == b,
            (Json::Object(a), Json::Object(b)) => a == b,
            _ => self.integer().is_some() && self.integer() == other.integer(),
        }
    }
}

/// Numbers are finite, so equality is an equivalence.
impl Eq for Json {}

impl Hash for Json {
    /// Consistent with equality: integers hash by value, `0.0` and `-0.0` alike.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Json::Null => state.write_u8(0),
            Json::Bool(b) => (1u8, b).hash(state),
            Json::U64(_) | Json::I64(_) => (2u8, self.integer()).hash(state),
            Json::F64(f) => (3u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(state),
            Json::String(s) => (4u8, s).hash(state),
            Json::Array(items) => (5u8, items).hash(state),
            Json::Object(entries) => (6u8, entries).hash(state),
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

impl fmt::Display for Json {
    /// Compact JSON text, as `serde_json::Value` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::any_value::any_value;
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use std::hash::DefaultHasher;

    /// The hash of `value`.
    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

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
    fn numbers_keep_the_kind_serde_json_reads() {
        let text = format!("[0,7,-7,1.0,-0,-0.0,1e3,{},{}]", u64::MAX, i64::MIN);
        let json: Json = serde_json::from_str(&text).expect("valid JSON");
        let value: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(json.to_string(), value.to_string());
        assert_eq!(json, value);
        assert_eq!(json[1], Json::U64(7));
        assert_eq!(json[2], Json::I64(-7));
        assert!(matches!(json[3], Json::F64(_)) && json[3] != Json::U64(1));
        assert_eq!(json[4], Json::F64(0.0));
        assert_eq!(json[7].as_u64(), Some(u64::MAX));
        assert_eq!(json[7].as_i64(), None);
        assert_eq!(json[8].as_i64(), Some(i64::MIN));
        assert_eq!(Json::from(5_i64), Json::U64(5));
        // Built by hand, a non-negative `I64` still equals the `U64` of the same value.
        assert_eq!(Json::I64(5), Json::U64(5));
        assert_eq!(hash_of(&Json::I64(5)), hash_of(&Json::U64(5)));
        assert_eq!(hash_of(&Json::F64(-0.0)), hash_of(&Json::F64(0.0)));
        assert!(Json::from(f64::NAN).is_null());
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
    fn objects_with_the_same_keys_share_one_list_of_them() {
        let a: Json = serde_json::from_str(r#"{"user":"u1","qty":2,"event":"e1"}"#).expect("JSON");
        let b = Json::from(json!({"event": "e2", "qty": 3, "user": "u2"}));
        let (a, b) = (
            a.as_object().expect("object"),
            b.as_object().expect("object"),
        );
        assert_eq!(a.keys(), ["event", "qty", "user"]);
        assert!(std::ptr::eq(a.keys().as_ptr(), b.keys().as_ptr()));
        assert_eq!(b.get("qty"), Some(&Json::U64(3)));
        assert_eq!(b.get("hold"), None);
        let entries: Vec<String> = b.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(entries, ["event=\"e2\"", "qty=3", "user=\"u2\""]);
        assert_eq!(
            format!("{b:?}"),
            r#"{"event": String("e2"), "qty": U64(3), "user": String("u2")}"#
        );
        let empty = Json::object(Vec::new());
        assert_eq!(empty, json!({}));
        assert_eq!(empty.to_string(), "{}");
        assert!(empty
            .as_object()
            .is_some_and(|o| o.is_empty() && o.keys().is_empty()));
        assert_eq!(Json::Array(Vec::new().into()).to_string(), "[]");
    }

    #[test]
    fn equal_short_keys_share_one_allocation() {
        let a = Text::new("e130");
        let b = Text::new(&String::from("e130"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        let long = "a string longer than the interned ones";
        assert_eq!(Text::new(long), Text::new(long));
    }

    #[test]
    fn short_strings_are_inline_and_equal_to_the_same_string_shared() {
        let short = "h-123456789012";
        assert_eq!(short.len(), INLINE_MAX_LEN);
        let inline = Str::new(short);
        // Inline: the bytes are inside the value itself.
        let at = &inline as *const Str as usize;
        let bytes = inline.as_str().as_ptr() as usize;
        assert!((at..at + size_of::<Str>()).contains(&bytes));
        let from_text = Str::from(Text::new(short));
        assert_eq!(inline, from_text);
        assert_eq!(hash_of(&inline), hash_of(&from_text));
        assert_eq!(hash_of(&inline), hash_of(short));
        let long = Str::new("h-1234567890123");
        assert_eq!(long, "h-1234567890123");
        assert_eq!(Text::from(&long), Text::new("h-1234567890123"));
        assert!(inline < long);
    }

    proptest! {
        #[test]
        fn any_value_round_trips_through_json(value in any_value(), other in any_value()) {
            let json = Json::from(&value);
            let text = value.to_string();
            prop_assert_eq!(json.to_string(), text.clone());
            prop_assert_eq!(&json, &value);
            prop_assert_eq!(json.to_value(), value.clone());
            let read: Json = serde_json::from_str(&text).expect("valid JSON");
            prop_assert_eq!(&read, &json);
            prop_assert_eq!(hash_of(&read), hash_of(&json));
            let other_json = Json::from(&other);
            prop_assert_eq!(other_json == json, other == value);
            if other_json == json {
                prop_assert_eq!(hash_of(&other_json), hash_of(&json));
            }
        }
    }
}
