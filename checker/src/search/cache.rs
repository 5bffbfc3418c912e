//! Lowe's memoization: the (linearized set, state) pairs already explored.
//!
//! Configurations are stored in segments of fixed size rather than in one growing vector: a
//! vector that doubles holds its old and new buffers at once, so a cache of 600 MB would need
//! 1.8 GB for a moment, and the search had to stop far below its memory limit to stay under it.

use super::bitset::{mix, Bitset};
use super::hash::{IdentityHasher, StateHasher};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// One remembered configuration; its bitset lives in `Cache::words`.
struct Slot<S> {
    state: S,
    /// The next slot with the same hash, or `u32::MAX`.
    next: u32,
}

/// Configurations per segment.
const SEGMENT: usize = 1 << 14;

/// Every configuration seen: hash -> chain of slots, bitsets stored side by side, both in
/// segments of [`SEGMENT`] configurations.
pub(crate) struct Cache<S> {
    table: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    slots: Vec<Vec<Slot<S>>>,
    words: Vec<Vec<u64>>,
    len: usize,
    width: usize,
    heap: usize,
}

impl<S: Clone + Eq + Hash> Cache<S> {
    /// An empty cache for bitsets of `width` words.
    pub fn new(width: usize) -> Cache<S> {
        Cache {
            table: HashMap::default(),
            slots: Vec::new(),
            words: Vec::new(),
            len: 0,
            width,
            heap: 0,
        }
    }

    /// Remembers (`bits`, `state`); `false` when it was already there. `heap` is the state's
    /// heap size, for the memory estimate.
    pub fn insert(&mut self, bits: &Bitset, state: &S, heap: impl FnOnce(&S) -> usize) -> bool {
        let mut h = StateHasher::default();
        state.hash(&mut h);
        let key = bits.hash() ^ mix(h.finish());
        let head = self.table.get(&key).copied().unwrap_or(u32::MAX);
        let mut at = head;
        while at != u32::MAX {
            let (segment, i) = (at as usize / SEGMENT, at as usize % SEGMENT);
            let slot = &self.slots[segment][i];
            let w = i * self.width;
            if slot.state == *state && self.words[segment][w..w + self.width] == *bits.words() {
                return false;
            }
            at = slot.next;
        }
        if self.len % SEGMENT == 0 {
            self.slots.push(Vec::with_capacity(SEGMENT));
            self.words.push(Vec::with_capacity(SEGMENT * self.width));
        }
        let id = self.len as u32;
        self.len += 1;
        self.heap += heap(state);
        if let (Some(slots), Some(words)) = (self.slots.last_mut(), self.words.last_mut()) {
            slots.push(Slot {
                state: state.clone(),
                next: head,
            });
            words.extend_from_slice(bits.words());
        }
        self.table.insert(key, id);
        true
    }

    /// Bytes one configuration takes in its segment (besides its state's own heap).
    fn config_bytes(&self) -> usize {
        std::mem::size_of::<Slot<S>>() + self.width * 8
    }

    /// Bytes the next `inserts` insertions may make resident at once: the hash table, if it
    /// would outgrow its capacity, reallocates to twice its size while the old one is still
    /// held; segments become resident only as they fill.
    pub fn burst(&self, inserts: usize) -> u64 {
        let table = if self.table.len() + inserts > self.table.capacity() {
            ((self.table.capacity() + inserts) * 2 * 17) as u64
        } else {
            0
        };
        table + (inserts * self.config_bytes()) as u64
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> u64 {
        (self.table.capacity() * 16 + self.heap + self.len * self.config_bytes()) as u64
    }
}
