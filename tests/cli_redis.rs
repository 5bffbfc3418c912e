//! Redis through examples/adapters/redis_register.py on a `frenzy cluster up --system redis`
//! cluster (a Sentinel per node): cutting the primary off makes the Sentinels promote a replica;
//! the run is checked (writes the old primary acknowledged meanwhile may be lost when it rejoins
//! as a replica, which the checker then names) and the heal leaves one master.

mod systems;

use systems::{text, SystemCluster};

#[test]
fn isolating_the_redis_primary_fails_over_checked_and_healed() {
    let cluster = SystemCluster::new('r', 143);
    cluster.up(&["--system", "redis", "--nodes", "3"]);
    let shown = text(&cluster.cluster("status", &[]));
    assert!(
        shown.contains("master, offset") && shown.contains("leader"),
        "{shown}"
    );
    // The failover (cut, ~3 s until the Sentinels promote, 1.5 to 4.5 s more until the heal)
    // ends within about 13 s, leaving reads after the switch. A lost write shows when one of them
    // finds the old value while a different, acknowledged one was written last: seen in runs by
    // hand (docs/systems.md), but on none with certainty, so this test does not require it. It
    // requires a checked verdict (valid, or invalid with the lost write named), the failover in
    // the history, and one master again after the heal.
    let out = cluster.test(
        "redis_register.py",
        &[
            "--workload",
            "register",
            "--concurrency",
            "5",
            "--rate",
            "100",
            "--ops-per-key",
            "100000",
            "--time-limit",
            "20",
            "--nemesis",
            "failover",
            "--nemesis-interval",
            "3",
            "--seed",
            "5",
        ],
    );
    let shown = text(&out);
    match out.status.code() {
        Some(1) => assert!(shown.contains("INVALID"), "{shown}"),
        Some(0) => assert!(shown.contains("verdict: valid"), "{shown}"),
        other => panic!("exit {other:?}: {shown}"),
    }
    assert!(
        shown.contains("nemesis events") && !shown.contains(" 0 nemesis events"),
        "{shown}"
    );
    let heal = cluster.cluster("heal", &[]);
    assert_eq!(heal.status.code(), Some(0), "{}", text(&heal));
    assert!(text(&heal).contains("the one master"), "{}", text(&heal));
}
