//! Evidence for an invalid partition, in history terms: operations named by invocation index.

use crate::model::Partition;
use crate::search::Failure;
use crate::verdict::Evidence;

/// Turns a failed search into evidence: the prefix and stuck operations as history indices, the
/// state and explanation in the model's words, and the shrunken witness.
pub fn evidence<P: Partition>(
    part: &P,
    failure: &Failure<P::State>,
    witness: Vec<u64>,
) -> Evidence {
    let timings = part.ops();
    let prefix = failure
        .prefix
        .iter()
        .filter(|&&op| timings[op].real)
        .map(|&op| timings[op].source)
        .collect();
    let mut stuck: Vec<u64> = failure.stuck.iter().map(|&op| timings[op].source).collect();
    stuck.sort_unstable();
    stuck.dedup();
    Evidence {
        prefix,
        stuck,
        state: part.describe_state(&failure.state),
        explanation: part.explain(&failure.state, &failure.stuck),
        witness,
        when: None,
    }
}
