//! Time and memory budgets shared by the partitions of one check, and cancellation.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Limits a check must stay within; shared by every partition searched in parallel.
#[derive(Debug)]
pub struct Budget {
    deadline: Option<Instant>,
    time_limit: Option<Duration>,
    memory_limit: u64,
    used: AtomicU64,
    cancelled: AtomicBool,
}

/// Why a search stopped before a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A budget ran out; the sentence says which.
    Exhausted(String),
    /// The check no longer needs this partition (another one was invalid).
    Cancelled,
}

impl Budget {
    /// A budget starting now: `time_limit` from now, `memory_limit` bytes of search caches.
    pub fn new(time_limit: Option<Duration>, memory_limit: u64) -> Budget {
        Budget {
            deadline: time_limit.map(|t| Instant::now() + t),
            time_limit,
            memory_limit,
            used: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Stops every search sharing this budget at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Records that a search's memory grew (or shrank) from `before` to `after` bytes, then says
    /// whether it must stop.
    pub fn check(&self, before: u64, after: u64) -> Result<(), Stop> {
        if after >= before {
            self.used.fetch_add(after - before, Ordering::Relaxed);
        } else {
            self.used.fetch_sub(before - after, Ordering::Relaxed);
        }
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        if let (Some(deadline), Some(limit)) = (self.deadline, self.time_limit) {
            if Instant::now() >= deadline {
                return Err(Stop::Exhausted(format!(
                    "the time limit of {:.1} s was reached before a verdict",
                    limit.as_secs_f64()
                )));
            }
        }
        let used = self.used.load(Ordering::Relaxed);
        if used > self.memory_limit {
            return Err(Stop::Exhausted(format!(
                "the memory limit of {} MiB was reached before a verdict (the search had remembered {} MiB of states)",
                self.memory_limit >> 20,
                used >> 20
            )));
        }
        Ok(())
    }

    /// Gives back `bytes` a finished search held.
    pub fn release(&self, bytes: u64) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}
