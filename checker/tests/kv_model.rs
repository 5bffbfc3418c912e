//! The kv model on reads of many appends with equal text: orders of equal appends are not tried
//! one by one, so a read of a dozen concurrent "x" appends is decided at once (trying their orders would take 12! steps).

use checker::check::{check_without_witness, CheckOptions};
use checker::history::{History, Operation, Outcome};
use checker::models::ModelOptions;
use checker::verdict::Verdict;
use serde_json::json;

fn op(id: u64, done: u64, f: &str, value: &str) -> Operation {
    let v = json!({"key": "k", "value": value});
    Operation {
        id,
        completion: Some(done),
        process: id,
        f: f.into(),
        input: if f == "get" {
            json!({"key": "k", "value": null})
        } else {
            v.clone()
        }
        .into(),
        output: v.into(),
        outcome: Outcome::Ok,
        call: id,
        ret: Some(done),
    }
}

/// An append of "y" that returns before twelve overlapping appends of "x", then a read.
fn read_after_appends(read: &str) -> Verdict {
    let mut ops = vec![op(0, 1, "append", "y")];
    ops.extend((0..12).map(|i| op(2 + i, 100 + i, "append", "x")));
    ops.push(op(200, 201, "get", read));
    let h = History {
        events: Vec::new(),
        operations: ops,
    };
    let result =
        check_without_witness(&h, "kv", &ModelOptions::default(), &CheckOptions::default());
    result.expect("readable").valid
}

#[test]
fn equal_appends_are_matched_without_trying_their_orders() {
    assert_eq!(
        read_after_appends(&format!("y{}", "x".repeat(12))),
        Verdict::Valid
    );
    assert_eq!(
        read_after_appends(&format!("{}y", "x".repeat(12))),
        Verdict::Invalid
    );
    assert_eq!(
        read_after_appends(&format!("x{}y{}", "x".repeat(5), "x".repeat(6))),
        Verdict::Invalid
    );
}
