//! Redis through examples/adapters/redis_register.py on a `frenzy cluster up --system redis`
//! cluster (a Sentinel per node). Cutting the primary off makes the Sentinels promote a replica;
//! the cut-off primary acknowledges writes until its clients learn of the switch, and the keys
//! written only there are gone once every Sentinel agrees: the final reads find them empty, and
//! the checker names the lost writes. With `wait=1` (WAIT after each write) those writes are
//! reported unknown instead, so no acknowledged write is lost; the heal leaves one master.

mod systems;

use std::path::Path;
use systems::{text, SystemCluster};

/// The register run under test, with `extra` flags: the primary is cut off about 3 s in and stays
/// cut (1 s grace, about 2 s until the Sentinels promote, then until the heal). The clients ask
/// the Sentinels in the nodes' order, n1's first, and n1's own Sentinel keeps naming n1 while it
/// is cut off: every operation of that time goes to the old primary, which acknowledges it.
/// A key lasts 20 operations (0.2 s at 100/s), so several keys are written only there; the final
/// reads, after the heal and after every Sentinel names the new primary, find them empty.
fn isolated_primary(cluster: &SystemCluster, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![
        "--workload",
        "register",
        "--concurrency",
        "5",
        "--rate",
        "100",
        "--ops-per-key",
        "20",
        "--time-limit",
        "10",
        "--nemesis",
        "failover",
        "--nemesis-interval",
        "3",
        "--seed",
        "5",
    ];
    args.extend_from_slice(extra);
    let out = cluster.test("redis_register.py", &args);
    (out.status.code(), text(&out))
}

/// The latest run of `test` in the cluster's store: (history, results.json).
fn latest(cluster: &SystemCluster, test: &str) -> (String, serde_json::Value) {
    let run = cluster.dir.join("store").join(test).join("latest");
    let read = |file: &str| {
        std::fs::read_to_string(Path::new(&run).join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let results = serde_json::from_str(&read("results.json")).expect("results.json is JSON");
    (read("history.jsonl"), results)
}

#[test]
fn isolating_the_redis_primary_loses_acknowledged_writes_unless_wait() {
    let cluster = SystemCluster::new('r', 143);
    cluster.up(&["--system", "redis", "--nodes", "3"]);
    let shown = text(&cluster.cluster("status", &[]));
    assert!(
        shown.contains("master, offset") && shown.contains("leader"),
        "{shown}"
    );

    let (code, shown) = isolated_primary(&cluster, &["--test-name", "no-wait"]);
    assert_eq!(code, Some(1), "{shown}");
    assert!(shown.contains("verdict: INVALID"), "{shown}");
    assert!(
        shown.contains("A lost write: ") && shown.contains("(read null) began after"),
        "{shown}"
    );
    let (history, results) = latest(&cluster, "no-wait");
    let failover = history
        .lines()
        .find(|l| l.contains("\"start-failover\""))
        .unwrap_or_else(|| panic!("no failover in the history: {shown}"));
    assert!(failover.contains("\"by\":\"sentinel\""), "{failover}");
    assert!(history.contains("\"sentinels_agree_on\""), "{shown}");
    let partitions = results["linearizability"]["partitions"]
        .as_array()
        .expect("partitions");
    let lost = partitions
        .iter()
        .filter_map(|p| p["evidence"].as_object())
        .find(|e| {
            e["explanation"]
                .as_str()
                .is_some_and(|s| s.starts_with("A lost write"))
        })
        .unwrap_or_else(|| panic!("no lost write in results.json: {results}"));
    let witness = lost["witness"].as_array().expect("a witness");
    assert!(
        witness.len() >= 2
            && lost["stuck"]
                .as_array()
                .is_some_and(|s| s.iter().all(|op| witness.contains(op))),
        "the witness holds the acknowledged write and the read that missed it: {lost:?}"
    );

    // WAIT 1 after each write: on the cut-off primary no replica confirms, so the write is
    // reported unknown, not acknowledged. Reads there may still see such writes, which later
    // vanish (invalid, "A read of a lost write: …"), but no acknowledged write is lost.
    let (code, shown) = isolated_primary(
        &cluster,
        &["--test-name", "wait", "--adapter-opt", "wait=1"],
    );
    assert!(matches!(code, Some(0) | Some(1)), "{shown}");
    assert!(!shown.contains("A lost write:"), "{shown}");
    let (history, _) = latest(&cluster, "wait");
    assert!(
        history.contains("WAIT: 0 of 1 replicas have the write"),
        "{shown}"
    );

    let heal = cluster.cluster("heal", &[]);
    assert_eq!(heal.status.code(), Some(0), "{}", text(&heal));
    assert!(text(&heal).contains("the one master"), "{}", text(&heal));
}
