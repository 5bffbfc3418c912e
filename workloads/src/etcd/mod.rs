//! etcd workloads, after Jepsen's etcd test: per-key registers (`cas-register`) and Porcupine's
//! string key-value store (`kv`), through etcd's JSON gateway.

mod client;
mod gateway;
mod kv;
mod register;

pub use client::EtcdClient;
pub use gateway::{Gateway, GatewayError, Stored};
pub use kv::KvWorkload;
pub use register::RegisterWorkload;

use std::sync::atomic::{AtomicU64, Ordering};

/// Hands out keys so that each key gets about `ops_per_key` operations, then moves on (Jepsen's
/// `independent` keys): short per-key histories keep the linearizability search small.
pub struct KeyRoller {
    prefix: String,
    ops_per_key: u64,
    issued: AtomicU64,
}

impl KeyRoller {
    /// Keys `<prefix>-0`, `<prefix>-1`, ..., each for `ops_per_key` operations (at least 1).
    pub fn new(prefix: impl Into<String>, ops_per_key: u64) -> KeyRoller {
        KeyRoller {
            prefix: prefix.into(),
            ops_per_key: ops_per_key.max(1),
            issued: AtomicU64::new(0),
        }
    }

    /// The key for the next operation, and a number unique to that operation.
    pub fn next(&self) -> (String, u64) {
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        (format!("{}-{}", self.prefix, n / self.ops_per_key), n)
    }

    /// Every key handed out so far, in order.
    pub fn issued(&self) -> Vec<String> {
        let n = self.issued.load(Ordering::Relaxed);
        (0..n.div_ceil(self.ops_per_key))
            .map(|k| format!("{}-{k}", self.prefix))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::KeyRoller;

    #[test]
    fn keys_roll_over_after_their_share_of_operations() {
        let keys = KeyRoller::new("t", 2);
        let got: Vec<String> = (0..5).map(|_| keys.next().0).collect();
        assert_eq!(got, ["t-0", "t-0", "t-1", "t-1", "t-2"]);
        assert_eq!(keys.issued(), ["t-0", "t-1", "t-2"]);
    }

    #[test]
    fn no_key_is_issued_before_the_first_operation() {
        assert!(KeyRoller::new("t", 2).issued().is_empty());
    }
}
