//! Time and memory budgets shared by the partitions of one check, and cancellation.
//!
//! The memory limit is on what the process really holds: its resident set (read from the
//! kernel), plus what a search is about to allocate at once (a table about to double), so the
//! check stops with `unknown` before it crosses the limit instead of after.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Limits a check must stay within; shared by every partition searched in parallel.
#[derive(Debug)]
pub struct Budget {
    started: Instant,
    deadline: Option<Instant>,
    time_limit: Option<Duration>,
    memory_limit: u64,
    /// Bytes the searches say they hold (used when the resident set cannot be read).
    used: AtomicU64,
    /// The resident set at the last reading, and when (µs after `started`).
    resident: AtomicU64,
    resident_at: AtomicU64,
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

/// How often the resident set is read at most, in microseconds.
const RESIDENT_EVERY_US: u64 = 1_000;

/// This process's resident set in bytes, from `/proc/self/status` (`None` where there is none).
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The sentence for a memory limit reached while holding `held` bytes and about to take
/// `more`.
pub fn memory_reason(limit: u64, held: u64, more: u64, doing: &str) -> String {
    let taking = if more > 0 {
        format!(" and was about to take {} MiB more", more.div_ceil(1 << 20))
    } else {
        String::new()
    };
    format!(
        "the memory limit of {} MiB was reached {doing} (the process held {} MiB{taking}); raise \
         --memory-limit or check fewer operations",
        limit >> 20,
        held >> 20
    )
}

impl Budget {
    /// A budget starting now: `time_limit` from now, `memory_limit` bytes for the whole process.
    pub fn new(time_limit: Option<Duration>, memory_limit: u64) -> Budget {
        let started = Instant::now();
        Budget {
            started,
            deadline: time_limit.map(|t| started + t),
            time_limit,
            memory_limit,
            used: AtomicU64::new(0),
            resident: AtomicU64::new(0),
            resident_at: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Stops every search sharing this budget at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Records that a search's memory grew (or shrank) from `before` to `after` bytes, that it
    /// may allocate `burst` more bytes at once before its next check, then says whether it must
    /// stop.
    pub fn check(&self, before: u64, after: u64, burst: u64) -> Result<(), Stop> {
        if after >= before {
            self.used.fetch_add(after - before, Ordering::Relaxed);
        } else {
            self.used.fetch_sub(before - after, Ordering::Relaxed);
        }
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        let now = Instant::now();
        if let (Some(deadline), Some(limit)) = (self.deadline, self.time_limit) {
            if now >= deadline {
                return Err(Stop::Exhausted(format!(
                    "the time limit of {:.1} s was reached before a verdict",
                    limit.as_secs_f64()
                )));
            }
        }
        let held = self.held(now);
        if held + burst > self.memory_limit {
            return Err(Stop::Exhausted(memory_reason(
                self.memory_limit,
                held,
                burst,
                "before a verdict",
            )));
        }
        Ok(())
    }

    /// The process's memory now: its resident set (read at most every millisecond), or the
    /// searches' own estimate where the resident set cannot be read.
    fn held(&self, now: Instant) -> u64 {
        let at = now.duration_since(self.started).as_micros() as u64;
        let last = self.resident_at.load(Ordering::Relaxed);
        let due = at >= last + RESIDENT_EVERY_US || self.resident.load(Ordering::Relaxed) == 0;
        if due
            && self
                .resident_at
                .compare_exchange(last, at, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            if let Some(bytes) = resident_bytes() {
                self.resident.store(bytes, Ordering::Relaxed);
            }
        }
        match self.resident.load(Ordering::Relaxed) {
            0 => self.used.load(Ordering::Relaxed),
            resident => resident,
        }
    }

    /// Gives back `bytes` a finished search held.
    pub fn release(&self, bytes: u64) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}
