//! `frenzy demo` end to end: the eventual design is caught double-selling and charging a hold it
//! reported failed (exit 1, a stored report that says when and under which fault), and on a real etcd cluster in namespaces the atomic design passes every check
//! while the non-atomic one is caught by the ledger.

mod common;

use common::{assert_stopped_run, send, spawn, wait_for_history};
#[path = "../reports/tests/common/mod.rs"]
mod report_common;

use report_common::browser::{dump_dom, screenshot};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A store folder unique to this test, removed when dropped.
struct Store(PathBuf);

impl Store {
    fn new(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("frenzy-demo-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Store(dir)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn demo(store: &Store, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .arg("demo")
        .args([
            "--store",
            store.0.to_str().expect("UTF-8 temp path"),
            "--seed",
            "7",
        ])
        .args(args)
        .output()
        .expect("running frenzy demo")
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// results.json of the test's latest run.
fn results(store: &Store, test: &str) -> Value {
    let path = store.0.join(test).join("latest").join("results.json");
    let raw = std::fs::read_to_string(&path).expect("results.json was written");
    serde_json::from_str(&raw).expect("results.json is JSON")
}

fn anomaly_kinds(results: &Value, check: &str) -> Vec<String> {
    results[check]["anomalies"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn report_exists(store: &Store, test: &str) -> bool {
    Path::new(&store.0)
        .join(test)
        .join("latest")
        .join("report.html")
        .is_file()
}

/// The default demo tells the seed's two failures, each with when and why: the double sale with no
/// fault active (replication lag alone), and a hold reported failed yet placed, during a cut
/// between the regions. Each anomaly is printed once.
#[test]
fn the_eventual_demo_finds_the_double_sale_and_the_failed_hold_charged_later() {
    let store = Store::new("eventual");
    let out = demo(&store, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("VERDICT: INVALID"), "{}", text(&out));
    assert!(stdout.contains("report: "), "{}", text(&out));
    assert!(report_exists(&store, "demo-eventual"));
    let results = results(&store, "demo-eventual");
    let evidence = &results["linearizability"]["partitions"][0]["evidence"];
    assert!(
        evidence["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("told they hold")),
        "{results}"
    );
    assert!(evidence["at"].as_f64().is_some(), "{results}");
    assert_eq!(
        evidence["faults_active"],
        serde_json::json!([]),
        "{results}"
    );
    let failed_hold = results["ledger"]["anomalies"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["kind"] == "failed-hold-placed"))
        .unwrap_or_else(|| panic!("no failed-hold-placed: {results}"));
    let faults = failed_hold["faults_active"]
        .as_array()
        .expect("faults_active");
    assert!(
        faults
            .iter()
            .any(|f| f.as_str().is_some_and(|f| f.contains(" cut ("))),
        "{failed_hold}"
    );
    assert!(
        stdout.contains("no fault was active: replication lag alone"),
        "{stdout}"
    );
    // Each sentence once: the summary has it, the closing lines only name the failures.
    let sentence = evidence["explanation"].as_str().unwrap_or_default();
    let head = &sentence[..sentence.len().min(60)];
    assert_eq!(stdout.matches(head).count(), 1, "{stdout}");
    assert_stored_run_rechecks_to_its_verdict(&store, "demo-eventual", &results);
    assert_report_tells_when_who_and_which_fault(&store);
}

/// The demo's report in headless Chromium: each anomaly says when and under which fault (in
/// words, whole), the lanes are named by user and node, and the witness is drawn beside its
/// sentence as a small timeline.
fn assert_report_tells_when_who_and_which_fault(store: &Store) {
    let page = store
        .0
        .join("demo-eventual")
        .join("latest")
        .join("report.html");
    let dom = dump_dom(&page);
    let quiet = dom
        .find("class=\"when quiet\"")
        .expect("the double sale says no fault was active");
    assert!(dom[quiet..].starts_with("class=\"when quiet\" data-at=\""));
    assert!(dom[quiet..].contains("· no fault was active</span>"));
    let faulty = &dom[dom
        .find("class=\"when faulty\"")
        .expect("a hold failed under a cut")..];
    let badge = &faulty[..faulty.find("</span>").expect("badge ends")];
    assert!(
        badge.contains("during europe / north-america cut (")
            || badge.contains("during north-america / europe cut ("),
        "{badge}"
    );
    // Faults in words, whole, on the timeline.
    assert!(
        dom.contains("north-america cut (halves)</span>")
            || dom.contains("north-america cut (isolate-one)</span>")
            || dom.contains("europe cut (halves)</span>")
            || dom.contains("europe cut (isolate-one)</span>"),
        "no fault label in words"
    );
    assert!(!dom.contains("cut_links"), "a fault shown as raw JSON");
    // Rows by user and node: the lanes' labels, and the tables and the witness use them.
    assert!(
        dom.contains("\"lane_labels\":[\"alice @ europe\","),
        "lanes are not labelled by user and node"
    );
    let witness = &dom[dom
        .find("class=\"witness-svg\"")
        .expect("the witness is drawn")..];
    let witness = &witness[..witness.find("</svg>").expect("svg ends")];
    assert!(witness.contains("class=\"lane-label\">"), "{witness}");
    assert!(
        witness.contains(" @ europe</text>") || witness.contains(" @ north-america</text>"),
        "{witness}"
    );
    assert!(witness.contains(" stuck\" data-op="), "{witness}");
    let png = store.0.join("report.png");
    screenshot(&page, &png, 2600);
    if let Ok(keep) = std::env::var("FRENZY_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("keep the screenshot");
    }
}

/// `frenzy check` of the stored history, with no flag but the model, gives the verdicts and
/// anomalies the run gave: the history records each event's capacity itself.
fn assert_stored_run_rechecks_to_its_verdict(store: &Store, test: &str, stored: &Value) {
    let history = store.0.join(test).join("latest").join("history.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["check", "--model", "tickets", "--json"])
        .arg(&history)
        .output()
        .expect("running frenzy check");
    let rechecked: Value = serde_json::from_slice(&out.stdout).expect("one JSON results line");
    assert_eq!(
        out.status.code(),
        Some(if stored["valid"] == Value::Bool(false) {
            1
        } else {
            0
        }),
        "{}",
        text(&out)
    );
    assert_eq!(rechecked["valid"], stored["valid"]);
    for check in ["sessions", "ledger"] {
        assert_eq!(rechecked[check], stored[check], "{check}");
    }
    let explanations = |results: &Value| -> Vec<(Value, Value)> {
        results["linearizability"]["partitions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p["valid"].clone(), p["evidence"]["explanation"].clone()))
            .collect()
    };
    assert_eq!(explanations(&rechecked), explanations(stored));
}

#[test]
fn etcd_variants_are_refused_without_system_etcd() {
    let store = Store::new("refused");
    let out = demo(&store, &["--non-atomic"]);
    assert_eq!(out.status.code(), Some(254), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--system etcd"), "{}", text(&out));
    assert_eq!(
        stderr.lines().count(),
        1,
        "one clear sentence: {}",
        text(&out)
    );
}

/// Both etcd runs share the demo's namespace prefix and subnet, so they run one after the other.
#[test]
fn on_etcd_the_atomic_service_is_valid_and_the_non_atomic_one_breaks_the_ledger() {
    let store = Store::new("etcd");
    let out = demo(&store, &["--system", "etcd", "--time-limit", "6"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("VERDICT: VALID"));
    let valid = results(&store, "demo-etcd");
    assert_eq!(valid["valid"], Value::Bool(true), "{valid}");
    assert!(report_exists(&store, "demo-etcd"));

    let out = demo(
        &store,
        &["--system", "etcd", "--non-atomic", "--time-limit", "6"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Most operations meet a ticketd that exited on purpose; the summary says so.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("why so many operations failed with \"connection refused\""),
        "{}",
        text(&out)
    );
    let broken = results(&store, "demo-etcd-non-atomic");
    let kinds = anomaly_kinds(&broken, "ledger");
    assert!(
        kinds.iter().any(|k| k == "seats-not-conserved"),
        "a crash between the writes leaks seats: {broken}"
    );
    let netns = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns");
    assert!(
        !String::from_utf8_lossy(&netns.stdout).contains("fzdemo"),
        "the demo cluster was taken down"
    );
}

#[test]
fn sighup_stops_the_demo_with_its_report() {
    let store = Store::new("sighup");
    let mut child = spawn(&[
        "demo",
        "--time-limit",
        "120",
        "--store",
        store.0.to_str().unwrap(),
    ]);
    wait_for_history(&store.0, "demo-eventual", "start-partition", &mut child);
    send(&child, "HUP");
    let out = child.wait_with_output().expect("waiting for frenzy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(129), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("VERDICT: UNKNOWN: the demo was stopped by SIGHUP"),
        "{stdout}"
    );
    assert_stopped_run(&store.0, "demo-eventual", "SIGHUP");
}
