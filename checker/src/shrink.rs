//! Shrinking: a smallest failing sub-history, from which no single operation can be removed
//! without it becoming linearizable.

use crate::history::Operation;
use crate::model::Model;
use crate::search::{search, Budget, SearchOutcome};
use std::time::{Duration, Instant};

/// How long shrinking one partition may take at most (it stops early with a failing, possibly
/// not minimal, witness).
const PARTITION_TIME: Duration = Duration::from_secs(5);
/// How long shrinking may take over all partitions of one check (or the check's time limit,
/// when shorter); partitions found invalid after that keep all their operations as witness.
const CHECK_TIME: Duration = Duration::from_secs(20);

/// When shrinking must stop for a check that started at `started` with `time_limit`.
pub fn check_deadline(started: Instant, time_limit: Option<Duration>) -> Instant {
    started + time_limit.map_or(CHECK_TIME, |t| t.min(CHECK_TIME))
}
/// Memory one shrinking search may use.
const SHRINK_MEMORY: u64 = 512 << 20;

/// Whether `ops` (one partition) is certainly not linearizable, within `deadline`.
fn fails<M: Model>(model: &M, key: &str, ops: &[&Operation], deadline: Instant) -> bool {
    let Ok(part) = model.compile(key, ops) else {
        return false;
    };
    let left = deadline.saturating_duration_since(Instant::now());
    let budget = Budget::new(Some(left), SHRINK_MEMORY);
    matches!(search(&part, &budget), SearchOutcome::NotLinearizable(_))
}

/// Shrinks the failing partition `ops` to a witness: the invocation indices of a sub-history
/// that still fails. Removes chunks of halving size, then single operations until none can go,
/// stopping early at `until` (see [`check_deadline`]) or after a few seconds.
pub fn shrink<M: Model>(model: &M, key: &str, ops: &[&Operation], until: Instant) -> Vec<u64> {
    let deadline = until.min(Instant::now() + PARTITION_TIME);
    let mut current: Vec<&Operation> = ops.to_vec();
    let mut chunk = current.len().div_ceil(2).max(1);
    loop {
        let mut removed_any = false;
        let mut at = 0;
        while at < current.len() {
            if Instant::now() >= deadline {
                return current.iter().map(|op| op.id).collect();
            }
            let end = (at + chunk).min(current.len());
            let candidate: Vec<&Operation> = current[..at]
                .iter()
                .chain(&current[end..])
                .copied()
                .collect();
            if !candidate.is_empty() && fails(model, key, &candidate, deadline) {
                current = candidate;
                removed_any = true;
            } else {
                at = end;
            }
        }
        if chunk == 1 && !removed_any {
            break;
        }
        chunk = (chunk / 2).max(1);
    }
    current.iter().map(|op| op.id).collect()
}
