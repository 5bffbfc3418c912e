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

/// Parses `name:weight,name:weight,...` (a bare `name` weighs 1), e.g. `1:6,2:3,3:1`.
pub fn parse_weights(text: &str) -> Result<Vec<(String, u32)>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, weight) = match part.split_once(':') {
            Some((n, w)) => {
                let w = w.trim().parse::<u32>().map_err(|_| {
                    format!("weight {w:?} of {n:?} is not a whole number (write name:weight, e.g. {n}:3)")
                })?;
                (n.trim(), w)
            }
            None => (part, 1),
        };
        out.push((name.to_owned(), weight));
    }
    if out.iter().all(|(_, w)| *w == 0) {
        return Err(format!("{text:?} gives nothing a positive weight"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_lists_parse_and_bad_ones_say_why() {
        let parsed = parse_weights("a:2, b ,c:0").unwrap();
        assert_eq!(parsed, [("a".into(), 2), ("b".into(), 1), ("c".into(), 0)]);
        assert!(parse_weights("a:x")
            .unwrap_err()
            .contains("not a whole number"));
        assert!(parse_weights("a:0").is_err());
    }
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
