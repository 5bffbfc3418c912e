//! The generator and recorder at full speed: the tickets workload's generator, the Jepsen process
//! model and the history recorder against an in-process client that answers at once, with
//! concurrency 50. Compares recording in memory only with also writing history.jsonl (a flushed
//! line per event). Criterion reports operations per second.

use checker::jsonl::HistoryWriter;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use workloads::op::with_fields;
use workloads::recorder::Discard;
use workloads::runner::NoFaults;
use workloads::tickets::{TicketsConfig, TicketsWorkload};
use workloads::{run, Client, Completion, EventSink, Op, Phases, Recorder};

const CONCURRENCY: usize = 50;

/// Answers every operation ok at once; asks the run to stop after its budget of operations.
struct NoopClient {
    done: AtomicU64,
    budget: u64,
    stop: watch::Sender<bool>,
}

impl Client for NoopClient {
    async fn call(&self, _: usize, op: &Op) -> Completion {
        let n = self.done.fetch_add(1, Ordering::Relaxed);
        if n + 1 == self.budget {
            let _ = self.stop.send(true);
        }
        Completion::Ok(with_fields(
            &op.value,
            [("hold", json!(format!("h{n}"))), ("seq", json!(n))],
        ))
    }
}

/// Runs `ops` operations through the full runner, recording into `sink`; returns the time taken.
fn run_ops(
    runtime: &tokio::runtime::Runtime,
    ops: u64,
    sink: impl EventSink + 'static,
) -> Duration {
    let workload =
        Arc::new(TicketsWorkload::new(TicketsConfig::new("bench")).expect("valid config"));
    let (stop, stopped) = watch::channel(false);
    let client = Arc::new(NoopClient {
        done: AtomicU64::new(0),
        budget: ops.max(1),
        stop,
    });
    let phases = Phases::flat_out(CONCURRENCY, Duration::from_secs(5));
    let recorder = Recorder::new(sink);
    let start = Instant::now();
    runtime.block_on(run(
        workload,
        client,
        recorder.clone(),
        &phases,
        &mut NoFaults,
        stopped,
    ));
    let elapsed = start.elapsed();
    assert!(
        recorder.len() as u64 >= 2 * ops,
        "every operation was recorded"
    );
    elapsed
}

fn generator_and_recorder(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = std::env::temp_dir().join(format!("frenzy-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let mut group = c.benchmark_group("tickets_concurrency_50");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.bench_function("record_in_memory", |b| {
        b.iter_custom(|ops| run_ops(&runtime, ops, Discard))
    });
    group.bench_function("record_and_write_jsonl", |b| {
        b.iter_custom(|ops| {
            let writer = HistoryWriter::create(&dir.join("history.jsonl")).expect("a history file");
            run_ops(&runtime, ops, writer)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, generator_and_recorder);
criterion_main!(benches);
