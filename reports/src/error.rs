//! The errors of the reports crate: what went wrong and where, for the CLI to print.

use std::path::PathBuf;

/// Anything that can stop a run from being stored or a report from being rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "cannot write".
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A history or results file that does not parse.
    #[error("{path}: {message}")]
    BadInput {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it and how to fix it.
        message: String,
    },
    /// A test name that cannot be used as a folder of the store.
    #[error("test name {0:?} cannot name a folder of the store: use letters, digits, '-', '_' or '.', not starting with '.'")]
    BadTestName(String),
    /// A node name that cannot name a log file of the run (`logs/<node>.log`).
    #[error("node name {0:?} cannot name a log file of the run: use letters, digits, '-', '_' or '.', not starting with '.'")]
    BadNodeName(String),
    /// A folder that is not a run of the store (no history.jsonl or results.json).
    #[error("{0} is not a run folder: it has no history.jsonl and results.json (a run folder is store/<test>/<time>/)")]
    NotARun(PathBuf),
    /// Plotters failed to draw a chart.
    #[error("cannot draw the {chart} chart: {message}")]
    Plot {
        /// Which chart.
        chart: &'static str,
        /// Plotters' reason.
        message: String,
    },
}

impl ReportError {
    /// Wraps an I/O error with the action and the path it concerns.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> ReportError {
        let path = path.into();
        move |source| ReportError::Io {
            action,
            path,
            source,
        }
    }
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, ReportError>;
