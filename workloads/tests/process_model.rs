//! Jepsen's process model and the generator, with an in-process client whose answers are chosen
//! by the test: unknown outcomes retire their process, at most `concurrency` operations are in
//! flight, timeouts become `info`, and a seed reproduces the choices.

use checker::history::{EventType, History, Process};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use workloads::op::with_fields;
use workloads::recorder::Discard;
use workloads::runner::NoFaults;
use workloads::tickets::{TicketsConfig, TicketsWorkload};
use workloads::{run, Client, Completion, Op, Phases, Recorder};

/// Every 3rd call is unknown, every 5th refused, every 11th hangs past the operation timeout.
struct Scripted(AtomicU64);

impl Client for Scripted {
    async fn call(&self, _: usize, op: &Op) -> Completion {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        if n % 11 == 0 {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        match n {
            n if n % 3 == 0 => Completion::unknown(op, "dropped"),
            n if n % 5 == 0 => Completion::refused(op, "sold_out"),
            n => Completion::Ok(with_fields(
                &op.value,
                [("hold", json!(format!("h{n}"))), ("seq", json!(n))],
            )),
        }
    }
}

fn phases(concurrency: usize, seed: u64) -> Phases {
    Phases {
        concurrency,
        nodes: 2,
        rate: None,
        warmup: Duration::ZERO,
        main: Duration::from_millis(800),
        quiesce: Duration::ZERO,
        op_timeout: Duration::from_millis(100),
        seed,
    }
}

async fn history(concurrency: usize, seed: u64) -> History {
    let workload = Arc::new(TicketsWorkload::new(TicketsConfig::new("pm")).unwrap());
    let recorder = Recorder::new(Discard);
    let (_stop, stopped) = watch::channel(false);
    let client = Arc::new(Scripted(AtomicU64::new(0)));
    run(
        workload,
        client,
        recorder.clone(),
        &phases(concurrency, seed),
        &mut NoFaults,
        stopped,
    )
    .await;
    History::from_events(recorder.finish().0)
        .expect("a valid history: no process reused after info")
}

#[tokio::test]
async fn unknown_outcomes_retire_processes_and_concurrency_is_bounded() {
    let h = history(5, 1).await;
    let infos: Vec<_> = h
        .operations
        .iter()
        .filter(|o| o.outcome == checker::history::Outcome::Info)
        .collect();
    assert!(infos.len() > 5, "some operations were unknown");
    assert!(infos.iter().any(|o| o.output["error"]
        .as_str()
        .is_some_and(|e| e.contains("timed out"))));
    assert!(h
        .operations
        .iter()
        .any(|o| o.outcome == checker::history::Outcome::Fail));
    for info in &infos {
        let later = h
            .operations
            .iter()
            .filter(|o| o.process == info.process && o.call > info.call);
        assert_eq!(
            later.count(),
            0,
            "process {} was reused after its info",
            info.process
        );
    }
    let processes: HashSet<u64> = h.operations.iter().map(|o| o.process).collect();
    assert!(
        processes.len() > 5,
        "fresh processes replaced the retired ones"
    );
    let mut open = 0;
    let mut most = 0;
    for e in &h.events() {
        match (e.process, e.kind) {
            (Process::Client(_), EventType::Invoke) => open += 1,
            (Process::Client(_), _) => open -= 1,
            _ => {}
        }
        most = most.max(open);
    }
    assert!(
        most <= 5,
        "{most} operations were in flight at once with concurrency 5"
    );
}

#[tokio::test]
async fn a_seed_reproduces_the_choices() {
    let choices = |h: &History| -> Vec<(String, Value)> {
        let mut ops: Vec<(String, Value)> = h
            .operations
            .iter()
            .map(|o| (o.f.to_string(), o.input.to_value()))
            .collect();
        ops.truncate(20);
        ops
    };
    let (a, b, c) = (
        history(1, 9).await,
        history(1, 9).await,
        history(1, 10).await,
    );
    assert!(a.operations.len() >= 20 && b.operations.len() >= 20 && c.operations.len() >= 20);
    assert_eq!(choices(&a), choices(&b));
    assert_ne!(choices(&a), choices(&c));
}
