//! PostgreSQL through examples/adapters/postgres_tickets.py on `frenzy cluster up --system
//! postgres` clusters (one asynchronous, then one with --pg-sync): naive holds oversell under
//! concurrency alone; atomic and serializable holds stay valid under kills and pauses; a failover
//! after the primary is cut off loses acknowledged holds, unless replication is synchronous.

mod systems;

use systems::{text, SystemCluster};

/// A tickets run through the adapter with `strategy`, and more flags.
fn tickets(cluster: &SystemCluster, strategy: &str, extra: &[&str]) -> (Option<i32>, String) {
    let opt = format!("strategy={strategy}");
    let mut args = vec![
        "--workload",
        "tickets",
        "--adapter-opt",
        &opt,
        "--concurrency",
        "8",
        "--seed",
        "7",
        "--check-time-limit",
        "60",
    ];
    args.extend_from_slice(extra);
    let out = cluster.test("postgres_tickets.py", &args);
    (out.status.code(), text(&out))
}

/// Short faulted runs; the quiet time lets a killed primary finish crash recovery before the
/// final reads.
const FAULTED: [&str; 10] = [
    "--time-limit",
    "6",
    "--quiesce",
    "4",
    "--rate",
    "300",
    "--capacity",
    "1000",
    "--events",
    "2",
];

#[test]
fn postgres_strategies_and_replication_modes() {
    let cluster = SystemCluster::new('p', 141);
    cluster.up(&["--system", "postgres", "--nodes", "3"]);
    let status = cluster.cluster("status", &[]);
    let shown = text(&status);
    assert!(
        shown.contains("primary, at") && shown.contains("leader"),
        "{shown}"
    );
    assert_eq!(shown.matches("replica, replayed").count(), 2, "{shown}");

    let (code, out) = tickets(
        &cluster,
        "naive",
        &["--time-limit", "3", "--last-seats", "20"],
    );
    assert_eq!(
        code,
        Some(1),
        "naive holds oversell with no fault at all:\n{out}"
    );
    assert!(out.contains("oversell"), "{out}");

    for strategy in ["atomic", "serializable"] {
        let mut extra = vec!["--nemesis", "kill,pause", "--nemesis-interval", "1"];
        extra.extend_from_slice(&FAULTED);
        let (code, out) = tickets(&cluster, strategy, &extra);
        assert_eq!(code, Some(0), "{strategy} under kills and pauses:\n{out}");
        assert!(
            out.contains("start-kill") || out.contains("nemesis events"),
            "{out}"
        );
    }

    let mut failover = vec!["--nemesis", "failover", "--nemesis-interval", "2"];
    failover.extend_from_slice(&FAULTED);
    let (code, out) = tickets(&cluster, "atomic", &failover);
    assert_eq!(code, Some(1), "asynchronous replication, failover:\n{out}");
    assert!(out.contains("while failover"), "{out}");

    let down = cluster.cluster("down", &[]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    cluster.up(&["--system", "postgres", "--nodes", "3", "--pg-sync"]);
    let (code, out) = tickets(&cluster, "atomic", &failover);
    assert_eq!(code, Some(0), "synchronous replication, failover:\n{out}");

    let heal = cluster.cluster("heal", &[]);
    assert_eq!(heal.status.code(), Some(0), "{}", text(&heal));
    assert!(text(&heal).contains("one primary"), "{}", text(&heal));
}

#[test]
fn pg_sync_belongs_to_postgres_alone() {
    let cluster = SystemCluster::new('q', 142);
    let up = cluster.cluster("up", &["--system", "redis", "--pg-sync"]);
    assert_eq!(up.status.code(), Some(254), "{}", text(&up));
    assert!(
        text(&up).contains("--pg-sync only applies"),
        "{}",
        text(&up)
    );
}
