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
        let slice = crate::grouping::slice_len(ops.len());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Text;
    use serde_json::json;

    fn place(id: u64, event: &str, outcome: Outcome, hold: &str) -> Operation {
        Operation {
            id,
            completion: Some(id + 1),
            process: 0,
            f: Text::new("place_hold"),
            input: json!({"event": event, "user": "u", "qty": 1}).into(),
            output: json!({ "hold": hold }).into(),
            outcome,
            call: id,
            ret: Some(id + 1),
        }
    }

    #[test]
    fn each_ok_placement_binds_its_hold_the_last_one_winning_across_slices() {
        // More operations than one slice holds, so several slices fill the shards.
        let mut ops: Vec<Operation> = (0..40_000)
            .map(|i| {
                place(
                    2 * i,
                    &format!("e{}", i % 7),
                    Outcome::Ok,
                    &format!("h-{i}"),
                )
            })
            .collect();
        ops.push(place(80_000, "late", Outcome::Ok, "h-3"));
        ops.push(place(80_002, "refused", Outcome::Fail, "h-4"));
        let holds = HoldEvents::of(&ops);
        assert_eq!(holds.get("h-3").map(|e| e.to_string()), Some("late".into()));
        assert_eq!(holds.get("h-4").map(|e| e.to_string()), Some("e4".into()));
        assert_eq!(
            holds.get("h-39999").map(|e| e.to_string()),
            Some("e1".into())
        );
        assert!(holds.get("h-40000").is_none());
        assert!(HoldEvents::of(&[]).get("h-1").is_none());
    }
}
