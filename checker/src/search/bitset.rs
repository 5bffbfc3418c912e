//! The set of linearized operations, with a hash kept up to date as bits change.

/// A fixed-size bitset whose hash is the xor of a random key per set bit (Zobrist hashing).
#[derive(Debug, Clone)]
pub(crate) struct Bitset {
    words: Vec<u64>,
    hash: u64,
}

/// A well-mixed 64-bit key for bit `i`.
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Bitset {
    /// An empty set of `n` bits.
    pub fn new(n: usize) -> Bitset {
        Bitset {
            words: vec![0; n.div_ceil(64).max(1)],
            hash: 0,
        }
    }

    /// Adds bit `i` (must be absent).
    #[inline]
    pub fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
        self.hash ^= mix(i as u64);
    }

    /// Removes bit `i` (must be present).
    #[inline]
    pub fn clear(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
        self.hash ^= mix(i as u64);
    }

    /// Whether bit `i` is set.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// The words, for storing and comparing.
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The set's hash.
    #[inline]
    pub fn hash(&self) -> u64 {
        self.hash
    }
}
