//! Shrinking: a small failing sub-history that keeps the operation(s) the evidence names as stuck,
//! from which no single operation can be removed without it becoming linearizable.
//!
//! Sub-histories are judged through the model's [`Model::witness_view`]: a register read of a
//! value that only a removed write wrote constrains nothing there, so the witness of a stale read
//! is the read with the writes that make it impossible, not a lone read of an unwritten value.

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

/// One partition being shrunk.
struct Shrinker<'m, 'o, M> {
    model: &'m M,
    key: &'m str,
    all: &'m [&'o Operation],
    deadline: Instant,
}

impl<M: Model> Shrinker<'_, '_, M> {
    /// Whether the sub-history `ops` is certainly not linearizable, within the deadline.
    fn fails(&self, ops: &[&Operation]) -> bool {
        let view = self.model.witness_view(ops, self.all);
        let Ok(part) = self.model.compile(self.key, &view) else {
            return false;
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        let budget = Budget::new(Some(left), SHRINK_MEMORY);
        matches!(search(&part, &budget), SearchOutcome::NotLinearizable(_))
    }

    fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Removes chunks of halving size, then single operations, never one of `keep`, while the
    /// rest still fails.
    fn remove_others<'o>(
        &self,
        mut current: Vec<&'o Operation>,
        keep: &[u64],
    ) -> Vec<&'o Operation> {
        let mut chunk = current.len().div_ceil(2).max(1);
        loop {
            let mut removed_any = false;
            let mut at = 0;
            while at < current.len() && !self.out_of_time() {
                let end = (at + chunk).min(current.len());
                let kept = current[at..end]
                    .iter()
                    .filter(|op| keep.contains(&op.id))
                    .count();
                let candidate: Vec<&Operation> = current
                    .iter()
                    .enumerate()
                    .filter(|(i, op)| !(at..end).contains(i) || keep.contains(&op.id))
                    .map(|(_, op)| *op)
                    .collect();
                if kept < end - at && !candidate.is_empty() && self.fails(&candidate) {
                    at += kept;
                    current = candidate;
                    removed_any = true;
                } else {
                    at = end;
                }
            }
            if (chunk == 1 && !removed_any) || self.out_of_time() {
                return current;
            }
            chunk = (chunk / 2).max(1);
        }
    }
}

/// Shrinks the failing partition `ops` to a witness: the invocation indices of a sub-history
/// that still fails, contains the operations of `stuck` it needs (those the evidence names; one
/// that the failure does not need is let go), and fails no more without any one of its
/// operations. Stops early at `until` (see [`check_deadline`]) or after a few seconds, with a
/// failing witness that may not be minimal.
pub fn shrink<M: Model>(
    model: &M,
    key: &str,
    ops: &[&Operation],
    stuck: &[u64],
    until: Instant,
) -> Vec<u64> {
    let shrinker = Shrinker {
        model,
        key,
        all: ops,
        deadline: until.min(Instant::now() + PARTITION_TIME),
    };
    let mut keep: Vec<u64> = stuck.to_vec();
    let mut current = ops.to_vec();
    loop {
        current = shrinker.remove_others(current, &keep);
        let needless = keep.iter().position(|&named| {
            let without: Vec<&Operation> = current
                .iter()
                .copied()
                .filter(|op| op.id != named)
                .collect();
            !without.is_empty() && shrinker.fails(&without)
        });
        match needless {
            Some(i) if !shrinker.out_of_time() => {
                keep.remove(i);
            }
            _ => return current.iter().map(|op| op.id).collect(),
        }
    }
}
