//! Which seat counts an event can reach before an inventory read: the read is a dead end for
//! the search when no subset of the operations that may still go before it brings `taken` to a
//! value the read allows. Without this, the search tries those subsets one by one (all 2^n of
//! them when the read cannot hold), which is what made events with many unknown placements slow.

use super::tickets::{status, HoldRef, TicketOp, TicketsPartition, TicketsState};

/// Whether an inventory read that reported `remaining` seats can never hold from `state`,
/// whatever subset of the operations `before` goes ahead of it. Over-approximates what each can
/// do to `taken` (a placement adds its seats, a release or expiry may give back the seats of any
/// hold it may name, everything else leaves them), so it never calls a reachable read hopeless.
pub(crate) fn unreachable_read(
    part: &TicketsPartition,
    state: &TicketsState,
    remaining: i64,
    before: &[usize],
) -> bool {
    // The read holds when min_capacity <= remaining + taken' <= max_capacity; the operations
    // before it only narrow the capacity, so the state's bounds are wide enough.
    let taken = i128::from(state.taken);
    let low = i128::from(state.min_capacity) - i128::from(remaining) - taken;
    let high = i128::from(state.max_capacity) - i128::from(remaining) - taken;
    let mut adds: Vec<i64> = Vec::new();
    let mut gives_back: Vec<Vec<i64>> = Vec::new();
    for &op in before {
        match &part.ops[op] {
            TicketOp::Place(p) => adds.push(part.placements[*p as usize].qty),
            TicketOp::Expire(p) => gives_back.push(vec![part.placements[*p as usize].qty]),
            TicketOp::Release(hold) => gives_back.push(released_seats(part, state, *hold)),
            _ => {}
        }
    }
    // Seat counts are positive (compiling refuses others); summed wide, as a history may give
    // any count.
    let most_added: i128 = adds.iter().map(|&q| i128::from(q)).sum();
    let most_given: i128 = gives_back
        .iter()
        .map(|choices| choices.iter().copied().max().map_or(0, i128::from))
        .sum();
    if high < -most_given || low > most_added {
        return true;
    }
    let span = usize::try_from(most_added + most_given).unwrap_or(usize::MAX);
    if span > MAX_SPAN {
        // Too wide to enumerate: judged by the bounds alone.
        return false;
    }
    // From here every count is below MAX_SPAN.
    let offset = most_given as usize;
    let reach = reachable(&adds, &gives_back, offset, span);
    let first = (low.max(-most_given) + most_given) as usize;
    let last = (high.min(most_added) + most_given) as usize;
    !(first..=last).any(|at| reach[at / 64] >> (at % 64) & 1 == 1)
}

/// Widest range of seat changes enumerated exactly (beyond, only the bounds are compared).
const MAX_SPAN: usize = 1 << 16;

/// The seats a release of `hold` may give back: those of the placement it names, or of any
/// anonymous placement when its hold id is not yet bound to one; none for another event's hold.
fn released_seats(part: &TicketsPartition, state: &TicketsState, hold: HoldRef) -> Vec<i64> {
    let qty = |p: u32| part.placements[p as usize].qty;
    match hold {
        HoldRef::Known(p) => vec![qty(p)],
        HoldRef::Orphan(o) if state.bound.get(o as usize) != u32::MAX => {
            vec![qty(state.bound.get(o as usize))]
        }
        HoldRef::Orphan(_) => {
            let mut seats: Vec<i64> = part
                .anonymous_placements()
                .iter()
                .filter(|&&p| {
                    matches!(
                        state.status.get(p as usize),
                        status::NOT_PLACED | status::ACTIVE
                    )
                })
                .map(|&p| qty(p))
                .collect();
            seats.sort_unstable();
            seats.dedup();
            seats
        }
        HoldRef::Foreign(_) => Vec::new(),
    }
}

/// Which changes of `taken` some subset reaches, as bits: bit `offset + d` says whether change
/// `d` is reached, for `d` in `-offset ..= span - offset` (`offset`: the most seats `gives_back`
/// can give back). Each of `adds` may add its seats; each of `gives_back` may take away one of
/// its choices.
fn reachable(adds: &[i64], gives_back: &[Vec<i64>], offset: usize, span: usize) -> Vec<u64> {
    let mut reach = vec![0u64; span / 64 + 1];
    reach[offset / 64] |= 1 << (offset % 64);
    for &q in adds {
        let shifted = shifted(&reach, q as isize);
        or_into(&mut reach, &shifted);
    }
    for choices in gives_back {
        let before = reach.clone();
        for &q in choices {
            or_into(&mut reach, &shifted(&before, -(q as isize)));
        }
    }
    reach
}

/// `bits` moved `by` places up (down when negative), bits moved past either end dropped.
fn shifted(bits: &[u64], by: isize) -> Vec<u64> {
    let n = bits.len();
    let (words, within) = (by.unsigned_abs() / 64, by.unsigned_abs() % 64);
    let word = |i: isize| -> u64 {
        usize::try_from(i)
            .ok()
            .and_then(|i| bits.get(i))
            .copied()
            .unwrap_or(0)
    };
    (0..n as isize)
        .map(|i| {
            if by >= 0 {
                let from = i - words as isize;
                let low = if within == 0 {
                    0
                } else {
                    word(from - 1) >> (64 - within)
                };
                (word(from) << within) | low
            } else {
                let from = i + words as isize;
                let high = if within == 0 {
                    0
                } else {
                    word(from + 1) << (64 - within)
                };
                (word(from) >> within) | high
            }
        })
        .collect()
}

/// `into |= bits`, word by word.
fn or_into(into: &mut [u64], bits: &[u64]) {
    for (a, b) in into.iter_mut().zip(bits) {
        *a |= b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The changes a plain enumeration of every subset reaches.
    fn enumerated(adds: &[i64], gives_back: &[Vec<i64>]) -> std::collections::BTreeSet<i64> {
        let mut sums = std::collections::BTreeSet::from([0]);
        for &q in adds {
            sums = sums.iter().flat_map(|&s| [s, s + q]).collect();
        }
        for choices in gives_back {
            let more: Vec<i64> = sums
                .iter()
                .flat_map(|&s| choices.iter().map(move |&q| s - q))
                .collect();
            sums.extend(more);
        }
        sums
    }

    proptest::proptest! {
        #[test]
        fn the_reachable_changes_are_those_of_some_subset(
            adds in proptest::collection::vec(1i64..70, 0..8),
            gives_back in proptest::collection::vec(proptest::collection::vec(1i64..70, 1..3), 0..4),
        ) {
            let most_added: i64 = adds.iter().sum();
            let most_given: i64 = gives_back.iter().map(|c| *c.iter().max().unwrap()).sum();
            let span = (most_added + most_given) as usize;
            let reach = reachable(&adds, &gives_back, most_given as usize, span);
            let found: std::collections::BTreeSet<i64> = (0..=span)
                .filter(|&at| reach[at / 64] >> (at % 64) & 1 == 1)
                .map(|at| at as i64 - most_given)
                .collect();
            proptest::prop_assert_eq!(found, enumerated(&adds, &gives_back));
        }
    }
}
