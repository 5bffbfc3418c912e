//! A real 3-node Redis cluster with a Sentinel per node, in namespaces: cutting the primary off
//! makes the Sentinels promote a replica; a write the old primary acknowledged meanwhile is lost
//! when it comes back as a replica; WAIT on it reports that no replica has the write.

use crate::common::{Cluster, FailoverOfN1};
use nemesis::netns::redis::{cli, PORT};
use nemesis::netns::{NetnsDriver, SystemSpec};
use nemesis::schedule::undo;
use nemesis::Driver;
use std::time::{Duration, Instant};

/// Runs a redis-cli command on node `name`, panicking with the error.
fn redis(cluster: &Cluster, name: &str, args: &[&str]) -> String {
    let url = cluster.url(name);
    let host = url
        .trim_start_matches("redis://")
        .trim_end_matches(&format!(":{PORT}"));
    cli(host, PORT, args).unwrap_or_else(|e| panic!("{name}: {args:?}: {e}"))
}

/// Runs several commands on one connection to node `name` (WAIT is about its own writes).
fn session(cluster: &Cluster, name: &str, script: &str) -> String {
    let url = cluster.url(name);
    let host = url.trim_start_matches("redis://").trim_end_matches(":6379");
    nemesis::command::run(
        "timeout",
        &["5", "redis-cli", "-h", host, "-p", "6379"],
        Some(script),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .trim()
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_promotes_a_replica_and_the_old_primarys_write_is_lost() {
    let cluster = Cluster::up_system(8, 3, SystemSpec::Redis).await;
    let driver = NetnsDriver::new(cluster.0.clone());
    assert_eq!(driver.leader().await.ok().flatten().as_deref(), Some("n1"));
    assert_eq!(session(&cluster, "n1", "SET k 1\nWAIT 2 2000\n"), "OK\n2");

    let (fault, failover) = FailoverOfN1::start(&cluster, &driver, 1000).await;
    // WAIT counts the replicas that have this connection's writes: none can.
    assert_eq!(
        session(&cluster, "n1", "SET k 2\nWAIT 1 300\n"),
        "OK\n0",
        "the cut-off primary acknowledges the write, and no replica has it"
    );
    let promoted = failover.promoted().await;
    assert_eq!(redis(&cluster, &promoted, &["GET", "k"]), "1");

    undo(&driver, &fault)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let sentence = loop {
        let state = driver.state();
        if let Ok(Some(s)) = state.system.system().converged(&state).await {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "redis did not converge after the heal"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(sentence.contains(&promoted), "{sentence}");
    assert_eq!(
        redis(&cluster, "n1", &["GET", "k"]),
        "1",
        "the old primary, now a replica, dropped the write it had acknowledged"
    );
}
