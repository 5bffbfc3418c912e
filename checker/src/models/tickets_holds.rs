//! [`HoldEvents`]: the event each hold id of a tickets history belongs to, built on every core.
//!
//! A 10,000,000-operation history returns over six million hold ids: one table filled by one
//! thread took most of a second while the other cores waited. Here the ids are split by hash
//! into shards, each filled on its own core.

use crate::fast_hash::{FastHasher, FastMap};
use crate::history::{Operation, Outcome};
use crate::json::{Json, Str};
use rayon::prelude::*;
use std::hash::{BuildHasher, BuildHasherDefault};

/// Shards of the table (a power of two).
const SHARDS: usize = 64;
/// The fewest operations read as one slice.
const MIN_SLICE: usize = 1 << 14;

/// Hold id -> the event of the ok `place_hold` that returned it (the last such in the history).
#[derive(Debug, Clone, Default)]
pub(crate) struct HoldEvents {
    /// Empty when the history has no ok placement, else [`SHARDS`] tables.
    shards: Vec<FastMap<Str, Str>>,
}

/// The shard of a hold id.
fn shard(hold: &str) -> usize {
    let hash = BuildHasherDefault::<FastHasher>::default().hash_one(hold);
    // The tables hash the same way: shard by other bits than the ones they index by.
    (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize & (SHARDS - 1)
}

impl HoldEvents {
    /// The hold ids every ok `place_hold` of `ops` returned, each with the event it names.
    pub fn of(ops: &[Operation]) -> HoldEvents {
        let slice = ops
            .len()
            .div_ceil(4 * rayon::current_num_threads())
            .max(MIN_SLICE);
        // Each slice's placements by shard, the slices in history order.
        let sliced: Vec<Vec<Vec<(&Str, &Str)>>> = ops
            .par_chunks(slice)
            .map(|slice| {
                let mut by_shard = vec![Vec::new(); SHARDS];
                for op in slice {
                    if op.f != "place_hold" || op.outcome != Outcome::Ok {
                        continue;
                    }
                    let hold = op.output.get("hold").and_then(Json::as_text);
                    let event = op.input.get("event").and_then(Json::as_text);
                    if let (Some(hold), Some(event)) = (hold, event) {
                        by_shard[shard(hold)].push((hold, event));
                    }
                }
                by_shard
            })
            .collect();
        if sliced.iter().flatten().all(Vec::is_empty) {
            return HoldEvents::default();
        }
        let shards = (0..SHARDS)
            .into_par_iter()
            .map(|s| {
                let mut table = FastMap::default();
                for (hold, event) in sliced.iter().flat_map(|by_shard| &by_shard[s]) {
                    table.insert((*hold).clone(), (*event).clone());
                }
                table
            })
            .collect();
        HoldEvents { shards }
    }

    /// The event whose ok `place_hold` returned `hold`, if one did.
    pub fn get(&self, hold: &str) -> Option<&Str> {
        self.shards.get(shard(hold))?.get(hold)
    }
}
