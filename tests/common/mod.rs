//! Helpers the signal tests share: a frenzy run in the background, signals sent to it, and what
//! a stopped run must leave in its folder.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts frenzy with `args`, its output captured.
pub fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting frenzy")
}

/// Sends `signal` (a `kill` name, e.g. `TERM`) to `child`.
pub fn send(child: &Child, signal: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(sent.success(), "kill -{signal} failed");
}

/// Waits until the run's history (under `store/test/latest/`) holds a line containing `needle`.
pub fn wait_for_history(store: &Path, test: &str, needle: &str, child: &mut Child) {
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

/// Asserts what a stopped run leaves in its folder: the stop in the history and no fault started
/// after it, unknown results that say why, and the report.
pub fn assert_stopped_run(store: &Path, test: &str, signal: &str) {
    let run = store.join(test).join("latest");
    let history = std::fs::read_to_string(run.join("history.jsonl")).expect("the history");
    assert!(
        history
            .lines()
            .any(|l| l.contains("\"f\":\"stop\"") && l.contains(signal)),
        "the stop is in the history"
    );
    let after_stop: Vec<&str> = history
        .lines()
        .skip_while(|l| !l.contains("\"f\":\"stop\""))
        .filter(|l| l.contains("\"process\":\"nemesis\"") && l.contains("\"f\":\"start-"))
        .collect();
    assert!(
        after_stop.is_empty(),
        "no fault starts after the signal: {after_stop:?}"
    );
    let results = std::fs::read_to_string(run.join("results.json")).expect("results.json");
    assert!(results.contains("\"valid\": \"unknown\""), "{results}");
    assert!(
        results.contains(&format!("stopped by {signal}")),
        "{results}"
    );
    assert!(run.join("report.html").is_file(), "the report is written");
}
