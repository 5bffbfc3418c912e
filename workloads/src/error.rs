//! Errors a workload reports before its run starts.

use thiserror::Error;

/// A target node that cannot be tested: found by the preflight check, before any operation runs.
#[derive(Debug, Error)]
pub enum PreflightError {
    /// The node's URL does not parse or is not http(s).
    #[error("node {url:?} is not a usable URL: {reason}; give it as http://HOST:PORT or https://HOST:PORT")]
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
    /// A TLS file given on the command line cannot be used.
    #[error("{flag} {}: {reason}", path.display())]
    TlsFile {
        /// The flag that named it.
        flag: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The node's certificate does not verify.
    #[error("the certificate of node {url} does not verify: {reason}; give the CA that signed it with --cacert, or skip verification with --insecure")]
    Untrusted {
        /// The node's URL.
        url: String,
        /// Why it does not verify.
        reason: String,
    },
    /// The node refused Frenzy's client certificate (or wanted one and got none).
    #[error("node {url} rejected the client certificate ({reason}); give one its CA signed with --cert and --key")]
    ClientCertRejected {
        /// The node's URL.
        url: String,
        /// What the node said.
        reason: String,
    },
    /// The node refused the credentials.
    #[error(
        "node {url} refused the credentials ({reason}); check --user and --password, or --token"
    )]
    Credentials {
        /// The node's URL.
        url: String,
        /// What the node said.
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
