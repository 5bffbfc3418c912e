//! `frenzy test --nemesis` against a real etcd cluster in network namespaces (`frenzy cluster
//! up`, root): partitions and kills run during the main phase, each start and stop is in the
//! history, the faults are healed, and etcd's registers stay linearizable. A SIGTERM mid-run heals,
//! records the stop and writes the run (the second signal is explained, not obeyed).

mod common;

use common::{assert_stopped_run, send, spawn, wait_for_history};
use std::path::PathBuf;
use std::process::{Command, Output};

fn frenzy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .output()
        .expect("running frenzy")
}

/// A namespace cluster and a store unique to this test; torn down when dropped, even on failure.
struct Cluster {
    prefix: String,
    dir: PathBuf,
}

impl Cluster {
    /// A cluster for the test tagged `tag` (one letter) on `10.{octet}.x.0/24`.
    fn up(tag: char, octet: u8) -> Cluster {
        let pid = std::process::id();
        let cluster = Cluster {
            prefix: format!("fz{tag}{}", pid % 100_000),
            dir: std::env::temp_dir().join(format!("frenzy-nemesis-test-{tag}-{pid}")),
        };
        let subnet = format!("10.{octet}.{}.0/24", pid % 250);
        let out = frenzy(&[
            "cluster",
            "up",
            "--system",
            "etcd",
            "--nodes",
            "3",
            "--prefix",
            &cluster.prefix,
            "--dir",
            cluster.dir.to_str().unwrap(),
            "--subnet",
            &subnet,
        ]);
        assert!(
            out.status.success(),
            "cluster up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster
    }

    fn root(&self) -> String {
        self.dir.join(&self.prefix).display().to_string()
    }

    /// Runs `frenzy cluster ACTION` on this cluster.
    fn command(&self, action: &str) -> Output {
        frenzy(&[
            "cluster",
            action,
            "--prefix",
            &self.prefix,
            "--dir",
            self.dir.to_str().unwrap(),
        ])
    }

    /// The nftables tables inside every node's namespace.
    fn tables(&self) -> String {
        (1..=3)
            .map(|i| {
                let ns = format!("{}-n{i}", self.prefix);
                let out = Command::new("ip")
                    .args(["netns", "exec", &ns, "nft", "list", "tables"])
                    .output()
                    .expect("running nft");
                format!("{ns}: {}", String::from_utf8_lossy(&out.stdout))
            })
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command("down");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn faults_run_in_the_main_phase_are_recorded_and_healed() {
    let cluster = Cluster::up('t', 215);
    let store = cluster.dir.join("store");
    let out = frenzy(&[
        "test",
        "--workload",
        "cas-register",
        "--cluster",
        &cluster.root(),
        "--nemesis",
        "partition,kill",
        "--nemesis-interval",
        "0.8",
        "--time-limit",
        "4",
        "--warmup",
        "0.5",
        "--concurrency",
        "6",
        "--rate",
        "150",
        "--op-timeout",
        "1.5",
        "--store",
        store.to_str().unwrap(),
        "--seed",
        "11",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let latest = store.join("cas-register").join("latest");
    let history = std::fs::read_to_string(latest.join("history.jsonl")).expect("the history");
    let faults: Vec<&str> = history
        .lines()
        .filter(|l| l.contains("\"process\":\"nemesis\""))
        .collect();
    assert!(
        faults.iter().any(|l| l.contains("\"start-partition\"")),
        "{faults:?}"
    );
    let starts = faults
        .iter()
        .filter(|l| l.contains("\"f\":\"start-"))
        .count();
    let stops = faults
        .iter()
        .filter(|l| l.contains("\"f\":\"stop-"))
        .count();
    assert_eq!(starts, stops, "every fault started was stopped: {faults:?}");
    assert!(
        latest.join("logs").join("n1-etcd.log").exists(),
        "the nodes' logs are kept with the run"
    );
    let status = cluster.command("status");
    assert!(
        status.status.success(),
        "all nodes healthy after the heal: {}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn sigterm_during_a_faulted_run_heals_records_and_reports() {
    let cluster = Cluster::up('s', 216);
    let store = cluster.dir.join("store");
    let mut child = spawn(&[
        "test",
        "--workload",
        "cas-register",
        "--cluster",
        &cluster.root(),
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "0.3",
        "--time-limit",
        "120",
        "--warmup",
        "0.2",
        "--concurrency",
        "4",
        "--rate",
        "100",
        "--store",
        store.to_str().unwrap(),
    ]);
    wait_for_history(&store, "cas-register", "start-partition", &mut child);
    send(&child, "TERM");
    send(&child, "INT");
    let out = child.wait_with_output().expect("waiting for frenzy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("received SIGTERM:"), "{stderr}");
    assert!(stderr.contains("received SIGINT again"), "{stderr}");
    assert!(!cluster.tables().contains("frenzy"), "{}", cluster.tables());
    assert_stopped_run(&store, "cas-register", "SIGTERM");
    // Nothing was left paused or dead: every member answers.
    let status = cluster.command("status");
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(text.matches(" healthy").count(), 3, "{text}");
}
