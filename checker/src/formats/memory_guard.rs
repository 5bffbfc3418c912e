//! A reader that stops a history load once the process holds more memory than the check may use.

use crate::search::{memory_reason, resident_bytes};
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::OnceLock;

/// Wraps a file: a read first compares the process's resident set with `limit` (once every
/// [`CHECK_EVERY`] bytes read), and past it fails the read and keeps the reason, so loading stops
/// within the limit (plus what reading a megabyte holds).
pub struct MemoryGuard<R> {
    inner: R,
    limit: u64,
    tripped: Arc<OnceLock<String>>,
    /// Bytes read since the resident set was last compared.
    unchecked: usize,
}

/// Bytes read between two looks at the resident set (each look reads `/proc`).
const CHECK_EVERY: usize = 1 << 20;

impl<R: Read> MemoryGuard<R> {
    /// Guards `inner` with `limit` bytes for the whole process; `tripped` gets the reason when
    /// the limit stops a read.
    pub fn new(inner: R, limit: u64, tripped: Arc<OnceLock<String>>) -> Self {
        MemoryGuard {
            inner,
            limit,
            tripped,
            unchecked: CHECK_EVERY,
        }
    }
}

/// The reason the process is over `limit` now, if it is (`None` where the resident set cannot
/// be read).
pub fn over_limit(limit: u64) -> Option<String> {
    let held = resident_bytes()?;
    (held > limit).then(|| memory_reason(limit, held, 0, "while reading the history"))
}

impl<R: Read> Read for MemoryGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.unchecked >= CHECK_EVERY {
            if let Some(reason) = over_limit(self.limit) {
                let reason = self.tripped.get_or_init(|| reason).clone();
                return Err(io::Error::other(reason));
            }
            self.unchecked = 0;
        }
        let read = self.inner.read(buf)?;
        self.unchecked += read;
        Ok(read)
    }
}
