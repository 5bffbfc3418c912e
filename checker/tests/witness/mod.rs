//! Shared by the witness tests: a history cut down to some operations, the 1-minimality check
//! (the witness fails; without any one of its operations it passes), and the register witness
//! oracle (how a register sub-history is judged, written apart from the checker).

use checker::check::CheckOptions;
use checker::history::{History, Operation, Outcome};
use checker::json::Json;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

/// Check options whose shrinking has all the time it needs: a loaded machine must not leave a
/// witness half shrunk in a test that asserts it is minimal.
pub fn patient() -> CheckOptions {
    CheckOptions {
        shrink_time: Some(Duration::from_secs(600)),
        ..CheckOptions::default()
    }
}

/// Only the operations of `h` named in `ids`.
pub fn keep(h: &History, ids: &[u64]) -> History {
    History {
        nemesis: Vec::new(),
        operations: h
            .operations
            .iter()
            .filter(|op| ids.contains(&op.id))
            .cloned()
            .collect(),
    }
}

/// Asserts that the witness of `evidence` holds an operation the evidence names as stuck.
pub fn assert_holds_a_stuck_op(evidence: &checker::verdict::Evidence, what: &str) {
    assert!(
        evidence
            .witness
            .iter()
            .any(|op| evidence.stuck.contains(op)),
        "{what}: the witness misses the stuck operations {:?}",
        evidence.stuck
    );
}

/// Asserts that `witness` fails by `fails`, and that removing any single operation makes it pass.
pub fn assert_one_minimal(
    h: &History,
    witness: &[u64],
    fails: impl Fn(&History) -> bool,
    what: &str,
) {
    assert!(
        fails(&keep(h, witness)),
        "{what}: the witness {witness:?} passes"
    );
    for &drop in witness {
        let rest: Vec<u64> = witness.iter().copied().filter(|&id| id != drop).collect();
        assert!(
            !fails(&keep(h, &rest)),
            "{what}: without op {drop} the witness {witness:?} still fails"
        );
    }
}

/// The values the ok, info and pending writes and swapping cas operations of `ops` may have written.
fn written(ops: &[Operation]) -> HashSet<String> {
    ops.iter()
        .filter(|op| op.outcome != Outcome::Fail)
        .filter_map(|op| match op.f.as_str() {
            "write" => Some(op.input.to_string()),
            "cas" if op.output.get("swapped") != Some(&Json::Bool(false)) => {
                Some(op.input.as_array()?.get(1)?.to_string())
            }
            _ => None,
        })
        .collect()
}

/// A register sub-history `sub` of `all` as a witness is judged: every observation of a value
/// that only an operation of `all` outside `sub` wrote (not `init`) made harmless: a read of it
/// dropped, a cas from it turned into a blind write of its new value.
pub fn relaxed(sub: &History, all: &History, init: &Value) -> History {
    let mut unexplained = written(&all.operations);
    let in_sub = written(&sub.operations);
    let init = init.to_string();
    unexplained.retain(|v| !in_sub.contains(v) && *v != init);
    let operations = sub
        .operations
        .iter()
        .filter_map(|op| {
            let mut op = op.clone();
            match op.f.as_str() {
                "read"
                    if op.outcome == Outcome::Ok
                        && unexplained.contains(&op.output.to_string()) =>
                {
                    return None
                }
                "cas" if unexplained.contains(&op.input[0].to_string()) => {
                    if op.output.get("swapped") == Some(&Json::Bool(false)) {
                        return None;
                    }
                    op.f = "write".into();
                    op.input = op.input[1].clone();
                }
                _ => {}
            }
            Some(op)
        })
        .collect();
    History {
        nemesis: Vec::new(),
        operations,
    }
}
