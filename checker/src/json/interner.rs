//! [`Interner`]: a per-thread, fixed-size table that lets equal values read one after another
//! share one allocation.

/// Slots of each table (a power of two).
const SLOTS: usize = 1 << 16;

/// A direct-mapped cache: each value has one slot, chosen by its hash. A new value takes the
/// slot over unless the value there was asked for again since the last newcomer (a second
/// chance): recurring values stay shared even among millions of unique ones, which just pass
/// through, and the table never grows.
pub(super) struct Interner<T> {
    slots: Vec<Slot<T>>,
}

/// One slot of an [`Interner`].
#[derive(Clone)]
struct Slot<T> {
    value: Option<T>,
    /// Whether `value` was asked for again since it came or since the last newcomer.
    used: bool,
}

impl<T: Clone> Interner<T> {
    /// An empty table.
    pub(super) fn new() -> Self {
        let empty = Slot {
            value: None,
            used: false,
        };
        Interner {
            slots: vec![empty; SLOTS],
        }
    }

    /// The value in `hash`'s slot when `is_it` says it is the one wanted, else `make()`, kept
    /// for the next time when the slot is free to take.
    pub(super) fn get(
        &mut self,
        hash: u64,
        is_it: impl FnOnce(&T) -> bool,
        make: impl FnOnce() -> T,
    ) -> T {
        let slot = &mut self.slots[(hash ^ (hash >> 32)) as usize & (SLOTS - 1)];
        match &slot.value {
            Some(value) if is_it(value) => {
                slot.used = true;
                value.clone()
            }
            _ if slot.used => {
                slot.used = false;
                make()
            }
            _ => {
                let value = make();
                slot.value = Some(value.clone());
                value
            }
        }
    }
}

/// The FNV-1a hash of `bytes`, continuing from `hash` (start from [`FNV_START`]).
pub(super) fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Where an FNV-1a hash starts.
pub(super) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;
