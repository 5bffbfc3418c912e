//! A real 3-node etcd cluster in namespaces under leader isolation, kill and pause.

use crate::common::{eventually, http, local_get, put, stopped, Cluster};
use nemesis::netns::cluster::{self, ClusterState};
use nemesis::netns::{process, NetnsDriver};
use nemesis::schedule::{apply, undo};
use nemesis::{
    etcd, partition, Driver, Fault, FaultKind, NemesisError, NemesisEvent, PartitionKind, Schedule,
};
use std::time::{Duration, Instant};

/// The cluster's leader, waiting for one (elections take about a second).
async fn wait_leader(driver: &NetnsDriver) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(leader)) = driver.leader().await {
            return leader;
        }
        assert!(Instant::now() < deadline, "no leader within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every member answers at the same revision; returns how long that took.
async fn converged(cluster: &Cluster) -> Duration {
    let client = http(Duration::from_millis(500));
    let members = cluster.0.members();
    eventually(
        Duration::from_secs(30),
        "every member at the same revision",
        || {
            let (c, m) = (&client, &members);
            async move { etcd::converged(c, m).await.is_some() }
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolating_the_leader_blocks_it_while_the_majority_moves_on_then_heals() {
    let cluster = Cluster::up(1, 3).await;
    let driver = NetnsDriver::new(cluster.0.clone());
    let client = http(Duration::from_secs(2));
    let old = wait_leader(&driver).await;
    put(&client, &cluster.url(&old), "before", "1")
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let nodes = driver.nodes();
    let plan = partition::isolate(PartitionKind::IsolateLeader, &nodes, &old);
    apply(&driver, &Fault::Partition(plan))
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let started = Instant::now();
    let through_old = put(&client, &cluster.url(&old), "during", "old").await;
    assert!(
        through_old.is_err(),
        "a write through the isolated leader was acknowledged"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "it failed fast instead of timing out"
    );

    let majority: Vec<(String, String)> = nodes
        .iter()
        .filter(|n| **n != old)
        .map(|n| (n.clone(), cluster.url(n)))
        .collect();
    let status_client = http(Duration::from_millis(500));
    eventually(
        Duration::from_secs(20),
        "a new leader in the majority",
        || {
            let (c, m, old) = (&status_client, &majority, &old);
            async move { etcd::leader(c, m).await.is_some_and(|l| l != *old) }
        },
    )
    .await;
    let url = majority[0].1.clone();
    eventually(
        Duration::from_secs(10),
        "a write through the majority",
        || {
            let (c, url) = (&client, &url);
            async move { put(c, url, "during", "majority").await.is_ok() }
        },
    )
    .await;
    assert_eq!(local_get(&client, &cluster.url(&old), "during").await, None);

    driver
        .heal_network()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let took = converged(&cluster).await;
    assert_eq!(
        local_get(&client, &cluster.url(&old), "during")
            .await
            .as_deref(),
        Some("majority")
    );
    eprintln!("measured: heal converged on etcd in {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_restart_and_a_heal_from_the_state_file() {
    let cluster = Cluster::up(2, 3).await;
    let driver = NetnsDriver::new(cluster.0.clone());
    let client = http(Duration::from_secs(2));
    let spec_again = cluster::ClusterSpec {
        topology: cluster.0.topology.clone(),
        root: cluster.0.root.clone(),
        system: Default::default(),
    };
    let second = cluster::up(&spec_again, &mut |_| {}).await;
    assert!(
        matches!(&second, Err(NemesisError::InTheWay(w)) if w.iter().any(|x| x.contains("namespace"))),
        "{second:?}"
    );

    let killed = Fault::Kill {
        nodes: vec!["n2".into()],
    };
    let value = apply(&driver, &killed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pids: Vec<u32> = serde_json::from_value(value["n2"]["pids"].clone()).unwrap_or_default();
    assert!(!pids.is_empty(), "kill reported no pid: {value}");
    assert!(pids.iter().all(|p| !process::alive(*p)));
    assert!(!etcd::healthy(&client, &cluster.url("n2")).await);
    eventually(Duration::from_secs(15), "a write with n2 dead", || {
        let (c, u) = (&client, cluster.url("n1"));
        async move { put(c, &u, "k", "while-n2-dead").await.is_ok() }
    })
    .await;

    let value = undo(&driver, &killed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        value["n2"]["pids"][0].is_u64(),
        "restart reported no pid: {value}"
    );
    eventually(
        Duration::from_secs(20),
        "n2 healthy and caught up after restart",
        || {
            let (c, u) = (&client, cluster.url("n2"));
            async move { local_get(c, &u, "k").await.as_deref() == Some("while-n2-dead") }
        },
    )
    .await;

    // A crashed runner leaves n3 killed and n1 paused; a fresh driver from the state file heals.
    driver.kill("n3").await.unwrap_or_else(|e| panic!("{e}"));
    driver.pause("n1").await.unwrap_or_else(|e| panic!("{e}"));
    let fresh =
        NetnsDriver::new(ClusterState::load(&cluster.0.root).unwrap_or_else(|e| panic!("{e}")));
    fresh.heal().await.unwrap_or_else(|e| panic!("{e}"));
    for n in ["n1", "n2", "n3"] {
        eventually(
            Duration::from_secs(20),
            "every member healthy after heal",
            || {
                let (c, u) = (&client, cluster.url(n));
                async move { etcd::healthy(c, &u).await }
            },
        )
        .await;
    }

    let state = fresh.state();
    let removed = cluster::down(&state).unwrap_or_else(|e| panic!("{e}"));
    assert!(removed.iter().any(|r| r.contains("bridge")));
    assert!(
        state.topology.leftovers().is_empty(),
        "{:?}",
        state.topology.leftovers()
    );
    assert!(!state.root.exists());
    let pids: Vec<u32> = state
        .nodes
        .iter()
        .flat_map(|n| n.processes.iter().filter_map(|p| p.pid))
        .collect();
    assert!(
        pids.iter().all(|p| !process::alive(*p)),
        "processes survived down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_a_member_and_resume_brings_it_back() {
    let cluster = Cluster::up(3, 3).await;
    let driver = NetnsDriver::new(cluster.0.clone());
    let client = http(Duration::from_secs(1));
    let paused = Fault::Pause {
        nodes: vec!["n3".into()],
    };
    let value = apply(&driver, &paused)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = value["n3"]["pids"][0]
        .as_u64()
        .unwrap_or_else(|| panic!("no pid in {value}")) as u32;
    let five = Duration::from_secs(5);
    eventually(five, "n3 stopped by pause", || async move { stopped(pid) }).await;
    assert!(
        !etcd::healthy(&client, &cluster.url("n3")).await,
        "a paused member answered"
    );
    eventually(Duration::from_secs(15), "a write with n3 paused", || {
        let (c, u) = (&client, cluster.url("n1"));
        async move { put(c, &u, "p", "1").await.is_ok() }
    })
    .await;
    undo(&driver, &paused)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    eventually(
        five,
        "n3 continued by resume",
        || async move { !stopped(pid) },
    )
    .await;
    eventually(Duration::from_secs(15), "n3 back with the write", || {
        let (c, u) = (&client, cluster.url("n3"));
        async move { local_get(c, &u, "p").await.as_deref() == Some("1") }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_composed_schedule_on_real_etcd_reports_every_fault_and_leaves_it_healthy() {
    let cluster = Cluster::up(6, 3).await;
    let driver = NetnsDriver::open(&cluster.0.root).unwrap_or_else(|e| panic!("{e}"));
    let kinds = vec![FaultKind::Partition, FaultKind::Kill, FaultKind::Pause];
    let schedule = Schedule::new(kinds, Duration::from_millis(300), 11);
    let mut events: Vec<NemesisEvent> = Vec::new();
    let stop = tokio::time::sleep(Duration::from_millis(2500));
    nemesis::run(&driver, &schedule, |e| events.push(e), stop)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = events.iter().map(|e| e.f.as_str()).collect();
    assert!(names.len() >= 5, "{names:?}");
    assert_eq!(
        &names[..5],
        [
            "start-partition",
            "stop-partition",
            "start-kill",
            "stop-kill",
            "start-pause"
        ]
    );
    assert!(events[2].value["applied"]
        .as_object()
        .is_some_and(|m| m.values().all(|v| v["pids"][0].is_u64())));
    assert!(
        names.last().is_some_and(|l| l.starts_with("stop-")),
        "{names:?}"
    );
    converged(&cluster).await;
    let client = http(Duration::from_secs(1));
    eventually(
        Duration::from_secs(10),
        "a write after the schedule",
        || {
            let (c, u) = (&client, cluster.url("n1"));
            async move { put(c, &u, "after", "1").await.is_ok() }
        },
    )
    .await;
}
