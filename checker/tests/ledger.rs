//! The ticket ledger check on hand-built histories: one test per anomaly kind, and a clean ledger.

mod ticket_history;

use checker::history::EventType;
use checker::ledger::*;
use checker::verdict::{AnomalyResult, Verdict};
use serde_json::json;
use std::collections::BTreeMap;
use ticket_history::Plan;

fn capacity(seats: u64) -> BTreeMap<String, u64> {
    BTreeMap::from([("e1".to_owned(), seats)])
}

fn kinds(result: &AnomalyResult) -> Vec<&str> {
    result.anomalies.iter().map(|a| a.kind.as_str()).collect()
}

/// alice holds h1 (2 seats), bob confirmed h2 (3 seats), carol released h3 (1 seat).
fn clean_run(plan: &mut Plan) {
    plan.hold(1, "alice", "e1", 2, "h1", 1, (0, 10));
    plan.hold(2, "bob", "e1", 3, "h2", 2, (0, 10));
    plan.hold(3, "carol", "e1", 1, "h3", 3, (0, 10));
    plan.end_hold(2, "confirm", "e1", "h2", 4, EventType::Ok, (20, 30));
    plan.end_hold(3, "release", "e1", "h3", 5, EventType::Ok, (20, 30));
}

const CLEAN_LOG: &[(u64, &str, &str, &str, u64, &str)] = &[
    (1, "HoldPlaced", "h1", "alice", 2, "req-h1"),
    (2, "HoldPlaced", "h2", "bob", 3, "req-h2"),
    (3, "HoldPlaced", "h3", "carol", 1, "req-h3"),
    (4, "HoldConfirmed", "h2", "bob", 3, "req-h2"),
    (5, "HoldReleased", "h3", "carol", 1, "req-h3"),
];

fn final_reads(
    plan: &mut Plan,
    remaining: i64,
    log: &[(u64, &str, &str, &str, u64, &str)],
    lists: &[(&str, &[&str])],
) {
    plan.inventory(9, "e1", remaining, 5, (100, 101));
    for (i, (user, holds)) in lists.iter().enumerate() {
        let t = 102 + 2 * i as u64;
        plan.list(9, user, "e1", holds, 5, (t, t + 1));
    }
    plan.log(9, "e1", log, (200, 201));
}

/// The clean run, then final reads that show it as it is.
fn clean_run_read_at_the_end(plan: &mut Plan) {
    clean_run(plan);
    final_reads(
        plan,
        5,
        CLEAN_LOG,
        &[("alice", &["h1"]), ("bob", &[]), ("carol", &[])],
    );
}

#[test]
fn a_ledger_that_adds_up_is_valid() {
    let mut plan = Plan::default();
    clean_run_read_at_the_end(&mut plan);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(result.valid, Verdict::Valid, "{:?}", result.anomalies);
    assert_eq!(result.reason, None, "a decided ledger needs no reason");
}

/// A lagging replica's final reads (seq 2, before h3 was placed) complete after the fresh ones
/// (seq 5): the ledger is judged by the freshest state, so h3 is not reported missing.
#[test]
fn the_ledger_is_judged_by_the_freshest_final_reads_not_a_lagging_replica() {
    let mut plan = Plan::default();
    clean_run_read_at_the_end(&mut plan);
    plan.inventory(8, "e1", 5, 2, (300, 301));
    plan.log(8, "e1", &CLEAN_LOG[..2], (302, 303));
    plan.list(8, "alice", "e1", &["h1"], 2, (304, 305));
    plan.list(8, "bob", "e1", &["h2"], 2, (306, 307));
    plan.list(8, "carol", "e1", &[], 2, (308, 309));
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(result.valid, Verdict::Valid, "{:?}", result.anomalies);
}

#[test]
fn more_seats_held_than_exist_is_an_oversell() {
    let mut plan = Plan::default();
    plan.hold(1, "alice", "e1", 2, "h1", 1, (0, 10));
    plan.hold(2, "bob", "e1", 2, "h2", 1, (0, 10));
    let log = [
        (1, "HoldPlaced", "h1", "alice", 2, "req-h1"),
        (1, "HoldPlaced", "h2", "bob", 2, "req-h2"),
    ];
    final_reads(&mut plan, 0, &log, &[("alice", &["h1"]), ("bob", &["h2"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(2));
    let mut found = kinds(&result);
    found.sort_unstable();
    assert_eq!(
        found,
        [OVERSELL, SEATS_NOT_CONSERVED],
        "{:?}",
        result.anomalies
    );
    let oversell = result
        .anomalies
        .iter()
        .find(|a| a.kind == OVERSELL)
        .unwrap();
    assert!(
        oversell.explanation.contains("e1 sold 4 seats of its 2"),
        "{}",
        oversell.explanation
    );
    // The oversell happened with the hold that went past the capacity, bob's h2: it is named, so
    // the report can say when.
    let bobs = history
        .operations
        .iter()
        .find(|op| op.f == "place_hold" && op.output["hold"] == "h2")
        .unwrap();
    assert!(oversell.events.contains(&bobs.id), "{:?}", oversell.events);
}

#[test]
fn a_read_of_negative_inventory_is_stated() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    plan.inventory(7, "e1", -2, 5, (40, 41));
    plan.inventory(8, "e1", -1, 5, (42, 43));
    final_reads(
        &mut plan,
        5,
        CLEAN_LOG,
        &[("alice", &["h1"]), ("bob", &[]), ("carol", &[])],
    );
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [NEGATIVE_INVENTORY],
        "{:?}",
        result.anomalies
    );
    let sentence = &result.anomalies[0].explanation;
    assert!(
        sentence.starts_with("A read of e1 returned -2 seats remaining")
            && sentence.contains("sold 2 seats it did not have")
            && sentence.contains("One more read was negative too."),
        "{sentence}"
    );
}

#[test]
fn an_inventory_decrement_without_a_hold_loses_seats() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    final_reads(&mut plan, 3, CLEAN_LOG, &[("alice", &["h1"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(kinds(&result), [SEATS_NOT_CONSERVED]);
    assert!(
        result.anomalies[0].explanation.contains("2 seats vanished"),
        "{}",
        result.anomalies[0].explanation
    );
}

#[test]
fn an_acknowledged_hold_without_hold_placed_is_caught() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let log: Vec<_> = CLEAN_LOG.iter().copied().filter(|e| e.2 != "h1").collect();
    final_reads(&mut plan, 5, &log, &[("alice", &["h1"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert!(
        kinds(&result).contains(&MISSING_HOLD_PLACED),
        "{:?}",
        result.anomalies
    );
    assert!(
        !kinds(&result).contains(&HOLD_WITHOUT_EVENT),
        "reported once, as missing-hold-placed"
    );
}

#[test]
fn two_hold_placed_for_one_hold_are_caught() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let mut log = CLEAN_LOG.to_vec();
    log.push((6, "HoldPlaced", "h1", "alice", 2, "req-h1"));
    final_reads(&mut plan, 5, &log, &[("alice", &["h1"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [DUPLICATE_HOLD_PLACED],
        "{:?}",
        result.anomalies
    );
    assert!(result.anomalies[0].explanation.contains("seqs 1, 6"));
}

#[test]
fn an_active_hold_placed_event_its_user_does_not_have_is_an_event_without_hold() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    final_reads(&mut plan, 5, CLEAN_LOG, &[("alice", &[])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [EVENT_WITHOUT_HOLD],
        "{:?}",
        result.anomalies
    );
    assert!(result.anomalies[0]
        .explanation
        .contains("hold h1 for alice"));
}

#[test]
fn a_list_that_returned_before_the_hold_was_requested_is_no_evidence_against_it() {
    // dave listed his holds, then placed h4; the final reads stopped before his final list (the
    // final phase is bounded): his early list cannot show h4.
    let mut plan = Plan::default();
    clean_run(&mut plan);
    plan.list(4, "dave", "e1", &[], 5, (40, 41));
    plan.hold(4, "dave", "e1", 1, "h4", 6, (50, 60));
    let mut log = CLEAN_LOG.to_vec();
    log.push((6, "HoldPlaced", "h4", "dave", 1, "req-h4"));
    final_reads(
        &mut plan,
        4,
        &log,
        &[("alice", &["h1"]), ("bob", &[]), ("carol", &[])],
    );
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert!(result.anomalies.is_empty(), "{:?}", result.anomalies);
}

#[test]
fn a_listed_hold_no_event_accounts_for_is_a_hold_without_event() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    final_reads(&mut plan, 5, CLEAN_LOG, &[("alice", &["h1", "h77"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [HOLD_WITHOUT_EVENT],
        "{:?}",
        result.anomalies
    );
}

#[test]
fn a_failed_retry_of_an_unknown_request_is_not_a_failed_hold() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let input = json!({"event": "e1", "user": "dave", "qty": 1, "request_id": "r-7"});
    let mut unknown = input.clone();
    unknown["error"] = json!("timeout");
    plan.op(
        4,
        "place_hold",
        input.clone(),
        40,
        50,
        EventType::Info,
        unknown,
    );
    let mut refused = input.clone();
    refused["error"] = json!("connection refused");
    plan.op(5, "place_hold", input, 60, 70, EventType::Fail, refused);
    let mut log = CLEAN_LOG.to_vec();
    log.push((6, "HoldPlaced", "h9", "dave", 1, "r-7"));
    final_reads(&mut plan, 3, &log, &[("alice", &["h1"]), ("dave", &["h9"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert!(
        !kinds(&result).contains(&FAILED_HOLD_PLACED),
        "the first attempt may have placed h9: {:?}",
        result.anomalies
    );
}

#[test]
fn a_hold_placed_for_a_failed_request_is_caught() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let input = json!({"event": "e1", "user": "dave", "qty": 1, "request_id": "r-7"});
    let mut output = input.clone();
    output["error"] = json!("sold_out");
    let failed = plan.op(4, "place_hold", input, 40, 50, EventType::Fail, output);
    let mut log = CLEAN_LOG.to_vec();
    log.push((6, "HoldPlaced", "h9", "dave", 1, "r-7"));
    final_reads(&mut plan, 4, &log, &[("alice", &["h1"]), ("dave", &["h9"])]);
    let (history, ids) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [FAILED_HOLD_PLACED],
        "{:?}",
        result.anomalies
    );
    assert!(result.anomalies[0].events.contains(&ids[failed]));
    assert!(result.anomalies[0]
        .explanation
        .contains("failed (sold_out)"));
}

#[test]
fn two_holds_from_one_request_id_are_caught() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let mut log = CLEAN_LOG.to_vec();
    log.push((6, "HoldPlaced", "h8", "alice", 1, "req-h1"));
    final_reads(&mut plan, 4, &log, &[("alice", &["h1", "h8"])]);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(
        kinds(&result),
        [DUPLICATE_REQUEST],
        "{:?}",
        result.anomalies
    );
    assert!(result.anomalies[0].explanation.contains("h1, h8"));
}

#[test]
fn without_a_final_log_read_the_ledger_is_unknown() {
    let mut plan = Plan::default();
    clean_run(&mut plan);
    let (history, _) = plan.build();
    let result = check_ledger(&history, &capacity(10));
    assert_eq!(result.valid, Verdict::Unknown);
    assert!(result.anomalies.is_empty());
    let reason = result.reason.expect("an unknown ledger says why");
    assert!(
        reason.starts_with("the history's one event (e1) has holds but no successful read_log"),
        "{reason}"
    );
}
