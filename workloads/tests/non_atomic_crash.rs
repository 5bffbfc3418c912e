//! ticketd's non-atomic etcd mode, crashing between the inventory decrement and the hold record:
//! the ledger check finds the seats that vanished. ticketd runs as its own binary here (a crash
//! exits the process), restarted by a small supervisor like a service manager would.

mod support;

use checker::ledger::SEATS_NOT_CONSERVED;
use checker::verdict::Verdict;
use std::path::PathBuf;
use std::process::Stdio;
use support::*;
use ticketd::local_etcd::LocalEtcd;
use tokio::process::Command;
use tokio::task::JoinHandle;
use workloads::tickets::TicketsConfig;

/// The ticketd binary of this workspace, built if needed.
fn ticketd_binary() -> PathBuf {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "ticketd", "--bin", "ticketd"])
        .status()
        .expect("running cargo build");
    assert!(status.success(), "building ticketd");
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    profile_dir.join("ticketd")
}

/// Keeps one ticketd running on `port`, restarting it whenever it exits; dropping it kills it.
struct Supervised(JoinHandle<()>);

impl Supervised {
    fn start(binary: PathBuf, args: Vec<String>) -> Supervised {
        Supervised(tokio::spawn(async move {
            loop {
                let child = Command::new(&binary)
                    .args(&args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .kill_on_drop(true)
                    .spawn();
                let Ok(mut child) = child else { return };
                let _ = child.wait().await;
            }
        }))
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_non_atomic_writes_is_caught_by_the_ledger() {
    let binary = ticketd_binary();
    let etcd = LocalEtcd::start(1).await.expect("an etcd member");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let args: Vec<String> = [
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--mode",
        "etcd",
        "--etcd",
        etcd.client_url(0).unwrap(),
        "--key-prefix",
        &format!("{}/", tag("crash")),
        "--non-atomic",
        "--crash-after-step",
        "1",
        "--crash-every",
        "4",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let _ticketd = Supervised::start(binary, args);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/health")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut config = TicketsConfig::new(tag("crash"));
    config.events = 1;
    config.capacity = 200;
    config.users = 4;
    let (_, checks) = tickets_run(&[url], config, &phases(4, 1, 2.0), &mut no_faults()).await;
    assert_eq!(checks.ledger.valid, Verdict::Invalid, "{:?}", checks.ledger);
    let lost = checks
        .ledger
        .anomalies
        .iter()
        .find(|a| a.kind == SEATS_NOT_CONSERVED);
    let lost = lost.unwrap_or_else(|| panic!("seats vanished: {:?}", checks.ledger.anomalies));
    assert!(
        lost.explanation.contains("vanished"),
        "{}",
        lost.explanation
    );
}
