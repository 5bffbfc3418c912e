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
        f: f.into(),
        input: input.into(),
        output: output.into(),
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
        nemesis: Vec::new(),
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
        nemesis: Vec::new(),
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

/// Partitions are compiled as their search comes (the biggest first), yet of several unreadable
/// ones the error names the history's first bad operation.
#[test]
fn of_several_unreadable_events_the_first_bad_operation_is_named() {
    let place = |at, event: &str, qty: Value| {
        let input = json!({"event": event, "user": "al", "qty": qty});
        op(
            at,
            "place_hold",
            input,
            json!({"hold": format!("h{at}")}),
            Outcome::Ok,
        )
    };
    let mut ops = vec![place(0, "small", json!(1)), place(2, "small", json!("two"))];
    ops.extend((0..20).map(|i| place(4 + 2 * i, "big", json!(1))));
    ops.push(place(44, "big", json!(0)));
    let h = History {
        nemesis: Vec::new(),
        operations: ops,
    };
    let options = (ModelOptions::default(), CheckOptions::default());
    match check(&h, "tickets", &options.0, &options.1) {
        Err(e @ CheckError::BadOperation { op: 2, .. }) => {
            assert!(e.to_string().contains("qty"), "{e}")
        }
        other => panic!("expected operation 2 to be named, got {other:?}"),
    }
}

/// Hold ids are unique across events: e1's ok placement returned h1, so h1 in e3's list is an
/// anomaly that no unknown placement in e3 can explain.
#[test]
fn a_hold_id_of_another_event_is_never_explained_by_an_unknown_placement() {
    let place = |at, event: &str, output, outcome| {
        let input = json!({"event": event, "user": "carol", "qty": 1});
        op(at, "place_hold", input, output, outcome)
    };
    let list = |at, holds: Value| {
        let input = json!({"event": "e3", "user": "carol"});
        op(
            at,
            "list_holds",
            input,
            json!({ "holds": holds }),
            Outcome::Ok,
        )
    };
    let e1 = place(0, "e1", json!({"hold": "h1"}), Outcome::Ok);
    let e3_unknown = place(2, "e3", json!({}), Outcome::Info);
    let history = |listed| History {
        nemesis: Vec::new(),
        operations: vec![e1.clone(), e3_unknown.clone(), list(4, listed)],
    };
    let options = ModelOptions::default();
    let result = check(
        &history(json!(["h1"])),
        "tickets",
        &options,
        &CheckOptions::default(),
    )
    .expect("readable");
    assert_eq!(result.valid, Verdict::Invalid);
    let e3 = result
        .partitions
        .iter()
        .find(|p| p.key == "e3")
        .expect("e3");
    let explanation = &e3.evidence.as_ref().expect("evidence").explanation;
    assert!(explanation.contains("h1 (a hold of e1)"), "{explanation}");
    // The same list naming an id no placement returned is explained by the unknown placement.
    let valid = check(
        &history(json!(["h9"])),
        "tickets",
        &options,
        &CheckOptions::default(),
    );
    assert_eq!(valid.expect("readable").valid, Verdict::Valid);
}

/// A stored tickets history describes its events: `create_event` gives the capacity and, when
/// holds expire, the hold TTL, so checking it needs no --init or --hold-ttl.
#[test]
fn create_event_gives_the_capacity_and_hold_ttl() {
    use checker::suite::check_all;
    let history = |setup: Value| {
        let mut later = inventory(4, 2);
        later.call = 5_000_000;
        later.ret = Some(5_000_001);
        let create = op(0, "create_event", setup.clone(), setup, Outcome::Ok);
        let mut place = alice_holds_both_seats();
        (place.id, place.completion, place.call, place.ret) = (2, Some(3), 2, Some(3));
        History {
            nemesis: Vec::new(),
            operations: vec![create, place, later],
        }
    };
    let verdict = |setup: Value| {
        check_all(
            &history(setup),
            "tickets",
            &ModelOptions::default(),
            &CheckOptions::default(),
            false,
        )
        .expect("readable")
        .linearizability
        .expect("linearizability ran")
        .valid
    };
    // Two seats back 5 ms after a 2-seat hold: only if it expired (TTL 1 ms).
    assert_eq!(
        verdict(json!({"event": "e1", "capacity": 2, "hold_ttl_ms": 1})),
        Verdict::Valid
    );
    assert_eq!(
        verdict(json!({"event": "e1", "capacity": 2})),
        Verdict::Invalid
    );
    // Capacity 1 cannot hold 2 seats.
    assert_eq!(
        verdict(json!({"event": "e1", "capacity": 1, "hold_ttl_ms": 1})),
        Verdict::Invalid
    );
}
