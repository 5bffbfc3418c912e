//! The pace of a run: a target rate over all processes, with jitter (Jepsen's `stagger`).

use rand::Rng;
use std::time::Duration;

/// How long each process waits before its next operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// The mean wait of one process; zero runs flat out.
    mean: Duration,
}

impl Pacing {
    /// Pacing for `rate` operations per second in total over `concurrency` processes; `None` (or a
    /// non-positive rate) runs flat out.
    pub fn new(rate: Option<f64>, concurrency: usize) -> Pacing {
        let mean = match rate {
            Some(r) if r > 0.0 && r.is_finite() => Duration::from_secs_f64(concurrency as f64 / r),
            _ => Duration::ZERO,
        };
        Pacing { mean }
    }

    /// The next wait: uniform in `[0, 2 * mean)`, so the mean rate holds while processes drift
    /// apart instead of firing in lockstep.
    pub fn next_wait(&self, rng: &mut impl Rng) -> Duration {
        if self.mean.is_zero() {
            return Duration::ZERO;
        }
        self.mean.mul_f64(2.0 * rng.random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn waits_average_to_the_rate_and_vary() {
        let pacing = Pacing::new(Some(100.0), 10);
        let mut rng = StdRng::seed_from_u64(7);
        let waits: Vec<Duration> = (0..10_000).map(|_| pacing.next_wait(&mut rng)).collect();
        let mean = waits.iter().sum::<Duration>() / waits.len() as u32;
        assert!(
            (mean.as_secs_f64() - 0.1).abs() < 0.005,
            "mean wait {mean:?}, expected ~100 ms"
        );
        assert!(waits.iter().any(|w| *w < Duration::from_millis(20)));
        assert!(waits.iter().any(|w| *w > Duration::from_millis(180)));
        assert!(waits.iter().all(|w| *w < Duration::from_millis(200)));
    }

    #[test]
    fn no_rate_means_no_wait() {
        let mut rng = StdRng::seed_from_u64(7);
        assert_eq!(Pacing::new(None, 10).next_wait(&mut rng), Duration::ZERO);
        assert_eq!(
            Pacing::new(Some(0.0), 10).next_wait(&mut rng),
            Duration::ZERO
        );
    }
}
