//! The adapter's stderr: kept in memory until the run's folder exists, then appended to
//! `adapter.log` there; its last words are kept for error messages.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes kept in memory before a file is attached; more are dropped (and the drop noted).
const BUFFER_LIMIT: usize = 1 << 20;
/// How much of the end of stderr error messages quote.
const TAIL: usize = 400;

/// Where the adapter's stderr goes; cheap to clone.
#[derive(Clone, Default)]
pub struct AdapterLog {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    buffer: Vec<u8>,
    dropped: usize,
    file: Option<File>,
    tail: Vec<u8>,
}

impl AdapterLog {
    /// Appends `bytes` the adapter wrote to its stderr.
    pub fn append(&self, bytes: &[u8]) {
        let mut inner = self.lock();
        inner.tail.extend_from_slice(bytes);
        let excess = inner.tail.len().saturating_sub(TAIL);
        inner.tail.drain(..excess);
        if let Some(file) = inner.file.as_mut() {
            // The log is a courtesy: a full disk must not stop the run.
            let _ = file.write_all(bytes);
        } else if inner.buffer.len() + bytes.len() <= BUFFER_LIMIT {
            inner.buffer.extend_from_slice(bytes);
        } else {
            inner.dropped += bytes.len();
        }
    }

    /// Notes an event of Frenzy's own (a restart) in the log, as a line of its own.
    pub fn note(&self, what: &str) {
        self.append(format!("--- frenzy: {what}\n").as_bytes());
    }

    /// From now on, writes to `path` (created or appended to), starting with what was kept.
    pub fn attach(&self, path: &Path) -> io::Result<()> {
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        let mut inner = self.lock();
        file.write_all(&inner.buffer)?;
        if inner.dropped > 0 {
            writeln!(
                file,
                "--- frenzy: {} bytes of early stderr were dropped",
                inner.dropped
            )?;
        }
        inner.buffer = Vec::new();
        inner.file = Some(file);
        Ok(())
    }

    /// The last few hundred bytes of stderr, trimmed; empty when it printed nothing.
    pub fn tail(&self) -> String {
        String::from_utf8_lossy(&self.lock().tail).trim().to_owned()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_stderr_reaches_the_file_once_attached() {
        let dir = std::env::temp_dir().join(format!("frenzy-adapter-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("adapter.log");
        let log = AdapterLog::default();
        log.append(b"starting\n");
        log.attach(&path).unwrap();
        log.append(b"running\n");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "starting\nrunning\n"
        );
        assert_eq!(log.tail(), "starting\nrunning");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
