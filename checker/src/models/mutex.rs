//! `mutex`: Knossos' mutex. One lock: `acquire` succeeds only when it is free, `release` only
//! when it is held. A failed `acquire` or `release` did not happen.

use crate::history::{Operation, Outcome};
use crate::model::{Model, OpError, Partition, Timing};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The mutex model.
#[derive(Debug, Clone)]
pub struct MutexModel {
    locked: bool,
}

impl MutexModel {
    /// A mutex that starts held when `init` is `true`, free otherwise.
    pub fn new(init: Option<Value>) -> MutexModel {
        MutexModel {
            locked: init == Some(Value::Bool(true)),
        }
    }
}

/// The history's lock operations, compiled: `true` for an acquire, `false` for a release.
#[derive(Debug, Clone)]
pub struct MutexPartition {
    timings: Vec<Timing>,
    acquires: Vec<bool>,
    locked: bool,
}

impl Model for MutexModel {
    type Part = MutexPartition;

    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError> {
        match op.f.as_str() {
            "acquire" | "release" => Ok(Cow::Borrowed("")),
            other => Err(OpError::new(
                op,
                format!("a mutex has acquire and release, not {other}"),
            )),
        }
    }

    /// Judged as a witness, a process's hold is explained by its own operations in `all`: a
    /// release in `sub` whose process took the lock by an acquire not in `sub` constrains
    /// nothing, and an acquire in `sub` whose process's next release is not in `sub` may still
    /// be released from that release's call on (or never). So the witness of a lock found free
    /// or held keeps the operations that took and gave it, instead of a lone release (a release
    /// of a lock never taken) or two acquires with the release between them removed.
    fn compile_witness(
        &self,
        key: &str,
        sub: &[&Operation],
        all: &[&Operation],
    ) -> Result<MutexPartition, OpError> {
        let kept: HashSet<u64> = sub.iter().map(|op| op.id).collect();
        // Per process: whether its last acquire was kept, while it holds the lock.
        let mut holding: HashMap<u64, bool> = HashMap::new();
        let mut unexplained = HashSet::new();
        let mut released_outside = Vec::new();
        for op in all.iter().filter(|op| op.outcome != Outcome::Fail) {
            let in_sub = kept.contains(&op.id);
            if op.f == "acquire" {
                holding.insert(op.process, in_sub);
            } else {
                match (holding.remove(&op.process), in_sub) {
                    (Some(false), true) => {
                        unexplained.insert(op.id);
                    }
                    (Some(true), false) => released_outside.push(Timing {
                        real: false,
                        ret: None,
                        ..Timing::of(op)
                    }),
                    _ => {}
                }
            }
        }
        let mut part = self.compile(
            key,
            &sub.iter()
                .copied()
                .filter(|op| !unexplained.contains(&op.id))
                .collect::<Vec<_>>(),
        )?;
        part.acquires
            .extend(std::iter::repeat_n(false, released_outside.len()));
        part.timings.extend(released_outside);
        Ok(part)
    }

    fn compile(&self, _key: &str, ops: &[&Operation]) -> Result<MutexPartition, OpError> {
        let happened = ops.iter().filter(|op| op.outcome != Outcome::Fail);
        let (timings, acquires) = happened
            .map(|op| (Timing::of(op), op.f == "acquire"))
            .unzip();
        Ok(MutexPartition {
            timings,
            acquires,
            locked: self.locked,
        })
    }
}

impl Partition for MutexPartition {
    type State = bool;

    fn ops(&self) -> &[Timing] {
        &self.timings
    }

    fn init(&self) -> bool {
        self.locked
    }

    fn step(&self, locked: &bool, op: usize, next: &mut Vec<bool>) {
        let acquire = self.acquires[op];
        if acquire != *locked {
            next.push(acquire);
        }
    }

    fn effect_key(&self, op: usize) -> Option<u64> {
        Some(u64::from(self.acquires[op]))
    }

    fn describe_op(&self, op: usize) -> String {
        let what = if self.acquires[op] {
            "acquire"
        } else {
            "release"
        };
        format!("op {} ({what})", self.timings[op].source)
    }

    fn describe_state(&self, locked: &bool) -> String {
        if *locked {
            "the mutex is held".to_owned()
        } else {
            "the mutex is free".to_owned()
        }
    }
}
