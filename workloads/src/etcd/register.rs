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

    /// One read of every key the run touched, the keys dealt out over the nodes in turn (sorted by
    /// node, so each node's reads run as one process): a write acknowledged and then lost shows
    /// even on a key no later operation touched, as a read of an older value or of nothing.
    fn final_reads(&self, nodes: usize) -> Vec<(usize, Op)> {
        let nodes = nodes.max(1);
        let mut reads: Vec<(usize, Op)> = self
            .keys
            .issued()
            .into_iter()
            .enumerate()
            .map(|(k, key)| {
                (
                    k % nodes,
                    Op::new("read", json!({"key": key, "value": null})),
                )
            })
            .collect();
        reads.sort_by_key(|(node, _)| *node);
        reads
    }
}

#[cfg(test)]
mod tests {
    use super::RegisterWorkload;
    use crate::workload::{WorkerCtx, Workload};
    use rand::SeedableRng;

    #[test]
    fn the_final_reads_read_every_key_touched_once_over_the_nodes_in_turn() {
        let workload = RegisterWorkload::without_cas("r", 2);
        let mut worker = WorkerCtx {
            slot: 0,
            process: 0,
            node: 0,
            rng: rand::rngs::StdRng::seed_from_u64(1),
        };
        for _ in 0..5 {
            workload.next_op(&mut worker);
        }
        let reads: Vec<(usize, &str, String)> = workload
            .final_reads(2)
            .into_iter()
            .map(|(node, op)| (node, op.f, op.value["key"].to_string()))
            .collect();
        let read = |node, key: &str| (node, "read", format!("\"{key}\""));
        assert_eq!(reads, [read(0, "r-0"), read(0, "r-2"), read(1, "r-1")]);
    }
}
