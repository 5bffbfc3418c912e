//! Grouping a history's operations by a key (a partition, a ticket event) on every core.

use crate::fast_hash::FastMap;
use rayon::prelude::*;
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// The fewest items grouped as one slice.
const MIN_SLICE: usize = 1 << 14;

/// How many of `items` items one core's slice holds: a few slices a core (each slice's table
/// holds up to every key, so many small slices of a history with many keys would cost more to
/// merge than to fill), and no fewer than [`MIN_SLICE`].
pub(crate) fn slice_len(items: usize) -> usize {
    items
        .div_ceil(4 * rayon::current_num_threads())
        .max(MIN_SLICE)
}

/// `items` grouped by `key`, each group in the items' order; items whose key is `Ok(None)` are
/// left out, and the first error in the items' order is the result.
pub fn group_by<'a, T, K, E>(
    items: &'a [T],
    key: impl Fn(&'a T) -> Result<Option<K>, E> + Sync,
) -> Result<FastMap<K, Vec<&'a T>>, E>
where
    T: Sync,
    K: Eq + Hash + Send,
    E: Send,
{
    let slice = slice_len(items.len());
    let slices: Vec<Result<FastMap<K, Vec<&T>>, E>> = items
        .par_chunks(slice)
        .map(|slice| {
            let mut groups: FastMap<K, Vec<&T>> = FastMap::default();
            for item in slice {
                if let Some(k) = key(item)? {
                    groups.entry(k).or_default().push(item);
                }
            }
            Ok(groups)
        })
        .collect();
    let mut merged: FastMap<K, Vec<&T>> = FastMap::default();
    for groups in slices {
        for (k, items) in groups? {
            match merged.entry(k) {
                Entry::Occupied(group) => group.into_mut().extend(items),
                Entry::Vacant(group) => {
                    group.insert(items);
                }
            }
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_the_items_order_and_the_first_error_wins() {
        let items: Vec<u32> = (0..100_000).collect();
        let groups =
            group_by(&items, |&n| Ok::<_, ()>((n % 7 != 0).then_some(n % 3))).expect("no errors");
        assert_eq!(groups.len(), 3);
        for (k, group) in &groups {
            assert!(group.windows(2).all(|w| w[0] < w[1]));
            assert!(group.iter().all(|&&n| n % 3 == *k && n % 7 != 0));
        }
        let first_bad = group_by(&items, |&n| {
            if n % 40_000 == 39_999 {
                Err(n)
            } else {
                Ok(Some(0))
            }
        });
        assert_eq!(first_bad.err(), Some(39_999));
    }
}
