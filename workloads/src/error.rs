//! Errors a workload reports before its run starts.

use thiserror::Error;

/// A target node that cannot be tested: found by the preflight check, before any operation runs.
#[derive(Debug, Error)]
pub enum PreflightError {
    /// The node's URL does not parse or is not plain http.
    #[error("node {url:?} is not a usable URL: {reason}; give it as http://HOST:PORT")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing answered at the node's address.
    #[error("node {url} is unreachable ({reason}); is the service running and listening there?")]
    Unreachable {
        /// The node's URL.
        url: String,
        /// The network error.
        reason: String,
    },
    /// Something answered, but not in the way the workload's contract says.
    #[error("node {url} does not speak the {contract}: {reason}; is this the right address and --workload?")]
    WrongContract {
        /// The node's URL.
        url: String,
        /// Which contract was expected.
        contract: &'static str,
        /// What answered instead.
        reason: String,
    },
    /// The node speaks the contract but answered its JSON 503: it cannot serve right now.
    #[error("node {url} speaks the {contract} but is unavailable right now ({reason}); retry later, e.g. once `frenzy cluster heal` has finished or its store answers")]
    Unavailable {
        /// The node's URL.
        url: String,
        /// Which contract it speaks.
        contract: &'static str,
        /// What it answered.
        reason: String,
    },
    /// Setting up the test (creating events) was refused.
    #[error("setting up the test on {url} failed: {reason}")]
    Setup {
        /// The node's URL.
        url: String,
        /// What the node said.
        reason: String,
    },
}
