//! A real 3-node PostgreSQL cluster (asynchronous streaming replication) in namespaces: a
//! failover after cutting the primary off loses a commit the old primary acknowledged; the old
//! primary rejoins as a replica; kill and restart keep a replica's role.

use crate::common::{Cluster, FailoverOfN1};
use nemesis::netns::postgres::query;
use nemesis::netns::{NetnsDriver, SystemSpec};
use nemesis::schedule::{apply, undo};
use nemesis::{Driver, Fault};
use std::time::{Duration, Instant};

/// Runs `sql` on node `name`, panicking with the error.
fn sql(cluster: &Cluster, name: &str, sql: &str) -> String {
    let addr = cluster.url(name);
    let host = addr
        .trim_start_matches("postgresql://")
        .trim_end_matches(":5432");
    query(host, sql).unwrap_or_else(|e| panic!("{name}: {sql}: {e}"))
}

/// Waits (up to 30 s) until `frenzy cluster heal`'s convergence sentence holds.
async fn converged(driver: &NetnsDriver) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = driver.state();
        if let Ok(Some(sentence)) = state.system.system().converged(&state).await {
            return sentence;
        }
        assert!(Instant::now() < deadline, "the cluster did not converge");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_failover_loses_an_acknowledged_commit_and_the_old_primary_rejoins() {
    let cluster = Cluster::up_system(7, 3, SystemSpec::Postgres { sync: false }).await;
    let driver = NetnsDriver::new(cluster.0.clone());
    assert_eq!(driver.leader().await.ok().flatten().as_deref(), Some("n1"));
    sql(&cluster, "n1", "create table t (id int primary key)");
    sql(&cluster, "n1", "insert into t values (1)");
    converged(&driver).await;

    let (fault, failover) = FailoverOfN1::start(&cluster, &driver, 1500).await;
    // While n1 is cut off from its replicas (the host still reaches it), it acknowledges a commit.
    sql(&cluster, "n1", "insert into t values (2)");
    let promoted = failover.promoted().await;
    assert_eq!(driver.leader().await.ok().flatten(), Some(promoted.clone()));
    assert_eq!(
        sql(
            &cluster,
            &promoted,
            "select string_agg(id::text, ',' order by id) from t"
        ),
        "1",
        "the new primary should lack the commit n1 acknowledged while cut off"
    );
    sql(&cluster, &promoted, "insert into t values (3)");

    let rejoined = undo(&driver, &fault)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(rejoined["rejoined"]["n1"]["pids"][0].is_u64(), "{rejoined}");
    let sentence = converged(&driver).await;
    assert!(sentence.contains("one primary"), "{sentence}");
    assert_eq!(sql(&cluster, "n1", "select pg_is_in_recovery()"), "t");
    assert_eq!(
        sql(
            &cluster,
            "n1",
            "select string_agg(id::text, ',' order by id) from t"
        ),
        "1,3",
        "the old primary was rewound onto the new timeline: its own commit is gone"
    );

    // Kill a replica: it restarts as a replica of the new primary and catches up.
    let replica = if promoted == "n2" { "n3" } else { "n2" };
    let kill = Fault::Kill {
        nodes: vec![replica.into()],
    };
    apply(&driver, &kill)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sql(&cluster, &promoted, "insert into t values (4)");
    undo(&driver, &kill).await.unwrap_or_else(|e| panic!("{e}"));
    converged(&driver).await;
    assert_eq!(
        sql(
            &cluster,
            replica,
            "select string_agg(id::text, ',' order by id) from t"
        ),
        "1,3,4"
    );
    let state = driver.state();
    assert_eq!(state.primary.as_deref(), Some(promoted.as_str()));
}
