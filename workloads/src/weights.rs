//! Choosing among alternatives by weight.

use rand::Rng;

/// Alternatives with integer weights; an alternative of weight 0 is never chosen.
#[derive(Debug, Clone)]
pub struct Weighted<T> {
    items: Vec<(T, u32)>,
    total: u64,
}

impl<T: Copy> Weighted<T> {
    /// The alternatives with their weights; `None` when every weight is zero.
    pub fn new(items: impl IntoIterator<Item = (T, u32)>) -> Option<Weighted<T>> {
        let items: Vec<(T, u32)> = items.into_iter().filter(|(_, w)| *w > 0).collect();
        let total = items.iter().map(|(_, w)| u64::from(*w)).sum();
        (total > 0).then_some(Weighted { items, total })
    }

    /// One alternative, chosen with probability proportional to its weight.
    pub fn choose(&self, rng: &mut impl Rng) -> T {
        let mut ticket = rng.random_range(0..self.total);
        for (item, weight) in &self.items {
            if ticket < u64::from(*weight) {
                return *item;
            }
            ticket -= u64::from(*weight);
        }
        // Unreachable: the ticket is below the sum of the weights. The last item is a safe answer.
        self.items[self.items.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn choices_follow_the_weights() {
        let w = Weighted::new([('a', 1), ('b', 3), ('z', 0)]).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let picks: Vec<char> = (0..40_000).map(|_| w.choose(&mut rng)).collect();
        let b = picks.iter().filter(|c| **c == 'b').count() as f64 / picks.len() as f64;
        assert!((b - 0.75).abs() < 0.02, "share of b: {b}");
        assert!(!picks.contains(&'z'));
    }

    #[test]
    fn all_zero_weights_choose_nothing() {
        assert!(Weighted::new([('a', 0)]).is_none());
    }
}
