//! How a ticketd instance is configured: the mode and its knobs, shared by the binary and in-process use.

use std::time::Duration;

/// Everything one ticketd instance needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which design serves the contract.
    pub mode: ModeConfig,
    /// How long a hold lives before it expires and returns its seats.
    pub hold_ttl: Duration,
    /// The largest `qty` one placeHold may ask for.
    pub max_qty: u32,
    /// The largest request body accepted on the public routes, in bytes.
    pub max_body_bytes: usize,
    /// How long a read with `min_seq` may wait for this instance to catch up before answering 503.
    pub min_seq_wait: Duration,
    /// How long a connection may go without a byte from its client (mid-request or between
    /// requests) before it is closed.
    pub read_timeout: Duration,
    /// Serve https with this certificate and key; plain http when `None`.
    pub tls: Option<crate::tls::TlsConfig>,
}

impl Config {
    /// A configuration with the documented defaults for the given mode.
    pub fn new(mode: ModeConfig) -> Self {
        Config {
            mode,
            hold_ttl: Duration::from_secs(300),
            max_qty: 10,
            max_body_bytes: 16 * 1024,
            min_seq_wait: Duration::from_secs(2),
            read_timeout: crate::idle_timeout::DEFAULT_READ_TIMEOUT,
            tls: None,
        }
    }
}

/// The design that serves the contract.
#[derive(Debug, Clone)]
pub enum ModeConfig {
    /// Regions with their own inventory copies, replicating asynchronously (ConcertFrenzy today).
    Eventual(EventualConfig),
    /// etcd as the single source of truth.
    Etcd(EtcdConfig),
}

/// Knobs of the eventual (multi-region, asynchronous) design.
#[derive(Debug, Clone)]
pub struct EventualConfig {
    /// This region's name; it appears in hold ids (`event:region-n`).
    pub region: String,
    /// Base URLs of the peer regions (`http://host:port`), where replication is sent.
    pub peers: Vec<String>,
    /// How long a change waits in the replication queue before it is sent.
    pub replication_lag: Duration,
    /// How long placeHold waits for every peer to acknowledge the new hold; when they do not in time
    /// the client is told the hold failed (while the local write stays and replicates later).
    /// `None`: reply right after the local write.
    pub peer_ack_timeout: Option<Duration>,
    /// The secret every region of the deployment shares: sent with each replication batch, and
    /// required of every batch received (at least 16 characters).
    pub peer_secret: String,
}

/// Knobs of the etcd-backed design.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    /// Client URL of the etcd member this instance talks to (`http://127.0.0.1:2379`).
    pub endpoint: String,
    /// Prefix of every key ticketd writes, so several deployments can share one cluster.
    pub key_prefix: String,
    /// How GET routes read.
    pub reads: ReadMode,
    /// How long one etcd request may take before the operation is reported as unavailable (503).
    pub store_timeout: Duration,
    /// The most placeHolds of one event this instance commits in one txn (1..=31; 1: one txn per
    /// placeHold, so every hold has its own seq). Holds committed together share their seq.
    pub max_batch: usize,
    /// Write inventory, hold and log entry as three separate requests (the design meant to be caught).
    pub non_atomic: bool,
    /// Fault injection for `non_atomic`: exit the process between two of the three writes.
    pub crash: Option<CrashPlan>,
}

impl EtcdConfig {
    /// An etcd configuration with defaults (linearizable reads, atomic writes) for one endpoint.
    pub fn new(endpoint: impl Into<String>) -> Self {
        EtcdConfig {
            endpoint: endpoint.into(),
            key_prefix: "ticketd/".to_string(),
            reads: ReadMode::Linearizable,
            store_timeout: Duration::from_secs(2),
            max_batch: 16,
            non_atomic: false,
            crash: None,
        }
    }
}

/// How reads are answered in etcd mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Through the Raft leader's read index: never stale.
    Linearizable,
    /// From the local member's store: fast, and stale when the member lags or is cut off.
    Serializable,
}

/// Exit the process (code [`CrashPlan::EXIT_CODE`]) after write `after_step` of every `every`-th
/// non-atomic placeHold, so a test can show what a crash between the writes leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrashPlan {
    /// 1: after the inventory decrement; 2: after the hold record.
    pub after_step: u8,
    /// Crash on the n-th, 2n-th, ... non-atomic placeHold this process serves (1: the first one).
    pub every: u32,
}

impl CrashPlan {
    /// The exit code of an injected crash, so a supervisor can tell it from a real failure.
    pub const EXIT_CODE: i32 = 86;
}
