//! The adapter path at full speed: the cas-register workload at concurrency 50 through the
//! JSON-lines protocol, every event recorded (in memory and to history.jsonl), against two
//! adapters that answer at once: a minimal one (this binary, started again with `--be-adapter`)
//! and the 30-line Python adapter of docs/adapters.md. Prints recorded operations per second.
//!
//! `cargo bench -p workloads --bench adapter` (a harness-less bench: no timing assertions).

use checker::jsonl::HistoryWriter;
use serde_json::Value;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use workloads::adapter::{AdapterClient, AdapterLog, Hello};
use workloads::etcd::RegisterWorkload;
use workloads::runner::NoFaults;
use workloads::{run, Client, Completion, Op, Phases, Recorder, Workload};

const CONCURRENCY: usize = 50;

/// The minimal adapter: answers every operation ok with its own value, flushing when idle.
fn be_adapter() {
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut line = String::new();
    let _ = input.read_line(&mut line);
    let _ = writeln!(
        out,
        r#"{{"type":"hello","name":"minimal","fs":["read","write","cas"]}}"#
    );
    let _ = out.flush();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let Ok(op) = serde_json::from_str::<Value>(&line) else {
            return;
        };
        let answer = serde_json::json!({"id": op["id"], "type": "ok", "value": op["value"]});
        let _ = writeln!(out, "{answer}");
        if input.buffer().is_empty() {
            let _ = out.flush();
        }
    }
}

/// The adapter client, asking the run to stop once `budget` operations completed.
struct Counted {
    inner: AdapterClient,
    done: AtomicU64,
    budget: u64,
    stop: watch::Sender<bool>,
}

impl Client for Counted {
    async fn call(&self, node: usize, op: &Op) -> Completion {
        let c = self.inner.call(node, op).await;
        if self.done.fetch_add(1, Ordering::Relaxed) + 1 == self.budget {
            let _ = self.stop.send(true);
        }
        c
    }
}

/// Runs `ops` operations through `command`; returns recorded operations per second.
async fn measure(command: &str, ops: u64, history: &std::path::Path) -> f64 {
    let workload = Arc::new(RegisterWorkload::new("bench", 100));
    let hello = Hello {
        workload: "cas-register".into(),
        nodes: vec!["bench".into()],
        ..Hello::default()
    };
    let adapter = AdapterClient::start(command, hello, workload.fs(), AdapterLog::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (stop, stopped) = watch::channel(false);
    let client = Arc::new(Counted {
        inner: adapter,
        done: AtomicU64::new(0),
        budget: ops,
        stop,
    });
    let phases = Phases::flat_out(CONCURRENCY, Duration::from_secs(10));
    let recorder = Recorder::new(HistoryWriter::create(history).expect("a history file"));
    let start = Instant::now();
    let report = run(
        workload,
        client.clone(),
        recorder.clone(),
        &phases,
        &mut NoFaults,
        stopped,
    )
    .await;
    let elapsed = start.elapsed().as_secs_f64();
    client.inner.close().await;
    let (events, _) = recorder.finish();
    let infos = events
        .iter()
        .filter(|e| e.kind == checker::history::EventType::Info)
        .count();
    assert_eq!(infos, 0, "every operation was answered");
    report.operations as f64 / elapsed
}

fn main() {
    if std::env::args().any(|a| a == "--be-adapter") {
        return be_adapter();
    }
    let me = std::env::current_exe().expect("this bench's path");
    let python = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/adapters/memory_register.py"
    );
    let dir = std::env::temp_dir().join(format!("frenzy-adapter-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let history = dir.join("history.jsonl");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let adapters = [
        (
            "minimal adapter (Rust)",
            format!("{} --be-adapter", me.display()),
            300_000,
        ),
        (
            "memory_register.py (Python)",
            format!("python3 {python}"),
            100_000,
        ),
    ];
    for (name, command, ops) in adapters {
        let mut rates: Vec<f64> = (0..3)
            .map(|_| runtime.block_on(measure(&command, ops, &history)))
            .collect();
        rates.sort_by(f64::total_cmp);
        println!(
            "adapter/cas-register/concurrency {CONCURRENCY}/{name}: {:.0} recorded ops/s (median of 3 runs of {ops} ops; min {:.0}, max {:.0})",
            rates[1], rates[0], rates[2]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
