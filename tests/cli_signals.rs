//! Terminating signals during real runs: `frenzy test --nemesis` against an etcd cluster in network
//! namespaces (root), and `frenzy demo`. The first signal heals every fault, records the stop and
//! writes history, results (unknown) and report, then exits 128 + the signal; a second one is
//! explained, not obeyed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn frenzy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .output()
        .expect("running frenzy")
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting frenzy")
}

/// Sends `signal` (a `kill` name, e.g. `TERM`) to `child`.
fn send(child: &Child, signal: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(sent.success(), "kill -{signal} failed");
}

/// Waits until the run's history (under `store/test/latest/`) holds a line containing `needle`.
fn wait_for_history(store: &Path, test: &str, needle: &str, child: &mut Child) {
    let history = store.join(test).join("latest").join("history.jsonl");
    loop {
        let text = std::fs::read_to_string(&history).unwrap_or_default();
        if text.contains(needle) {
            return;
        }
        if let Some(status) = child.try_wait().expect("polling frenzy") {
            panic!("frenzy exited ({status}) before its history had {needle}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
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
            prefix: format!("fzs{}", pid % 100_000),
            dir: std::env::temp_dir().join(format!("frenzy-signal-test-{pid}")),
        };
        let subnet = format!("10.216.{}.0/24", pid % 250);
        let out = frenzy(&[
            "cluster",
            "up",
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

/// Asserts what a stopped run leaves in its folder: the stop in the history, unknown results that
/// say why, and the report.
fn assert_stopped_run(store: &Path, test: &str, signal: &str) {
    let run = store.join(test).join("latest");
    let history = std::fs::read_to_string(run.join("history.jsonl")).expect("the history");
    assert!(
        history
            .lines()
            .any(|l| l.contains("\"f\":\"stop\"") && l.contains(signal)),
        "the stop is in the history"
    );
    let results = std::fs::read_to_string(run.join("results.json")).expect("results.json");
    assert!(results.contains("\"valid\": \"unknown\""), "{results}");
    assert!(
        results.contains(&format!("stopped by {signal}")),
        "{results}"
    );
    assert!(run.join("report.html").is_file(), "the report is written");
}

#[test]
fn sigterm_during_a_faulted_run_heals_records_and_reports() {
    let cluster = Cluster::up();
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
    let status = frenzy(&[
        "cluster",
        "status",
        "--prefix",
        &cluster.prefix,
        "--dir",
        cluster.dir.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(text.matches(" healthy").count(), 3, "{text}");
}

#[test]
fn sighup_stops_the_demo_with_its_report() {
    let store = std::env::temp_dir().join(format!("frenzy-signal-demo-{}", std::process::id()));
    let mut child = spawn(&[
        "demo",
        "--time-limit",
        "120",
        "--store",
        store.to_str().unwrap(),
    ]);
    wait_for_history(&store, "demo-eventual", "start-partition", &mut child);
    send(&child, "HUP");
    let out = child.wait_with_output().expect("waiting for frenzy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(129), "{stderr}");
    assert_stopped_run(&store, "demo-eventual", "SIGHUP");
    let _ = std::fs::remove_dir_all(&store);
}
