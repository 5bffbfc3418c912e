//! `frenzy test --nemesis` against a real etcd cluster in network namespaces (`frenzy cluster
//! up`, root): partitions and kills run during the main phase, each start and stop is in the
//! history, the faults are healed, and etcd's registers stay linearizable.

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
    fn up() -> Cluster {
        let pid = std::process::id();
        let cluster = Cluster {
            prefix: format!("fzt{}", pid % 100_000),
            dir: std::env::temp_dir().join(format!("frenzy-nemesis-test-{pid}")),
        };
        let subnet = format!("10.215.{}.0/24", pid % 250);
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
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = frenzy(&[
            "cluster",
            "down",
            "--prefix",
            &self.prefix,
            "--dir",
            self.dir.to_str().unwrap(),
        ]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn faults_run_in_the_main_phase_are_recorded_and_healed() {
    let cluster = Cluster::up();
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
    let status = frenzy(&[
        "cluster",
        "status",
        "--prefix",
        &cluster.prefix,
        "--dir",
        cluster.dir.to_str().unwrap(),
    ]);
    assert!(
        status.status.success(),
        "all nodes healthy after the heal: {}",
        String::from_utf8_lossy(&status.stdout)
    );
}
