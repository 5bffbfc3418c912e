//! A proptest strategy of any JSON value, for the tests of readers and of [`Json`](super::Json).

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value: integers and fractions of every size, strings shorter and longer than the
/// ones held inline, with and without escapes, and nesting.
pub(crate) fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (-2.0..2.0f64).prop_map(Value::from),
        "[a-z\\\\\"é ]{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c]{1,20}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}
