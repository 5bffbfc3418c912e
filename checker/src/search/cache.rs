//! Lowe's memoization: the (linearized set, state) pairs already explored.

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

/// Every configuration seen: hash -> chain of slots, bitsets stored side by side.
pub(crate) struct Cache<S> {
    table: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    slots: Vec<Slot<S>>,
    words: Vec<u64>,
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
            let slot = &self.slots[at as usize];
            let w = at as usize * self.width;
            if slot.state == *state && self.words[w..w + self.width] == *bits.words() {
                return false;
            }
            at = slot.next;
        }
        let id = self.slots.len() as u32;
        self.heap += heap(state);
        self.slots.push(Slot {
            state: state.clone(),
            next: head,
        });
        self.words.extend_from_slice(bits.words());
        self.table.insert(key, id);
        true
    }

    /// Bytes the next `inserts` insertions may allocate at once: each container that would
    /// outgrow its capacity reallocates to twice its size while the old one is still held.
    pub fn burst(&self, inserts: usize) -> u64 {
        let grows = |len: usize, added: usize, capacity: usize, bytes_each: usize| {
            if len + added > capacity {
                ((capacity + added) * 2 * bytes_each) as u64
            } else {
                0
            }
        };
        let slot = std::mem::size_of::<Slot<S>>();
        grows(self.table.len(), inserts, self.table.capacity(), 17)
            + grows(self.slots.len(), inserts, self.slots.capacity(), slot)
            + grows(
                self.words.len(),
                inserts * self.width,
                self.words.capacity(),
                8,
            )
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> u64 {
        (self.table.capacity() * 16
            + self.slots.capacity() * std::mem::size_of::<Slot<S>>()
            + self.words.capacity() * 8
            + self.heap) as u64
    }
}
