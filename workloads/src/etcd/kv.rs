//! The kv workload (Porcupine's key-value store): get, put and append of strings, values wrapped
//! as `{"key", "value"}`. Every written string is unique, so a read reveals which writes it saw.

use super::KeyRoller;
use crate::op::{Completion, Op};
use crate::weights::Weighted;
use crate::workload::{WorkerCtx, Workload};
use serde_json::json;

/// Porcupine's kv workload on etcd.
pub struct KvWorkload {
    keys: KeyRoller,
    mix: Weighted<&'static str>,
}

impl KvWorkload {
    /// Keys named `<prefix>-N`, each for `ops_per_key` operations; gets, puts and appends in
    /// shares 2:1:2.
    pub fn new(prefix: &str, ops_per_key: u64) -> KvWorkload {
        KvWorkload {
            keys: KeyRoller::new(prefix, ops_per_key),
            mix: Weighted::new([("get", 2), ("put", 1), ("append", 2)]).expect("positive weights"),
        }
    }
}

impl Workload for KvWorkload {
    fn fs(&self) -> Vec<&'static str> {
        vec!["get", "put", "append"]
    }

    fn next_op(&self, worker: &mut WorkerCtx) -> Op {
        let (key, n) = self.keys.next();
        let value = match self.mix.choose(&mut worker.rng) {
            "get" => return Op::new("get", json!({"key": key, "value": null})),
            "put" => ("put", format!("p{n};")),
            _ => ("append", format!("a{n};")),
        };
        Op::new(value.0, json!({"key": key, "value": value.1}))
    }

    fn observe(&self, _: &WorkerCtx, _: &Op, _: &Completion) {}

    fn final_reads(&self, _: usize) -> Vec<(usize, Op)> {
        Vec::new()
    }
}
