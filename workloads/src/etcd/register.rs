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
    fs: &'static [&'static str],
    mix: Weighted<&'static str>,
}

impl RegisterWorkload {
    /// Registers named `<prefix>-N`, each for `ops_per_key` operations; reads, writes and cas in
    /// equal shares (the cas-register workload).
    pub fn new(prefix: &str, ops_per_key: u64) -> RegisterWorkload {
        RegisterWorkload::with_fs(prefix, ops_per_key, &["read", "write", "cas"])
    }

    /// Like [`RegisterWorkload::new`] with reads and writes only (the register workload).
    pub fn without_cas(prefix: &str, ops_per_key: u64) -> RegisterWorkload {
        RegisterWorkload::with_fs(prefix, ops_per_key, &["read", "write"])
    }

    fn with_fs(prefix: &str, ops_per_key: u64, fs: &'static [&'static str]) -> RegisterWorkload {
        RegisterWorkload {
            keys: KeyRoller::new(prefix, ops_per_key),
            fs,
            mix: Weighted::new(fs.iter().map(|f| (*f, 1))).expect("positive weights"),
        }
    }
}

impl Workload for RegisterWorkload {
    fn fs(&self) -> Vec<&'static str> {
        self.fs.to_vec()
    }

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
