//! Read-your-writes and monotonic reads on hand-built tickets histories.

mod ticket_history;

use checker::history::EventType;
use checker::session::{check_sessions, MONOTONIC_READS, READ_YOUR_WRITES};
use checker::verdict::Verdict;
use ticket_history::Plan;

#[test]
fn a_hold_missing_from_a_later_list_is_a_read_your_writes_violation() {
    let mut plan = Plan::default();
    let placed = plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    let list = plan.list(1, "carol", "e1", &[], 12, (50, 60));
    let (history, ids) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.valid, Verdict::Invalid);
    assert_eq!(result.anomalies.len(), 1, "{:?}", result.anomalies);
    let a = &result.anomalies[0];
    assert_eq!(a.kind, READ_YOUR_WRITES);
    assert!(
        a.events.contains(&ids[placed]) && a.events.contains(&ids[list]),
        "{a:?}"
    );
    assert!(
        a.explanation.contains("carol's hold h-31"),
        "{}",
        a.explanation
    );
    assert!(a.explanation.contains("40 ms after"), "{}", a.explanation);
}

#[test]
fn a_hold_present_in_later_lists_is_fine() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    plan.list(1, "carol", "e1", &["h-31"], 15, (50, 60));
    plan.list(1, "carol", "e1", &["h-31"], 16, (70, 80));
    let (history, _) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.valid, Verdict::Valid, "{:?}", result.anomalies);
}

#[test]
fn a_list_concurrent_with_the_hold_need_not_show_it() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 40));
    plan.list(2, "carol", "e1", &[], 12, (20, 60));
    let (history, _) = plan.build();
    assert_eq!(check_sessions(&history).valid, Verdict::Valid);
}

#[test]
fn another_users_list_is_not_bound_by_carols_hold() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    plan.list(2, "dave", "e1", &[], 12, (50, 60));
    plan.list(1, "carol", "e2", &[], 12, (50, 60));
    let (history, _) = plan.build();
    assert_eq!(check_sessions(&history).valid, Verdict::Valid);
}

#[test]
fn the_session_survives_a_process_replacement() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    plan.op(
        1,
        "release",
        serde_json::json!({"event": "e2", "hold": "x"}),
        12,
        30,
        EventType::Info,
        serde_json::json!({"event": "e2", "hold": "x"}),
    );
    plan.list(11, "carol", "e1", &[], 12, (50, 60));
    let (history, _) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.anomalies.len(), 1, "{:?}", result.anomalies);
    assert_eq!(result.anomalies[0].kind, READ_YOUR_WRITES);
}

#[test]
fn a_release_that_may_have_happened_excuses_the_missing_hold() {
    for outcome in [EventType::Ok, EventType::Info] {
        let mut plan = Plan::default();
        plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
        plan.end_hold(1, "release", "e1", "h-31", 16, outcome, (20, 30));
        plan.list(2, "carol", "e1", &[], 17, (50, 60));
        let (history, _) = plan.build();
        let result = check_sessions(&history);
        assert_eq!(
            result.valid,
            Verdict::Valid,
            "{outcome:?}: {:?}",
            result.anomalies
        );
    }
}

#[test]
fn a_failed_release_excuses_nothing() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    plan.end_hold(1, "confirm", "e1", "h-31", 0, EventType::Fail, (20, 30));
    plan.list(1, "carol", "e1", &[], 17, (50, 60));
    let (history, _) = plan.build();
    assert_eq!(check_sessions(&history).anomalies.len(), 1);
}

#[test]
fn an_expiry_the_list_reflects_excuses_the_missing_hold_but_an_older_list_is_stale() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    let stale = plan.list(1, "carol", "e1", &[], 14, (50, 60));
    plan.list(1, "carol", "e1", &[], 21, (70, 80));
    plan.log(
        9,
        "e1",
        &[
            (15, "HoldPlaced", "h-31", "carol", 2, "req-h-31"),
            (20, "HoldExpired", "h-31", "carol", 2, "req-h-31"),
        ],
        (100, 110),
    );
    let (history, ids) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.anomalies.len(), 1, "{:?}", result.anomalies);
    assert!(result.anomalies[0].events.contains(&ids[stale]));
}

#[test]
fn a_released_hold_that_reappears_is_a_read_your_writes_violation() {
    let mut plan = Plan::default();
    plan.hold(1, "carol", "e1", 2, "h-31", 15, (0, 10));
    plan.end_hold(1, "release", "e1", "h-31", 16, EventType::Ok, (20, 30));
    plan.list(1, "carol", "e1", &["h-31"], 15, (55, 60));
    let (history, _) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.anomalies.len(), 1, "{:?}", result.anomalies);
    assert_eq!(result.anomalies[0].kind, READ_YOUR_WRITES);
    assert!(
        result.anomalies[0].explanation.contains("reappeared"),
        "{}",
        result.anomalies[0].explanation
    );
    assert!(result.anomalies[0]
        .explanation
        .contains("25 ms after it was released"));
}

#[test]
fn a_list_that_goes_back_in_time_breaks_monotonic_reads() {
    let mut plan = Plan::default();
    let newer = plan.list(1, "alice", "e1", &[], 57, (0, 20));
    let older = plan.list(1, "alice", "e1", &[], 41, (30, 40));
    let (history, ids) = plan.build();
    let result = check_sessions(&history);
    assert_eq!(result.anomalies.len(), 1, "{:?}", result.anomalies);
    let a = &result.anomalies[0];
    assert_eq!(a.kind, MONOTONIC_READS);
    assert!(a.events.contains(&ids[newer]) && a.events.contains(&ids[older]));
    assert!(
        a.explanation.contains("seq 57") && a.explanation.contains("seq 41"),
        "{}",
        a.explanation
    );
}

#[test]
fn concurrent_lists_may_return_in_any_order() {
    let mut plan = Plan::default();
    plan.list(1, "alice", "e1", &[], 57, (0, 40));
    plan.list(2, "alice", "e1", &[], 41, (10, 50));
    plan.list(3, "alice", "e1", &[], 60, (60, 70));
    let (history, _) = plan.build();
    assert_eq!(check_sessions(&history).valid, Verdict::Valid);
}
