//! etcd --non-atomic: a crash between the writes leaves seats taken with no hold behind them, the
//! ledger violation the harness's ledger check exists to catch. Runs the real binary, which exits.

use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use ticketd::local_etcd::LocalEtcd;
use ticketd::ReadMode;

use crate::support::{etcd_config, eventually, start, Api};

/// Kills the child on drop, so a failing test leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_non_atomic_writes_leaves_seats_without_a_hold() {
    let cluster = LocalEtcd::start(1).await.expect("a 1-member etcd cluster");
    let endpoint = cluster.client_url(0).expect("member").to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_ticketd"))
            .args([
                "--mode",
                "etcd",
                "--etcd",
                &endpoint,
                "--key-prefix",
                "na/",
                "--non-atomic",
            ])
            .args(["--crash-after-step", "1", "--crash-every", "3"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stderr(Stdio::null())
            .spawn()
            .expect("the ticketd binary starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let api = Api::new();
    eventually(Duration::from_secs(10), "ticketd listens", || async {
        reqwest::get(format!("{base}/health")).await.is_ok()
    })
    .await;
    assert_eq!(
        api.create_event(&base, "gala", 10).await.0,
        StatusCode::CREATED
    );
    for i in 0..2 {
        let (status, body) = api.place(&base, "gala", "finn", 2, &format!("f{i}")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let third = reqwest::Client::new()
        .post(format!("{base}/events/gala/holds"))
        .json(&serde_json::json!({"user": "finn", "qty": 2, "request_id": "f2"}))
        .send()
        .await;
    assert!(third.is_err(), "the third placeHold dies with the process");
    let status = child.0.wait().expect("the crashed ticketd is reaped");
    assert_eq!(status.code(), Some(ticketd::config::CrashPlan::EXIT_CODE));

    let checker = start(etcd_config(&endpoint, "na/", ReadMode::Linearizable)).await;
    let url = checker.url();
    let remaining = api.remaining(&url, "gala").await;
    let (_, holds) = api.get(&url, "/events/gala/holds").await;
    let held = holds["holds"].as_array().map(Vec::len).unwrap_or(0) as i64;
    assert_eq!(
        (remaining, held),
        (4, 2),
        "6 seats are gone but only 2 holds of 2 exist: {holds}"
    );
}
