//! The tickets model's semantics: honest hold expiry, holds whose placement timed out, refusals
//! as observations; and the errors `check` gives for bad model names and unreadable operations.

use checker::check::{check, CheckError, CheckOptions};
use checker::history::{History, Operation, Outcome};
use checker::models::ModelOptions;
use checker::verdict::Verdict;
use serde_json::{json, Value};
use std::time::Duration;

/// An operation invoked at event `at` (time = index) that completes at `at + 1`.
fn op(at: u64, f: &str, input: Value, output: Value, outcome: Outcome) -> Operation {
    let done = (outcome != Outcome::Pending).then_some(at + 1);
    Operation {
        id: at,
        completion: done,
        process: at,
        f: f.to_owned(),
        input,
        output,
        outcome,
        call: at,
        ret: done,
    }
}

fn alice_holds_both_seats() -> Operation {
    let input = json!({"event": "e1", "user": "alice", "qty": 2});
    op(0, "place_hold", input, json!({"hold": "h-1"}), Outcome::Ok)
}

fn inventory(at: u64, remaining: i64) -> Operation {
    op(
        at,
        "read_inventory",
        json!({"event": "e1"}),
        json!({"remaining": remaining}),
        Outcome::Ok,
    )
}

fn verdict(ops: Vec<Operation>, ttl: Option<u64>) -> Verdict {
    let options = ModelOptions {
        init: Some(json!(2)),
        hold_ttl: ttl.map(Duration::from_nanos),
        expiry_slack: Duration::from_nanos(5),
        ..ModelOptions::default()
    };
    let h = History {
        events: Vec::new(),
        operations: ops,
    };
    check(&h, "tickets", &options, &CheckOptions::default())
        .expect("readable")
        .valid
}

#[test]
fn a_hold_is_certainly_active_before_call_plus_ttl() {
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(5, 0)], Some(10)),
        Verdict::Valid
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(5, 2)], Some(10)),
        Verdict::Invalid
    );
}

#[test]
fn a_hold_may_be_either_between_ttl_and_ttl_plus_slack() {
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(12, 0)], Some(10)),
        Verdict::Valid
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(12, 2)], Some(10)),
        Verdict::Valid
    );
}

#[test]
fn a_hold_is_certainly_expired_after_return_plus_ttl_plus_slack() {
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(20, 2)], Some(10)),
        Verdict::Valid
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(20, 0)], Some(10)),
        Verdict::Invalid
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), inventory(20, 2)], None),
        Verdict::Invalid
    );
}

#[test]
fn an_expired_hold_cannot_be_confirmed() {
    let confirm = op(
        20,
        "confirm",
        json!({"event": "e1", "hold": "h-1"}),
        json!({}),
        Outcome::Ok,
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), confirm.clone()], Some(10)),
        Verdict::Invalid
    );
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), confirm], None),
        Verdict::Valid
    );
}

#[test]
fn a_timed_out_placement_may_be_named_later_or_never_happen() {
    let input = json!({"event": "e1", "user": "bob", "qty": 1});
    let timed_out = op(0, "place_hold", input, Value::Null, Outcome::Info);
    let listed = op(
        3,
        "list_holds",
        json!({"event": "e1", "user": "bob"}),
        json!({"holds": ["h-9"]}),
        Outcome::Ok,
    );
    let release = op(
        5,
        "release",
        json!({"event": "e1", "hold": "h-9"}),
        json!({}),
        Outcome::Ok,
    );
    let ops = vec![
        timed_out.clone(),
        inventory(1, 1),
        listed.clone(),
        release,
        inventory(7, 2),
    ];
    assert_eq!(verdict(ops, None), Verdict::Valid);
    assert_eq!(
        verdict(vec![timed_out.clone(), inventory(1, 2)], None),
        Verdict::Valid
    );
    // Once bob's list names the hold, its seat is taken until it is released.
    assert_eq!(
        verdict(vec![timed_out, listed, inventory(5, 2)], None),
        Verdict::Invalid
    );
}

#[test]
fn sold_out_is_an_observation() {
    let refused = |at| {
        let input = json!({"event": "e1", "user": "bob", "qty": 1});
        op(
            at,
            "place_hold",
            input,
            json!({"error": "sold_out"}),
            Outcome::Fail,
        )
    };
    assert_eq!(verdict(vec![refused(0)], None), Verdict::Invalid);
    assert_eq!(
        verdict(vec![alice_holds_both_seats(), refused(2)], None),
        Verdict::Valid
    );
}

#[test]
fn bad_model_names_and_unreadable_operations_are_user_errors() {
    let h = History {
        events: Vec::new(),
        operations: vec![op(
            0,
            "place_hold",
            json!({"event": "e1", "user": "al"}),
            json!({}),
            Outcome::Ok,
        )],
    };
    let options = (ModelOptions::default(), CheckOptions::default());
    match check(&h, "queue", &options.0, &options.1) {
        Err(CheckError::UnknownModel { name }) => assert_eq!(name, "queue"),
        other => panic!("expected an unknown model error, got {other:?}"),
    }
    match check(&h, "tickets", &options.0, &options.1) {
        Err(e @ CheckError::BadOperation { op: 0, .. }) => {
            assert!(e.to_string().contains("qty"), "{e}")
        }
        other => panic!("expected a bad operation error, got {other:?}"),
    }
    assert!(check(&h, "cas-register", &options.0, &options.1).is_err());
}
