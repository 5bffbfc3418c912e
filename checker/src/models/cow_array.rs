//! [`CowArray`]: a fixed-length array of small values for a search state that has one entry per
//! operation of some kind (a tickets event's hold statuses), cheap to clone, store and hash.
//!
//! The search clones a state at every step and remembers every state it has seen. A plain
//! vector makes each of those cost the whole length: a tickets event with thousands of
//! placements made every step copy and hash kilobytes, and every remembered state hold them.
//! Here the entries sit in chunks shared by reference count, so a clone copies one pointer per
//! chunk, a write copies one chunk, and the hash is kept up to date entry by entry (each entry
//! that differs from the fill value adds its own well-mixed key), so hashing costs nothing.

use crate::search::mix;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Entries per chunk.
const CHUNK: usize = 64;

/// A fixed-length array, chunked copy-on-write, with an incrementally kept hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CowArray<T: Copy + Eq> {
    chunks: Vec<Arc<[T; CHUNK]>>,
    len: usize,
    fill: T,
    /// The XOR of [`CowArray::key`] over every entry that differs from `fill`.
    hash: u64,
}

impl<T: Copy + Eq + Into<u64>> CowArray<T> {
    /// `len` entries, each `fill`.
    pub fn new(len: usize, fill: T) -> CowArray<T> {
        let chunk = Arc::new([fill; CHUNK]);
        CowArray {
            chunks: vec![chunk; len.div_ceil(CHUNK)],
            len,
            fill,
            hash: 0,
        }
    }

    /// Entry `i`.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        assert!(i < self.len, "entry {i} of {}", self.len);
        self.chunks[i / CHUNK][i % CHUNK]
    }

    /// Sets entry `i` to `value`, copying its chunk if another array shares it.
    pub fn set(&mut self, i: usize, value: T) {
        let old = self.get(i);
        if old == value {
            return;
        }
        self.hash ^= self.key(i, old) ^ self.key(i, value);
        Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = value;
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().copied())
            .take(self.len)
    }

    /// Heap bytes one more state adds when it differs from the state it was made from in one
    /// entry: its chunk pointers and one chunk of its own.
    pub fn step_heap_bytes(&self) -> usize {
        self.chunks.len() * std::mem::size_of::<usize>() + std::mem::size_of::<[T; CHUNK]>()
    }

    /// The hash key of entry `i` holding `value` (zero for the fill value).
    fn key(&self, i: usize, value: T) -> u64 {
        if value == self.fill {
            return 0;
        }
        mix(((i as u64) << 32) ^ value.into())
    }
}

impl<T: Copy + Eq> Hash for CowArray<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
        state.write_usize(self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hash_of(a: &CowArray<u8>) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        a.hash(&mut h);
        h.finish()
    }

    proptest! {
        /// Whatever writes made two arrays, they are equal exactly when their entries are, and
        /// equal arrays hash alike; a clone is not changed by writes to the original.
        #[test]
        fn equal_by_entries_hashed_alike_and_clones_independent(
            len in 1usize..300,
            writes_a in proptest::collection::vec((0usize..300, 0u8..4), 0..40),
            writes_b in proptest::collection::vec((0usize..300, 0u8..4), 0..40),
        ) {
            let (mut a, mut b) = (CowArray::new(len, 0u8), CowArray::new(len, 0u8));
            let (mut plain_a, mut plain_b) = (vec![0u8; len], vec![0u8; len]);
            let before = a.clone();
            for (i, v) in writes_a {
                a.set(i % len, v);
                plain_a[i % len] = v;
            }
            for (i, v) in writes_b {
                b.set(i % len, v);
                plain_b[i % len] = v;
            }
            prop_assert_eq!(a.iter().collect::<Vec<_>>(), plain_a.clone());
            prop_assert_eq!(a == b, plain_a == plain_b);
            if a == b {
                prop_assert_eq!(hash_of(&a), hash_of(&b));
            }
            prop_assert!(before.iter().all(|v| v == 0));
        }
    }
}
