//! The shrunken witness of an invalid partition still fails, and removing any one of its
//! operations makes it linearizable; the evidence names what went wrong.

mod witness;

use checker::check::check;
use checker::formats::load;
use checker::history::{History, Operation, Outcome};
use checker::models::ModelOptions;
use checker::verdict::{Evidence, Verdict};
use serde_json::{json, Value};
use std::path::PathBuf;
use witness::{assert_holds_a_stuck_op, assert_one_minimal, patient, relaxed};

fn verdict(h: &History, model: &str, options: &ModelOptions) -> Verdict {
    check(h, model, options, &patient())
        .expect("readable")
        .valid
}

/// Checks the witness of the first invalid partition is failing and 1-minimal; returns the evidence.
fn assert_minimal_witness(h: &History, model: &str, options: &ModelOptions) -> Evidence {
    let result = check(h, model, options, &patient()).expect("readable");
    assert_eq!(result.valid, Verdict::Invalid);
    let evidence = result
        .partitions
        .iter()
        .find_map(|p| p.evidence.clone())
        .expect("an invalid partition has evidence");
    let witness = &evidence.witness;
    assert!(!witness.is_empty());
    let fails = |sub: &History| verdict(sub, model, options) == Verdict::Invalid;
    assert_one_minimal(h, witness, fails, model);
    evidence
}

fn test_data(file: &str) -> History {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/anchors/porcupine/test_data")
        .join(file);
    load(&path, None).expect("anchor loads")
}

#[test]
fn jepsen_cas_register_witness_is_minimal_and_holds_the_stuck_read() {
    let h = test_data("jepsen/etcd_000.log");
    let options = ModelOptions::default();
    let result = check(&h, "cas-register", &options, &patient()).expect("readable");
    let evidence = result.partitions[0].evidence.clone().expect("evidence");
    assert_holds_a_stuck_op(&evidence, "etcd_000");
    assert!(evidence.witness.len() < h.operations.len());
    let fails = |sub: &History| {
        verdict(&relaxed(sub, &h, &Value::Null), "cas-register", &options) == Verdict::Invalid
    };
    assert_one_minimal(&h, &evidence.witness, fails, "etcd_000");
}

#[test]
fn kv_witness_is_minimal() {
    let h = test_data("kv/c01-bad.txt");
    assert_minimal_witness(&h, "kv", &ModelOptions::default());
}

fn op(id: u64, process: u64, f: &str, input: Value, output: Value, outcome: Outcome) -> Operation {
    Operation {
        id,
        completion: Some(id + 1),
        process,
        f: f.into(),
        input: input.into(),
        output: output.into(),
        outcome,
        call: id,
        ret: Some(id + 1),
    }
}

#[test]
fn tickets_double_sale_is_explained_and_shrunk() {
    let place = |id, p, user: &str, hold: &str| {
        op(
            id,
            p,
            "place_hold",
            json!({"event": "e1", "user": user, "qty": 2}),
            json!({"hold": hold}),
            Outcome::Ok,
        )
    };
    let inventory = |id, p, n: i64| {
        op(
            id,
            p,
            "read_inventory",
            json!({"event": "e1"}),
            json!({"remaining": n}),
            Outcome::Ok,
        )
    };
    let h = History {
        nemesis: Vec::new(),
        operations: vec![
            inventory(0, 0, 2),
            place(2, 1, "alice", "h-1"),
            op(
                4,
                2,
                "read_log",
                json!({"event": "e1"}),
                json!({"entries": []}),
                Outcome::Ok,
            ),
            place(6, 3, "bob", "h-2"),
            inventory(8, 0, 0),
        ],
    };
    let options = ModelOptions {
        init: Some(json!({"e1": 2})),
        ..ModelOptions::default()
    };
    let evidence = assert_minimal_witness(&h, "tickets", &options);
    assert_eq!(evidence.witness, vec![2, 6]);
    assert_eq!(evidence.stuck, vec![6]);
    assert!(
        evidence
            .explanation
            .contains("alice and bob were both told they hold seats of e1"),
        "{}",
        evidence.explanation
    );
}

/// A register history of `(f, value written or read)` pairs, one after another in real time.
fn in_turn(ops: &[(&str, Value)]) -> History {
    let operations = ops
        .iter()
        .enumerate()
        .map(|(i, (f, v))| {
            let input = if *f == "read" { Value::Null } else { v.clone() };
            op(2 * i as u64, i as u64, f, input, v.clone(), Outcome::Ok)
        })
        .collect();
    History {
        nemesis: Vec::new(),
        operations,
    }
}

/// The explanation of the invalid register history `h`.
fn explained(h: &History) -> String {
    let result = check(h, "register", &ModelOptions::default(), &patient());
    let result = result.expect("readable");
    assert_eq!(result.valid, Verdict::Invalid);
    result.partitions[0]
        .evidence
        .clone()
        .expect("evidence")
        .explanation
}

#[test]
fn a_read_that_real_time_proves_missed_an_acknowledged_write_names_a_lost_write() {
    let older = in_turn(&[("write", json!(1)), ("write", json!(2)), ("read", json!(1))]);
    let explanation = explained(&older);
    assert!(
        explanation.starts_with(
            "A lost write: op 4 (read 1) began after op 2 (write 2) was acknowledged, and every \
             write of 1 had ended before op 2 (write 2) began"
        ),
        "{explanation}"
    );
    let nothing = in_turn(&[("write", json!(3)), ("read", Value::Null)]);
    let explanation = explained(&nothing);
    assert!(
        explanation.contains("null is the initial value and nothing else wrote it"),
        "{explanation}"
    );
    // The write is known only because a read saw it: its outcome is unknown (WAIT timed out).
    let mut seen = in_turn(&[
        ("write", json!(3)),
        ("write", json!(5)),
        ("read", json!(5)),
        ("read", json!(3)),
    ]);
    seen.operations[1].outcome = Outcome::Info;
    let explanation = explained(&seen);
    assert!(
        explanation.starts_with(
            "A read of a lost write: op 6 (read 3) began after op 4 (read 5) had returned 5, \
             and every \
             write of 3 had ended before the first write of 5 began"
        ),
        "{explanation}"
    );
    // A value nobody wrote is not a missed write: the general account only.
    let invented = in_turn(&[("write", json!(3)), ("read", json!(7))]);
    let explanation = explained(&invented);
    assert!(explanation.starts_with("No order"), "{explanation}");
}

/// A Jepsen-like register run under injected latency, as EDN: `processes` workers, each doing
/// `per_process` reads and writes (unique values) one after another, each taking effect at some
/// point between its invocation and its completion; the read at position `stale` of worker 0
/// instead returns the value written 40 writes before its effect (an acknowledged write lost).
fn slow_register_run(seed: u64, processes: u64, per_process: u64, stale: u64) -> History {
    let mut state = seed;
    let mut below = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    // (process, invoked, takes effect, returns, is a write, value written)
    let mut ops = Vec::new();
    let mut next_value = 0;
    for p in 0..processes {
        let mut t = below(5);
        for _ in 0..per_process {
            let took = 1 + below(8);
            let write = below(2) == 0;
            next_value += 1;
            ops.push((p, t, t + below(took), t + took, write, next_value));
            t += took + below(3);
        }
    }
    let mut by_effect: Vec<usize> = (0..ops.len()).collect();
    by_effect.sort_by_key(|&i| (ops[i].2, i));
    let mut writes = vec![0];
    let mut read = vec![0; ops.len()];
    for &i in &by_effect {
        if ops[i].4 {
            writes.push(ops[i].5);
        } else {
            read[i] = *writes.last().expect("initial value");
        }
    }
    let lost = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| op.0 == 0 && !op.4)
        .nth(stale as usize)
        .map(|(i, _)| i)
        .expect("worker 0 reads");
    let position = writes.iter().position(|&v| v == read[lost]).expect("read");
    read[lost] = writes[position.saturating_sub(40)];
    // Events in time order (completions before invocations at the same instant).
    let mut events: Vec<(u64, bool, usize)> = ops
        .iter()
        .enumerate()
        .flat_map(|(i, op)| [(op.1, true, i), (op.3, false, i)])
        .collect();
    events.sort_by_key(|&(t, invoke, i)| (t, invoke, i));
    let text: String = events
        .iter()
        .map(|&(t, invoke, i)| {
            let (p, _, _, _, write, v) = ops[i];
            let kind = if invoke { "invoke" } else { "ok" };
            let (f, value) = match (write, invoke) {
                (true, _) => ("write", v.to_string()),
                (false, true) => ("read", "nil".to_owned()),
                (false, false) => ("read", read[i].to_string()),
            };
            format!("{{:type :{kind}, :f :{f}, :value {value}, :process {p}, :time {t}}}\n")
        })
        .collect();
    checker::formats::Format::JepsenEdn
        .parse(&text)
        .expect("generated EDN")
}

/// A lost write late in a long run with 15 workers and long, overlapping operations (the shape
/// of a real Jepsen Redis run under injected latency, whose witness used to be 51 to 102
/// operations cut short by the shrinking time): with the default shrinking time the witness is
/// a few operations near the stale read, holds it, and is 1-minimal.
#[test]
fn a_late_anomaly_in_a_long_concurrent_run_gets_a_small_witness_in_the_default_time() {
    for seed in 0..3 {
        let h = slow_register_run(seed, 15, 100, 40);
        let options = ModelOptions {
            init: Some(json!(0)),
            ..ModelOptions::default()
        };
        let result = check(&h, "register", &options, &Default::default()).expect("readable");
        assert_eq!(result.valid, Verdict::Invalid, "seed {seed}");
        let evidence = result.partitions[0].evidence.clone().expect("evidence");
        let what = format!("seed {seed}: {:?}", evidence.witness);
        assert!(
            evidence.witness.len() <= 12,
            "{what}: more than 12 operations"
        );
        assert_holds_a_stuck_op(&evidence, &what);
        let fails = |sub: &History| {
            verdict(&relaxed(sub, &h, &json!(0)), "register", &options) == Verdict::Invalid
        };
        assert_one_minimal(&h, &evidence.witness, fails, &what);
    }
}
