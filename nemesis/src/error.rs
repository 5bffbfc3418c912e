//! The one error type of the nemesis crate.

use std::path::PathBuf;

/// Everything that can go wrong while planning, applying or healing a fault.
#[derive(Debug, thiserror::Error)]
pub enum NemesisError {
    /// A command ran and exited unsuccessfully.
    #[error("`{command}` failed ({status}): {stderr}")]
    Command {
        /// The command line, as a person would type it.
        command: String,
        /// The exit status.
        status: String,
        /// What the command wrote to stderr (trimmed).
        stderr: String,
    },
    /// A command could not be started at all.
    #[error("could not run `{command}`: {source}")]
    Spawn {
        /// The program that could not be started.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A socket operation failed.
    #[error("{what}: {source}")]
    Net {
        /// What was being done.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP request to a node failed or answered something unexpected.
    #[error("{url}: {message}")]
    Http {
        /// The request's URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The driver has no way to apply this fault.
    #[error("the {driver} driver cannot {fault}: {why}")]
    Unsupported {
        /// Driver name (`netns`, `ssh`, `proxy`).
        driver: &'static str,
        /// What was asked.
        fault: String,
        /// Why not, and what to use instead.
        why: String,
    },
    /// Bad input a user can fix (a schedule, a file, a node name, a cluster size).
    #[error("{0}")]
    Invalid(String),
    /// Local clusters need root.
    #[error("local clusters need root (network namespaces and nftables): run as root, or use the proxy or ssh driver")]
    NotRoot,
    /// Something from an earlier cluster is still there.
    #[error("a previous cluster is in the way ({}): run `frenzy cluster down` first", .0.join(", "))]
    InTheWay(Vec<String>),
    /// A folder Frenzy would delete holds no marker saying Frenzy made it.
    #[error("{} was not made by `frenzy cluster up` (it has no .frenzy-cluster marker), so Frenzy leaves it untouched: check --dir and --prefix, or remove it yourself", .0.display())]
    NotOurs(PathBuf),
    /// A cluster did not become healthy in time.
    #[error("{0}")]
    Timeout(String),
}

impl NemesisError {
    /// True for errors a user causes and can fix (the CLI exits 254 for them).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::Invalid(_)
                | Self::NotRoot
                | Self::InTheWay(_)
                | Self::NotOurs(_)
                | Self::Unsupported { .. }
        )
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, NemesisError>;
