//! A fast hasher for the checker's own tables over a history (operation ids, process ids, event
//! and user names): a multiply-and-rotate mix instead of SipHash, which is several times slower on
//! millions of short keys. Not meant to resist chosen collisions: a history is its owner's input.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Mixes each word in with one multiplication (the constant is FxHash's).
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    /// The mixed words, avalanched (murmur3's finalizer): a product's low bits depend only on
    /// the low bits of what went in, and hash tables pick buckets by the low bits, so without
    /// this, ids like `h-1234567` (constant first bytes) would all collide.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A `HashSet` with [`FastHasher`].
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn ids_that_differ_only_in_late_bytes_spread_over_buckets() {
        let build = BuildHasherDefault::<FastHasher>::default();
        let buckets: HashSet<u64> = (1_000_000..1_004_096)
            .map(|n| build.hash_one(format!("h-{n}").as_str()) & 4095)
            .collect();
        assert!(
            buckets.len() > 2048,
            "{} of 4096 buckets used",
            buckets.len()
        );
    }
}
