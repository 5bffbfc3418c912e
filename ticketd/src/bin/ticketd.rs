//! The `ticketd` binary: parses flags into a [`ticketd::Config`] and serves until Ctrl-C or
//! SIGTERM (open requests get a few seconds, then are dropped).
//! Exit codes: 0 stopped, 254 bad flags, 255 failure, 86 an injected `--crash-after-step` crash.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use ticketd::config::CrashPlan;
use ticketd::tls::TlsConfig;
use ticketd::{Config, EtcdConfig, EventualConfig, ModeConfig, ReadMode};
use tokio::signal::unix::{signal, SignalKind};

/// Where the eventual mode's shared secret is read from when --peer-secret is absent.
const SECRET_VAR: &str = "TICKETD_PEER_SECRET";

/// The ConcertFrenzy hold service (see docs/http-contract.md).
#[derive(Debug, Parser)]
#[command(name = "ticketd", version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Which design serves the contract.
    #[arg(long, value_enum)]
    mode: Mode,
    /// How long a hold lives: `300s`, `1500ms`, `5m`, or seconds.
    #[arg(long, default_value = "300s", value_parser = duration)]
    hold_ttl: Duration,
    /// The largest qty one placeHold may ask for.
    #[arg(long, default_value_t = 10)]
    max_qty: u32,
    /// The largest accepted request body, in bytes.
    #[arg(long, default_value_t = 16 * 1024)]
    max_body_bytes: usize,
    /// How long a read with min_seq waits to catch up before answering 503, in ms.
    #[arg(long, default_value_t = 2000)]
    min_seq_wait_ms: u64,

    /// eventual: this region's name.
    #[arg(long, default_value = "r1")]
    region: String,
    /// eventual: peer regions' base URLs, comma-separated (http://host:port).
    #[arg(long, value_delimiter = ',')]
    peers: Vec<String>,
    /// eventual: how long a change waits before it is sent to the peers, in ms.
    #[arg(long, default_value_t = 100)]
    replication_lag_ms: u64,
    /// eventual: how long placeHold waits for the peers to acknowledge a hold before telling the
    /// client it failed, in ms (0: do not wait).
    #[arg(long, default_value_t = 1000)]
    peer_ack_timeout_ms: u64,

    /// eventual: the secret every region shares, presented with each replication batch and required
    /// of each batch received (16 characters or more). Read from TICKETD_PEER_SECRET when absent,
    /// which keeps it out of the process list.
    #[arg(long)]
    peer_secret: Option<String>,

    /// How long a connection may go without a byte from its client before it is closed, in ms.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    read_timeout_ms: u64,

    /// etcd: client URL of the member this instance talks to.
    #[arg(long, default_value = "http://127.0.0.1:2379")]
    etcd: String,
    /// etcd: prefix of every key ticketd writes.
    #[arg(long, default_value = "ticketd/")]
    key_prefix: String,
    /// etcd: how GET routes read.
    #[arg(long, value_enum, default_value = "linearizable")]
    reads: Reads,
    /// etcd: how long one etcd request may take before the operation answers 503, in ms.
    #[arg(long, default_value_t = 2000)]
    store_timeout_ms: u64,
    /// etcd: the most placeHolds of one event committed in one txn (1..=31; 1: every hold gets its
    /// own seq; holds committed together share theirs).
    #[arg(long, default_value_t = 16)]
    max_batch: usize,
    /// etcd: write inventory, hold and log entry as three separate requests.
    #[arg(long)]
    non_atomic: bool,
    /// etcd --non-atomic: exit (code 86) right after write 1 or 2 of a placeHold.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2), requires = "non_atomic")]
    crash_after_step: Option<u8>,
    /// With --crash-after-step: crash on every n-th non-atomic placeHold (1: the first).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    crash_every: u32,
    /// Serve https with this certificate chain (PEM, leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    Eventual,
    Etcd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Reads {
    Linearizable,
    Serializable,
}

/// Parses `300s`, `1500ms`, `5m` or a bare number of seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; write e.g. 300s, 1500ms or 5m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("unknown unit {unit:?} in {text:?}; use ms, s or m")),
    }
}

impl Cli {
    fn config(&self) -> Config {
        let mode = match self.mode {
            Mode::Eventual => ModeConfig::Eventual(EventualConfig {
                region: self.region.clone(),
                peers: self.peers.clone(),
                replication_lag: Duration::from_millis(self.replication_lag_ms),
                peer_ack_timeout: (self.peer_ack_timeout_ms > 0)
                    .then(|| Duration::from_millis(self.peer_ack_timeout_ms)),
                peer_secret: self
                    .peer_secret
                    .clone()
                    .or_else(|| std::env::var(SECRET_VAR).ok())
                    .unwrap_or_default(),
            }),
            Mode::Etcd => ModeConfig::Etcd(EtcdConfig {
                endpoint: self.etcd.clone(),
                key_prefix: self.key_prefix.clone(),
                reads: match self.reads {
                    Reads::Linearizable => ReadMode::Linearizable,
                    Reads::Serializable => ReadMode::Serializable,
                },
                store_timeout: Duration::from_millis(self.store_timeout_ms),
                max_batch: self.max_batch,
                non_atomic: self.non_atomic,
                crash: self.crash_after_step.map(|after_step| CrashPlan {
                    after_step,
                    every: self.crash_every,
                }),
            }),
        };
        Config {
            mode,
            hold_ttl: self.hold_ttl,
            max_qty: self.max_qty,
            max_body_bytes: self.max_body_bytes,
            min_seq_wait: Duration::from_millis(self.min_seq_wait_ms),
            read_timeout: Duration::from_millis(self.read_timeout_ms),
            tls: self
                .tls_cert
                .clone()
                .zip(self.tls_key.clone())
                .map(|(cert, key)| TlsConfig { cert, key }),
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Handled from before the banner, so a signal right after it still stops ticketd cleanly.
    let mut interrupt = signal(SignalKind::interrupt()).context("handling SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
    let listener = tokio::net::TcpListener::bind(&cli.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; pick a free address with --listen",
                cli.listen
            )
        })?;
    let server = ticketd::serve(cli.config(), listener).await?;
    eprintln!("ticketd: {:?} mode serving on {}", cli.mode, server.url());
    server
        .run_until(async {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 254 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = run(cli).await {
        let code = match e.downcast_ref::<ticketd::ServeError>() {
            Some(ticketd::ServeError::Config(_)) => 254,
            _ => 255,
        };
        eprintln!("ticketd: {e:#}");
        std::process::exit(code);
    }
}
