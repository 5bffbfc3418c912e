//! Shrinking: a small failing sub-history that keeps the operation(s) the evidence names as stuck,
//! from which no single operation can be removed without it becoming linearizable.
//!
//! Sub-histories are judged as the model's [`Model::compile_witness`] reads them: a register read
//! of a value that only a removed write wrote constrains nothing there, so the witness of a stale
//! read is the read with the writes that make it impossible, not a lone read of an unwritten value.

use crate::evidence::evidence;
use crate::history::Operation;
use crate::model::Model;
use crate::search::{search, Budget, SearchOutcome};
use crate::verdict::Evidence;
use std::time::{Duration, Instant};

/// How long shrinking one partition may take at most (it stops early with a failing, possibly
/// not minimal, witness).
const PARTITION_TIME: Duration = Duration::from_secs(5);
/// How long shrinking may take over all partitions of one check (or the check's time limit,
/// when shorter); partitions found invalid after that keep all their operations as witness.
const CHECK_TIME: Duration = Duration::from_secs(20);

/// When shrinking must stop for a check that started at `started` with `time_limit`, and how
/// long one partition may shrink: `shrink_time` given bounds both; else [`CHECK_TIME`] (or the
/// time limit, when shorter) and [`PARTITION_TIME`].
pub fn check_deadline(
    started: Instant,
    time_limit: Option<Duration>,
    shrink_time: Option<Duration>,
) -> ShrinkDeadline {
    let total = shrink_time.unwrap_or_else(|| time_limit.map_or(CHECK_TIME, |t| t.min(CHECK_TIME)));
    ShrinkDeadline {
        check: started + total,
        partition: shrink_time.unwrap_or(PARTITION_TIME),
    }
}

/// When shrinking stops: the whole check's deadline and the time one partition may take.
#[derive(Debug, Clone, Copy)]
pub struct ShrinkDeadline {
    /// No shrinking after this instant.
    check: Instant,
    /// How long one partition may shrink.
    partition: Duration,
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
        let Ok(part) = self.model.compile_witness(self.key, ops, self.all) else {
            return false;
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        let budget = Budget::new(Some(left), SHRINK_MEMORY);
        matches!(search(&part, &budget), SearchOutcome::NotLinearizable(_))
    }

    fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Removes chunks of halving size, then single operations, never `keep`, while `accept`
    /// holds for the rest.
    fn remove_others<'o>(
        &self,
        mut current: Vec<&'o Operation>,
        keep: Option<u64>,
        accept: impl Fn(&[&Operation]) -> bool,
    ) -> Vec<&'o Operation> {
        let kept = |op: &Operation| Some(op.id) == keep;
        let mut chunk = current.len().div_ceil(2).max(1);
        loop {
            let mut removed_any = false;
            let mut at = 0;
            while at < current.len() && !self.out_of_time() {
                let end = (at + chunk).min(current.len());
                let stays = current[at..end].iter().filter(|op| kept(op)).count();
                let candidate: Vec<&Operation> = current
                    .iter()
                    .enumerate()
                    .filter(|(i, op)| !(at..end).contains(i) || kept(op))
                    .map(|(_, op)| *op)
                    .collect();
                if stays < end - at && !candidate.is_empty() && accept(&candidate) {
                    at += stays;
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

    /// The fewest operations called just before `named` returned (the last 16 of `candidates`,
    /// then 32, 64, ... up to all of them, `named` always among them) that `accept`s: an
    /// anomaly lies near the operation it names, and shrinking a few dozen operations takes
    /// milliseconds where shrinking thousands runs out of time. `None` when even all of them do
    /// not.
    fn nearest_window<'o>(
        &self,
        candidates: &[&'o Operation],
        named: u64,
        accept: &impl Fn(&[&Operation]) -> bool,
    ) -> Option<Vec<&'o Operation>> {
        let mut size = 16;
        loop {
            let from = candidates.len().saturating_sub(size);
            let window: Vec<&Operation> = candidates
                .iter()
                .enumerate()
                .filter(|(i, op)| *i >= from || op.id == named)
                .map(|(_, op)| *op)
                .collect();
            if accept(&window) {
                return Some(window);
            }
            if from == 0 || self.out_of_time() {
                return None;
            }
            size *= 2;
        }
    }

    /// A witness around the named operation: shrinks, from the nearest window of operations
    /// called before it returned (other than the rest of `stuck`) that fails and fails no more
    /// without it, while the rest does so. `None` when no window does (another anomaly lies
    /// there), or when the result is not 1-minimal (a smaller anomaly without it lies inside).
    fn around<'o>(
        &self,
        ops: &[&'o Operation],
        stuck: &[u64],
        named: u64,
    ) -> Option<Vec<&'o Operation>> {
        let op = ops.iter().find(|op| op.id == named)?;
        let before = op.completion.unwrap_or(u64::MAX);
        let candidates: Vec<&Operation> = ops
            .iter()
            .copied()
            .filter(|o| o.id < before && (o.id == named || !stuck.contains(&o.id)))
            .collect();
        let needs_named = |sub: &[&Operation]| {
            let without: Vec<&Operation> = sub.iter().copied().filter(|o| o.id != named).collect();
            self.fails(sub) && !self.fails(&without)
        };
        let start = self.nearest_window(&candidates, named, &needs_named)?;
        let witness = self.remove_others(start, Some(named), needs_named);
        let minimal = witness.iter().all(|drop| {
            let rest: Vec<&Operation> = witness
                .iter()
                .copied()
                .filter(|o| o.id != drop.id)
                .collect();
            drop.id == named || !self.fails(&rest)
        });
        // Out of time, the witness still fails and holds the named operation, if not minimal.
        (minimal || self.out_of_time()).then_some(witness)
    }
}

/// Shrinks the failing partition `ops` to a witness: the invocation indices of a sub-history
/// that still fails, contains one of the operations `stuck` names (the evidence's), and fails no
/// more without any one of its operations, that one included. When no named operation can be
/// kept so (an anomaly that does not need it stands in every such sub-history), the witness is
/// any 1-minimal failing sub-history, and [`witness_evidence`] says what is stuck in it. Stops
/// early at `until` (see [`check_deadline`]) or after a few seconds, with a failing witness
/// that may not be minimal.
pub fn shrink<M: Model>(
    model: &M,
    key: &str,
    ops: &[&Operation],
    stuck: &[u64],
    until: ShrinkDeadline,
) -> Vec<u64> {
    let shrinker = Shrinker {
        model,
        key,
        all: ops,
        deadline: until.check.min(Instant::now() + until.partition),
    };
    let around_named = stuck
        .iter()
        .find_map(|&named| shrinker.around(ops, stuck, named));
    let witness = around_named
        .unwrap_or_else(|| shrinker.remove_others(ops.to_vec(), None, |c| shrinker.fails(c)));
    witness.iter().map(|op| op.id).collect()
}

/// The evidence of the witness itself (its search's prefix, stuck operations, state and
/// explanation, judged as shrinking judged it), for a witness that does not contain what the
/// whole partition's search named: so the explanation always names an operation of the witness.
/// `None` when it cannot be refuted in a few seconds.
pub fn witness_evidence<M: Model>(
    model: &M,
    key: &str,
    ops: &[&Operation],
    witness: Vec<u64>,
) -> Option<Evidence> {
    let sub: Vec<&Operation> = ops
        .iter()
        .copied()
        .filter(|op| witness.contains(&op.id))
        .collect();
    let part = model.compile_witness(key, &sub, ops).ok()?;
    let budget = Budget::new(Some(PARTITION_TIME), SHRINK_MEMORY);
    match search(&part, &budget) {
        SearchOutcome::NotLinearizable(failure) => Some(evidence(&part, &failure, witness)),
        _ => None,
    }
}
