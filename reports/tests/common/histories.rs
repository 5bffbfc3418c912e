//! Histories built in code: a small oversold ticket history with a partition, and a large one.

use checker::history::{Event, EventType, History, Process};
use checker::verdict::{
    Anomaly, AnomalyResult, Evidence, LinearizabilityResult, PartitionResult, Results, Verdict,
};
use serde_json::{json, Value};

/// Appends events with dense indices.
#[derive(Default)]
pub struct Events(pub Vec<Event>);

impl Events {
    /// Appends one event and returns its index.
    pub fn push(
        &mut self,
        time_ms: f64,
        process: Process,
        kind: EventType,
        f: &str,
        value: Value,
    ) -> u64 {
        let index = self.0.len() as u64;
        self.0.push(Event {
            index,
            time: (time_ms * 1e6) as u64,
            process,
            kind,
            f: f.into(),
            value: value.into(),
        });
        index
    }

    /// Pairs the events into a history (the checker's own validation).
    pub fn history(self) -> History {
        History::from_events(self.0).expect("a valid history")
    }
}

/// Event indices of the oversold history's interesting operations.
pub struct Oversold {
    pub history: History,
    pub alice: u64,
    pub bob: u64,
    pub carol_list: u64,
    pub carol_hold: u64,
}

/// e7 has 2 seats; alice and bob are both told they hold the last 2, during a partition.
pub fn oversold() -> Oversold {
    use EventType::*;
    let c = Process::Client;
    let mut e = Events::default();
    e.push(0.0, c(0), Invoke, "read_inventory", json!({"event": "e7"}));
    e.push(
        3.0,
        c(0),
        Ok,
        "read_inventory",
        json!({"event": "e7", "remaining": 2, "seq": 1}),
    );
    e.push(
        10.0,
        Process::Nemesis,
        Info,
        "start-partition",
        json!({"kind": "isolate", "groups": [["n1"], ["n2", "n3"]]}),
    );
    let carol_hold = e.push(
        12.0,
        c(2),
        Invoke,
        "place_hold",
        json!({"event": "e8", "user": "carol", "qty": 1, "request_id": "r-c1"}),
    );
    let alice = e.push(
        20.0,
        c(0),
        Invoke,
        "place_hold",
        json!({"event": "e7", "user": "alice", "qty": 2, "request_id": "r-a1"}),
    );
    let bob = e.push(
        22.0,
        c(1),
        Invoke,
        "place_hold",
        json!({"event": "e7", "user": "bob", "qty": 2, "request_id": "r-b1"}),
    );
    e.push(25.0, c(2), Ok, "place_hold", json!({"event": "e8", "user": "carol", "qty": 1, "request_id": "r-c1", "hold": "h-31", "seq": 2}));
    e.push(30.0, c(0), Ok, "place_hold", json!({"event": "e7", "user": "alice", "qty": 2, "request_id": "r-a1", "hold": "h-1", "seq": 3}));
    e.push(34.0, c(1), Ok, "place_hold", json!({"event": "e7", "user": "bob", "qty": 2, "request_id": "r-b1", "hold": "h-2", "seq": 3}));
    let carol_list = e.push(
        60.0,
        c(2),
        Invoke,
        "list_holds",
        json!({"event": "e8", "user": "carol"}),
    );
    e.push(
        65.0,
        c(2),
        Ok,
        "list_holds",
        json!({"event": "e8", "user": "carol", "holds": [], "seq": 4}),
    );
    e.push(80.0, Process::Nemesis, Info, "stop-partition", json!(null));
    e.push(85.0, c(3), Invoke, "read_inventory", json!({"event": "e7"}));
    e.push(
        90.0,
        c(3),
        Info,
        "read_inventory",
        json!({"event": "e7", "error": "timeout"}),
    );
    e.push(
        95.0,
        c(4),
        Invoke,
        "release",
        json!({"event": "e7", "hold": "h-9"}),
    );
    e.push(
        99.0,
        c(4),
        Fail,
        "release",
        json!({"event": "e7", "hold": "h-9", "error": "not active"}),
    );
    Oversold {
        history: e.history(),
        alice,
        bob,
        carol_list,
        carol_hold,
    }
}

/// The sentence of the oversold history's linearizability anomaly.
pub const OVERSELL_SENTENCE: &str = "alice and bob were both told they hold the last 2 seats of e7";
/// The sentence of its session anomaly.
pub const VANISHED_SENTENCE: &str =
    "carol's hold h-31 vanished from her own list 35 ms after it was confirmed to her";

/// Results for the oversold history, as the checker reports such a history (with when each
/// anomaly happened).
pub fn oversold_results(o: &Oversold) -> Results {
    let mut results = Results {
        valid: Verdict::Invalid,
        file: None,
        op_counts: o.history.op_counts(),
        linearizability: Some(LinearizabilityResult {
            valid: Verdict::Invalid,
            model: "tickets".into(),
            partitions: vec![
                PartitionResult {
                    key: "e7".into(),
                    valid: Verdict::Invalid,
                    ops: 5,
                    check_ms: 0.2,
                    search: None,
                    reason: None,
                    evidence: Some(Evidence {
                        prefix: vec![0, o.alice],
                        stuck: vec![o.bob],
                        state: "e7: 0 of 2 seats left; holds h-1 (alice, 2)".into(),
                        explanation: OVERSELL_SENTENCE.into(),
                        witness: vec![o.alice, o.bob],
                        when: None,
                    }),
                },
                PartitionResult {
                    key: "e8".into(),
                    valid: Verdict::Valid,
                    ops: 2,
                    check_ms: 0.1,
                    search: None,
                    reason: None,
                    evidence: None,
                },
            ],
            check_ms: 0.3,
        }),
        sessions: Some(AnomalyResult {
            valid: Verdict::Invalid,
            anomalies: vec![Anomaly {
                kind: "read-your-writes".into(),
                explanation: VANISHED_SENTENCE.into(),
                events: vec![o.carol_hold, o.carol_list + 1],
                when: None,
            }],
            reason: None,
        }),
        ledger: Some(AnomalyResult {
            valid: Verdict::Valid,
            anomalies: vec![],
            reason: None,
        }),
        check_ms: 1.5,
    };
    checker::timing::annotate(&mut results, &o.history);
    results
}

/// A register history of `ops` operations by `processes` concurrent clients (each round, every client
/// invokes, then they complete in turn), with a partition over every other 2,000 operations; every
/// 500th operation ends `info` (its process is then replaced) and every 500th+250 ends `fail`.
pub fn large(ops: usize, processes: u64) -> History {
    use EventType::*;
    let mut e = Events::default();
    let mut procs: Vec<u64> = (0..processes).collect();
    let mut next_proc = processes;
    let mut t = 0.0;
    let mut i = 0;
    while i < ops {
        let round: Vec<usize> = (i..(i + processes as usize).min(ops)).collect();
        for &n in &round {
            if n % 2000 == 1000 {
                e.push(
                    t,
                    Process::Nemesis,
                    Info,
                    "start-partition",
                    json!({"kind": "halves"}),
                );
            }
            if n % 2000 == 1999 {
                e.push(t, Process::Nemesis, Info, "stop-partition", json!(null));
            }
            let p = Process::Client(procs[n - i]);
            let (f, v) = if n % 3 == 0 {
                ("write", json!(n))
            } else {
                ("read", Value::Null)
            };
            e.push(t, p, Invoke, f, v);
            t += 0.01;
        }
        for &n in &round {
            t += 0.02 + (n % 7) as f64 * 0.03;
            let slot = n - i;
            let p = Process::Client(procs[slot]);
            let (f, v) = if n % 3 == 0 {
                ("write", json!(n))
            } else {
                ("read", json!(n / 3 * 3))
            };
            let kind = match n % 500 {
                499 => Info,
                250 => Fail,
                _ => Ok,
            };
            e.push(t, p, kind, f, v);
            if kind == Info {
                procs[slot] = next_proc;
                next_proc += 1;
            }
        }
        i += round.len();
    }
    e.history()
}

/// The seats of the oversold history's events.
pub fn oversold_capacities() -> std::collections::BTreeMap<String, u64> {
    [("e7".to_string(), 2), ("e8".to_string(), 5)]
        .into_iter()
        .collect()
}

/// The results the real checker gives a tickets history: linearizability, sessions and ledger.
pub fn checked(history: &History, capacities: &std::collections::BTreeMap<String, u64>) -> Results {
    use checker::check::{check, CheckOptions};
    use checker::models::ModelOptions;
    let options = ModelOptions {
        init: Some(json!(capacities)),
        ..ModelOptions::default()
    };
    let check_options = CheckOptions {
        all_partitions: true,
        ..CheckOptions::default()
    };
    let lin = check(history, "tickets", &options, &check_options)
        .expect("tickets history fits the model");
    let sessions = checker::session::check_sessions(history);
    let ledger = checker::ledger::check_ledger(history, capacities);
    Results {
        valid: lin.valid.worst(sessions.valid).worst(ledger.valid),
        file: None,
        op_counts: history.op_counts(),
        check_ms: lin.check_ms,
        linearizability: Some(lin),
        sessions: Some(sessions),
        ledger: Some(ledger),
    }
}

/// Results of a history no check ran on (for reports that only need the timeline and charts).
pub fn unchecked(history: &History) -> Results {
    Results {
        valid: Verdict::Valid,
        file: None,
        op_counts: history.op_counts(),
        linearizability: None,
        sessions: None,
        ledger: None,
        check_ms: 0.0,
    }
}

/// Stores the oversold history with its results as a run of test `oversell` in `store`.
pub fn store_oversold(store: &std::path::Path) -> (Oversold, reports::RunDir) {
    let o = oversold();
    let results = oversold_results(&o);
    let run =
        reports::write_run(store, "oversell", &o.history, &results, &[]).expect("store the run");
    (o, run)
}
