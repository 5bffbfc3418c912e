//! What a failed search reports: the longest linearizable prefix it found, the state after it,
//! and the operations that cannot follow.

use super::Failure;
use crate::model::Partition;

/// Replays `best` (operations in order, each with the index of the successor state it took) from
/// the initial state, and finds the operations that are due next but cannot take effect.
pub(crate) fn replay<P: Partition>(part: &P, best: &[(u32, u32)]) -> Failure<P::State> {
    let timings = part.ops();
    let mut state = part.init();
    let mut out = Vec::new();
    let mut placed = vec![false; timings.len()];
    for &(op, choice) in best {
        out.clear();
        part.step(&state, op as usize, &mut out);
        state = out.swap_remove(choice as usize);
        placed[op as usize] = true;
    }
    let deadline = (0..timings.len())
        .filter(|&i| !placed[i])
        .filter_map(|i| timings[i].ret.map(|r| (r, i)))
        .min();
    let candidates: Vec<usize> = (0..timings.len())
        .filter(|&i| !placed[i] && deadline.is_none_or(|(r, _)| timings[i].call < r))
        .collect();
    let mut stuck: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| {
            out.clear();
            part.step(&state, i, &mut out);
            out.is_empty() && timings[i].required()
        })
        .collect();
    if stuck.is_empty() {
        stuck.extend(deadline.map(|(_, i)| i));
    }
    Failure {
        prefix: best.iter().map(|&(op, _)| op as usize).collect(),
        state,
        stuck,
    }
}
