//! How often a dead adapter is restarted: with a doubling pause, and only so many times in a row
//! without an answer in between, so a broken adapter cannot spin.

use std::time::Duration;

/// Restarts in a row, without any answer in between, before Frenzy stops trying.
pub const MAX_RESTARTS: u32 = 5;
/// The pause before the first restart; it doubles each time.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause.
const MAX_PAUSE: Duration = Duration::from_secs(3);

/// The count of restarts since the adapter last answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Restarts {
    in_a_row: u32,
}

impl Restarts {
    /// The pause before the next restart, or `None` when the budget is spent.
    pub fn next(&mut self) -> Option<Duration> {
        if self.in_a_row >= MAX_RESTARTS {
            return None;
        }
        let pause = FIRST_PAUSE
            .saturating_mul(1 << self.in_a_row)
            .min(MAX_PAUSE);
        self.in_a_row += 1;
        Some(pause)
    }

    /// The adapter answered: the budget is full again.
    pub fn answered(&mut self) {
        self.in_a_row = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_budget_and_an_answer_refills_it() {
        let mut r = Restarts::default();
        let pauses: Vec<_> = std::iter::from_fn(|| r.next()).collect();
        assert_eq!(pauses.len(), MAX_RESTARTS as usize);
        assert_eq!(pauses[0], FIRST_PAUSE);
        assert_eq!(pauses[1], FIRST_PAUSE * 2);
        assert!(pauses.iter().all(|p| *p <= MAX_PAUSE));
        r.answered();
        assert_eq!(r.next(), Some(FIRST_PAUSE));
    }
}
