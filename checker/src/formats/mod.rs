//! History file formats: Frenzy's JSONL, Jepsen EDN and history.txt, Porcupine's two test formats; detection
//! from content, loading, and export to Jepsen EDN.

mod edn_depth;
mod edn_export;
mod edn_value;
mod jepsen_edn;
mod jepsen_txt;
mod memory_guard;
mod porcupine_log;

pub use edn_export::write_jepsen_edn;

use crate::check::default_memory_limit;
use crate::history::History;
use crate::jsonl;
use crate::validate::HistoryError;
use memory_guard::{over_limit, MemoryGuard};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use thiserror::Error;

/// A history file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Frenzy's history.jsonl: one JSON event per line.
    Jsonl,
    /// Jepsen / Knossos `history.edn`.
    JepsenEdn,
    /// Jepsen's `history.txt`: tab-separated `process type f value [error]` lines.
    JepsenTxt,
    /// Porcupine's `jepsen/etcd_NNN.log`: `jepsen.util` log lines of a CAS register.
    PorcupineLog,
    /// Porcupine's `kv/cNN-*.txt`: EDN maps with a `:key`, read like Jepsen EDN.
    PorcupineKv,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 5] = [
        Format::Jsonl,
        Format::JepsenEdn,
        Format::JepsenTxt,
        Format::PorcupineLog,
        Format::PorcupineKv,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JepsenEdn => "edn",
            Format::JepsenTxt => "jepsen-txt",
            Format::PorcupineLog => "porcupine-log",
            Format::PorcupineKv => "porcupine-kv",
        }
    }

    /// Guesses the format from the start of a file; `None` when it looks like none of them.
    /// An empty (or blank) file is an empty JSONL history.
    pub fn detect(head: &str) -> Option<Format> {
        let mut start = head.trim_start();
        while let Some(comment) = start.strip_prefix(';') {
            start = comment
                .split_once('\n')
                .map_or("", |(_, rest)| rest)
                .trim_start();
        }
        let first_line = start.lines().next().unwrap_or("");
        let after_brace = start.strip_prefix('{').map(str::trim_start);
        match start.chars().next() {
            None => Some(Format::Jsonl),
            Some('{') if after_brace.is_some_and(|s| s.starts_with('"')) => Some(Format::Jsonl),
            Some('{') if first_line.contains(":key ") => Some(Format::PorcupineKv),
            Some('{' | '[' | '(' | '#') => Some(Format::JepsenEdn),
            _ if start.starts_with("INFO") => Some(Format::PorcupineLog),
            _ if jepsen_txt::looks_like(first_line) => Some(Format::JepsenTxt),
            _ => None,
        }
    }

    /// Whether values follow Knossos' reading, as Jepsen's tools read them: an ok read of nil
    /// means "the value read is unknown" (Jepsen EDN and `history.txt`).
    pub fn knossos_values(self) -> bool {
        matches!(self, Format::JepsenEdn | Format::JepsenTxt)
    }

    /// Parses a whole history held in memory.
    pub fn parse(self, text: &str) -> Result<History, HistoryError> {
        match self {
            Format::Jsonl => jsonl::read_history(text.as_bytes()),
            Format::JepsenEdn | Format::PorcupineKv => jepsen_edn::parse(text),
            Format::JepsenTxt => jepsen_txt::parse(text),
            Format::PorcupineLog => porcupine_log::parse(text),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format {s:?}; use one of {}", names.join(", "))
            })
    }
}

/// Why a history file could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}; check the path and that it is a readable text file")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No format was given and the content matches none.
    #[error(
        "{path}: cannot tell the history format from its content: its first line `{first_line}` \
         is none of Frenzy's JSONL, Jepsen EDN or history.txt, or Porcupine's logs; pass \
         --format with one of jsonl, edn, jepsen-txt, porcupine-log, porcupine-kv if it is one"
    )]
    UnknownFormat {
        /// The file.
        path: String,
        /// The start of its first non-blank line, to name the shape found.
        first_line: String,
    },
    /// Reading the history would take the process past the memory limit: the check's verdict
    /// is unknown, with this reason.
    #[error("{path}: {reason}")]
    MemoryLimit {
        /// The file.
        path: String,
        /// What was held, and the limit.
        reason: String,
    },
    /// The content is malformed or not a valid history.
    #[error("{path} {source}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, and on which line.
        source: HistoryError,
    },
}

/// Loads and validates the history at `path`, in `format` or the format detected from its content.
/// JSONL is streamed line by line; the other formats are read whole.
pub fn load(path: &Path, format: Option<Format>) -> Result<History, LoadError> {
    load_with_format(path, format, None).map(|(history, _)| history)
}

/// [`load`], also giving the format the history was read in (the one given, or the one detected).
/// Reading stops with [`LoadError::MemoryLimit`] once the process holds more than
/// `memory_limit` bytes (default: [`default_memory_limit`]).
pub fn load_with_format(
    path: &Path,
    format: Option<Format>,
    memory_limit: Option<u64>,
) -> Result<(History, Format), LoadError> {
    let name = path.display().to_string();
    let limit = memory_limit.unwrap_or_else(default_memory_limit);
    let tripped = Arc::new(OnceLock::new());
    // A read the memory guard refused is the limit, not an I/O error.
    let io = |source| match tripped.get() {
        Some(reason) => LoadError::MemoryLimit {
            path: name.clone(),
            reason: String::clone(reason),
        },
        None => LoadError::Io {
            path: name.clone(),
            source,
        },
    };
    let file = MemoryGuard::new(File::open(path).map_err(io)?, limit, tripped.clone());
    let mut input = BufReader::with_capacity(1 << 16, file);
    let format = match format {
        Some(format) => format,
        None => {
            let head = input.fill_buf().map_err(io)?;
            let head = String::from_utf8_lossy(head);
            Format::detect(&head).ok_or_else(|| LoadError::UnknownFormat {
                path: name.clone(),
                first_line: head
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect(),
            })?
        }
    };
    let parsed = match format {
        Format::Jsonl => jsonl::read_history(input),
        other => {
            let mut text = String::new();
            input.read_to_string(&mut text).map_err(io)?;
            other.parse(&text)
        }
    };
    // Past the limit while reading, or while building the history after the last read.
    if let Some(reason) = tripped.get().cloned().or_else(|| over_limit(limit)) {
        return Err(LoadError::MemoryLimit { path: name, reason });
    }
    parsed
        .map(|history| (history, format))
        .map_err(|source| LoadError::Invalid { path: name, source })
}
