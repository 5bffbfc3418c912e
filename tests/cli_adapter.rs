//! `frenzy test --adapter`: adapters as real processes. A correct one gives a valid run; one that
//! prints garbage, answers an id never sent, exits mid-run or never answers still gives a
//! checkable history, its lost operations `info` with the reason; a wrong one is refused with one
//! sentence and exit 254 before the run starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MEMORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/adapters/memory_register.py"
);
const MISBEHAVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/adapters/misbehave.py");

/// A scratch folder unique to this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("frenzy-adapter-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        Scratch(dir)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
    /// Runs `frenzy test` on the cas-register workload with `adapter`, storing in this folder.
    fn run(&self, adapter: &str, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_frenzy"))
            .args(["test", "--workload", "cas-register", "--node", "memory"])
            .args(["--adapter", adapter, "--store", &self.path("store")])
            .args(["--time-limit", "1.5", "--warmup", "0.2", "--quiesce", "0"])
            .args(["--concurrency", "8", "--rate", "400", "--seed", "3"])
            .args(["--test-name", "t"])
            .args(extra)
            .output()
            .expect("running frenzy")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn latest(scratch: &Scratch) -> PathBuf {
    Path::new(&scratch.path("store")).join("t").join("latest")
}

/// The run's info completions.
fn infos(scratch: &Scratch) -> Vec<String> {
    let history =
        std::fs::read_to_string(latest(scratch).join("history.jsonl")).expect("the history");
    history
        .lines()
        .filter(|l| l.contains("\"type\":\"info\""))
        .map(str::to_owned)
        .collect()
}

/// A shell command line that leaves a `sleep` running in the background (its pid written to
/// `pidfile`), then runs `then`.
fn leaving_a_child(pidfile: &str, then: &str) -> String {
    format!("sh -c 'sleep 300 & echo $! > {pidfile}; exec {then}'")
}

/// Asserts the process whose pid is in `pidfile` ends within 5 s (gone, or a zombie its new
/// parent has yet to reap).
fn assert_gone(pidfile: &str) {
    let pid = std::fs::read_to_string(pidfile).expect("the pid file");
    let stat = format!("/proc/{}/stat", pid.trim());
    let dead = || {
        std::fs::read_to_string(&stat).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !dead() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(dead(), "the adapter's child {} outlived it", pid.trim());
}

#[test]
fn a_correct_adapter_gives_a_valid_run_with_its_stderr_kept_and_nothing_left() {
    let scratch = Scratch::new("memory");
    let pidfile = scratch.path("child.pid");
    let adapter = leaving_a_child(&pidfile, &format!("python3 {MEMORY}"));
    let out = scratch.run(&adapter, &["--adapter-opt", "x=1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("linearizability (cas-register model): valid"));
    assert!(infos(&scratch).is_empty(), "nothing was lost");
    assert!(latest(&scratch).join("adapter.log").exists());
    assert_gone(&pidfile);
}

/// Runs the misbehaving adapter in `mode` every `n` answers; asserts a checked, valid run whose
/// lost operations are info with a reason containing `why`, and a restart noted in adapter.log.
fn misbehaving(mode: &str, why: &str) {
    let scratch = Scratch::new(mode);
    let state = scratch.path("registers.json");
    let out = scratch.run(&format!("python3 {MISBEHAVE} {state} {mode} 120"), &[]);
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "checked and valid: {shown}");
    let infos = infos(&scratch);
    assert!(!infos.is_empty(), "operations in flight were lost: {shown}");
    assert!(
        infos.iter().all(|l| l.contains(why)),
        "each says why ({why}): {infos:#?}"
    );
    let log = std::fs::read_to_string(latest(&scratch).join("adapter.log")).expect("adapter.log");
    assert!(log.contains(&format!("misbehaving now ({mode})")), "{log}");
    assert!(log.contains("restarting the adapter"), "{log}");
    let results = std::fs::read_to_string(latest(&scratch).join("results.json")).unwrap();
    assert!(results.contains("\"valid\""), "{results}");
}

#[test]
fn garbage_lines_lose_the_operations_in_flight_and_restart_the_adapter() {
    misbehaving("garbage", "broke the protocol: not JSON");
}

#[test]
fn an_answer_to_an_id_never_sent_restarts_the_adapter() {
    misbehaving("unknown-id", "which is not in flight");
}

#[test]
fn an_adapter_that_exits_mid_run_is_restarted() {
    misbehaving("exit", "the adapter exited (exit status: 3)");
}

#[test]
fn an_adapter_that_never_answers_times_out_into_info() {
    let scratch = Scratch::new("silent");
    let state = scratch.path("registers.json");
    let adapter = format!("python3 {MISBEHAVE} {state} silent 1");
    let out = scratch.run(&adapter, &["--op-timeout", "0.3"]);
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    // Checked, and no evidence either way: every operation ended info.
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("no client operation completed"), "{shown}");
    let infos = infos(&scratch);
    assert!(infos.len() >= 8, "{shown}");
    assert!(infos.iter().all(|l| l.contains("timed out after 300 ms")));
}

/// Runs with `adapter` and asserts exit 254, one line on stderr containing `says`, and no run.
fn refused(workload: &str, adapter: &str, says: &str) {
    let scratch = Scratch::new("refused");
    let out = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["test", "--workload", workload, "--node", "memory"])
        .args(["--adapter", adapter, "--store", &scratch.path("store")])
        .output()
        .expect("running frenzy");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(254), "{err}");
    assert!(err.contains(says), "{says:?} in {err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert!(!Path::new(&scratch.path("store")).exists(), "nothing ran");
}

#[test]
fn wrong_adapters_are_refused_before_the_run() {
    refused(
        "cas-register",
        "no-such-adapter-program --x",
        "\"no-such-adapter-program\" could not be started",
    );
    refused("cas-register", MISBEHAVE, "make it executable");
    refused("cas-register", "\"unbalanced", "quotes do not balance");
    refused(
        "kv",
        &format!("python3 {MEMORY}"),
        "does not support get, put, append, which the kv workload needs",
    );
    refused(
        "cas-register",
        "python3 -c \"import sys; print('boom', file=sys.stderr); sys.exit(4)\"",
        "exited before answering the handshake (exit status: 4); its stderr ends: \"boom\"",
    );
    refused(
        "cas-register",
        "python3 -c \"print('ready!')\"",
        "answered the handshake with \"ready!\"",
    );
}

#[test]
fn an_adapter_silent_at_the_handshake_is_refused_after_ten_seconds() {
    refused(
        "cas-register",
        "python3 -c \"import sys, time; print('starting', file=sys.stderr, flush=True); time.sleep(60)\"",
        "did not answer the handshake within 10 s (it printed only to stderr: \"starting\")",
    );
    // A prompt without an end of line is quoted; what the adapter started is killed with it.
    let scratch = Scratch::new("prompt");
    let pidfile = scratch.path("child.pid");
    refused(
        "register",
        &leaving_a_child(
            &pidfile,
            "python3 -c \"import time; print(chr(63), end=str(), flush=True); time.sleep(60)\"",
        ),
        "did not answer the handshake within 10 s (it printed \"?\" and no end of line)",
    );
    assert_gone(&pidfile);
}

const TICKETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/adapters/tickets_http.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tickets_example_adapter_drives_ticketd_to_a_valid_run() {
    use ticketd::local_etcd::LocalEtcd;
    use ticketd::{Config, EtcdConfig, ModeConfig};
    let etcd = LocalEtcd::start(1).await.expect("an etcd member");
    let mut config = EtcdConfig::new(etcd.client_url(0).unwrap());
    config.key_prefix = format!("cli-adapter-{}/", std::process::id());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = ticketd::serve(Config::new(ModeConfig::Etcd(config)), listener)
        .await
        .expect("ticketd starts");
    let url = server.url();
    let scratch = Scratch::new("tickets");
    let store = scratch.path("store");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_frenzy"))
            .args(["test", "--workload", "tickets", "--node", &url])
            .args([
                "--adapter",
                &format!("python3 {TICKETS}"),
                "--store",
                &store,
            ])
            .args([
                "--time-limit",
                "1.5",
                "--quiesce",
                "0.2",
                "--concurrency",
                "4",
            ])
            .args(["--rate", "100", "--seed", "7", "--last-seats", "6"])
            .output()
            .expect("running frenzy")
    })
    .await
    .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("ledger: valid"), "{stdout}");
    let history = std::fs::read_to_string(
        Path::new(&scratch.path("store")).join("tickets/latest/history.jsonl"),
    )
    .unwrap();
    let sold_out = history
        .lines()
        .filter(|l| l.contains("\"type\":\"fail\"") && l.contains("sold_out"))
        .count();
    assert!(sold_out > 0, "the last seats ran out: {stdout}");
}

const ETCD_GATEWAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/adapters/etcd_gateway.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_etcd_example_adapter_drives_register_and_kv_to_valid_runs() {
    use ticketd::local_etcd::LocalEtcd;
    let etcd = LocalEtcd::start(1).await.expect("an etcd member");
    let node = etcd.client_url(0).unwrap().to_owned();
    let scratch = Scratch::new("etcd-kv");
    let store = scratch.path("store");
    for workload in ["register", "kv"] {
        let (node, store) = (node.clone(), store.clone());
        let out = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_frenzy"))
                .args(["test", "--workload", workload, "--node", &node])
                .args(["--adapter", &format!("python3 {ETCD_GATEWAY}")])
                .args(["--store", &store, "--time-limit", "1.5", "--quiesce", "0"])
                .args(["--concurrency", "6", "--rate", "150", "--seed", "9"])
                .output()
                .expect("running frenzy")
        })
        .await
        .unwrap();
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{workload}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(stdout.contains(": valid"), "{workload}: {stdout}");
    }
    let history =
        std::fs::read_to_string(Path::new(&store).join("kv/latest/history.jsonl")).unwrap();
    let appended = history
        .lines()
        .filter(|l| l.contains("\"type\":\"ok\"") && l.contains("\"f\":\"append\""))
        .count();
    assert!(appended > 0, "appends went through the adapter");
}
