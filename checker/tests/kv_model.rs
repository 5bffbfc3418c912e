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
    verdict(ops)
}

/// The kv verdict of a history of `ops`.
fn verdict(ops: Vec<Operation>) -> Verdict {
    let h = History {
        nemesis: Vec::new(),
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

/// Two equal appends where only one may go first: "y" (B, called at 4, returns at 12) and "y"
/// (C, called at 7, after "x" (A) returned at 5, so C must follow A). "yxy" is B, A, C; trying
/// only the equal append that returns first (C) would miss it. "yyx" puts C before A: invalid.
fn read_of_two_equal_appends(read: &str) -> Verdict {
    verdict(vec![
        op(0, 5, "append", "x"),
        op(4, 12, "append", "y"),
        op(6, 13, "get", read),
        op(7, 9, "append", "y"),
    ])
}

#[test]
fn an_equal_append_that_must_wait_for_another_is_not_placed_first() {
    assert_eq!(read_of_two_equal_appends("yxy"), Verdict::Valid);
    assert_eq!(read_of_two_equal_appends("yyx"), Verdict::Invalid);
    assert_eq!(read_of_two_equal_appends("xyy"), Verdict::Valid);
}
