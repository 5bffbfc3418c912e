//! The tickets generator on its own: releases and confirms only name the user's own holds, a
//! `place_hold` with an unknown outcome is retried once with its request id, `min_seq` carries the
//! highest sequence number seen, and "last seats" mode is one small event nobody releases.

use rand::{rngs::StdRng, SeedableRng};
use serde_json::json;
use workloads::op::with_fields;
use workloads::tickets::{Mix, TicketsConfig, TicketsWorkload};
use workloads::{Completion, Op, WorkerCtx, Workload};

fn worker(slot: usize) -> WorkerCtx {
    WorkerCtx {
        slot,
        process: slot as u64,
        node: 0,
        rng: StdRng::seed_from_u64(slot as u64),
    }
}

fn ok(op: &Op, hold: &str, seq: u64) -> Completion {
    Completion::Ok(with_fields(
        &op.value,
        [("hold", json!(hold)), ("seq", json!(seq))],
    ))
}

#[test]
fn releases_and_confirms_name_the_users_own_holds() {
    let mut config = TicketsConfig::new("g");
    config.mix = Mix::parse("place_hold:1,release:1,confirm:1").unwrap();
    let workload = TicketsWorkload::new(config).unwrap();
    let mut w = worker(0);
    let mut mine = Vec::new();
    for n in 0..200 {
        let op = workload.next_op(&mut w);
        match op.f {
            "place_hold" => {
                assert_eq!(op.value["user"], "alice");
                let hold = format!("h{n}");
                workload.observe(&w, &op, &ok(&op, &hold, n));
                mine.push(hold);
            }
            "release" | "confirm" => {
                let hold = op.value["hold"].as_str().unwrap().to_owned();
                assert!(mine.contains(&hold), "{hold} is alice's");
                mine.retain(|h| *h != hold);
                workload.observe(&w, &op, &Completion::Ok(op.value.clone()));
            }
            other => panic!("{other} is not in the mix"),
        }
    }
}

#[test]
fn an_unknown_place_hold_is_retried_once_with_its_request_id() {
    let mut config = TicketsConfig::new("g");
    config.mix = Mix::parse("place_hold:1").unwrap();
    let workload = TicketsWorkload::new(config).unwrap();
    let mut w = worker(0);
    let first = workload.next_op(&mut w);
    workload.observe(&w, &first, &Completion::unknown(&first, "timed out"));
    let retry = workload.next_op(&mut w);
    assert_eq!(retry, first, "the same request again");
    workload.observe(&w, &retry, &Completion::unknown(&retry, "timed out"));
    let next = workload.next_op(&mut w);
    assert_ne!(
        next.value["request_id"], first.value["request_id"],
        "retried only once"
    );
}

#[test]
fn min_seq_carries_the_highest_seq_seen_on_the_event() {
    let mut config = TicketsConfig::new("g");
    config.events = 1;
    config.min_seq = true;
    config.mix = Mix::parse("place_hold:1").unwrap();
    let workload = TicketsWorkload::new(config).unwrap();
    let mut w = worker(0);
    let op = workload.next_op(&mut w);
    workload.observe(&w, &op, &ok(&op, "h1", 41));
    let finals = workload.final_reads(1);
    let list = finals
        .iter()
        .find(|(_, op)| op.f == "list_holds" && op.value["user"] == "alice")
        .unwrap();
    assert_eq!(list.1.value["min_seq"], 41);
}

#[test]
fn last_seats_is_one_small_event_that_nobody_releases() {
    let config = TicketsConfig::new("g").last_seats(2);
    assert_eq!(config.capacities().into_values().collect::<Vec<_>>(), [2]);
    let workload = TicketsWorkload::new(config).unwrap();
    let mut w = worker(3);
    for n in 0..300 {
        let op = workload.next_op(&mut w);
        assert_ne!(op.f, "release");
        if op.f == "place_hold" {
            workload.observe(&w, &op, &ok(&op, &format!("h{n}"), n));
        }
    }
}

#[test]
fn final_reads_cover_every_node_event_and_each_users_holds_where_they_placed() {
    let mut config = TicketsConfig::new("g");
    config.events = 20;
    config.users = 1000;
    let workload = TicketsWorkload::new(config).unwrap();
    let mut placed = std::collections::BTreeSet::new();
    for slot in 0..3 {
        let mut w = worker(slot);
        for _ in 0..4 {
            let op = workload.next_op(&mut w);
            if op.f == "place_hold" {
                placed.insert((op.value["user"].to_string(), op.value["event"].to_string()));
            }
        }
    }
    let reads = workload.final_reads(2);
    let count = |f: &str| reads.iter().filter(|(_, op)| op.f == f).count();
    assert_eq!(count("read_inventory"), 40, "each event on each node");
    assert_eq!(count("read_log"), 40);
    let listed: std::collections::BTreeSet<_> = reads
        .iter()
        .filter(|(_, op)| op.f == "list_holds")
        .map(|(_, op)| (op.value["user"].to_string(), op.value["event"].to_string()))
        .collect();
    assert!(!placed.is_empty());
    assert_eq!(
        listed, placed,
        "the holds of each user who acted (3 of 1000), on the events they placed on (not all 20)"
    );
    assert_eq!(count("list_holds"), placed.len(), "each once");
}

/// The setup the run records first: one create_event per event with its capacity, and the hold
/// TTL when holds expire, so the stored history describes its system.
#[test]
fn setup_records_each_events_capacity_and_hold_ttl() {
    let mut config = TicketsConfig::new("gala");
    config.events = 2;
    config.capacity = 4;
    let plain = TicketsWorkload::new(config.clone()).expect("valid config");
    let values: Vec<_> = plain
        .setup()
        .into_iter()
        .map(|op| (op.f, op.value))
        .collect();
    assert_eq!(
        values,
        [
            ("create_event", json!({"event": "gala-e1", "capacity": 4})),
            ("create_event", json!({"event": "gala-e2", "capacity": 4})),
        ]
    );
    config.hold_ttl = Some(std::time::Duration::from_secs(30));
    let expiring = TicketsWorkload::new(config).expect("valid config");
    assert_eq!(expiring.setup()[0].value["hold_ttl_ms"], json!(30_000));
}
