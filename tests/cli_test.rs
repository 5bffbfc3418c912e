//! `frenzy test` end to end: one clear error and exit 254 for nodes that cannot be tested, and
//! full runs against a real ticketd on etcd and a real etcd that store, check and exit 0.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use ticketd::local_etcd::LocalEtcd;
use ticketd::{Config, EtcdConfig, ModeConfig};

fn frenzy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .arg("test")
        .args(args)
        .output()
        .expect("running frenzy")
}

/// Runs `frenzy test` off the async runtime, which keeps serving the in-process ticketd.
async fn frenzy_beside(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        frenzy(&args)
    })
    .await
    .expect("frenzy ran")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A store folder unique to this test, removed when dropped.
struct Store(PathBuf);

impl Store {
    fn new(name: &str) -> Store {
        Store(std::env::temp_dir().join(format!("frenzy-cli-test-{name}-{}", std::process::id())))
    }
    fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The one run folder of `test` in the store.
fn run_dir(store: &Path, test: &str) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(store.join(test))
        .expect("the test's folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.is_symlink())
        .collect();
    assert_eq!(dirs.len(), 1, "one run: {dirs:?}");
    dirs[0].clone()
}

/// Runs `frenzy test` at `node`, which must be refused before the run: exit 254, one error
/// line, no panic and nothing stored. Returns the error.
fn refused(workload: &str, node: &str, name: &str) -> String {
    let store = Store::new(name);
    let out = frenzy(&[
        "--workload",
        workload,
        "--node",
        node,
        "--store",
        store.arg(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(254), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear error: {err}");
    assert!(!err.contains("panicked"));
    assert!(!store.0.exists(), "nothing is stored before the run starts");
    err
}

/// A one-member etcd and an in-process ticketd in etcd mode on it, with keys under `name`.
async fn ticketd_on_etcd(name: &str) -> (LocalEtcd, ticketd::Server) {
    let etcd = LocalEtcd::start(1).await.expect("an etcd member");
    let mut config = EtcdConfig::new(etcd.client_url(0).unwrap());
    config.key_prefix = format!("cli-{name}-{}/", std::process::id());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = ticketd::serve(Config::new(ModeConfig::Etcd(config)), listener).await;
    (etcd, server.expect("ticketd starts"))
}

#[test]
fn a_bad_url_is_one_clear_error() {
    let err = refused("tickets", "localhost:8080", "badurl");
    assert!(err.contains("not a usable URL"), "{err}");
}

#[test]
fn an_unreachable_node_is_one_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let node = format!("http://127.0.0.1:{port}");
    let err = refused("cas-register", &node, "unreachable");
    assert!(err.contains("unreachable") && err.contains(&node), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_whose_store_is_down_is_unavailable_not_foreign() {
    let (etcd, server) = ticketd_on_etcd("paused").await;
    etcd.pause(0).expect("pausing etcd");
    let node = server.url();
    let err = tokio::task::spawn_blocking(move || refused("tickets", &node, "unavailable"))
        .await
        .unwrap();
    etcd.resume(0).expect("resuming etcd");
    assert!(
        err.contains("unavailable right now") && err.contains("retry later"),
        "{err}"
    );
    assert!(!err.contains("does not speak"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_speak_the_contract_is_one_clear_error() {
    let etcd = LocalEtcd::start(1).await.expect("an etcd member");
    let node = etcd.client_url(0).unwrap().to_owned();
    let err = tokio::task::spawn_blocking(move || refused("tickets", &node, "wrongcontract"))
        .await
        .unwrap();
    assert!(
        err.contains("does not speak the ticket HTTP contract"),
        "{err}"
    );
}

#[test]
fn a_bearer_token_the_service_refuses_is_wrong_credentials() {
    use std::io::BufRead;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/servers/token_required.py"
    );
    let mut server = Command::new("python3")
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs the token-checking service");
    let mut port = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut port)
        .expect("its port");
    let node = format!("http://127.0.0.1:{}", port.trim());
    let store = Store::new("token");
    let out = frenzy(&[
        "--workload",
        "tickets",
        "--node",
        &node,
        "--token",
        "bad",
        "--store",
        store.arg(),
    ]);
    let _ = server.kill();
    let _ = server.wait();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(254), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear error: {err}");
    assert!(
        err.contains("refused the credentials") && err.contains("401"),
        "{err}"
    );
    assert!(!store.0.exists(), "nothing is stored before the run starts");
}

#[test]
fn sizes_and_durations_are_bounded() {
    let store = Store::new("bounds");
    for (flag, value, says) in [
        ("--concurrency", "1000000", "1 to 512"),
        ("--users", "100000000000", "1 to 1000000"),
        ("--events", "100000000000", "1 to 1000"),
        ("--time-limit", "1e30", "at most 1000000 seconds"),
        ("--op-timeout", "1e30", "at most 1000000 seconds"),
        ("--quiesce", "1e30", "at most 1000000 seconds"),
        ("--hold-ttl", "1e30", "at most 1000000 seconds"),
        ("--check-time-limit", "1e30", "at most 1000000 seconds"),
    ] {
        let out = frenzy(&[
            "--workload",
            "tickets",
            "--node",
            "http://127.0.0.1:9",
            flag,
            value,
            "--store",
            store.arg(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(254), "{flag} {value}: {err}");
        assert!(err.contains(flag) && err.contains(says), "{flag}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let history = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/jepsen-valid.edn");
    let out = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args([
            "report",
            history,
            "--model",
            "cas-register",
            "--time-limit",
            "1e30",
        ])
        .args(["--store", store.arg()])
        .output()
        .expect("running frenzy report");
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("at most 1000000 seconds"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn final_reads_follow_the_users_who_acted_not_the_users_flag() {
    let (_etcd, server) = ticketd_on_etcd("users").await;
    let store = Store::new("users");
    let url = server.url();
    let args = [
        "--workload",
        "tickets",
        "--node",
        &url,
        "--users",
        "100000",
        "--concurrency",
        "3",
        "--time-limit",
        "1",
        "--quiesce",
        "0",
        "--rate",
        "50",
        "--store",
        store.arg(),
    ];
    let out = frenzy_beside(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let history =
        std::fs::read_to_string(run_dir(&store.0, "tickets").join("history.jsonl")).unwrap();
    let listed: std::collections::BTreeSet<String> = history
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["f"] == "list_holds")
        .filter_map(|e| e["value"]["user"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !listed.is_empty() && listed.len() <= 3,
        "only the 3 workers' users are read back: {listed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_against_ticketd_and_etcd_are_stored_checked_and_valid() {
    let (etcd, server) = ticketd_on_etcd("valid").await;
    let store = Store::new("valid");
    let url = server.url();
    let common = [
        "--time-limit",
        "1.5",
        "--quiesce",
        "0.5",
        "--concurrency",
        "4",
        "--rate",
        "100",
        "--seed",
        "7",
    ];
    let mut args = vec![
        "--workload",
        "tickets",
        "--node",
        &url,
        "--store",
        store.arg(),
    ];
    args.extend(common);
    let out = frenzy_beside(&args).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", stderr(&out));
    assert!(
        stdout.contains("verdict: valid") && stdout.contains("ledger: valid"),
        "{stdout}"
    );
    let run = run_dir(&store.0, "tickets");
    let history = std::fs::read_to_string(run.join("history.jsonl")).unwrap();
    assert!(
        history.lines().any(|l| l.contains("\"read_log\"")),
        "the final reads are recorded"
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["valid"], true);
    assert_eq!(results["sessions"]["valid"], true);

    let node = etcd.client_url(0).unwrap().to_owned();
    let mut args = vec![
        "--workload",
        "cas-register",
        "--node",
        &node,
        "--store",
        store.arg(),
    ];
    args.extend(common);
    let out = frenzy_beside(&args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(run_dir(&store.0, "cas-register")
        .join("results.json")
        .exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_run_and_writes_what_was_recorded() {
    let (_etcd, server) = ticketd_on_etcd("int").await;
    let store = Store::new("interrupted");
    let args = [
        "test",
        "--workload",
        "tickets",
        "--node",
        &server.url(),
        "--store",
        store.arg(),
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .args(["--time-limit", "60", "--rate", "50", "--concurrency", "3"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting frenzy");
    let pid = child.id().to_string();
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        std::thread::sleep(std::time::Duration::from_secs(2));
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        child.wait_with_output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(started.elapsed().as_secs() < 30, "the run stopped early");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("interrupted"), "{stdout}\n{}", stderr(&out));
    // Stopped by SIGINT: the conventional 128 + 2, results unknown (not checked).
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    let run = run_dir(&store.0, "tickets");
    let history = std::fs::read_to_string(run.join("history.jsonl")).unwrap();
    assert!(
        history.lines().count() > 10,
        "the history was written as it ran"
    );
    let results = std::fs::read_to_string(run.join("results.json")).unwrap();
    assert!(results.contains("stopped by SIGINT"), "{results}");
    // What the user does next: `frenzy report` checks what was recorded.
    let report = report(&run);
    assert!(
        matches!(report.status.code(), Some(0..=2)),
        "{}",
        stderr(&report)
    );
    let results = std::fs::read_to_string(run.join("results.json")).unwrap();
    assert!(!results.contains("not checked"), "{results}");
}

/// Runs `frenzy report RUN_DIR`.
fn report(run: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .arg("report")
        .arg(run)
        .output()
        .expect("running frenzy report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runs_history_is_checked_and_reported_by_frenzy_report() {
    let (_etcd, server) = ticketd_on_etcd("killed").await;
    let store = Store::new("killed");
    let url = server.url();
    let mut child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["test", "--workload", "tickets", "--node", &url, "--store"])
        .args([
            store.arg(),
            "--time-limit",
            "60",
            "--rate",
            "50",
            "--concurrency",
            "3",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting frenzy");
    let history = store.0.join("tickets/latest/history.jsonl");
    let killed = tokio::task::spawn_blocking(move || {
        while std::fs::read_to_string(&history).map_or(0, |h| h.lines().count()) < 30 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(killed.code(), None, "killed by SIGKILL");
    let run = run_dir(&store.0, "tickets");
    assert!(!run.join("results.json").exists());

    let out = report(&run);
    assert!(matches!(out.status.code(), Some(0..=2)), "{}", stderr(&out));
    assert!(run.join("results.json").is_file());
    assert!(run.join("report.html").is_file());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["linearizability"]["model"], "tickets", "{results}");
}
