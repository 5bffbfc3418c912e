//! The cas-register workload: reads, writes and compare-and-sets of small integers on per-key
//! registers, values wrapped as `{"key", "value"}` (docs/operations.md).

use super::KeyRoller;
use crate::op::{Completion, Op};
use crate::weights::Weighted;
use crate::workload::{WorkerCtx, Workload};
use rand::Rng;
use serde_json::json;

/// Registers hold values `0..VALUES`, so compare-and-sets often succeed (Jepsen uses 5).
const VALUES: u64 = 5;

/// Jepsen's etcd register workload.
pub struct RegisterWorkload {
    keys: KeyRoller,
    mix: Weighted<&'static str>,
}

impl RegisterWorkload {
    /// Registers named `<prefix>-N`, each for `ops_per_key` operations; reads, writes and cas in
    /// equal shares.
    pub fn new(prefix: &str, ops_per_key: u64) -> RegisterWorkload {
        RegisterWorkload {
            keys: KeyRoller::new(prefix, ops_per_key),
            mix: Weighted::new([("read", 1), ("write", 1), ("cas", 1)]).expect("positive weights"),
        }
    }
}

impl Workload for RegisterWorkload {
    fn next_op(&self, worker: &mut WorkerCtx) -> Op {
        let (key, _) = self.keys.next();
        let f = self.mix.choose(&mut worker.rng);
        let value = match f {
            "read" => json!(null),
            "write" => json!(worker.rng.random_range(0..VALUES)),
            _ => json!([
                worker.rng.random_range(0..VALUES),
                worker.rng.random_range(0..VALUES)
            ]),
        };
        Op::new(f, json!({"key": key, "value": value}))
    }

    fn observe(&self, _: &WorkerCtx, _: &Op, _: &Completion) {}

    fn final_reads(&self, _: usize) -> Vec<(usize, Op)> {
        Vec::new()
    }
}
